package fhir

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files and docs/fhir.md from this run")

// scenario is the state a walk through the interactions carries from step to step.
type scenario struct {
	w                            *world
	task, request, patient, comm string // ids and references learnt along the way
	answers, since, etag         string
}

// step is one interaction: run against a fresh world by TestGolden, whose answer is compared
// with testdata/golden/<name>.json, and written up for integrators in docs/fhir.md.
type step struct {
	name, title, doc string
	client           string // whose token: gp (the referrer's system), pcn (the service's), or none
	method           string
	path             func(*scenario) string
	body             string // an example request in testdata/examples
	header           func(*scenario) []string
	status           int
	after            func(*testing.T, *scenario, map[string]any)
	hidden           bool // run for its effect, not shown in the guide
}

func fixed(p string) func(*scenario) string { return func(*scenario) string { return p } }

var steps = []step{
	{name: "capability-statement", title: "What the server supports", method: "GET", path: fixed("/fhir/metadata"), status: 200,
		doc: "The CapabilityStatement is made from the same table as the routes, so it lists exactly what is served. It needs no token."},
	{name: "healthcare-service-search", title: "Find the service to refer to", client: "gp", method: "GET",
		path: fixed("/fhir/HealthcareService?name=riverside"), status: 200,
		doc: "Services that take referrals, with who they are for, so that the referral names the right `performer`. Search by `name` (starts with; `name:contains`), `organization` or `organization:identifier` (ODS code). Needs `directory.read`."},
	{name: "transaction-response", title: "Refer: a transaction Bundle", client: "gp", method: "POST", path: fixed("/fhir"), body: "transaction.json",
		header: func(*scenario) []string { return []string{"Idempotency-Key", "7c9e6679-7425-40de-944b-e07fc1f90ae7"} }, status: 200,
		doc: "Patient (matched on NHS number **and** date of birth, or created), ServiceRequest coded SNOMED CT 871731000000106, the person's Consent to social prescribing, optionally their Consent about what their GP is told and QuestionnaireResponses: recorded together or not at all. The answer has one entry per entry sent, then the Task Linkwell made. A retry with the same `Idempotency-Key` gets the same answer and makes nothing; `ifNoneExist` on the ServiceRequest's identifier returns the referral already made. Needs `referral.write`.",
		after: func(t *testing.T, s *scenario, m map[string]any) {
			s.patient, s.request, s.answers, s.task = location(m, 0), location(m, 1), location(m, 4), location(m, 5)
		}},
	{name: "task-requested", title: "Follow the referral: read its Task", client: "gp", method: "GET",
		path: func(s *scenario) string { return "/fhir/" + s.task }, status: 200,
		doc:   "The Task's status follows the referral and its case (see the table above). Needs `task.read`.",
		after: func(t *testing.T, s *scenario, m map[string]any) { s.etag = `W/"` + version(m) + `"` }},
	{name: "service-request", title: "Read the ServiceRequest", client: "gp", method: "GET",
		path: func(s *scenario) string { return "/fhir/" + s.request }, status: 200, doc: "Needs `referral.read`."},
	{name: "questionnaire-response", title: "Read answers sent with the referral", client: "pcn", method: "GET",
		path: func(s *scenario) string { return "/fhir/" + s.answers }, status: 200, doc: "As they were sent."},
	{name: "patient-performer", title: "Find the person, as the service", client: "pcn", method: "GET",
		path: fixed("/fhir/Patient?identifier=" + url.QueryEscape(SystemNHSNumber+"|9434765919")), status: 200,
		doc: "By NHS number. The service holding the referral sees the details Linkwell keeps; anyone else finds nobody."},
	{name: "patient-requester", title: "Find the person, as the referrer", client: "gp", method: "GET",
		path: fixed("/fhir/Patient?identifier=" + url.QueryEscape(SystemNHSNumber+"|9434765919")), status: 200,
		doc: "The referrer sees who it referred, not the contact details the service holds (DESIGN §4)."},
	{name: "task-accept", title: "Update the Task: accepted (the service)", client: "pcn", method: "PATCH",
		path: func(s *scenario) string { return "/fhir/" + s.task }, body: "task-patch-accept.json",
		header: func(s *scenario) []string {
			return []string{"If-Match", s.etag, "Content-Type", "application/json-patch+json"}
		}, status: 200,
		doc:   "Accepting opens the case with the worker `owner` names as its lead, and sends the acceptance message back (see \"Accepting over FHIR\" above). A referral can equally be accepted in Linkwell's web interface; the Task shows it either way.",
		after: func(t *testing.T, s *scenario, m map[string]any) { s.since = "2000-01-01T00:00:00Z" }},
	{name: "task-poll", title: "Poll for changes", client: "gp", method: "GET",
		path: func(s *scenario) string {
			return "/fhir/Task?_include=Task:focus&_lastUpdated=gt" + url.QueryEscape(s.since)
		}, status: 200,
		doc:   "Tasks changed since a time, with their ServiceRequests. Keep the Bundle's `meta.lastUpdated` and poll with `_lastUpdated=gt` it next time: polls overlap by a few seconds, so a Task may come twice at the same `meta.versionId`. Follow `link` `next` for more pages (`_count`, 1 to 200). Search also by `owner` (HealthcareService or Organization), `status`, `patient` and `focus`.",
		after: func(t *testing.T, s *scenario, m map[string]any) { s.etag = `W/"` + version(resourceAt(m, 0)) + `"` }},
	{name: "task-hold", title: "Update the Task: on hold (the service)", client: "pcn", method: "PATCH",
		path: func(s *scenario) string { return "/fhir/" + s.task }, body: "task-patch-hold.json",
		header: func(s *scenario) []string {
			return []string{"If-Match", s.etag, "Content-Type", "application/json-patch+json"}
		}, status: 200,
		doc:   "JSON Patch of `status`, `statusReason`, `businessStatus` and `note` (notes are added, never changed), or PUT the whole Task; either needs `If-Match` with the version from the ETag (428 without it, 412 when it is stale). Putting the Task on hold puts the case on hold. Needs `task.write`.",
		after: func(t *testing.T, s *scenario, m map[string]any) { s.etag = `W/"` + version(m) + `"` }},
	{name: "task-stale", title: "A stale version", client: "pcn", method: "PATCH",
		path: func(s *scenario) string { return "/fhir/" + s.task }, body: "task-patch-resume.json",
		header: func(s *scenario) []string {
			return []string{"If-Match", `W/"1"`, "Content-Type", "application/json-patch+json"}
		}, status: 412,
		doc: "Someone changed the Task since it was read: read it again."},
	{name: "task-resume", title: "Update the Task: in progress again", client: "pcn", method: "PATCH", hidden: true,
		path: func(s *scenario) string { return "/fhir/" + s.task }, body: "task-patch-resume.json",
		header: func(s *scenario) []string {
			return []string{"If-Match", s.etag, "Content-Type", "application/json-patch+json"}
		}, status: 200,
		after: func(t *testing.T, s *scenario, m map[string]any) { s.etag = `W/"` + version(m) + `"` }},
	{name: "task-completed", title: "Update the Task: completed", client: "pcn", method: "PATCH",
		path: func(s *scenario) string { return "/fhir/" + s.task }, body: "task-patch-complete.json",
		header: func(s *scenario) []string {
			return []string{"If-Match", s.etag, "Content-Type", "application/json-patch+json"}
		}, status: 200,
		doc: "Closes the case with the reason given and the new note as its outcome summary, and writes the message back to the GP and referrer. `failed` closes it for no contact after several attempts.",
		after: func(t *testing.T, s *scenario, m map[string]any) {
			outs := m["output"].([]any)
			s.comm = outs[len(outs)-1].(map[string]any)["valueReference"].(map[string]any)["reference"].(string)
		}},
	{name: "communication", title: "Fetch the message back", client: "gp", method: "GET",
		path: func(s *scenario) string { return "/fhir/" + s.comm }, status: 200,
		doc: "The Task's `output` names each message back (accepted, declined, closed); `Communication?based-on=ServiceRequest/<id>` lists them. What a message says was limited by the person's consent: here, codes only, so no free text about them."},
	{name: "message-response", title: "Refer with a BaRS message", client: "gp", method: "POST", path: fixed("/fhir/$process-message"), body: "message-new.json",
		status: 200, doc: "The same resources as a transaction, in a `message` Bundle headed by a MessageHeader with event `servicerequest-request` and reason `new`. The answer is a `servicerequest-response` message naming yours. Here it finds the referral already made, by its identifier."},
	{name: "message-cancel-response", title: "Withdraw a referral with a BaRS message", client: "gp", method: "POST", path: fixed("/fhir/$process-message"),
		body: "message-cancel.json", status: 409,
		doc: "Reason `update` with the ServiceRequest `revoked` withdraws a referral awaiting triage; one that has been accepted cannot be withdrawn this way, and the answer says so."},
	{name: "organization", title: "Read an organisation", client: "gp", method: "GET",
		path: func(s *scenario) string { return "/fhir/Organization/" + s.w.ids.seal(kindOrganization, s.w.pcn.ID) }, status: 200,
		doc: "Services name the organisation that runs them. Needs `directory.read`."},
	{name: "error-invalid-nhs-number", title: "An error: an invalid NHS number", client: "gp", method: "POST", path: fixed("/fhir"), body: "transaction-bad-nhs-number.json",
		status: 422, doc: "Errors are OperationOutcomes with the FHIRPath of the element at fault. Nothing is recorded."},
	{name: "error-no-token", title: "An error: no token", method: "GET", path: fixed("/fhir/Task"), status: 401,
		doc: "Get a token from `/oauth/token` first."},
}

