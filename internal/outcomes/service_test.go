package outcomes

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestRecordingStoresAnswersWithTheInstrumentVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		k := w.openCase(t, 0)
		if _, err := w.out.Record(ctx, w.actor(), RecordInput{CaseID: k.ID, Instrument: "ons4", Timepoint: FollowUp, Form: ons4(5, 5, 5, 5)}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a follow-up before any baseline should be refused, got %v", err)
		}
		w.record(t, k.ID, "ons4", Baseline, ons4(3, 4, 5, 9))
		if _, err := w.out.Record(ctx, w.actor(), RecordInput{CaseID: k.ID, Instrument: "ons4", Timepoint: Baseline, Form: ons4(5, 5, 5, 5)}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a second baseline should be refused, got %v", err)
		}
		_, err := w.out.Record(ctx, w.actor(), RecordInput{CaseID: k.ID, Instrument: "ons4", Timepoint: Interim, Form: map[string]string{"satisfied": "12"}})
		if apperr.FieldMessage(err, "satisfied") == "" || apperr.FieldMessage(err, "anxious") == "" {
			t.Errorf("bad answers should be field errors, got %v", err)
		}
		w.record(t, k.ID, "ons4", Interim, ons4(5, 5, 6, 7))
		w.record(t, k.ID, "ons4", FollowUp, ons4(7, 6, 7, 4))
		rs, err := w.out.CaseResponses(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 3 || rs[0].Timepoint != Baseline || rs[2].Timepoint != FollowUp || rs[0].Version != 1 || rs[0].CompletedBy != WithWorker {
			t.Fatalf("responses %+v", rs)
		}
		if a, _ := rs[0].Answer("anxious"); a.Value != 9 {
			t.Errorf("baseline anxiety %d, want 9", a.Value)
		}
		p := Summarise(mustBuiltIn(t, "ons4"), rs)
		if ch := p.Items[3].Change; ch == nil || *ch != -5 || !p.Items[3].Better {
			t.Errorf("anxiety 9 → 4 should be −5 and better, got %+v", p.Items[3])
		}
		if n := countAudit(t, db, "outcome.record"); n != 3 {
			t.Errorf("%d audit entries, want 3", n)
		}
	})
}

func TestLicensedInstrumentNeedsTheLicenceRecordedFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		k := w.openCase(t, 0)
		form := map[string]string{"optimistic": "3", "useful": "3", "relaxed": "3", "problems": "3", "thinking": "3", "close": "3", "own_mind": "3"}
		if _, err := w.out.Record(ctx, w.actor(), RecordInput{CaseID: k.ID, Instrument: "swemwbs", Timepoint: Baseline, Form: form}); apperr.FieldMessage(err, "instrument") == "" {
			t.Errorf("SWEMWBS is off until switched on, got %v", err)
		}
		if err := w.out.SetUse(ctx, w.actor(), w.lw.ID, w.svc.ID, "swemwbs", true, " "); apperr.FieldMessage(err, "licence_note") == "" {
			t.Errorf("switching SWEMWBS on without a licence should be refused, got %v", err)
		}
		if err := w.out.SetUse(ctx, w.actor(), w.lw.ID, w.svc.ID, "swemwbs", true, "Registered with Warwick, ref 12345"); err != nil {
			t.Fatal(err)
		}
		r := w.record(t, k.ID, "swemwbs", Baseline, form)
		if *r.Raw != 21 || *r.Value != 19.25 {
			t.Errorf("raw %d metric %v, want 21 and 19.25", *r.Raw, *r.Value)
		}
		got, err := w.out.CaseResponses(ctx, k.ID)
		if err != nil || *got[0].Value != 19.25 || *got[0].Raw != 21 {
			t.Errorf("stored score %+v %v", got, err)
		}
		if err := w.out.SetUse(ctx, w.actor(), w.lw.ID, w.svc.ID, "ons4", false, ""); err != nil {
			t.Fatal(err)
		}
		uses, _ := w.out.ServiceInstruments(ctx, w.svc.ID)
		for _, u := range uses {
			if want := u.Instrument.Code != "ons4"; u.Enabled != want {
				t.Errorf("%s enabled %t, want %t", u.Instrument.Code, u.Enabled, want)
			}
		}
	})
}

