package web

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
)

// figureLink is a number on the oversight page that links to what is behind it.
var figureLink = regexp.MustCompile(`<a href="(/supervision/supervisees/\d+/(?:cases|tasks)\?[^"]*)">(\d+)<span`)

// TestOversightEveryFigureDrillsDown follows every figure on a supervisee's oversight card and
// checks that the list behind it holds exactly as many rows as the figure says, each linking to
// its case, each list audited, and that nobody else reaches the lists.
func TestOversightEveryFigureDrillsDown(t *testing.T) {
	f := newSafetyFixture(t)
	lw := f.addToTeam(t, cwTeam)
	f.signOff(t, lw, "SP-CONNECT", "SF-LONE-WORKING")
	types, err := f.Server.Cases.TaskTypes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range types {
		if tt.Name == "Accompany to a first session" {
			if _, err := f.Server.Cases.Delegate(t.Context(), account.Actor(f.ot, "test"), f.ot, f.caseID,
				casework.TaskInput{TypeID: tt.ID, DelegateTo: lw.ID, Guidance: "Go with her to the lunch club."}); err != nil {
				t.Fatal(err)
			}
		}
	}
	sup := f.client(t, sfSupervisor)
	_, body := f.get(t, sup, "/supervision")
	card := body[strings.Index(body, fmt.Sprintf(`<a href="/workforce/staff/%d">`, lw.ID)):]
	if end := strings.Index(card[1:], `<div class="nhsuk-card">`); end > 0 {
		card = card[:end]
	}
	links := figureLink.FindAllStringSubmatch(card, -1)
	if len(links) != 11 {
		t.Fatalf("%d figures link to their cases or tasks, want 11 (8 of open cases, the year's, open tasks, overrides)", len(links))
	}
	nonzero := 0
	for _, l := range links {
		path, want := html.UnescapeString(l[1]), atoiT(t, l[2])
		res, page := f.get(t, sup, path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, res.StatusCode)
			continue
		}
		rows := strings.Count(page, `<tr class="nhsuk-table__row">`) - 1 // less the header
		if want == 0 {
			rows = max(rows, 0)
		} else {
			nonzero++
		}
		if rows != want {
			t.Errorf("%s lists %d, the figure says %d", path, rows, want)
		}
		if want > 0 && !strings.Contains(page, fmt.Sprintf(`href="/cases/%d`, f.caseID)) {
			t.Errorf("%s does not link to the case", path)
		}
	}
	if nonzero < 4 {
		t.Errorf("only %d figures are above zero: the test proves little", nonzero)
	}
	logged := 0
	for _, action := range []string{"workforce.oversight_cases", "workforce.oversight_tasks"} {
		p, err := audit.List(t.Context(), f.DB, audit.Filter{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		logged += p.Total
	}
	if logged != len(links) {
		t.Errorf("%d drill-downs audited, want %d", logged, len(links))
	}

	tasks := fmt.Sprintf("/supervision/supervisees/%d/tasks?figure=open_tasks", lw.ID)
	for _, c := range []struct {
		who, path string
		want      int
	}{
		{cwTeam, tasks, http.StatusForbidden},
		{cwOT, tasks, http.StatusForbidden},
		{sfSupervisor, fmt.Sprintf("/supervision/supervisees/%d/tasks?figure=open_tasks", f.ot.ID), http.StatusForbidden},
		{sfSupervisor, fmt.Sprintf("/supervision/supervisees/%d/tasks?figure=year", lw.ID), http.StatusNotFound},
		{sfSupervisor, fmt.Sprintf("/supervision/supervisees/%d/cases?figure=overrides", lw.ID), http.StatusNotFound},
	} {
		if res, _ := f.get(t, f.client(t, c.who), c.path); res.StatusCode != c.want {
			t.Errorf("%s GET %s: %d, want %d", c.who, c.path, res.StatusCode, c.want)
		}
	}
}

func atoiT(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