var (
	uuidPattern    = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	instantPattern = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}(:|%3A)\d{2}(:|%3A)\d{2}(\.\d+)?Z`)
)

// normaliser replaces what differs from run to run (ids, times, the test server's address)
// with placeholders, keeping the ids and times the example requests chose.
type normaliser struct {
	base  string
	keep  map[string]bool
	names map[string]string
}

func newNormaliser(t *testing.T, base string) *normaliser {
	n := &normaliser{base: base, keep: map[string]bool{}, names: map[string]string{}}
	files, _ := filepath.Glob("testdata/examples/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range append(uuidPattern.FindAllString(string(b), -1), instantPattern.FindAllString(string(b), -1)...) {
			n.keep[s] = true
		}
	}
	return n
}

func (n *normaliser) apply(s string) string {
	s = strings.ReplaceAll(s, n.base, "https://linkwell.example")
	s = uuidPattern.ReplaceAllStringFunc(s, func(id string) string {
		if n.keep[id] {
			return id
		}
		if _, ok := n.names[id]; !ok {
			n.names[id] = fmt.Sprintf("{{id-%d}}", len(n.names)+1)
		}
		return n.names[id]
	})
	return instantPattern.ReplaceAllStringFunc(s, func(t string) string {
		if n.keep[t] {
			return t
		}
		return "{{instant}}"
	})
}

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".json") }

// TestGolden walks through every interaction and compares each answer with its golden file:
// every resource Linkwell emits, in the shape integrators build against.
func TestGolden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		s := &scenario{w: w}
		n := newNormaliser(t, w.srv.URL)
		sent := map[string]sentRequest{}
		for _, st := range steps {
			var m map[string]any
			if st.method != "" {
				var body []byte
				if st.body != "" {
					body = w.example(t, st.body)
				}
				var headers []string
				if st.header != nil {
					headers = st.header(s)
				}
				path := st.path(s)
				res := w.do(t, st.client, st.method, path, body, headers...)
				sent[st.name] = sentRequest{path: n.apply(path), headers: strings.Split(n.apply(strings.Join(headers, "\n")), "\n")}
				if res.status != st.status {
					t.Fatalf("%s: %d, want %d: %s", st.name, res.status, st.status, res.body)
				}
				m = res.json(t)
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, res.body, "", "  "); err != nil {
					t.Fatal(err)
				}
				got := n.apply(strings.TrimSpace(pretty.String())) + "\n"
				if *update {
					if err := os.WriteFile(goldenPath(st.name), []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				} else if want, err := os.ReadFile(goldenPath(st.name)); err != nil || string(want) != got {
					t.Errorf("%s differs from %s (go test ./internal/fhir -run TestGolden -update rewrites it):\n%s", st.name, goldenPath(st.name), got)
				}
			}
			if st.after != nil {
				st.after(t, s, m)
			}
		}
		if db.Dialect != store.SQLite {
			return // the guide is written once, from the SQLite run; the goldens were checked on both
		}
		service := docUUID(placeholder(t, n, w.ids.seal(kindHealthcareService, w.svc.ID)))
		doc := guide(t, sent, service)
		const path = "../../docs/fhir.md"
		if *update {
			if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if want, err := os.ReadFile(path); err != nil || string(want) != doc {
			t.Errorf("docs/fhir.md is not what the examples make: go test ./internal/fhir -run TestGolden -update")
		}
	})
}

// placeholder is the number a run's id was given by the normaliser.
func placeholder(t *testing.T, n *normaliser, id string) int {
	t.Helper()
	var k int
	if _, err := fmt.Sscanf(n.names[id], "{{id-%d}}", &k); err != nil {
		t.Fatalf("id %s was never seen", id)
	}
	return k
}

// docUUID is the id a placeholder shows as in the guide.
func docUUID(n int) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", 0x5eed0000+n, n*37%65536, n*11%4096, n*29%4096, n*7919)
}

// guide renders docs/fhir.md: the introduction, then each step's request and answer, with
// the placeholders of the golden files shown as ids and times.
// sentRequest is a request as the guide shows it.
type sentRequest struct {
	path    string
	headers []string
}

func guide(t *testing.T, sent map[string]sentRequest, service string) string {
	t.Helper()
	intro, err := os.ReadFile("testdata/guide-intro.md")
	if err != nil {
		t.Fatal(err)
	}
	show := func(s string) string {
		s = regexp.MustCompile(`\{\{id-(\d+)\}\}`).ReplaceAllStringFunc(s, func(p string) string {
			var k int
			fmt.Sscanf(p, "{{id-%d}}", &k)
			return docUUID(k)
		})
		return strings.ReplaceAll(s, "{{instant}}", "2026-03-02T09:31:07.412809Z")
	}
	var b strings.Builder
	b.Write(intro)
	for _, st := range steps {
		if st.hidden || st.method == "" {
			continue
		}
		req := sent[st.name]
		fmt.Fprintf(&b, "\n### %s\n\n%s\n\n", st.title, st.doc)
		fmt.Fprintf(&b, "```sh\ncurl -X %s 'https://linkwell.example%s'", st.method, show(req.path))
		if st.client != "" {
			b.WriteString(" \\\n    -H 'Authorization: Bearer $TOKEN'")
		}
		patch := false
		for i := 0; i+1 < len(req.headers); i += 2 {
			fmt.Fprintf(&b, " \\\n    -H '%s: %s'", req.headers[i], show(req.headers[i+1]))
			patch = patch || strings.Contains(req.headers[i+1], "json-patch")
		}
		if st.body != "" {
			if !patch {
				b.WriteString(" \\\n    -H 'Content-Type: application/fhir+json'")
			}
			fmt.Fprintf(&b, " \\\n    --data @%s", st.body)
		}
		b.WriteString("\n```\n")
		if st.body != "" {
			req, err := os.ReadFile("testdata/examples/" + st.body)
			if err != nil {
				t.Fatal(err)
			}
			body := strings.NewReplacer("{{service}}", service, "{{base}}", "https://linkwell.example/fhir").Replace(string(req))
			fmt.Fprintf(&b, "\n`%s`:\n\n```json\n%s```\n", st.body, show(body))
		}
		answer, err := os.ReadFile(goldenPath(st.name))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "\nAnswer (%d):\n\n```json\n%s```\n", st.status, show(string(answer)))
	}
	return b.String()
}
