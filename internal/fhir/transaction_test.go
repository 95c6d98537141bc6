package fhir

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// entryResponse returns the response of a transaction-response's i'th entry.
func entryResponse(m map[string]any, i int) map[string]any {
	return m["entry"].([]any)[i].(map[string]any)["response"].(map[string]any)
}

// location is an entry's location without its _history part: "Task/<id>".
func location(m map[string]any, i int) string {
	loc, _ := entryResponse(m, i)["location"].(string)
	return strings.SplitN(loc, "/_history/", 2)[0]
}

func TestTransactionRecordsReferral(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		m := w.refer(t, nil)
		if m["type"] != "transaction-response" || len(m["entry"].([]any)) != 6 {
			t.Fatalf("want a transaction-response answering 5 entries and the Task: %v", m)
		}
		for i, want := range []string{"Patient/", "ServiceRequest/", "", "", "QuestionnaireResponse/", "Task/"} {
			resp := entryResponse(m, i)
			if resp["status"] != "201 Created" || !strings.HasPrefix(fmt.Sprint(resp["location"]), want) {
				t.Errorf("entry %d: %v", i, resp)
			}
		}

		rs, err := w.referrals.List(ctx, referral.Filter{ServiceIDs: []int64{w.svc.ID}})
		if err != nil || len(rs) != 1 {
			t.Fatalf("the service's inbox: %v %v", rs, err)
		}
		r := rs[0]
		if r.Status != referral.StatusRequested || referral.NeedsString(r.Needs) != "loneliness,physical_activity" ||
			r.Urgency != referral.UrgencyRoutine || r.Source != referral.SourceGP || r.ReferrerName != "Dr Priya Shah, Riverside Medical Centre" ||
			!strings.Contains(r.Details, "get walking again") || !strings.Contains(r.ReferrerContact, "Y90001") {
			t.Errorf("referral as recorded: %+v", r)
		}
		p, err := w.people.Get(ctx, r.PersonID)
		if err != nil {
			t.Fatal(err)
		}
		if p.NHSNumber != "9434765919" || p.Name() != "Margaret Okonkwo" || p.DateOfBirth != "1948-03-21" || p.Sex != person.Female ||
			p.Postcode != "LS1 4AP" || p.PracticeODS != "Y90001" || p.Phone != "0113 496 0000" || p.Address != "14 Mill Lane, Riverside" {
			t.Errorf("person as recorded: %+v", p)
		}
		consents, _, err := w.people.Consents(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if consents[person.ConsentSocialPrescribing].Value != "given" || consents[person.ConsentGPSharing].Value != "codes_only" {
			t.Errorf("consents: %+v", consents)
		}

		qr := w.do(t, "gp", "GET", "/fhir/"+location(m, 4), nil)
		if qr.status != 200 || !strings.Contains(string(qr.body), "ons4-loneliness") {
			t.Errorf("questionnaire response read back: %d %s", qr.status, qr.body)
		}
		task := w.do(t, "gp", "GET", "/fhir/"+location(m, 5), nil).json(t)
		if task["status"] != "requested" || task["focus"].(map[string]any)["reference"] != location(m, 1) {
			t.Errorf("task: %v", task)
		}

		entries, err := audit.List(ctx, db, audit.Filter{Action: "fhir.refer"})
		if err != nil || entries.Total != 1 || !strings.Contains(entries.Entries[0].Actor, "api client") ||
			!strings.Contains(entries.Entries[0].Detail, fmt.Sprintf("organisation=%d", w.gp.ID)) {
			t.Errorf("audit of the referral: %+v %v", entries, err)
		}
		if strings.Contains(entries.Entries[0].Detail, "Okonkwo") {
			t.Error("the audit detail names the person")
		}
	})
}

func TestTransactionMatchesPersonOnNHSNumberAndBirthDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		first := w.refer(t, nil)
		second := w.refer(t, func(m map[string]any) { setIdentifier(m, "RMC-2026-00043") })
		if entryResponse(second, 0)["status"] != "200 OK" || location(second, 0) != location(first, 0) {
			t.Errorf("the same NHS number and birth date: want the same Patient, 200 OK; got %v", entryResponse(second, 0))
		}
		if n := count(t, db, "people"); n != 1 {
			t.Errorf("people: %d, want 1", n)
		}

		// The same number with another birth date is a conflict, never a match.
		res := w.do(t, "gp", "POST", "/fhir", edit(t, w.example(t, "transaction.json"), func(m map[string]any) {
			setIdentifier(m, "RMC-2026-00044")
			resourceAt(m, 0)["birthDate"] = "1950-01-01"
		}))
		expectIssue(t, res, http.StatusConflict, "conflict", "Bundle.entry[0].resource.birthDate")

		// Someone else with the same name and birthday is another person.
		third := w.refer(t, func(m map[string]any) {
			setIdentifier(m, "RMC-2026-00045")
			setNHSNumber(m, "4010232137")
		})
		if entryResponse(third, 0)["status"] != "201 Created" || location(third, 0) == location(first, 0) {
			t.Errorf("another NHS number: want a new Patient; got %v", entryResponse(third, 0))
		}
		if n := count(t, db, "referrals"); n != 3 {
			t.Errorf("referrals: %d, want 3", n)
		}
	})
}

