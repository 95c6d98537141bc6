package reports

import (
	"context"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// exec runs statements against the test database, to give the world's people the
// demographics a test needs.
func exec(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	if err := db.Tx(context.Background(), func(c store.Conn) error {
		_, err := c.Exec(context.Background(), query, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// diversify makes the first three people women of Indian background living in the most
// deprived tenth (LS6), the fourth a man whose fortieth birthday is tomorrow, and leaves the
// rest as they were: born in 1950, sex and ethnic group not stated, no postcode.
func diversify(t *testing.T, db *store.DB) {
	exec(t, db, `INSERT INTO postcodes (postcode, outward, latitude, longitude, lsoa21, imd_rank, imd_decile)
		VALUES ('LS6 1AA', 'LS6', 53.8, -1.56, 'E01011111', 100, 1)`)
	for i := range 3 {
		exec(t, db, `UPDATE people SET sex = 'female', ethnic_category = 'H', postcode = 'LS6 1AA' WHERE nhs_number = ?`, nhsNumber(i))
	}
	tomorrow := time.Now().UTC().AddDate(-40, 0, 1).Format("2006-01-02")
	exec(t, db, `UPDATE people SET sex = 'male', date_of_birth = ?, postcode = 'BD1 1AA' WHERE nhs_number = ?`, tomorrow, nhsNumber(3))
}

func TestEqualityBreakdownsCountReferralsDeclinesAndCompletions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		diversify(t, db)
		d, err := NewService(db).Build(context.Background(), w.filter(), false)
		if err != nil {
			t.Fatal(err)
		}
		// Referrals 0–5 were accepted and closed with goals met, 6 declined, 7 undecided.
		want := map[string]map[string][]string{
			"equality-age": {"75-84": {"7", "1", "14%", "5", "71%"}, "35-44": {"1", "0", "0%", "1", "100%"},
				"65-74": {"0", "0", "", "0", ""}, "Total": {"8", "1", "", "6", ""}},
			"equality-sex":         {"Female": {"3", "0", "0%", "3", "100%"}, "Male": {"1", "0", "0%", "1", "100%"}, "Not known": {"4", "1", "25%", "2", "50%"}},
			"equality-ethnic":      {"Asian or Asian British: Indian": {"3", "0", "0%", "3", "100%"}, "Not stated": {"5", "1", "20%", "3", "60%"}},
			"equality-deprivation": {"Quintile 1 (most deprived)": {"3", "0", "0%", "3", "100%"}, "Not known": {"5", "1", "20%", "3", "60%"}},
		}
		for id, rows := range want {
			sec := section(t, d, id)
			for label, cells := range rows {
				for col, v := range cells {
					if got := cell(t, sec, label, col); got != v {
						t.Errorf("%s %q column %d = %q, want %q", id, label, col, got, v)
					}
				}
			}
		}
		if h := section(t, d, "equality-sex").Headline; h != "By sex, completion ranged from 50% (Not known) to 100% (Female)." {
			t.Errorf("headline %q", h)
		}
		if b := section(t, d, "equality-sex").Bars[0]; b.Label != "Female" || b.Value != 100 || b.Hidden {
			t.Errorf("chart bar %+v", b)
		}
	})
}

func TestEqualityBreakdownsSuppressRowsAndColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		diversify(t, db)
		d, err := NewService(db).Build(context.Background(), w.filter(), true)
		if err != nil {
			t.Fatal(err)
		}
		sex := section(t, d, "equality-sex")
		// Every group is small, so every count but zero is hidden; only the total of 8 shows.
		for _, label := range []string{"Female", "Male", "Not known"} {
			for col := range 5 {
				if got := cell(t, sex, label, col); got != "<5" && got != "" && got != "0" {
					t.Errorf("sex %q column %d shows %q", label, col, got)
				}
			}
		}
		if got := cell(t, sex, "Total", 0); got != "8" {
			t.Errorf("total %q", got)
		}
		// 75-84 has 7 referrals: its 1 declined is hidden, and so is its 5 completed, as the
		// completed total of 6 less it would give the 35-44 group's 1; no percentage undoes either.
		age := section(t, d, "equality-age")
		if got := []string{cell(t, age, "75-84", 0), cell(t, age, "75-84", 1), cell(t, age, "75-84", 2), cell(t, age, "75-84", 3), cell(t, age, "75-84", 4)}; got[0] != "7" || got[1] != "<5" || got[2] != "" || got[3] != "<5" || got[4] != "" {
			t.Errorf("75-84 %q", got)
		}
	})
}
