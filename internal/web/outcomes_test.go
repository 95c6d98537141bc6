package web

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func ons4Form(tp string, satisfied, worthwhile, happy, anxious int) url.Values {
	return url.Values{"instrument": {"ons4"}, "timepoint": {tp}, "satisfied": {fmt.Sprint(satisfied)},
		"worthwhile": {fmt.Sprint(worthwhile)}, "happy": {fmt.Sprint(happy)}, "anxious": {fmt.Sprint(anxious)}}
}

// TestOutcomeAccess runs the measures routes as everyone who might try them.
func TestOutcomeAccess(t *testing.T) {
	f := newCaseworkFixture(t)
	p := outcomesPath(f.caseID)
	routes := []cwRoute{
		{"GET", p, nil, 200, 200, 403, 403, 403, "Complete a measure with the person"},
		{"GET", p + "/record?instrument=ons4&timepoint=baseline", nil, 200, 200, 403, 403, 403, "how happy did you feel yesterday?"},
		{"GET", p + "/record?instrument=swemwbs&timepoint=baseline", nil, 400, 400, 403, 403, 403, "Select a measure this service uses"},
		{"POST", p + "/record", url.Values{"instrument": {"ons4"}, "timepoint": {"baseline"}}, 400, 400, 403, 403, 403, "Select an answer for"},
		{"POST", p + "/links", url.Values{}, 400, 400, 403, 403, 403, "Select a measure this service uses"},
		{"GET", "/cases/99999/outcomes", nil, 404, 404, 404, 404, 404, ""},
	}
	clients := map[string]*http.Client{}
	for _, email := range []string{cwOT, cwTeam, cwGP, cwOutsider, "commissioner@linkwell.demo", "provider@linkwell.demo"} {
		clients[email] = f.client(t, email)
	}
	for _, c := range routes {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			for who, want := range map[string]int{cwOT: c.ot, cwTeam: c.team, cwGP: c.gp, cwOutsider: c.outsider,
				"commissioner@linkwell.demo": c.others, "provider@linkwell.demo": c.others} {
				res, body := f.do(t, clients[who], c.method, c.path, c.form)
				if res.StatusCode != want {
					t.Errorf("%s: status %d, want %d", who, res.StatusCode, want)
				}
				if want < 300 || want == 400 {
					if !strings.Contains(body, c.want) {
						t.Errorf("%s: page lacks %q", who, c.want)
					}
				}
			}
			res, _ := f.do(t, f.anon(), c.method, c.path, c.form)
			if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("anonymous: %d to %q, want 303 to /login", res.StatusCode, loc)
			}
		})
	}
}

func TestRecordingMeasuresShowsTheChangeWithAChartAndATable(t *testing.T) {
	f := newCaseworkFixture(t)
	c := f.client(t, cwOT)
	p := outcomesPath(f.caseID)
	_, body := f.get(t, c, "/caseload")
	if !strings.Contains(body, "Baseline due") {
		t.Error("a new case should show its baseline is due on the caseload")
	}
	bad := ons4Form("baseline", 4, 5, 6, 8)
	bad.Set("happy", "")
	res, body := f.post(t, c, p+"/record", bad)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#happy"`) || !strings.Contains(body, `value="4" checked`) {
		t.Fatalf("a missing answer should be an error that keeps the rest: %d", res.StatusCode)
	}
	if res, _ := f.post(t, c, p+"/record", ons4Form("baseline", 4, 5, 6, 8)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("baseline: %d", res.StatusCode)
	}
	if res, body := f.post(t, c, p+"/record", ons4Form("baseline", 4, 5, 6, 8)); res.StatusCode != http.StatusConflict || !strings.Contains(body, "already recorded") {
		t.Errorf("a second baseline: %d", res.StatusCode)
	}
	if res, _ := f.post(t, c, p+"/record", ons4Form("follow_up", 7, 5, 5, 3)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("follow-up: %d", res.StatusCode)
	}
	_, body = f.get(t, c, p)
	for _, want := range []string{"<svg", `role="img"`, "<title id=\"chart-0-title\">ONS4 personal wellbeing over time</title>",
		"Anxiety: 8, then 3", "&#43;3, better", "-5, better", "-1, worse", "No change", "Anxiety (lower is better)", `stroke-dasharray="8 4"`} {
		if !strings.Contains(body, want) {
			t.Errorf("measures page lacks %q", want)
		}
	}
	_, body = f.get(t, c, "/caseload")
	if strings.Contains(body, "Baseline due") {
		t.Error("the baseline is done")
	}
}

var measureLink = regexp.MustCompile(`id="measure-link" href="[^"]*(/measure/[A-Za-z0-9_-]+)"`)

