package fhir

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// poll searches Tasks as a client polling for changes since a time, and returns the Tasks
// found by id and the time to poll from next.
func (w *world) poll(t *testing.T, client, query, since string) (map[string]map[string]any, string) {
	t.Helper()
	q := url.Values{"_lastUpdated": {"gt" + since}}
	if query != "" {
		extra, _ := url.ParseQuery(query)
		for k, v := range extra {
			q[k] = v
		}
	}
	res := w.do(t, client, "GET", "/fhir/Task?"+q.Encode(), nil)
	if res.status != 200 {
		t.Fatalf("poll: %d %s", res.status, res.body)
	}
	b := res.json(t)
	out := map[string]map[string]any{}
	entries, _ := b["entry"].([]any)
	for _, e := range entries {
		r := e.(map[string]any)["resource"].(map[string]any)
		if r["resourceType"] == "Task" {
			out[r["id"].(string)] = r
		}
	}
	return out, b["meta"].(map[string]any)["lastUpdated"].(string)
}

// accept accepts a referral as the OT does in the web interface, opening its case.
func (w *world) accept(t *testing.T, referralID int64) casework.Case {
	t.Helper()
	ctx := context.Background()
	r, err := w.referrals.Get(ctx, referralID)
	if err != nil {
		t.Fatal(err)
	}
	k, err := w.cases.Open(ctx, account.Actor(w.ot, "10.0.0.1"), referralID, casework.OpenInput{ReferralVersion: r.Version, Lead: w.ot,
		Tier: referral.TierTargeted, Pathway: referral.PathwayOTLed, Engagement: "ot_social_prescriber"})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (w *world) contact(t *testing.T, caseID int64) {
	t.Helper()
	today := time.Now().In(time.UTC)
	_, err := w.cases.RecordContact(context.Background(), account.Actor(w.ot, "10.0.0.1"), caseID, casework.ContactInput{
		Date: person.DateParts{Day: fmt.Sprint(today.Day()), Month: fmt.Sprint(int(today.Month())), Year: fmt.Sprint(today.Year())},
		Time: "00:05", Type: casework.ContactPhone, Minutes: "20", WorkerIDs: []int64{w.ot.ID}})
	if err != nil {
		t.Fatal(err)
	}
}

func (w *world) referralID(t *testing.T, fhirRef string) int64 {
	t.Helper()
	id, ok := w.ids.openRef(kindServiceRequest, fhirRef)
	if !ok {
		t.Fatalf("not a ServiceRequest reference: %s", fhirRef)
	}
	return id
}

// TestClosedLoop follows a referral over FHIR only, while the service works it in Linkwell:
// the client refers, the referral reaches the inbox, the OT accepts it, the client sees the
// Task accepted by polling, then in progress, then completed, and fetches the message back.
func TestClosedLoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		start := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
		sent := w.refer(t, nil)
		taskID := strings.TrimPrefix(location(sent, 5), "Task/")
		rid := w.referralID(t, location(sent, 1))

		inbox, err := w.referrals.List(ctx, referral.Filter{ServiceIDs: []int64{w.svc.ID}, Statuses: []referral.Status{referral.StatusRequested}})
		if err != nil || len(inbox) != 1 || inbox[0].ID != rid {
			t.Fatalf("the referral is not in the service's inbox: %v %v", inbox, err)
		}
		tasks, since := w.poll(t, "gp", "", start)
		if tasks[taskID]["status"] != "requested" {
			t.Fatalf("first poll: %v", tasks)
		}
		owner := "owner=HealthcareService/" + w.ids.seal(kindHealthcareService, w.svc.ID)
		if tasks, _ := w.poll(t, "pcn", owner+"&status=requested", start); tasks[taskID] == nil {
			t.Errorf("the service's system does not see the new referral: %v", tasks)
		}
		if tasks, _ := w.poll(t, "other", "", start); len(tasks) != 0 {
			t.Errorf("another practice sees %d Tasks", len(tasks))
		}
		// Polls overlap a little (pollSettle), so a Task may come again, at the same version.
		if again, _ := w.poll(t, "gp", "", since); len(again) > 1 || again[taskID] != nil && version(again[taskID]) != version(tasks[taskID]) {
			t.Errorf("nothing changed, yet the poll found %v", again)
		}

		k := w.accept(t, rid)
		tasks, since = w.poll(t, "gp", "", since)
		task := tasks[taskID]
		if task["status"] != "accepted" || len(task["output"].([]any)) != 1 {
			t.Fatalf("after acceptance in Linkwell: %v", task)
		}

		w.contact(t, k.ID)
		tasks, since = w.poll(t, "gp", "", since)
		if tasks[taskID]["status"] != "in-progress" {
			t.Fatalf("after the first contact: %v", tasks)
		}

		k, _ = w.cases.Get(ctx, k.ID)
		if err := w.cases.Close(ctx, account.Actor(w.ot, "10.0.0.1"), k.ID, k.Version, "goals_met",
			"Margaret joined the Tuesday walking group and the lunch club; she feels less alone."); err != nil {
			t.Fatal(err)
		}
		tasks, _ = w.poll(t, "gp", "", since)
		task = tasks[taskID]
		reason := fmt.Sprint(task["statusReason"])
		if task["status"] != "completed" || !strings.Contains(reason, "goals_met") {
			t.Fatalf("after closure: %v", task)
		}
		outputs := task["output"].([]any)
		if len(outputs) != 2 {
			t.Fatalf("messages back: %v", outputs)
		}
		ref := outputs[1].(map[string]any)["valueReference"].(map[string]any)["reference"].(string)
		msg := w.do(t, "gp", "GET", "/fhir/"+ref, nil).json(t)
		body := fmt.Sprint(msg["payload"])
		if msg["status"] != "completed" || !strings.Contains(body, "Support from Riverside Social Prescribing has ended. Reason: Goals met.") ||
			!strings.Contains(body, "only coded information") || strings.Contains(body, "walking group") ||
			!strings.Contains(fmt.Sprint(msg["reasonCode"]), "871731000000106") {
			t.Errorf("the message back must follow the person's codes-only consent: %v", msg)
		}
		sr := w.do(t, "gp", "GET", "/fhir/"+location(sent, 1), nil).json(t)
		if sr["status"] != "completed" {
			t.Errorf("ServiceRequest after closure: %v", sr["status"])
		}
		comms := w.do(t, "gp", "GET", "/fhir/Communication?based-on="+url.QueryEscape(location(sent, 1)), nil).json(t)
		if len(comms["entry"].([]any)) != 2 {
			t.Errorf("messages found by based-on: %v", comms)
		}
	})
}

func version(r map[string]any) string { return fmt.Sprint(r["meta"].(map[string]any)["versionId"]) }
