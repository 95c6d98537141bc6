package fhir

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestBaRSMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		res := w.do(t, "gp", "POST", "/fhir/$process-message", w.example(t, "message-new.json"), "Idempotency-Key", "msg-1")
		if res.status != 200 {
			t.Fatalf("new referral message: %d %s", res.status, res.body)
		}
		m := res.json(t)
		h := resourceAt(m, 0)
		if m["type"] != "message" || h["resourceType"] != "MessageHeader" ||
			fmt.Sprint(h["eventCoding"]) != "map[code:servicerequest-response display:Service Request - Response system:https://fhir.nhs.uk/CodeSystem/message-events-bars]" ||
			fmt.Sprint(h["response"]) != "map[code:ok identifier:3c1f5a0e-8d2b-4f7a-9e61-5b0d2c7f1a00]" {
			t.Fatalf("response message header: %v", h)
		}
		if resourceAt(m, 1)["resourceType"] != "ServiceRequest" || resourceAt(m, 2)["status"] != "requested" {
			t.Errorf("response message carries the ServiceRequest and Task: %v", m["entry"])
		}
		taskID := resourceAt(m, 2)["id"].(string)
		rs, _ := w.referrals.List(ctx, referral.Filter{ServiceIDs: []int64{w.svc.ID}})
		if len(rs) != 1 || rs[0].Status != referral.StatusRequested {
			t.Fatalf("referral from the message: %v", rs)
		}
		if again := w.do(t, "gp", "POST", "/fhir/$process-message", w.example(t, "message-new.json"), "Idempotency-Key", "msg-1"); string(again.body) != string(res.body) {
			t.Errorf("a retried message must get the first answer")
		}

		// An update with the ServiceRequest revoked withdraws the referral.
		res = w.do(t, "gp", "POST", "/fhir/$process-message", w.example(t, "message-cancel.json"))
		if res.status != 200 {
			t.Fatalf("cancellation: %d %s", res.status, res.body)
		}
		m = res.json(t)
		if resourceAt(m, 2)["status"] != "cancelled" || resourceAt(m, 1)["status"] != "revoked" {
			t.Errorf("after cancellation: %v", m["entry"])
		}
		if task, _ := w.task(t, "gp", taskID); task["status"] != "cancelled" {
			t.Errorf("Task after cancellation: %v", task["status"])
		}
		if r, _ := w.referrals.Get(ctx, rs[0].ID); r.Status != referral.StatusCancelled {
			t.Errorf("referral after cancellation: %s", r.Status)
		}
		// Another practice cannot withdraw it, nor can the service: the identifier is the
		// sender's own, so neither finds it.
		for client, status := range map[string]int{"other": 404, "pcn": 404} {
			res := w.do(t, client, "POST", "/fhir/$process-message", w.example(t, "message-cancel.json"))
			if res.status != status {
				t.Errorf("%s withdrawing: %d %s, want %d", client, res.status, res.body, status)
			}
		}

		msg := w.example(t, "message-new.json")
		header := func(f func(h map[string]any)) []byte {
			return edit(t, msg, func(m map[string]any) { f(resourceAt(m, 0)) })
		}
		for name, c := range map[string]struct {
			body       []byte
			status     int
			code, expr string
		}{
			"a transaction here": {w.example(t, "transaction.json"), 400, "not-supported", "Bundle.type"},
			"no header":          {edit(t, msg, func(m map[string]any) { m["entry"] = m["entry"].([]any)[1:] }), 400, "required", "Bundle.entry[0].resource"},
			"another event": {header(func(h map[string]any) {
				h["eventCoding"] = map[string]any{"system": systemBaRSEvent, "code": "booking-request"}
			}), 422, "code-invalid", "Bundle.entry[0].resource.eventCoding"},
			"no reason": {header(func(h map[string]any) { delete(h, "reason") }), 400, "required", "Bundle.entry[0].resource.reason"},
			"delete":    {header(func(h map[string]any) { h["reason"] = concept(systemBaRSReason, "delete") }), 422, "code-invalid", "Bundle.entry[0].resource.reason"},
			"focus elsewhere": {header(func(h map[string]any) {
				h["focus"] = []any{map[string]any{"reference": "urn:uuid:6f1c2a70-5b1e-4c43-9d61-0a6f0c1e9a01"}}
			}), 400, "invalid", "Bundle.entry[0].resource.focus"},
			"invalid NHS number": {edit(t, msg, func(m map[string]any) {
				resourceAt(m, 1)["identifier"] = []any{map[string]any{"system": SystemNHSNumber, "value": "1234567890"}}
			}), 422, "value", "Bundle.entry[1].resource.identifier[0].value"},
			"an update that is no cancellation": {edit(t, w.example(t, "message-cancel.json"), func(m map[string]any) {
				resourceAt(m, 1)["status"] = "active"
			}), 422, "business-rule", "Bundle.entry[1].resource.status"},
		} {
			t.Run(name, func(t *testing.T) {
				expectIssue(t, w.do(t, "gp", "POST", "/fhir/$process-message", c.body), c.status, c.code, c.expr)
			})
		}
		if n := count(t, db, "referrals"); n != 1 {
			t.Errorf("referrals: %d, want the one", n)
		}
		if !strings.Contains(string(w.example(t, "message-new.json")), w.srv.URL) {
			t.Error("the example's {{base}} was not filled in")
		}
	})
}