func TestOwnInstrumentsLoadFromAFileWithVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		file := func(version, max string) []byte {
			return []byte(`{"code": "loneliness3", "version": ` + version + `, "name": "Three-item loneliness", "scoring": {"method": "sum"},
				"items": [{"code": "companionship", "text": "How often do you feel you lack companionship?", "min": 1, "max": ` + max + `},
				          {"code": "left_out", "text": "How often do you feel left out?", "min": 1, "max": 3},
				          {"code": "isolated", "text": "How often do you feel isolated from others?", "min": 1, "max": 3}]}`)
		}
		if _, err := w.out.LoadInstrument(ctx, w.actor(), w.lw.ID, w.org.ID, file("1", "0")); !strings.Contains(apperr.FieldMessage(err, "file"), "items[0].max") {
			t.Errorf("a bad file should name the field, got %v", err)
		}
		if _, err := w.out.LoadInstrument(ctx, w.actor(), w.lw.ID, w.org.ID, file("1", "3")); err != nil {
			t.Fatal(err)
		}
		if _, err := w.out.LoadInstrument(ctx, w.actor(), w.lw.ID, w.org.ID, file("1", "3")); !strings.Contains(apperr.FieldMessage(err, "file"), "version 2 or higher") {
			t.Errorf("loading the same version again should be refused, got %v", err)
		}
		if _, err := w.out.LoadInstrument(ctx, w.actor(), w.lw.ID, w.org.ID, []byte(`{"code": "ons4", "version": 9, "name": "Mine", "scoring": {"method": "per_item"}, "items": [{"code": "a", "text": "A", "min": 0, "max": 1}]}`)); apperr.FieldMessage(err, "file") == "" {
			t.Errorf("a built-in code should be refused, got %v", err)
		}
		k := w.openCase(t, 0)
		form := map[string]string{"companionship": "2", "left_out": "3", "isolated": "1"}
		if _, err := w.out.Record(ctx, w.actor(), RecordInput{CaseID: k.ID, Instrument: "loneliness3", Timepoint: Baseline, Form: form}); err == nil {
			t.Error("an own instrument is off until switched on")
		}
		if err := w.out.SetUse(ctx, w.actor(), w.lw.ID, w.svc.ID, "loneliness3", true, ""); err != nil {
			t.Fatal(err)
		}
		r := w.record(t, k.ID, "loneliness3", Baseline, form)
		if r.Version != 1 || *r.Raw != 6 {
			t.Errorf("version %d raw %v", r.Version, *r.Raw)
		}
		// Version 2 widens an item; the baseline still reads as version 1.
		if _, err := w.out.LoadInstrument(ctx, w.actor(), w.lw.ID, w.org.ID, file("2", "5")); err != nil {
			t.Fatal(err)
		}
		f := w.record(t, k.ID, "loneliness3", FollowUp, map[string]string{"companionship": "5", "left_out": "1", "isolated": "1"})
		if f.Version != 2 {
			t.Errorf("the follow-up should use version 2, got %d", f.Version)
		}
		v1, err := w.out.Instrument(ctx, "loneliness3", 1)
		if err != nil || v1.Items[0].Max != 3 {
			t.Errorf("version 1 should still read as it was: %+v %v", v1, err)
		}
		if n := countAudit(t, db, "outcome.instrument_load"); n != 2 {
			t.Errorf("%d loads audited, want 2", n)
		}
	})
}

func TestALinkIsSingleUseAndExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		k := w.openCase(t, 0)
		w.record(t, k.ID, "goals", Baseline, map[string]string{"goal1-text": "Walk to the shops", "goal1": "2"})
		token, expires, err := w.out.CreateLink(ctx, w.actor(), w.lw.ID, k.ID, "goals", FollowUp)
		if err != nil {
			t.Fatal(err)
		}
		if time.Until(expires) < 13*24*time.Hour {
			t.Errorf("expires %v", expires)
		}
		var stored string
		if err := db.Reader().QueryRow(ctx, `SELECT token_hash FROM outcome_links`).Scan(&stored); err != nil || stored == token || len(stored) != 64 {
			t.Errorf("only the token's hash should be stored, got %q (%v)", stored, err)
		}
		l, err := w.out.OpenLink(ctx, token)
		if err != nil || l.Goals["goal1"] != "Walk to the shops" || l.Timepoint != FollowUp {
			t.Fatalf("link %+v %v", l, err)
		}
		person := audit.Actor{Label: "person through a link", Address: "10.9.9.9"}
		if err := w.out.AnswerLink(ctx, person, token, map[string]string{"goal1": "11"}); apperr.FieldMessage(err, "goal1") == "" {
			t.Errorf("a bad answer should be a field error, got %v", err)
		}
		if _, err := w.out.OpenLink(ctx, token); err != nil {
			t.Errorf("a refused answer should leave the link open, got %v", err)
		}
		if err := w.out.AnswerLink(ctx, person, token, map[string]string{"goal1": "8"}); err != nil {
			t.Fatal(err)
		}
		if err := w.out.AnswerLink(ctx, person, token, map[string]string{"goal1": "9"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a used link should be gone, got %v", err)
		}
		rs, _ := w.out.CaseResponses(ctx, k.ID)
		if len(rs) != 2 || rs[1].CompletedBy != ByPerson || rs[1].Answers[0].Text != "Walk to the shops" || rs[1].Answers[0].Value != 8 {
			t.Errorf("responses %+v", rs)
		}
		if _, err := w.out.OpenLink(ctx, "not-a-token"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an unknown token should be not found, got %v", err)
		}
		other, _, err := w.out.CreateLink(ctx, w.actor(), w.lw.ID, k.ID, "ons4", Baseline)
		if err != nil {
			t.Fatal(err)
		}
		w.at(15*24*time.Hour, func() {
			if _, err := w.out.OpenLink(ctx, other); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("an expired link should be gone, got %v", err)
			}
		})
	})
}

func TestClosingWithoutAFollowUpRecordsWhy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		k := w.openCase(t, 0)
		owed, err := w.out.FollowUpOwed(ctx, k.ID)
		if err != nil || len(owed) != 0 {
			t.Fatalf("nothing is owed without a baseline: %v %v", owed, err)
		}
		w.record(t, k.ID, "ons4", Baseline, ons4(3, 4, 5, 9))
		if owed, _ = w.out.FollowUpOwed(ctx, k.ID); len(owed) != 1 || owed[0] != "ONS4 personal wellbeing" {
			t.Fatalf("owed %v", owed)
		}
		if errs := CheckMissing(owed, Missing{Reason: "other"}); len(errs) != 1 || errs[0].Field != "followup_note" {
			t.Errorf("other needs a note: %v", errs)
		}
		close := func(m Missing) error {
			return w.cases.CloseWith(ctx, w.actor(), k.ID, k.Version, "goals_met", "Going to the walking group", func(c store.Conn) error {
				return w.out.AtClosureIn(ctx, c, w.actor(), w.lw.ID, k.ID, m)
			})
		}
		if err := close(Missing{}); apperr.FieldMessage(err, "followup_missing") == "" {
			t.Fatalf("closing without a reason should be refused, got %v", err)
		}
		if got, _ := w.cases.Get(ctx, k.ID); got.Status == casework.Closed {
			t.Fatal("a refused closure must leave the case open")
		}
		if err := close(Missing{Reason: "unreachable"}); err != nil {
			t.Fatal(err)
		}
		m, ok, err := w.out.MissingFollowUp(ctx, k.ID)
		if err != nil || !ok || m.Reason != "unreachable" {
			t.Errorf("missing %+v %t %v", m, ok, err)
		}
		if _, err := w.out.Record(ctx, w.actor(), RecordInput{CaseID: k.ID, Instrument: "ons4", Timepoint: FollowUp, Form: ons4(5, 5, 5, 5)}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a closed case's measures cannot change, got %v", err)
		}
	})
}

func TestMarkersOnOpenCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		a, b := w.openCase(t, 0), w.openCase(t, 1)
		w.record(t, b.ID, "ons4", Baseline, ons4(3, 4, 5, 9))
		m, err := w.out.Markers(ctx, []int64{a.ID, b.ID})
		if err != nil || m[a.ID].Label != "Baseline due" || m[b.ID].Label != "" {
			t.Errorf("now: %+v %v", m, err)
		}
		w.at(90*24*time.Hour, func() {
			m, _ = w.out.Markers(ctx, []int64{a.ID, b.ID})
		})
		if !m[a.ID].Overdue || m[b.ID].Label != "Follow-up due" {
			t.Errorf("after 90 days: %+v", m)
		}
	})
}
