package fhir

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestTransactionRecordsReferral(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		m := w.refer(t, nil)
		if m["type"] != "transaction-response" {
			t.Fatalf("type %v", m["type"])
		}
		entries := m["entry"].([]any)
		if len(entries) != 6 {
			t.Fatalf("want 5 answers and the Task: %d", len(entries))
		}
		for i, want := range []string{"Patient/", "ServiceRequest/", "", "", "QuestionnaireResponse/", "Task/"} {
			resp := entries[i].(map[string]any)["response"].(map[string]any)
			if resp["status"] != "201 Created" || !strings.HasPrefix(fmt.Sprint(resp["location"]), want) {
				t.Errorf("entry %d: %v", i, resp)
			}
		}
		if n := count(t, db, "referrals"); n != 1 {
			t.Fatalf("referrals: %d", n)
		}
		t.Logf("%s", w.do(t, "gp", "GET", "/fhir/Task?focus="+strings.SplitN(entries[1].(map[string]any)["response"].(map[string]any)["location"].(string), "/_history", 2)[0], nil).body)
		_ = http.StatusOK
	})
}
