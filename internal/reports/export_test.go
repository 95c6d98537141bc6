package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestNeutraliseDefusesFormulasButKeepsNumbers(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")", "+SUM(A1)": "'+SUM(A1)", "-1+2": "'-1+2", "@cmd": "'@cmd",
		"\tx": "'\tx", "\rx": "'\rx", "-2.00": "-2.00", "+1.83": "+1.83", "12": "12", "Link worker-led": "Link worker-led", "": "", "<5": "<5",
	} {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

var sample = []Grid{
	{Name: "Referrals by source", Header: []string{"Source", "Referrals"}, Rows: [][]string{{"GP", "12"}, {"=1+1", "<5"}, {"Total", "-2.00"}}},
	{Name: "Needs: a/b [c]", Header: []string{"Need", "Count"}, Rows: [][]string{{"Money & debt <x>", "7"}}},
}

func TestCSVRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, sample[0]); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Source", "Referrals"}, {"GP", "12"}, {"'=1+1", "<5"}, {"Total", "-2.00"}}
	if !slices.EqualFunc(recs, want, slices.Equal) {
		t.Errorf("read back %q, want %q", recs, want)
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := WriteXLSX(&b, sample...); err != nil {
		t.Fatal(err)
	}
	sheets, err := ReadXLSX(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 2 {
		t.Fatalf("%d sheets", len(sheets))
	}
	if got := sheets[0]; !slices.EqualFunc(got, [][]string{{"Source", "Referrals"}, {"GP", "12"}, {"'=1+1", "<5"}, {"Total", "-2.00"}}, slices.Equal) {
		t.Errorf("sheet 1 %q", got)
	}
	if got := sheets[1][1][0]; got != "Money & debt <x>" {
		t.Errorf("escaped text read back as %q", got)
	}
	if !bytes.Contains(b.Bytes(), []byte("xl/workbook.xml")) || columnName(0) != "A" || columnName(26) != "AA" || columnName(27) != "AB" {
		t.Error("workbook parts or column names are wrong")
	}
	if n := sheetName("Needs: a/b [c]", 2); strings.ContainsAny(n, `:/[]`) {
		t.Errorf("sheet name %q has characters spreadsheets refuse", n)
	}
}

func TestAgeBands(t *testing.T) {
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for dob, want := range map[string]string{"2010-01-01": "under 18", "2005-01-01": "18-24", "2001-06-02": "24", "1996-01-01": "25-34",
		"1992-01-01": "25-34", "1991-01-01": "35-44", "1950-01-01": "75-84", "1941-01-01": "85+", "nonsense": ""} {
		got := AgeBand(dob, at)
		if want == "24" {
			want = "18-24" // 2001-06-02 is the day before their 25th birthday
		}
		if got != want {
			t.Errorf("born %s: %q, want %q", dob, got, want)
		}
	}
}

func TestExtractsAreAuditedAndTheResearchOneIsPseudonymised(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		s := NewService(db)
		who := audit.Actor{UserID: w.lw.ID, Label: "Tom", Address: "10.0.0.1"}
		if _, err := s.Research(ctx, who, w.filter(), " "); apperr.FieldMessage(err, "reason") == "" {
			t.Errorf("an extract without a reason should be refused, got %v", err)
		}
		prsb, err := s.PRSB(ctx, who, w.filter(), "Quarterly return to the ICB")
		if err != nil {
			t.Fatal(err)
		}
		if len(prsb.Rows) != 8 || prsb.Rows[0][0] != nhsNumber(0) || prsb.Rows[0][len(prsb.Header)-8] != "3" {
			t.Errorf("PRSB first row %q", prsb.Rows[0])
		}
		r1, err := s.Research(ctx, who, w.filter(), "Evaluation with the university")
		if err != nil {
			t.Fatal(err)
		}
		r2, _ := s.Research(ctx, who, w.filter(), "Evaluation with the university")
		if len(r1.Rows) != 8 || r1.Rows[0][0] == "" || r1.Rows[0][0] != r2.Rows[0][0] || r1.Rows[0][0] == r1.Rows[1][0] {
			t.Errorf("pseudonyms should be present, stable across extracts and differ between people: %q %q", r1.Rows[0][0], r1.Rows[1][0])
		}
		var b bytes.Buffer
		WriteCSV(&b, r1)
		for i := range 8 {
			if strings.Contains(b.String(), nhsNumber(i)) {
				t.Errorf("the research extract contains an NHS number")
			}
		}
		for _, banned := range []string{"1950-02-01", "Person", "Number0", "Done", "date_of_birth", "postcode"} {
			if strings.Contains(b.String(), banned) {
				t.Errorf("the research extract contains %q", banned)
			}
		}
		if r1.Rows[0][1] != "75-84" {
			t.Errorf("age band %q", r1.Rows[0][1])
		}
		p, err := audit.List(ctx, db, audit.Filter{Action: "report.extract"})
		if err != nil || p.Total != 3 {
			t.Fatalf("%d extracts audited, want 3 (%v)", p.Total, err)
		}
		if e := p.Entries[0]; e.ActorID != w.lw.ID || e.Reason == "" || !strings.Contains(e.Detail, "what=") {
			t.Errorf("audit entry %+v", e)
		}
	})
}

func TestResearchExtractUsesTheConfiguredKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		who := audit.Actor{UserID: w.lw.ID, Label: "Tom", Address: "10.0.0.1"}
		key := bytes.Repeat([]byte{7}, 32)
		configured, err := NewService(db).WithResearchKey(key).Research(ctx, who, w.filter(), "Evaluation")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := configured.Rows[0][0], Pseudonym(key, nhsNumber(0)); got != want {
			t.Errorf("pseudonym %q, want the configured key's %q", got, want)
		}
		stored, err := NewService(db).Research(ctx, who, w.filter(), "Evaluation")
		if err != nil {
			t.Fatal(err)
		}
		if stored.Rows[0][0] == configured.Rows[0][0] || stored.Rows[0][0] == "" {
			t.Errorf("without a configured key the stored fallback key should give other pseudonyms, got %q", stored.Rows[0][0])
		}
	})
}

func TestEveryDashboardTableRoundTripsThroughXLSXAndCSVSuppressed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		diversify(t, db)
		withBarriers(t, db, w)
		d, err := NewService(db).Build(context.Background(), w.filter(), true)
		if err != nil {
			t.Fatal(err)
		}
		var grids []Grid
		for _, s := range d.Sections {
			grids = append(grids, s.Grid())
		}
		var x, c bytes.Buffer
		if err := WriteXLSX(&x, grids...); err != nil {
			t.Fatal(err)
		}
		if err := WriteCSV(&c, grids...); err != nil {
			t.Fatal(err)
		}
		sheets, err := ReadXLSX(x.Bytes())
		if err != nil || len(sheets) != len(grids) {
			t.Fatalf("%d sheets for %d tables (%v)", len(sheets), len(grids), err)
		}
		for i, g := range grids {
			want := [][]string{g.Header}
			for _, r := range g.Rows {
				cells := make([]string, len(r))
				for j, v := range r {
					cells[j] = Neutralise(v)
				}
				want = append(want, cells)
			}
			if !slices.EqualFunc(sheets[i], want, slices.Equal) {
				t.Errorf("sheet %q read back %q, want %q", g.Name, sheets[i], want)
			}
			for _, row := range want[1:] {
				for _, v := range row[1:] {
					if v == "1" || v == "2" || v == "3" || v == "4" {
						t.Errorf("table %q exports the small count %s", g.Name, v)
					}
				}
			}
			if !strings.Contains(c.String(), g.Header[0]) {
				t.Errorf("the CSV lacks the table %q", g.Name)
			}
		}
	})
}
