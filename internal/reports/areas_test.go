package reports

import (
	"context"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// withBarriers gives the first case a connection the person attends, naming transport and
// cost, and a "what matters" naming transport again; the second case a "what matters" naming
// transport.
func withBarriers(t *testing.T, db *store.DB, w world) {
	now := store.Now()
	exec(t, db, `INSERT INTO connections (case_id, activity, organisation, status, barriers, created_at, updated_at)
		VALUES (?, 'Walking group', 'Parks', 'attending', 'transport,financial', ?, ?)`, w.cases[0].ID, now, now)
	for _, k := range w.cases[:2] {
		exec(t, db, `INSERT INTO what_matters (case_id, own_words, strengths, wants, needs, has_to_do, barriers, created_at, updated_at)
			VALUES (?, '', '', '', '', '', 'transport', ?, ?)`, k.ID, now, now)
	}
}

func TestUnmetNeedsAndBarriersByArea(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		diversify(t, db)
		withBarriers(t, db, w)
		s := NewService(db)
		d, err := s.Build(context.Background(), w.filter(), false)
		if err != nil {
			t.Fatal(err)
		}
		// People 0–2 live in LS6, 3 in BD1, the rest have no postcode. Case 0 reached an
		// activity; cases 1–5 closed without one, referral 6 was declined, 7 is undecided.
		unmet := section(t, d, "unmet")
		want := map[string][]string{
			"Postcode not known": {"4", "3", "75%", "Loneliness and isolation"},
			"LS6":                {"3", "2", "67%", "Loneliness and isolation"},
			"BD1":                {"1", "1", "100%", "Loneliness and isolation"},
			"Total":              {"8", "6", "", ""},
		}
		for label, cells := range want {
			for col, v := range cells {
				if got := cell(t, unmet, label, col); got != v {
					t.Errorf("unmet %q column %d = %q, want %q", label, col, got, v)
				}
			}
		}
		if unmet.Rows[0].Label != "Postcode not known" || unmet.Rows[1].Label != "LS6" {
			t.Errorf("areas should come in order of referrals: %q, %q", unmet.Rows[0].Label, unmet.Rows[1].Label)
		}
		if unmet.Headline != "75% of referrals ended without the person reaching an activity; the need they named most often was loneliness and isolation." {
			t.Errorf("headline %q", unmet.Headline)
		}
		// Case 0 names transport twice but counts once.
		bar := section(t, d, "barriers")
		if cell(t, bar, "LS6", 6) != "2" || cell(t, bar, "LS6", 5) != "1" || cell(t, bar, "BD1", 6) != "0" || cell(t, bar, "Every area", 6) != "2" {
			t.Errorf("barriers %+v", bar.Rows)
		}
		if bar.Headline != "The barrier people met most often was transport, for 2 people." {
			t.Errorf("headline %q", bar.Headline)
		}
		if d, err = s.Build(context.Background(), w.filter(), true); err != nil {
			t.Fatal(err)
		}
		unmet = section(t, d, "unmet")
		if cell(t, unmet, "LS6", 1) != "<5" || cell(t, unmet, "LS6", 2) != "" || cell(t, unmet, "LS6", 3) != "" || cell(t, unmet, "Total", 0) != "8" {
			t.Errorf("suppressed unmet %+v", unmet.Rows)
		}
		if got := cell(t, section(t, d, "barriers"), "Every area", 6); got != "<5" {
			t.Errorf("suppressed transport total %q", got)
		}
	})
}
