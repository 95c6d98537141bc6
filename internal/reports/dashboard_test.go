package reports

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestDashboardFiguresAreExact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d, err := NewService(db).Build(context.Background(), w.filter(), false)
		if err != nil {
			t.Fatal(err)
		}
		src := section(t, d, "sources")
		if cell(t, src, "GP", 0) != "6" || cell(t, src, "Pharmacist", 0) != "2" || cell(t, src, "Total", 0) != "8" {
			t.Errorf("sources %+v", src.Rows)
		}
		dec := section(t, d, "decisions")
		if cell(t, dec, "Accepted", 0) != "6" || cell(t, dec, "Declined", 0) != "1" || !strings.Contains(dec.Headline, "86%") {
			t.Errorf("decisions %+v %q", dec.Rows, dec.Headline)
		}
		if got := cell(t, section(t, d, "needs"), "Loneliness and isolation", 0); got != "8" {
			t.Errorf("loneliness named in %s referrals, want 8", got)
		}
		// Hand-worked: satisfaction changes 3, 1, 2, 1, 1, 3: mean 11/6 = 1.83, SD 0.9832,
		// SE 0.4014, t(5) 2.5706: 95% CI 0.80 to 2.87.
		out := section(t, d, "outcomes")
		row := out.Rows[0].Cells
		if row[0] != "6" || row[1] != "+1.83" || row[2] != "+0.80 to +2.87" {
			t.Errorf("life satisfaction %v", row)
		}
		// Anxiety changes −4, −1, −3, −1, 0, −3: mean −2.00.
		if a := out.Rows[3].Cells; a[1] != "-2.00" {
			t.Errorf("anxiety %v", a)
		}
		if !strings.Contains(out.Headline, "Of 6 cases that closed, 6 (100%)") {
			t.Errorf("headline %q", out.Headline)
		}
		pw := section(t, d, "pathways")
		if cell(t, pw, "Link worker-led", 1) != "4" || cell(t, pw, "Joint (OT and link worker)", 1) != "2" || !strings.Contains(pw.Note, "not randomised") {
			t.Errorf("pathways %+v", pw.Rows)
		}
		// Joint cases 5 and 6: satisfaction +1 and +3: mean +2.00 with t(1) 12.706 × 1.0 → −10.71 to +14.71.
		if got := cell(t, pw, "Joint (OT and link worker)", 2); got != "+2.00 (-10.71 to +14.71)" {
			t.Errorf("joint satisfaction %q", got)
		}
		f := w.filter()
		f.Source = referral.SourcePharmacist
		d, err = NewService(db).Build(context.Background(), f, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := cell(t, section(t, d, "sources"), "Total", 0); got != "2" {
			t.Errorf("filtered to pharmacists: %s referrals, want 2", got)
		}
		if got := cell(t, section(t, d, "outcomes"), "Cases closed in the period", 0); got != "0" {
			t.Errorf("no pharmacist referral closed, got %s", got)
		}
	})
}

func TestCommissionerDashboardSuppressesSmallNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d, err := NewService(db).Build(context.Background(), w.filter(), true)
		if err != nil {
			t.Fatal(err)
		}
		src := section(t, d, "sources")
		// Pharmacists' 2 is small; the GPs' 6 is hidden too so that 8 − 6 cannot give it.
		if cell(t, src, "Pharmacist", 0) != "<5" || cell(t, src, "GP", 0) != "<5" || cell(t, src, "Total", 0) != "8" {
			t.Errorf("sources %+v", src.Rows)
		}
		dec := section(t, d, "decisions")
		if cell(t, dec, "Declined", 0) != "<5" || strings.Contains(dec.Headline, "%") {
			t.Errorf("decisions %+v %q", dec.Rows, dec.Headline)
		}
		pw := section(t, d, "pathways")
		if cell(t, pw, "Link worker-led", 1) != "<5" || cell(t, pw, "Joint (OT and link worker)", 1) != "<5" || cell(t, pw, "Joint (OT and link worker)", 2) != "" {
			t.Errorf("pathways %+v", pw.Rows)
		}
		for _, s := range d.Sections {
			for _, r := range s.Rows {
				for _, c := range r.Cells {
					for _, n := range []string{"1", "2", "3", "4"} {
						if c == n {
							t.Errorf("section %s row %q shows the small count %s", s.ID, r.Label, c)
						}
					}
				}
			}
			for _, b := range s.Bars {
				if b.Hidden && b.Value != 0 && !strings.HasPrefix(b.Text, "<5") {
					t.Errorf("hidden bar %+v", b)
				}
			}
		}
		if fmt.Sprint(d.Headline) == "" {
			t.Error("no headline")
		}
	})
}
