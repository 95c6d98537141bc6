package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// world is a GP practice that refers through its clinical system, a PCN whose social
// prescribing service receives referrals (its case management system is a client too, and
// an OT works there), a second practice, and a client with no scopes worth having.
type world struct {
	db        *store.DB
	fhir      *Service
	referrals *referral.Service
	cases     *casework.Service
	people    *person.Service
	srv       *httptest.Server
	gp, pcn   organisation.Organisation
	other     organisation.Organisation
	svc       referral.ReceivingService
	ot        account.User
	tokens    map[string]string // by client: gp, pcn, other, narrow
	ids       ids
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	orgs := organisation.NewService(db)
	org := func(name string, typ organisation.Type, ods string) organisation.Organisation {
		o, err := orgs.Create(ctx, audit.System, organisation.Input{Name: name, Type: typ, ODSCode: ods})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	w := &world{db: db, gp: org("Riverside Medical Centre", organisation.GPPractice, "Y90001"),
		pcn: org("Riverside PCN", organisation.PCN, "U90001"), other: org("Hillside Surgery", organisation.GPPractice, "Y90002"),
		tokens: map[string]string{}}
	team, err := orgs.AddTeam(ctx, audit.System, w.pcn.ID, "Personalised Care Team")
	if err != nil {
		t.Fatal(err)
	}
	w.ot, err = account.NewService(db).CreateUser(ctx, audit.System, account.UserInput{Email: "sarah@example.nhs.uk", Name: "Sarah Okafor",
		Password: "a-long-enough-password", OrganisationID: w.pcn.ID, Roles: []account.Role{account.OccupationalTherapist}, TeamIDs: []int64{team.ID}})
	if err != nil {
		t.Fatal(err)
	}
	w.people = person.NewService(db)
	w.referrals = referral.NewService(db, w.people)
	w.cases = casework.NewService(db, w.referrals)
	w.svc, err = w.referrals.CreateService(ctx, audit.System, referral.ServiceInput{OrganisationID: w.pcn.ID, TeamID: team.ID,
		Name: "Riverside Social Prescribing", Description: "Link workers and OTs connecting people with community support",
		Inclusion: "Adults registered with a Riverside practice", Exclusion: "People in crisis: call 111", ResponseDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	policy := access.NewPolicy(log, w.cases)
	w.fhir = NewService(db, w.people, w.referrals, w.cases, orgs, policy)
	clients := apiclient.NewService(db)
	all := []string{"referral.write referral.read task.read task.write directory.read"}
	for name, c := range map[string]struct {
		org    int64
		scopes []string
	}{"gp": {w.gp.ID, all}, "pcn": {w.pcn.ID, all}, "other": {w.other.ID, all}, "narrow": {w.gp.ID, []string{"directory.read"}}} {
		cl, secret, err := clients.Create(ctx, audit.CommandLine, apiclient.Input{Name: name + " system", OrganisationID: c.org, Scopes: c.scopes})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := clients.IssueForSecret(ctx, cl.ClientID, secret, "", "test")
		if err != nil {
			t.Fatal(err)
		}
		w.tokens[name] = tok.AccessToken
	}
	var base string
	h := NewHandler(w.fhir, clients, log, "test", func(*http.Request) string { return base },
		func(r *http.Request) string { return "192.0.2.1" })
	w.srv = httptest.NewServer(h)
	t.Cleanup(w.srv.Close)
	base = w.srv.URL + "/fhir"
	if w.ids, err = w.fhir.ids(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// response is an answer from the FHIR interface.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, r.body)
	}
	return m
}

// do sends a request as a client ("" for none); headers are name, value pairs.
func (w *world) do(t *testing.T, client, method, path string, body []byte, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, w.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	if client != "" {
		req.Header.Set("Authorization", "Bearer "+w.tokens[client])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

// example reads a request from testdata/examples with this world's ids put in.
func (w *world) example(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("{{service}}", w.ids.seal(kindHealthcareService, w.svc.ID), "{{base}}", w.srv.URL+"/fhir").Replace(string(b)))
}

// edit changes a JSON document through its decoded form.
func edit(t *testing.T, doc []byte, change func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// resourceAt returns the resource of a bundle's i'th entry.
func resourceAt(m map[string]any, i int) map[string]any {
	return m["entry"].([]any)[i].(map[string]any)["resource"].(map[string]any)
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// refer sends the example transaction, changed by change if given, and returns its response.
func (w *world) refer(t *testing.T, change func(map[string]any)) map[string]any {
	t.Helper()
	body := w.example(t, "transaction.json")
	if change != nil {
		body = edit(t, body, change)
	}
	res := w.do(t, "gp", "POST", "/fhir", body)
	if res.status != http.StatusOK {
		t.Fatalf("transaction: %d %s", res.status, res.body)
	}
	return res.json(t)
}
