package reports

import (
	"context"
	"testing"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestPracticeListSizesAreValidatedAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		s := NewService(db)
		who := audit.Actor{UserID: w.lw.ID, Label: "Tom", Address: "10.0.0.1"}
		for _, c := range []struct{ ods, size, field, msg string }{
			{"", "100", "ods", "Enter the practice's ODS code"},
			{"B8600", "100", "ods", "Enter an ODS code in the right format, a letter and 5 numbers, like B86001"},
			{"B86001", "", "size", "Enter the number of people registered with the practice"},
			{"B86001", "12.5", "size", "Number of people registered must be a whole number, like 12500"},
			{"B86001", "0", "size", "Number of people registered must be between 1 and 200,000"},
			{"B86001", "200001", "size", "Number of people registered must be between 1 and 200,000"},
		} {
			if _, err := s.SetPracticeList(ctx, who, c.ods, c.size); apperr.FieldMessage(err, c.field) != c.msg {
				t.Errorf("%q %q: %v, want %q on %s", c.ods, c.size, err, c.msg, c.field)
			}
		}
		if lists, _ := s.PracticeLists(ctx); len(lists) != 0 {
			t.Fatalf("a refused list size was saved: %+v", lists)
		}
		if p, err := s.SetPracticeList(ctx, who, " b86001 ", "12, 500"); err != nil || p.ODS != "B86001" || p.Size != 12500 {
			t.Fatalf("%+v %v", p, err)
		}
		if _, err := s.SetPracticeList(ctx, who, "B86001", "13000"); err != nil {
			t.Fatal(err)
		}
		lists, err := s.PracticeLists(ctx)
		if err != nil || len(lists) != 1 || lists[0].Size != 13000 {
			t.Errorf("a second entry should replace the first: %+v %v", lists, err)
		}
		p, err := audit.List(ctx, db, audit.Filter{Action: "practice_list.set"})
		if err != nil || p.Total != 2 || p.Entries[0].RecordID != "B86001" {
			t.Errorf("audit %+v %v", p, err)
		}
	})
}

func TestShareOfPracticeListReferred(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		for i := range 3 {
			exec(t, db, `UPDATE people SET practice_ods = 'B86001' WHERE nhs_number = ?`, nhsNumber(i))
		}
		exec(t, db, `UPDATE people SET practice_ods = 'B86002' WHERE nhs_number = ?`, nhsNumber(3))
		s := NewService(db)
		d, err := s.Build(ctx, w.filter(), false)
		if err != nil {
			t.Fatal(err)
		}
		if h := section(t, d, "practices").Headline; h != "No practice list sizes have been entered, so the share of each list referred cannot be shown." {
			t.Errorf("headline before list sizes %q", h)
		}
		who := audit.Actor{UserID: w.lw.ID, Label: "Tom"}
		for ods, size := range map[string]string{"B86001": "2,500", "B86002": "1000", "C81001": "4000"} {
			if _, err := s.SetPracticeList(ctx, who, ods, size); err != nil {
				t.Fatal(err)
			}
		}
		if d, err = s.Build(ctx, w.filter(), false); err != nil {
			t.Fatal(err)
		}
		sec := section(t, d, "practices")
		want := map[string][]string{"B86001": {"3", "2,500", "1.2"}, "B86002": {"1", "1,000", "1.0"}, "C81001": {"0", "4,000", "0.0"},
			"Practices with no list size entered": {"4", "", ""}, "Total": {"8", "", ""}}
		for label, cells := range want {
			for col, v := range cells {
				if got := cell(t, sec, label, col); got != v {
					t.Errorf("%q column %d = %q, want %q", label, col, got, v)
				}
			}
		}
		if sec.Headline != "Practice B86001 referred the largest share of its list: 1.2 people per 1,000 registered." {
			t.Errorf("headline %q", sec.Headline)
		}
		f := w.filter()
		f.Practice = "B86002"
		if d, err = s.Build(ctx, f, true); err != nil {
			t.Fatal(err)
		}
		sec = section(t, d, "practices")
		if len(sec.Rows) != 3 || cell(t, sec, "B86002", 0) != "<5" || cell(t, sec, "B86002", 2) != "" {
			t.Errorf("one practice, suppressed: %+v", sec.Rows)
		}
	})
}
