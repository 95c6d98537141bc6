package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/referral"
)

// fhirClient is a GP practice's system with a bearer token from /oauth/token.
type fhirClient struct {
	ts    *testServer
	token string
}

func (f referralFixture) fhirClient(t *testing.T, ods string) fhirClient {
	t.Helper()
	cl, secret, err := f.Server.Clients.Create(t.Context(), audit.CommandLine, apiclient.Input{Name: "Clinical system " + ods,
		OrganisationID: f.org(t, ods).ID, Scopes: []string{"referral.write referral.read task.read task.write directory.read"}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, f.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(cl.ClientID, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", res.StatusCode, err)
	}
	return fhirClient{ts: f.testServer, token: tok.AccessToken}
}

func (c fhirClient) do(t *testing.T, method, path string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, c.ts.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, path, b)
	}
	return res.StatusCode, m
}

// pollTask polls for Tasks changed since a time and returns the one with the id, and when
// to poll from next.
func (c fhirClient) pollTask(t *testing.T, id, since string) (map[string]any, string) {
	t.Helper()
	status, b := c.do(t, "GET", "/fhir/Task?_lastUpdated=gt"+url.QueryEscape(since), nil)
	if status != 200 {
		t.Fatalf("poll: %d %v", status, b)
	}
	entries, _ := b["entry"].([]any)
	for _, e := range entries {
		if r := e.(map[string]any)["resource"].(map[string]any); r["id"] == id {
			return r, b["meta"].(map[string]any)["lastUpdated"].(string)
		}
	}
	return nil, b["meta"].(map[string]any)["lastUpdated"].(string)
}

// TestFHIRClosedLoopWithTheWebInterface: a GP system refers over FHIR; the OT finds it in the
// referral inbox, triages and accepts it in the web interface; the GP system sees the Task
// accepted by polling; the OT closes the case in the web interface; the GP system sees it
// completed and fetches the message back.
func TestFHIRClosedLoopWithTheWebInterface(t *testing.T) {
	f := newReferralFixture(t)
	gp := f.fhirClient(t, "Y90001")
	start := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)

	status, services := gp.do(t, "GET", "/fhir/HealthcareService?name="+url.QueryEscape("Riverside wellbeing"), nil)
	if status != 200 || services["total"] != float64(1) {
		t.Fatalf("find the service: %d %v", status, services)
	}
	serviceID := services["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)["id"].(string)
	example, err := os.ReadFile("../fhir/testdata/examples/transaction.json")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.NewReplacer("{{service}}", serviceID, "9434765919", "4010232137", "Okonkwo", "Adeyemi").Replace(string(example))
	status, sent := gp.do(t, "POST", "/fhir", []byte(body))
	if status != 200 {
		t.Fatalf("refer: %d %v", status, sent)
	}
	taskLoc := sent["entry"].([]any)[5].(map[string]any)["response"].(map[string]any)["location"].(string)
	taskID := strings.Split(taskLoc, "/")[1]

	ot := f.client(t, otEmail)
	if _, inbox := f.get(t, ot, "/referrals"); !strings.Contains(inbox, "Adeyemi") {
		t.Fatal("the FHIR referral is not in the OT's referral inbox")
	}
	rs, _ := f.Server.Referrals.List(t.Context(), referral.Filter{ServiceIDs: []int64{f.service.ID}})
	if len(rs) != 1 {
		t.Fatalf("referrals: %v", rs)
	}
	path := fmt.Sprintf("/referrals/%d", rs[0].ID)
	answers := url.Values{"tier": {"targeted"}, "pathway": {"link_worker_led"}, "rationale": {"Lonely since bereavement; no complex needs."}}
	for _, q := range (referral.TriageAnswers{}).Questions() {
		answers.Set(q.Name, "no")
	}
	if res, body := f.post(t, ot, path+"/triage", answers); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("triage: %d %.600s", res.StatusCode, body)
	}
	task, since := gp.pollTask(t, taskID, start)
	if task == nil || task["status"] != "requested" {
		t.Fatalf("before acceptance: %v", task)
	}
	ref, _ := f.Server.Referrals.Get(t.Context(), rs[0].ID)
	res, _ := f.post(t, ot, path+"/accept", url.Values{"version": {itoa(ref.Version)}, "engagement": {"ot_social_prescriber"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	casePath := res.Header.Get("Location")
	task, since = gp.pollTask(t, taskID, since)
	if task == nil || task["status"] != "accepted" {
		t.Fatalf("after acceptance in the web interface: %v", task)
	}

	var caseID int64
	fmt.Sscanf(casePath, "/cases/%d", &caseID)
	k, _ := f.Server.Cases.Get(t.Context(), caseID)
	res, body2 := f.post(t, ot, fmt.Sprintf("/cases/%d/close", caseID), url.Values{"version": {itoa(k.Version)},
		"closure_reason": {"goals_met"}, "closure_summary": {"Joined the walking group."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d %.600s", res.StatusCode, body2)
	}
	task, _ = gp.pollTask(t, taskID, since)
	if task == nil || task["status"] != "completed" {
		t.Fatalf("after closure in the web interface: %v", task)
	}
	outs := task["output"].([]any)
	ref2 := outs[len(outs)-1].(map[string]any)["valueReference"].(map[string]any)["reference"].(string)
	status, msg := gp.do(t, "GET", "/fhir/"+ref2, nil)
	if status != 200 || !strings.Contains(fmt.Sprint(msg["payload"]), "has ended. Reason: Goals met.") {
		t.Errorf("the message back: %d %v", status, msg)
	}
}

func TestFHIRThroughTheWholeServer(t *testing.T) {
	f := newReferralFixture(t)
	// A signed-in browser's session is no credential for the FHIR interface.
	browser := f.client(t, otEmail)
	res, body := f.get(t, browser, "/fhir/Task")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "OperationOutcome") || res.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("a session on /fhir: %d %s", res.StatusCode, body)
	}
	if res, body := f.get(t, f.anon(), "/fhir/metadata"); res.StatusCode != 200 || !strings.Contains(body, "CapabilityStatement") {
		t.Errorf("metadata: %d", res.StatusCode)
	}
	// A body over the limit is refused before the FHIR handler, still as an OperationOutcome.
	gp := f.fhirClient(t, "Y90001")
	big := bytes.Repeat([]byte("x"), 2<<20)
	req, _ := http.NewRequest(http.MethodPost, f.URL+"/fhir", bytes.NewReader(big))
	req.Header.Set("Authorization", "Bearer "+gp.token)
	req.Header.Set("Content-Type", "application/fhir+json")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "OperationOutcome") {
		t.Errorf("an oversize body: %d %s", r.StatusCode, b)
	}
}
