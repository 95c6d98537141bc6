package fhir

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// sent is a referral sent over FHIR, as its sender knows it.
type sent struct {
	taskID, requestRef string
	referralID         int64
}

func (w *world) send(t *testing.T, identifier string) sent {
	t.Helper()
	m := w.refer(t, func(m map[string]any) { setIdentifier(m, identifier) })
	s := sent{taskID: strings.TrimPrefix(location(m, 5), "Task/"), requestRef: location(m, 1)}
	s.referralID = w.referralID(t, s.requestRef)
	return s
}

func (w *world) task(t *testing.T, client, id string) (map[string]any, string) {
	t.Helper()
	res := w.do(t, client, "GET", "/fhir/Task/"+id, nil)
	if res.status != 200 {
		t.Fatalf("read task: %d %s", res.status, res.body)
	}
	return res.json(t), res.header.Get("ETag")
}

// patch sends a JSON Patch; ops are op, path, value triples (value nil for remove).
func (w *world) patch(t *testing.T, client, id, ifMatch string, ops ...any) response {
	t.Helper()
	var list []map[string]any
	for i := 0; i+2 < len(ops)+1; i += 3 {
		op := map[string]any{"op": ops[i], "path": ops[i+1]}
		if ops[i+2] != nil {
			op["value"] = ops[i+2]
		}
		list = append(list, op)
	}
	body, _ := json.Marshal(list)
	headers := []string{"Content-Type", "application/json-patch+json"}
	if ifMatch != "" {
		headers = append(headers, "If-Match", ifMatch)
	}
	return w.do(t, client, "PATCH", "/fhir/Task/"+id, body, headers...)
}

func concept(system, code string) map[string]any {
	return map[string]any{"coding": []any{map[string]any{"system": system, "code": code}}}
}

func note(text string) []any { return []any{map[string]any{"text": text}} }

func TestTaskMovesCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		s := w.send(t, "RMC-1")
		k := w.accept(t, s.referralID)
		_, tag := w.task(t, "pcn", s.taskID)

		expectIssue(t, w.patch(t, "pcn", s.taskID, "", "replace", "/status", "on-hold"), http.StatusPreconditionRequired, "required", "")
		expectIssue(t, w.patch(t, "pcn", s.taskID, `W/"1"`, "replace", "/status", "on-hold"), http.StatusPreconditionFailed, "conflict", "")
		expectIssue(t, w.patch(t, "gp", s.taskID, tag, "replace", "/status", "on-hold"), http.StatusForbidden, "forbidden", "")
		expectIssue(t, w.patch(t, "other", s.taskID, tag, "replace", "/status", "on-hold"), http.StatusNotFound, "not-found", "")
		expectIssue(t, w.patch(t, "pcn", s.taskID, tag, "replace", "/owner", map[string]any{"display": "me"}), 422, "business-rule", "Task.owner")
		if kk, _ := w.cases.Get(ctx, k.ID); kk.Status != casework.Active || kk.Version != k.Version {
			t.Fatalf("refused changes changed the case: %+v", kk)
		}

		res := w.patch(t, "pcn", s.taskID, tag, "replace", "/status", "on-hold",
			"add", "/statusReason", concept(SystemHoldReason, "unwell_or_in_hospital"))
		if res.status != 200 || res.json(t)["status"] != "on-hold" {
			t.Fatalf("hold: %d %s", res.status, res.body)
		}
		if kk, _ := w.cases.Get(ctx, k.ID); kk.Status != casework.OnHold || kk.HoldReason != "unwell_or_in_hospital" {
			t.Errorf("the case did not go on hold: %+v", kk)
		}
		if res.header.Get("ETag") == tag {
			t.Error("the ETag did not change with the Task")
		}
		// The old version is stale now.
		expectIssue(t, w.patch(t, "pcn", s.taskID, tag, "replace", "/status", "in-progress"), http.StatusPreconditionFailed, "conflict", "")
		res = w.patch(t, "pcn", s.taskID, res.header.Get("ETag"), "replace", "/status", "in-progress")
		if res.status != 200 || res.json(t)["status"] != "in-progress" {
			t.Fatalf("resume: %d %s", res.status, res.body)
		}
		if kk, _ := w.cases.Get(ctx, k.ID); kk.Status != casework.Active {
			t.Errorf("the case did not resume: %+v", kk)
		}

		tag = res.header.Get("ETag")
		expectIssue(t, w.patch(t, "pcn", s.taskID, tag, "replace", "/status", "completed"), 422, "required", "Task.note")
		res = w.patch(t, "pcn", s.taskID, tag, "replace", "/status", "completed",
			"add", "/statusReason", concept(SystemClosureReason, "goals_met"), "add", "/note", note("Joined the walking group."))
		got := res.json(t)
		if res.status != 200 || got["status"] != "completed" || !strings.Contains(fmt.Sprint(got["note"]), "pcn system") {
			t.Fatalf("complete: %d %s", res.status, res.body)
		}
		kk, _ := w.cases.Get(ctx, k.ID)
		if kk.Status != casework.Closed || kk.ClosureReason != "goals_met" || kk.ClosureSummary != "Joined the walking group." {
			t.Errorf("the case did not close with the note as its summary: %+v", kk)
		}
		if len(got["output"].([]any)) != 2 {
			t.Errorf("want the acceptance and closure messages as outputs: %v", got["output"])
		}
	})
}