func setIdentifier(m map[string]any, value string) {
	sr := resourceAt(m, 1)
	sys := "https://fhir.riverside-medical.example/referral"
	sr["identifier"] = []any{map[string]any{"system": sys, "value": value}}
	m["entry"].([]any)[1].(map[string]any)["request"].(map[string]any)["ifNoneExist"] = "identifier=" + sys + "|" + value
}

func setNHSNumber(m map[string]any, nhs string) {
	resourceAt(m, 0)["identifier"] = []any{map[string]any{"system": SystemNHSNumber, "value": nhs}}
}

// expectIssue checks an error answer: its status, and an OperationOutcome issue of the code
// at the expression ("" for none expected).
func expectIssue(t *testing.T, res response, status int, code, expression string) {
	t.Helper()
	if res.status != status {
		t.Errorf("status %d, want %d: %s", res.status, status, res.body)
		return
	}
	m := res.json(t)
	if m["resourceType"] != "OperationOutcome" {
		t.Errorf("not an OperationOutcome: %s", res.body)
		return
	}
	for _, is := range m["issue"].([]any) {
		is := is.(map[string]any)
		exprs := fmt.Sprint(is["expression"])
		if is["code"] == code && is["severity"] == "error" && is["diagnostics"] != "" && (expression == "" || exprs == "["+expression+"]") {
			return
		}
	}
	t.Errorf("no %s issue at %q: %s", code, expression, res.body)
}

func TestTransactionErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ex := w.example(t, "transaction.json")
		change := func(f func(m map[string]any)) []byte { return edit(t, ex, f) }
		patient := func(f func(p map[string]any)) []byte { return change(func(m map[string]any) { f(resourceAt(m, 0)) }) }
		request := func(f func(sr map[string]any)) []byte { return change(func(m map[string]any) { f(resourceAt(m, 1)) }) }
		cases := []struct {
			name       string
			client     string
			body       []byte
			status     int
			code, expr string
		}{
			{"malformed JSON", "gp", []byte(`{"resourceType": "Bundle", `), 400, "structure", ""},
			{"not a Bundle", "gp", []byte(`{"resourceType": "Patient"}`), 400, "invalid", "Bundle.resourceType"},
			{"a batch", "gp", change(func(m map[string]any) { m["type"] = "batch" }), 400, "not-supported", "Bundle.type"},
			{"wrong JSON type", "gp", patient(func(p map[string]any) { p["birthDate"] = 1948 }), 400, "structure", "Bundle.entry[0].resource.birthDate"},
			{"no Patient", "gp", change(func(m map[string]any) { m["entry"] = m["entry"].([]any)[1:] }), 400, "required", "Bundle.entry"},
			{"an Observation", "gp", change(func(m map[string]any) {
				resourceAt(m, 4)["resourceType"] = "Observation"
				m["entry"].([]any)[4].(map[string]any)["request"].(map[string]any)["url"] = "Observation"
			}), 400, "not-supported", "Bundle.entry[4].resource.resourceType"},
			{"a PUT entry", "gp", change(func(m map[string]any) {
				m["entry"].([]any)[2].(map[string]any)["request"].(map[string]any)["method"] = "PUT"
			}), 400, "not-supported", "Bundle.entry[2].request"},
			{"no NHS number", "gp", patient(func(p map[string]any) { delete(p, "identifier") }), 400, "required", "Bundle.entry[0].resource.identifier"},
			{"invalid NHS number", "gp", patient(func(p map[string]any) {
				setNHSNumber(map[string]any{"entry": []any{map[string]any{"resource": p}}}, "9434765918")
			}),
				422, "value", "Bundle.entry[0].resource.identifier[0].value"},
			{"no birth date", "gp", patient(func(p map[string]any) { delete(p, "birthDate") }), 400, "required", "Bundle.entry[0].resource.birthDate"},
			{"partial birth date", "gp", patient(func(p map[string]any) { p["birthDate"] = "1948-03" }), 422, "value", "Bundle.entry[0].resource.birthDate"},
			{"unknown gender", "gp", patient(func(p map[string]any) { p["gender"] = "f" }), 422, "code-invalid", "Bundle.entry[0].resource.gender"},
			{"invalid postcode", "gp", patient(func(p map[string]any) {
				p["address"] = []any{map[string]any{"postalCode": "NOT A POSTCODE"}}
			}), 422, "value", "Bundle.entry[0].resource.address[0].postalCode"},
			{"no code", "gp", request(func(sr map[string]any) { delete(sr, "code") }), 400, "required", "Bundle.entry[1].resource.code"},
			{"another SNOMED code", "gp", request(func(sr map[string]any) {
				sr["code"] = map[string]any{"coding": []any{map[string]any{"system": SystemSNOMED, "code": "183524004"}}}
			}), 422, "code-invalid", "Bundle.entry[1].resource.code"},
			{"unknown need", "gp", request(func(sr map[string]any) {
				sr["reasonCode"] = []any{map[string]any{"coding": []any{map[string]any{"system": SystemNeed, "code": "boredom"}}}}
			}), 422, "code-invalid", "Bundle.entry[1].resource.reasonCode[0]"},
			{"no needs", "gp", request(func(sr map[string]any) { delete(sr, "reasonCode") }), 400, "required", "Bundle.entry[1].resource.reasonCode"},
			{"unknown priority", "gp", request(func(sr map[string]any) { sr["priority"] = "whenever" }), 422, "code-invalid", "Bundle.entry[1].resource.priority"},
			{"no requester", "gp", request(func(sr map[string]any) { delete(sr, "requester") }), 400, "required", "Bundle.entry[1].resource.requester"},
			{"no authoredOn", "gp", request(func(sr map[string]any) { delete(sr, "authoredOn") }), 400, "required", "Bundle.entry[1].resource.authoredOn"},
			{"subject does not resolve", "gp", request(func(sr map[string]any) {
				sr["subject"] = map[string]any{"reference": "urn:uuid:00000000-0000-4000-8000-000000000000"}
			}), 400, "invalid", "Bundle.entry[1].resource.subject"},
			{"service that does not exist", "gp", request(func(sr map[string]any) {
				sr["performer"] = []any{map[string]any{"reference": "HealthcareService/" + w.ids.seal(kindHealthcareService, w.svc.ID+100)}}
			}), 404, "not-found", "Bundle.entry[1].resource.performer[0]"},
			{"performer not a service id", "gp", request(func(sr map[string]any) {
				sr["performer"] = []any{map[string]any{"reference": "HealthcareService/riverside"}}
			}), 404, "not-found", "Bundle.entry[1].resource.performer[0]"},
			{"consent refused", "gp", change(func(m map[string]any) {
				resourceAt(m, 2)["provision"] = map[string]any{"type": "deny"}
			}), 422, "business-rule", "Bundle.entry[2].resource.provision.type"},
			{"no consent", "gp", change(func(m map[string]any) {
				e := m["entry"].([]any)
				m["entry"] = append(append([]any{}, e[:2]...), e[3:]...)
			}), 400, "required", "Bundle.entry"},
			{"unknown GP sharing", "gp", change(func(m map[string]any) {
				resourceAt(m, 3)["provision"] = map[string]any{"type": "permit"}
			}), 422, "code-invalid", "Bundle.entry[3].resource.provision.code"},
			{"no token", "", ex, 401, "login", ""},
			{"bad token", "bogus", ex, 401, "login", ""},
			{"without referral.write", "narrow", ex, 403, "forbidden", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := w.do(t, c.client, "POST", "/fhir", c.body)
				expectIssue(t, res, c.status, c.code, c.expr)
			})
		}
		for _, table := range []string{"people", "referrals", "consents", "fhir_referrals", "fhir_tasks", "fhir_questionnaire_responses"} {
			if n := count(t, db, table); n != 0 {
				t.Errorf("refused requests left %d rows in %s", n, table)
			}
		}
	})
}

