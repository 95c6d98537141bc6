package fhir

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// TestCapabilityStatementTellsTheTruth checks the statement as served against what the
// server answers: everything it declares is routed, and what it does not declare is refused.
func TestCapabilityStatementTellsTheTruth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		res := w.do(t, "", "GET", "/fhir/metadata", nil)
		if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "application/fhir+json") {
			t.Fatalf("metadata: %d %s", res.status, res.header)
		}
		cs := res.json(t)
		if cs["resourceType"] != "CapabilityStatement" || cs["fhirVersion"] != "4.0.1" || cs["kind"] != "instance" {
			t.Fatalf("statement: %v", cs)
		}
		h := NewHandler(w.fhir, nil, nil, "test", func(*http.Request) string { return "" }, nil)
		routed := func(method, path string) bool {
			req, _ := http.NewRequest(method, path, nil)
			_, p := h.mux.Handler(req)
			return p != ""
		}
		methods := map[string][]string{"read": {"GET", "/{id}"}, "search-type": {"GET", ""}, "update": {"PUT", "/{id}"}, "patch": {"PATCH", "/{id}"}}
		rest := cs["rest"].([]any)[0].(map[string]any)
		declared := 0
		for _, r := range rest["resource"].([]any) {
			r := r.(map[string]any)
			for _, in := range r["interaction"].([]any) {
				code := in.(map[string]any)["code"].(string)
				m := methods[code]
				if m == nil || !routed(m[0], "/fhir/"+r["type"].(string)+strings.Replace(m[1], "{id}", "x", 1)) {
					t.Errorf("declared %s %s is not served", r["type"], code)
				}
				declared++
			}
		}
		if !routed("POST", "/fhir") || !strings.Contains(fmt.Sprint(rest["interaction"]), "transaction") {
			t.Error("transaction is not both declared and served")
		}
		if !routed("POST", "/fhir/$process-message") || !strings.Contains(fmt.Sprint(rest["operation"]), "process-message") {
			t.Error("$process-message is not both declared and served")
		}
		if declared+2 != len(interactions) {
			t.Errorf("the statement declares %d interactions; the server routes %d", declared+2, len(interactions))
		}
		for _, c := range []struct {
			method, path string
			status       int
		}{{"DELETE", "/fhir/Task/x", 405}, {"POST", "/fhir/Patient", 405}, {"PUT", "/fhir/ServiceRequest/x", 405},
			{"GET", "/fhir/Consent/x", 404}, {"GET", "/fhir/Observation", 404}} {
			res := w.do(t, "gp", c.method, c.path, nil)
			if res.status != c.status || res.json(t)["resourceType"] != "OperationOutcome" {
				t.Errorf("%s %s: %d %s, want %d", c.method, c.path, res.status, res.body, c.status)
			}
		}
	})
}