func TestTaskDeclineAndWithdraw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		declined := w.send(t, "RMC-1")
		task, tag := w.task(t, "pcn", declined.taskID)
		// PUT the whole Task, as a system that keeps its own copy would.
		task["status"] = "rejected"
		task["statusReason"] = concept(SystemSNOMED, referral.SNOMEDSocialPrescribingDeclined)
		task["note"] = note("Mrs Okonkwo would rather not at the moment.")
		body, _ := json.Marshal(task)
		expectIssue(t, w.do(t, "pcn", "PUT", "/fhir/Task/"+declined.taskID, edit(t, body, func(m map[string]any) { delete(m, "statusReason") }),
			"If-Match", tag), 422, "code-invalid", "Task.statusReason")
		res := w.do(t, "pcn", "PUT", "/fhir/Task/"+declined.taskID, body, "If-Match", tag)
		if res.status != 200 {
			t.Fatalf("decline: %d %s", res.status, res.body)
		}
		got := res.json(t)
		if got["status"] != "rejected" || !strings.Contains(fmt.Sprint(got["statusReason"]), "871711000000103") || len(got["output"].([]any)) != 1 {
			t.Errorf("declined Task: %v", got)
		}
		r, _ := w.referrals.Get(ctx, declined.referralID)
		if r.Status != referral.StatusRejected || r.ReasonCode != string(referral.RejectPersonDeclined) {
			t.Errorf("referral after decline: %+v", r)
		}
		if sr := w.do(t, "gp", "GET", "/fhir/"+declined.requestRef, nil).json(t); sr["status"] != "revoked" {
			t.Errorf("ServiceRequest after decline: %v", sr["status"])
		}

		// The requester withdraws another; the performer cannot.
		withdrawn := w.send(t, "RMC-2")
		_, tag = w.task(t, "gp", withdrawn.taskID)
		expectIssue(t, w.patch(t, "pcn", withdrawn.taskID, tag, "replace", "/status", "accepted"), 422, "required", "Task.owner")
		expectIssue(t, w.patch(t, "pcn", withdrawn.taskID, tag, "replace", "/status", "cancelled"), http.StatusForbidden, "forbidden", "")
		res = w.patch(t, "gp", withdrawn.taskID, tag, "replace", "/status", "cancelled")
		if res.status != 200 || res.json(t)["status"] != "cancelled" {
			t.Fatalf("withdraw: %d %s", res.status, res.body)
		}
		if r, _ := w.referrals.Get(ctx, withdrawn.referralID); r.Status != referral.StatusCancelled {
			t.Errorf("referral after withdrawal: %s", r.Status)
		}
		// A withdrawn referral cannot then be declined: the move is a conflict.
		expectIssue(t, w.patch(t, "pcn", withdrawn.taskID, res.header.Get("ETag"), "replace", "/status", "rejected",
			"add", "/statusReason", concept(SystemRejectReason, "no_capacity")), http.StatusConflict, "conflict", "")
	})
}

func TestTaskNotesAndBusinessStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		s := w.send(t, "RMC-1")
		w.accept(t, s.referralID)
		_, tag := w.task(t, "pcn", s.taskID)
		res := w.patch(t, "pcn", s.taskID, tag, "add", "/note", note("First call booked for Thursday."),
			"add", "/businessStatus", map[string]any{"text": "Waiting for first call"})
		got := res.json(t)
		if res.status != 200 || fmt.Sprint(got["businessStatus"]) != "map[text:Waiting for first call]" || got["status"] != "accepted" {
			t.Fatalf("note and business status: %d %s", res.status, res.body)
		}
		tag = res.header.Get("ETag")
		expectIssue(t, w.patch(t, "pcn", s.taskID, tag, "replace", "/note/0/text", "Rewritten"), 422, "business-rule", "Task.note")
		expectIssue(t, w.patch(t, "pcn", s.taskID, tag, "test", "/status", "requested", "add", "/note/-", map[string]any{"text": "x"}), 409, "conflict", "")
		expectIssue(t, w.patch(t, "gp", s.taskID, tag, "replace", "/businessStatus", map[string]any{"text": "Chasing"}), 403, "forbidden", "")
		// The requester may add a note, which the performer then sees.
		res = w.patch(t, "gp", s.taskID, tag, "add", "/note/-", map[string]any{"text": "She prefers mornings."})
		if res.status != 200 || len(res.json(t)["note"].([]any)) != 2 {
			t.Fatalf("requester's note: %d %s", res.status, res.body)
		}
		// Work starting moves the Task on, and the business status set for "accepted" goes.
		res = w.patch(t, "pcn", s.taskID, res.header.Get("ETag"), "replace", "/status", "in-progress")
		got = res.json(t)
		if res.status != 200 || got["status"] != "in-progress" || fmt.Sprint(got["businessStatus"]) == "map[text:Waiting for first call]" {
			t.Errorf("started: %d %s", res.status, res.body)
		}
		// Nothing to change leaves the version as it is.
		before := res.header.Get("ETag")
		res = w.patch(t, "pcn", s.taskID, before, "test", "/status", "in-progress")
		if res.status != 200 || res.header.Get("ETag") != before {
			t.Errorf("an empty change moved the version: %d %s -> %s", res.status, before, res.header.Get("ETag"))
		}
		expectIssue(t, w.patch(t, "narrow", s.taskID, before, "add", "/note/-", map[string]any{"text": "x"}), 403, "forbidden", "")
		refused, err := audit.List(context.Background(), db, audit.Filter{Action: "fhir.refused"})
		if err != nil || refused.Total == 0 || !strings.Contains(refused.Entries[0].Detail, "status=403") ||
			!strings.Contains(refused.Entries[0].Actor, "api client") {
			t.Errorf("refusals must be audited against the client: %+v %v", refused, err)
		}
	})
}