// TestTransactionAllOrNothing makes the last write of a referral fail, after the person, the
// referral and its consents are written, and checks none of them remain.
func TestTransactionAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		trigger := []string{`CREATE TRIGGER fail_task BEFORE INSERT ON fhir_tasks BEGIN SELECT RAISE(ABORT, 'disk full'); END`}
		if db.Dialect == store.Postgres {
			trigger = []string{`CREATE FUNCTION fail_task() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql`,
				`CREATE TRIGGER fail_task BEFORE INSERT ON fhir_tasks FOR EACH ROW EXECUTE FUNCTION fail_task()`}
		}
		for _, q := range trigger {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		audited := count(t, db, "audit_log")
		res := w.do(t, "gp", "POST", "/fhir", w.example(t, "transaction.json"))
		expectIssue(t, res, http.StatusInternalServerError, "exception", "")
		if strings.Contains(string(res.body), "disk full") {
			t.Error("the internal cause is shown to the client")
		}
		for _, table := range []string{"people", "referrals", "consents", "fhir_referrals"} {
			if n := count(t, db, table); n != 0 {
				t.Errorf("a failed referral left %d rows in %s", n, table)
			}
		}
		// What remains on the record is the refusal itself, nothing of the referral.
		var n int
		if err := db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE seq > ? AND action <> 'fhir.refused'`, audited).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("a failed referral left %d audit entries", n)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		body := w.example(t, "transaction.json")
		first := w.do(t, "gp", "POST", "/fhir", body, "Idempotency-Key", "a7d0c5e2-referral-1")
		again := w.do(t, "gp", "POST", "/fhir", body, "Idempotency-Key", "a7d0c5e2-referral-1")
		if first.status != 200 || again.status != 200 || string(first.body) != string(again.body) {
			t.Fatalf("a retry must get the first answer: %d %d\n%s\n%s", first.status, again.status, first.body, again.body)
		}
		other := edit(t, body, func(m map[string]any) { setIdentifier(m, "RMC-2026-00099") })
		expectIssue(t, w.do(t, "gp", "POST", "/fhir", other, "Idempotency-Key", "a7d0c5e2-referral-1"), 422, "business-rule", "")
		// Keys are each client's own: another client's same key is a new request.
		if res := w.do(t, "other", "POST", "/fhir", body, "Idempotency-Key", "a7d0c5e2-referral-1"); res.status != 200 {
			t.Errorf("another client's key: %d %s", res.status, res.body)
		}
		if n := count(t, db, "referrals"); n != 2 {
			t.Errorf("referrals: %d, want 2 (the GP's once, the other practice's once)", n)
		}
		// A week on, the answers are forgotten: a retry then is a new request.
		if _, err := db.Exec(context.Background(), `UPDATE fhir_idempotency SET created_at = ?`, time.Now().UTC().Add(-KeepReplies-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, err := w.fhir.PurgeReplies(context.Background()); err != nil || n != 2 {
			t.Errorf("purge: %d %v, want the 2 keys", n, err)
		}
	})
}

// TestConcurrentRetries sends one referral eight times at once with one key: exactly one
// referral is made, and every answer is the same.
func TestConcurrentRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		body := w.example(t, "transaction.json")
		var wg sync.WaitGroup
		answers := make([]response, 8)
		for i := range answers {
			wg.Go(func() { answers[i] = w.do(t, "gp", "POST", "/fhir", body, "Idempotency-Key", "retry-storm") })
		}
		wg.Wait()
		for i, a := range answers {
			if a.status != 200 || string(a.body) != string(answers[0].body) {
				t.Errorf("answer %d differs: %d %s", i, a.status, a.body)
			}
		}
		if n := count(t, db, "referrals"); n != 1 {
			t.Errorf("referrals: %d, want exactly 1", n)
		}
		if n := count(t, db, "people"); n != 1 {
			t.Errorf("people: %d, want exactly 1", n)
		}
	})
}

func TestConditionalCreate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		first := w.refer(t, nil)
		again := w.refer(t, nil) // same identifier, with ifNoneExist
		for _, i := range []int{0, 1, 5} {
			if entryResponse(again, i)["status"] != "200 OK" || location(again, i) != location(first, i) {
				t.Errorf("entry %d: want the existing resource, 200 OK; got %v", i, entryResponse(again, i))
			}
		}
		without := edit(t, w.example(t, "transaction.json"), func(m map[string]any) {
			delete(m["entry"].([]any)[1].(map[string]any)["request"].(map[string]any), "ifNoneExist")
		})
		expectIssue(t, w.do(t, "gp", "POST", "/fhir", without), 409, "duplicate", "Bundle.entry[1].resource.identifier")
		if n := count(t, db, "referrals"); n != 1 {
			t.Errorf("referrals: %d, want 1", n)
		}
	})
}
