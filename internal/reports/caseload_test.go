package reports

import (
	"context"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestCaseloadPerWorker(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		s := NewService(db)
		d, err := s.Build(context.Background(), w.filter(), false)
		if err != nil {
			t.Fatal(err)
		}
		// Tom led all six cases, each open in the period.
		sec := section(t, d, "caseload")
		if cell(t, sec, "1 to 49 people", 0) != "1" || cell(t, sec, "250 or more people", 0) != "0" || cell(t, sec, "Median people per worker", 0) != "6" {
			t.Errorf("caseload %+v", sec.Rows)
		}
		if sec.Headline != "1 worker supported a median of 6 people each in the period." {
			t.Errorf("headline %q", sec.Headline)
		}
		// A period that ended before any case opened has no caseloads.
		f := w.filter()
		f.From, f.To = f.From.AddDate(-1, 0, 0), f.From.AddDate(0, 0, -1)
		if d, err = s.Build(context.Background(), f, false); err != nil {
			t.Fatal(err)
		}
		if got := cell(t, section(t, d, "caseload"), "Total", 0); got != "0" {
			t.Errorf("workers before any case opened: %s", got)
		}
		d, err = s.Build(context.Background(), w.filter(), true)
		if err != nil {
			t.Fatal(err)
		}
		sec = section(t, d, "caseload")
		if cell(t, sec, "1 to 49 people", 0) != "<5" || sec.Headline != "Too few workers to describe their caseloads." {
			t.Errorf("suppressed caseload %+v %q", sec.Rows, sec.Headline)
		}
	})
}