func TestThePersonAnswersAloneThroughASingleUseLink(t *testing.T) {
	f := newCaseworkFixture(t)
	c := f.client(t, cwOT)
	p := outcomesPath(f.caseID)
	if res, _ := f.post(t, c, p+"/record", url.Values{"instrument": {"goals"}, "timepoint": {"baseline"},
		"goal1-text": {"Get back to the allotment"}, "goal1": {"2"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("goals baseline: %d", res.StatusCode)
	}
	res, body := f.post(t, c, p+"/links", url.Values{"link_instrument": {"goals"}, "link_timepoint": {"follow_up"}})
	m := measureLink.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("no link shown: %d", res.StatusCode)
	}
	link := m[1]
	person := f.anon()
	res, body = f.get(t, person, link)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "How close are you now to “Get back to the allotment”?") {
		t.Fatalf("the person's page: %d", res.StatusCode)
	}
	for _, secret := range []string{f.person.Name(), f.person.NHSNumber.String(), "Sarah Okafor", "nhsuk-header__navigation", "Log out"} {
		if strings.Contains(body, secret) {
			t.Errorf("the person's page shows %q", secret)
		}
	}
	if res, body := f.post(t, person, link, url.Values{"goal1": {"12"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "must be from 0 to 10") {
		t.Errorf("a bad answer: %d", res.StatusCode)
	}
	if res, _ := f.post(t, person, link, url.Values{"goal1": {"7"}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/measure-done" {
		t.Fatalf("answer: %d", res.StatusCode)
	}
	if res, _ := f.get(t, person, link); res.StatusCode != http.StatusNotFound {
		t.Errorf("a used link should be gone, got %d", res.StatusCode)
	}
	if res, _ := f.post(t, person, link, url.Values{"goal1": {"9"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("a used link cannot answer again, got %d", res.StatusCode)
	}
	_, body = f.get(t, c, p)
	if !strings.Contains(body, "&#43;5, better") {
		t.Error("the worker should see the person's answer as a change of +5")
	}
}

func TestClosingWithABaselineAndNoFollowUpAsksWhy(t *testing.T) {
	f := newCaseworkFixture(t)
	c := f.client(t, cwOT)
	if res, _ := f.post(t, c, outcomesPath(f.caseID)+"/record", ons4Form("baseline", 4, 5, 6, 8)); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	k, _ := f.Server.Cases.Get(t.Context(), f.caseID)
	closeForm := url.Values{"version": {itoa(k.Version)}, "closure_reason": {"declined_support"}, "closure_summary": {"Did not want more support"}}
	_, body := f.get(t, c, casePath(f.caseID)+"/close")
	if !strings.Contains(body, "Why is there no follow-up measure?") {
		t.Fatal("the closure form should ask why there is no follow-up")
	}
	res, body := f.post(t, c, casePath(f.caseID)+"/close", closeForm)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Select why there is no follow-up measure") || !strings.Contains(body, "Did not want more support") {
		t.Fatalf("closing without a reason: %d", res.StatusCode)
	}
	closeForm.Set("followup_missing", "declined")
	if res, _ := f.post(t, c, casePath(f.caseID)+"/close", closeForm); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("closing with a reason: %d", res.StatusCode)
	}
	_, body = f.get(t, c, outcomesPath(f.caseID))
	if !strings.Contains(body, "Why: The person declined") {
		t.Error("the measures page should say why there is no follow-up")
	}
}

func TestServiceLeadsChooseMeasuresAndLoadTheirOwn(t *testing.T) {
	f := newCaseworkFixture(t)
	lead := f.client(t, "servicelead@linkwell.demo")
	path := servicePath(f.svc.ID) + "/measures"
	if res, _ := f.get(t, f.client(t, cwOT), path); res.StatusCode != http.StatusForbidden {
		t.Errorf("an OT cannot configure measures: %d", res.StatusCode)
	}
	res, body := f.post(t, lead, path+"/swemwbs", url.Values{"swemwbs-enabled": {"yes"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter the licence your service holds") {
		t.Fatalf("SWEMWBS without a licence: %d", res.StatusCode)
	}
	if res, _ := f.post(t, lead, path+"/swemwbs", url.Values{"swemwbs-enabled": {"yes"}, "swemwbs-licence_note": {"Registered, ref W-1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("SWEMWBS with a licence: %d", res.StatusCode)
	}
	upload := func(file string) (*http.Response, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "measure.json")
		fw.Write([]byte(file))
		mw.Close()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.URL+path+"/upload", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := lead.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b := new(bytes.Buffer)
		b.ReadFrom(res.Body)
		return res, b.String()
	}
	res, body = upload("{\n \"code\": \"steps\",\n \"version\": \"1\"\n}")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "line 3: version: expected int") {
		t.Errorf("a bad file should name its line and field: %d", res.StatusCode)
	}
	res, _ = upload(`{"code": "steps", "version": 1, "name": "Getting out", "scoring": {"method": "per_item"}, "items": [{"code": "days", "text": "On how many days last week did you go out?", "min": 0, "max": 7}]}`)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good file: %d", res.StatusCode)
	}
	_, body = f.get(t, lead, path)
	if !strings.Contains(body, "Getting out") || !strings.Contains(body, "Recorded: Registered, ref W-1") {
		t.Error("the page should list the new measure and the recorded licence")
	}
	_, body = f.get(t, f.client(t, cwOT), outcomesPath(f.caseID))
	if !strings.Contains(body, "Short Warwick-Edinburgh") || strings.Contains(body, "Getting out") {
		t.Error("the OT should be offered SWEMWBS, switched on, and not the new measure, which is off")
	}
}
