package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/demo"
)

// newDirectoryFixture is the casework fixture with the demo directory and postcodes loaded.
func newDirectoryFixture(t *testing.T) caseworkFixture {
	t.Helper()
	f := newCaseworkFixture(t)
	if err := demo.LoadDirectoryWithPostcodes(t.Context(), f.DB, f.Server.Directory); err != nil {
		t.Fatal(err)
	}
	return f
}

var serviceLink = regexp.MustCompile(`href="/directory/services/([0-9a-f-]{36})"`)

func serviceIDs(body string) []string {
	var ids []string
	for _, m := range serviceLink.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func TestDirectorySearch(t *testing.T) {
	f := newDirectoryFixture(t)
	c := f.client(t, cwTeam)
	for _, tc := range []struct {
		name, query string
		status      int
		want        []string
		notWant     []string
	}{
		{"words are ranked full text", "q=walking", 200, []string{"Walking Group", "services"}, nil},
		{"free or low cost leaves out paid services", "q=pottery&low_cost=yes", 200, []string{"No services found"}, []string{"Pottery for Wellbeing"}},
		{"paid services without the filter", "q=pottery", 200, []string{"Pottery for Wellbeing", "a session"}, nil},
		{"an age leaves out services for others", "q=lunch+club&age=12", 200, []string{"No services found"}, nil},
		{"day and time keep the choir that sings on Friday evenings", "q=choir&day=FR&time=evening", 200,
			[]string{`id="results-heading">1 services`, "Friday", "19:00 to 21:00"}, []string{"18:00 to 20:00", "19:00 to 20:00"}},
		{"day and time leave out choirs at other times", "q=choir&day=FR&time=morning", 200, []string{"No services found"}, []string{"19:00 to 21:00"}},
		{"unknown postcode", "postcode=ZZ99+9ZZ", 400, []string{"There is a problem", "postcode"}, nil},
		{"unreadable postcode", "postcode=not+a+postcode", 400, []string{"There is a problem"}, nil},
		{"distance needs a postcode", "distance=5", 400, []string{"Enter a postcode to search by distance"}, nil},
		{"age must be a number", "age=old", 400, []string{"Age must be a whole number of years from 0 to 120"}, nil},
		{"a made-up category", "category=walking", 400, []string{"Select a category from the list"}, nil},
		{"a made-up day", "day=XX", 400, []string{"Select a day from the list"}, nil},
		{"stale listings are flagged", "q=group", 200, []string{"Not checked for over 6 months"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := f.get(t, c, "/directory?"+tc.query)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}
}

func TestDirectorySearchByDistanceIsNearestFirstAndPaged(t *testing.T) {
	f := newDirectoryFixture(t)
	c := f.client(t, cwTeam)
	res, body := f.get(t, c, "/directory?postcode=ab10+1an&distance=2")
	if res.StatusCode != 200 || !strings.Contains(body, "nearest to AB10 1AN first") {
		t.Fatalf("status %d, or no place in the heading", res.StatusCode)
	}
	var miles []float64
	for _, m := range regexp.MustCompile(`(\d+\.\d) miles`).FindAllStringSubmatch(body, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		miles = append(miles, v)
	}
	if len(miles) != directoryPageSize || !slices.IsSorted(miles) || miles[len(miles)-1] > 2 {
		t.Errorf("distances %v: want a full page, nearest first, all within 2 miles", miles)
	}
	if !strings.Contains(body, `aria-label="Page 2"`) {
		t.Errorf("no numbered link to page 2")
	}
	_, page2 := f.get(t, c, "/directory?postcode=ab10+1an&distance=2&page=2")
	if first := serviceIDs(page2); len(first) == 0 || slices.Contains(serviceIDs(body), first[0]) {
		t.Errorf("page 2 repeats page 1 or is empty")
	}
}

func TestDirectoryAddsServicesToACaseAsConnections(t *testing.T) {
	f := newDirectoryFixture(t)
	c := f.client(t, cwOT)
	path := "/cases/" + itoa(f.caseID) + "/directory"
	res, body := f.get(t, c, path+"?q=walking&postcode=AB11+5QN")
	ids := serviceIDs(body)
	if res.StatusCode != 200 || len(ids) < 2 || !strings.Contains(body, "Add selected to connections") {
		t.Fatalf("status %d, %d results, or no way to add them", res.StatusCode, len(ids))
	}
	res, _ = f.post(t, c, path, url.Values{"service": ids[:2], "action": {"connect"}, "search": {"q=walking"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "/connections?saved=connection") {
		t.Fatalf("add: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	conns, err := f.Server.Cases.Connections(t.Context(), f.caseID)
	if err != nil || len(conns) != 2 {
		t.Fatalf("connections = %d (%v), want 2", len(conns), err)
	}
	for _, cn := range conns {
		pk, _ := f.Server.Directory.ServicePK(t.Context(), ids[0])
		pk2, _ := f.Server.Directory.ServicePK(t.Context(), ids[1])
		if cn.DirectoryServiceID != pk && cn.DirectoryServiceID != pk2 || cn.Status != "suggested" {
			t.Errorf("connection %+v is not linked to a chosen service", cn)
		}
	}

	// Nothing selected is a clear error; someone with no relationship with the person is refused.
	res, body = f.post(t, c, path, url.Values{"action": {"connect"}, "search": {"q=walking"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Select at least one service") {
		t.Errorf("nothing selected: %d", res.StatusCode)
	}
	outsider := f.client(t, cwOutsider)
	res, _ = f.post(t, outsider, path, url.Values{"service": ids[:1], "action": {"connect"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("outsider adding: %d, want 403", res.StatusCode)
	}
	if res, _ = f.get(t, outsider, path); res.StatusCode != http.StatusForbidden {
		t.Errorf("outsider searching for the person: %d, want 403", res.StatusCode)
	}
	if conns, _ := f.Server.Cases.Connections(t.Context(), f.caseID); len(conns) != 2 {
		t.Errorf("connections = %d after refused adds, want 2", len(conns))
	}
}

func TestDirectorySignpostingListFromResults(t *testing.T) {
	f := newDirectoryFixture(t)
	c := f.client(t, cwOT)
	path := "/cases/" + itoa(f.caseID) + "/directory"
	_, body := f.get(t, c, path+"?q=debt")
	ids := serviceIDs(body)
	res, _ := f.post(t, c, path, url.Values{"service": ids[:2], "action": {"signpost"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "/signposting/print?signpost=") {
		t.Fatalf("signpost: %d to %q", res.StatusCode, loc)
	}
	if _, page := f.get(t, c, loc); !strings.Contains(page, "Debt Advice Drop-in") || !strings.Contains(page, "Phone 01632") {
		t.Errorf("the printable list lacks the services or how to contact them")
	}
}

func TestDirectoryReportsAndFreshnessQueue(t *testing.T) {
	f := newDirectoryFixture(t)
	worker := f.client(t, cwTeam)
	_, body := f.get(t, worker, "/directory?q=choir")
	id := serviceIDs(body)[0]
	res, body := f.post(t, worker, "/directory/services/"+id+"/reports", url.Values{"reason": {""}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter what is wrong with this listing") {
		t.Errorf("empty reason: %d", res.StatusCode)
	}
	res, _ = f.post(t, worker, "/directory/services/"+id+"/reports", url.Values{"reason": {"Moved to Thursdays"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("report: %d", res.StatusCode)
	}
	var audited int
	if err := f.DB.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = 'directory.report' AND record_id = ?`,
		id).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("the report has %d audit entries (%v), want 1", audited, err)
	}
	if res, _ := f.get(t, worker, "/directory/freshness"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a link worker sees the queue: %d", res.StatusCode)
	}
	lead := f.client(t, "servicelead@linkwell.demo")
	res, body = f.get(t, lead, "/directory/freshness")
	if res.StatusCode != 200 || !strings.Contains(body, "Moved to Thursdays") || !strings.Contains(body, "Over 6 months") {
		t.Errorf("queue: %d, or lacks the report or the stale listings", res.StatusCode)
	}
	if serviceIDs(body)[0] != id {
		t.Errorf("the reported listing is not first in the queue")
	}
	if res, _ := f.get(t, worker, "/directory/services/00000000-0000-4000-8000-000000000000"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown service: %d", res.StatusCode)
	}
}
