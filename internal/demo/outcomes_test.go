package demo

import (
	"context"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/outcomes"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/reports"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestDemoCasesHaveMeasuresWithARealisticSpread(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	people := person.NewService(db)
	refs := referral.NewService(db, people)
	d := Casework{Accounts: account.NewService(db), Orgs: organisation.NewService(db), People: people,
		Referrals: refs, Cases: casework.NewService(db, refs), Outcomes: outcomes.NewService(db)}
	if _, err := LoadIfEmpty(ctx, d.Accounts, d.Orgs); err != nil {
		t.Fatal(err)
	}
	if err := LoadCasework(ctx, d); err != nil {
		t.Fatal(err)
	}
	var closed, paired, missing int
	r := db.Reader()
	if err := r.QueryRow(ctx, `SELECT COUNT(*) FROM cases WHERE status = 'closed'`).Scan(&closed); err != nil {
		t.Fatal(err)
	}
	if err := r.QueryRow(ctx, `SELECT COUNT(*) FROM cases k WHERE k.status = 'closed' AND
		EXISTS (SELECT 1 FROM outcome_responses b WHERE b.case_id = k.id AND b.instrument_code = 'ons4' AND b.timepoint = 'baseline') AND
		EXISTS (SELECT 1 FROM outcome_responses f WHERE f.case_id = k.id AND f.instrument_code = 'ons4' AND f.timepoint = 'follow_up')`).Scan(&paired); err != nil {
		t.Fatal(err)
	}
	if err := r.QueryRow(ctx, `SELECT COUNT(*) FROM outcome_missing_followups`).Scan(&missing); err != nil {
		t.Fatal(err)
	}
	if closed < 30 || paired*10 < closed*7 || paired+missing != closed {
		t.Errorf("%d closed cases, %d with ONS4 before and after, %d with a reason for none: want most measured and the rest explained", closed, paired, missing)
	}
	if err := LoadPracticeLists(ctx, reports.NewService(db)); err != nil {
		t.Fatal(err)
	}
	if err := DateReferralsBeforeContacts(ctx, db); err != nil {
		t.Fatal(err)
	}
	var early int
	if err := r.QueryRow(ctx, `SELECT COUNT(*) FROM case_contacts cc JOIN cases k ON k.id = cc.case_id JOIN referrals f ON f.id = k.referral_id
		WHERE cc.contact_at < f.created_at OR cc.contact_at < k.opened_at OR k.opened_at < f.created_at`).Scan(&early); err != nil || early != 0 {
		t.Errorf("%d contacts before their referral or case, or cases opened before their referral (%v)", early, err)
	}
	now := time.Now().UTC()
	dash, err := reports.NewService(db).Build(ctx, reports.Filter{From: now.AddDate(0, 0, -40), To: now}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range dash.Sections {
		if s.ID == "waiting" {
			// First contacts follow referrals by 1 to 10 days, so half wait more than a day.
			if len(s.Rows) < 3 || s.Rows[1].Label != "Median" || s.Rows[1].Cells[0] == "0.0" || s.Rows[2].Cells[0] == "0.0" {
				t.Errorf("waiting times %+v", s.Rows)
			}
		}
		if s.ID == "practices" {
			// Every demo person is registered with one of the three practices with a list size.
			if len(s.Rows) != 5 || s.Rows[3].Cells[0] != "0" || s.Rows[0].Cells[2] == "" || s.Rows[0].Cells[1] != "8,240" {
				t.Errorf("practices %+v", s.Rows)
			}
		}
		if s.ID != "outcomes" {
			continue
		}
		sat := s.Rows[0].Cells // n, mean, interval
		if sat[1] == "" || sat[1][0] != '+' || sat[2] == "" {
			t.Errorf("life satisfaction should improve on average with an interval: %v", sat)
		}
		if anx := s.Rows[3].Cells; anx[1] == "" || anx[1][0] != '-' {
			t.Errorf("anxiety should fall on average: %v", anx)
		}
	}
	// A spread, not one answer repeated: baselines of life satisfaction take several values.
	var distinct int
	if err := r.QueryRow(ctx, `SELECT COUNT(DISTINCT a.value) FROM outcome_answers a JOIN outcome_responses o ON o.id = a.response_id
		WHERE o.timepoint = 'baseline' AND a.item_code = 'satisfied'`).Scan(&distinct); err != nil || distinct < 6 {
		t.Errorf("%d distinct baseline values (%v)", distinct, err)
	}
}
