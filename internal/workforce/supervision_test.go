package workforce

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestSupervisionSessionAndReflectivePrivacy(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		k1, k2 := w.openCase(t, 0, w.lw), w.openCase(t, 1, w.lw)
		other := w.openCase(t, 2)
		sup := account.Actor(w.sup, "x")
		today := w.work.today()
		in := SessionInput{Kind: OneToOne, HeldOn: today, NextOn: addDays(today, 28), Attendees: []int64{w.lw.ID},
			CaseIDs: []int64{k1.ID, k2.ID}, Summary: "Caseload review", Reflections: map[int64]string{w.lw.ID: "I felt out of my depth with the falls"},
			Actions: []ActionInput{{OwnerID: w.lw.ID, Action: "Book falls awareness training", DueOn: addDays(today, 14)}}}
		bad := in
		bad.CaseIDs = []int64{other.ID}
		if _, err := w.work.RecordSession(ctx, sup, w.sup, bad); fieldMessage(err, "cases") == "" {
			t.Errorf("discussing a case nobody at the session works on: %v", err)
		}
		if _, err := w.work.RecordSession(ctx, account.Actor(w.ot, "x"), w.ot, in); fieldMessage(err, "attendees") == "" {
			t.Errorf("a one to one by someone who does not supervise: %v", err)
		}
		future := in
		future.HeldOn = addDays(today, 1)
		if _, err := w.work.RecordSession(ctx, sup, w.sup, future); fieldMessage(err, "held_on") == "" {
			t.Errorf("a session in the future: %v", err)
		}
		id, err := w.work.RecordSession(ctx, sup, w.sup, in)
		if err != nil {
			t.Fatal(err)
		}
		admin, leadAdmin := w.user(t, "admin@example.nhs.uk", 0, account.Administrator),
			w.user(t, "leadadmin@example.nhs.uk", w.vcse.ID, account.Administrator, account.ServiceLead)
		viewers := []struct {
			name    string
			u       account.User
			ok      bool
			reflect bool
		}{
			{"the supervisor", w.sup, true, true}, {"the supervisee", w.lw, true, true},
			{"the supervisee's service lead", w.lead, true, false}, {"another service lead", w.pcnLead, false, false},
			{"a colleague", w.lw2, false, false}, {"an OT on the cases", w.ot, false, false},
			{"an administrator", admin, false, false}, {"a service lead who is also an administrator", leadAdmin, true, false},
		}
		for _, v := range viewers {
			got, err := w.work.Session(ctx, account.Actor(v.u, "x"), v.u, id)
			if (err == nil) != v.ok {
				t.Errorf("%s viewing: %v, want allowed %v", v.name, err, v.ok)
				continue
			}
			if err != nil {
				if !apperr.Is(err, apperr.Forbidden) {
					t.Errorf("%s refused with %v", v.name, err)
				}
				continue
			}
			if shown := got.Attendees[0].Reflection != ""; shown != v.reflect || got.Attendees[0].Private == v.reflect {
				t.Errorf("%s sees the reflective note: %v (private %v), want %v", v.name, shown, got.Attendees[0].Private, v.reflect)
			}
			if len(got.Cases) != 2 || len(got.Actions) != 1 || got.Actions[0].OwnerName != "tom" {
				t.Errorf("%s sees %+v", v.name, got)
			}
		}
		if hist, _ := w.work.SessionsWith(ctx, w.lw.ID); len(hist) != 1 || hist[0].With != "tom" {
			t.Errorf("history: %+v", hist)
		}
		if n := countAudit(t, db, "case.supervision_discussed"); n != 2 {
			t.Errorf("%d case discussions audited, want 2", n)
		}
	})
}

func TestOverdueSupervisionFlaggedOnce(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		if n, err := w.work.FlagOverdueSupervision(ctx, account.Actor(w.sup, "x")); err != nil || n != 0 {
			t.Fatalf("flagged %d (%v) on the first day of supervision", n, err)
		}
		w.at(31, func() {
			for range 2 {
				if n, err := w.work.FlagOverdueSupervision(ctx, account.Actor(w.sup, "x")); err != nil {
					t.Fatal(err)
				} else if n > 1 {
					t.Errorf("flagged %d supervisees", n)
				}
			}
		})
		inbox := notify.NewInbox(db)
		for _, u := range []account.User{w.lw, w.sup, w.lead} {
			got, _ := inbox.Unread(ctx, u.ID)
			if n := count(got, KindSupervision); n != 1 {
				t.Errorf("%s has %d overdue notices, want exactly 1", u.Name, n)
			}
		}
		if got, _ := inbox.Unread(ctx, w.pcnLead.ID); count(got, KindSupervision) != 0 {
			t.Errorf("another organisation's service lead was told")
		}
	})
}

func count(ns []notify.Notification, kind notify.Kind) int {
	n := 0
	for _, x := range ns {
		if x.Kind == kind {
			n++
		}
	}
	return n
}

func TestAdviceRequests(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		k := w.openCase(t, 0, w.lw)
		lw := account.Actor(w.lw, "x")
		if _, err := w.work.AskAdvice(ctx, lw, w.lw, k.ID, AdviceInput{}); fieldMessage(err, "question") == "" || fieldMessage(err, "urgency") == "" {
			t.Errorf("an empty question: %v", err)
		}
		if _, err := w.work.AskAdvice(ctx, account.Actor(w.lw2, "x"), w.lw2, k.ID, AdviceInput{AskOf: w.sup.ID, Urgency: Urgent, Question: "?"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("asking about a case you are not on: %v", err)
		}
		if _, err := w.work.AskAdvice(ctx, lw, w.lw, k.ID, AdviceInput{AskOf: w.lw2.ID, Urgency: Urgent, Question: "?"}); fieldMessage(err, "ask_of") == "" {
			t.Errorf("asking a colleague who is neither supervisor nor OT on the case: %v", err)
		}
		r, err := w.work.AskAdvice(ctx, lw, w.lw, k.ID, AdviceInput{AskOf: w.sup.ID, Urgency: Urgent, Question: "Who do I need to tell?"})
		if err != nil {
			t.Fatal(err)
		}
		if want := addWorkingMinutes(r.AskedAt, 60); !r.DueAt.Equal(want) {
			t.Errorf("urgent due at %v, want %v", r.DueAt, want)
		}
		if q, _ := w.work.AdviceQueue(ctx, w.sup.ID); len(q) != 1 || q[0].ID != r.ID {
			t.Errorf("supervisor's queue: %+v", q)
		}
		if err := w.work.AnswerAdvice(ctx, account.Actor(w.lw2, "x"), w.lw2, r.ID, "Ignore it"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a colleague answering: %v", err)
		}
		if err := w.work.AnswerAdvice(ctx, account.Actor(w.sup, "x"), w.sup, r.ID, "Tell the safeguarding lead today and raise a concern."); err != nil {
			t.Fatal(err)
		}
		if err := w.work.AnswerAdvice(ctx, account.Actor(w.sup, "x"), w.sup, r.ID, "Again"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("answering twice: %v", err)
		}
		onCase, _ := w.work.CaseAdvice(ctx, k.ID)
		if len(onCase) != 1 || onCase[0].AnsweredByName != "helen" || !strings.Contains(onCase[0].Answer, "safeguarding lead") {
			t.Errorf("the answer on the case: %+v", onCase)
		}
		rt, _ := w.work.AdviceResponseTimes(ctx, w.sup.ID, time.Now().AddDate(0, -1, 0))
		if rt[0].Urgency != Urgent || rt[0].Asked != 1 || rt[0].Answered != 1 || rt[0].OnTime != 1 {
			t.Errorf("response times: %+v", rt)
		}
	})
}

func TestWorkingTime(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, london)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		from string
		mins int
		days int
		want string
	}{
		{"2026-03-02 10:00", 60, 0, "2026-03-02 11:00"}, // Monday morning
		{"2026-03-02 16:30", 60, 0, "2026-03-03 09:30"}, // runs over the end of the day
		{"2026-03-06 16:45", 60, 0, "2026-03-09 09:45"}, // Friday afternoon to Monday
		{"2026-03-07 12:00", 60, 0, "2026-03-09 10:00"}, // asked on a Saturday
		{"2026-03-02 07:00", 60, 0, "2026-03-02 10:00"}, // before opening
		{"2026-03-05 14:00", 0, 2, "2026-03-09 14:00"},  // Thursday, two working days
		{"2026-03-06 18:00", 0, 2, "2026-03-11 09:00"},  // Friday evening counts from Monday
	}
	for _, c := range cases {
		var got time.Time
		if c.days > 0 {
			got = addWorkingDays(at(c.from), c.days)
		} else {
			got = addWorkingMinutes(at(c.from), c.mins)
		}
		if !got.Equal(at(c.want)) {
			t.Errorf("from %s: %s, want %s", c.from, got.In(london).Format("2006-01-02 15:04"), c.want)
		}
	}
}

// TestSupervisorReachesSuperviseesCases checks the access relationship: a supervisor reaches
// the people on their supervisees' open cases, and no one else's; across organisations only
// under an agreement in force.
func TestSupervisorReachesSuperviseesCases(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		mine := w.openCase(t, 0, w.lw)
		theirs := w.openCase(t, 1, w.lw2)
		if ok, err := w.work.SupervisesCareOf(ctx, w.sup.ID, mine.PersonID); err != nil || !ok {
			t.Errorf("supervisor to a supervisee's case: %v, %v", ok, err)
		}
		if ok, _ := w.work.SupervisesCareOf(ctx, w.sup.ID, theirs.PersonID); ok {
			t.Error("supervisor reaches a case of someone they do not supervise")
		}
		if ok, _ := w.work.SupervisesCareOf(ctx, w.ot.ID, mine.PersonID); ok {
			t.Error("a non-supervisor reaches it")
		}
		// The agreement ends: the cross-organisation relationship no longer gives access.
		if _, err := db.Exec(ctx, `UPDATE data_sharing_agreements SET ends_on = ?`, addDays(w.work.today(), -1)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := w.work.SupervisesCareOf(ctx, w.sup.ID, mine.PersonID); ok {
			t.Error("cross-organisation supervision reaches a case after the agreement ended")
		}
		if figs, err := w.work.Oversight(ctx, w.sup, NoContactDays); err != nil || len(figs) != 0 {
			t.Errorf("oversight after the agreement ended: %+v, %v", figs, err)
		}
	})
}

func TestOversightFigures(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		w.openCase(t, 0, w.lw)
		w.openCase(t, 1, w.lw)
		if err := w.work.SaveProfile(ctx, account.Actor(w.lead, "x"), w.lead, w.lw.ID, ProfileInput{Profession: "link_worker", Capacity: "1"}); err != nil {
			t.Fatal(err)
		}
		figs, err := w.work.Oversight(ctx, w.sup, NoContactDays)
		if err != nil || len(figs) != 1 {
			t.Fatalf("oversight: %+v, %v", figs, err)
		}
		f := figs[0]
		if f.Counts[FigOpen] != 2 || f.Counts[FigTargeted] != 2 || !f.OverCapacity() || f.YearCases != 2 || f.Gaps != 14 || f.LastSession != "" {
			t.Errorf("figures: %+v", f)
		}
		cases, err := w.work.OversightCases(ctx, account.Actor(w.sup, "x"), w.sup, w.lw.ID, FigOpen, NoContactDays)
		if err != nil || len(cases) != 2 {
			t.Errorf("drill-down: %+v, %v", cases, err)
		}
		if _, err := w.work.OversightCases(ctx, account.Actor(w.sup, "x"), w.sup, w.lw2.ID, FigOpen, NoContactDays); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("drill-down into someone not supervised: %v", err)
		}
		if _, err := w.work.Oversight(ctx, w.lw, NoContactDays); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a link worker's oversight: %v", err)
		}
		if n := countAudit(t, db, "workforce.oversight_cases"); n != 1 {
			t.Errorf("%d drill-downs audited", n)
		}
	})
}

func TestTrainingRecord(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		lw := account.Actor(w.lw, "x")
		if err := w.work.AddTraining(ctx, lw, w.lw, w.lw.ID, TrainingInput{Kind: CPD, Title: "x", CompletedOn: "2020-02-30", Hours: "-1"}); fieldMessage(err, "completed_on") == "" || fieldMessage(err, "hours") == "" {
			t.Errorf("bad entry: %v", err)
		}
		if err := w.work.AddTraining(ctx, lw, w.lw, w.lw.ID, TrainingInput{Kind: Course, Title: "=Safeguarding adults level 2", Provider: "Northshire SAB",
			CompletedOn: w.work.today(), Hours: "3.5"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.work.TrainingRecord(ctx, w.lw2, w.lw.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a colleague reading the record: %v", err)
		}
		rec, err := w.work.TrainingRecord(ctx, w.sup, w.lw.ID)
		if err != nil || len(rec) != 1 || rec[0].Hours() != "3.5" {
			t.Fatalf("supervisor reading the record: %+v, %v", rec, err)
		}
		var buf bytes.Buffer
		if err := WriteTrainingCSV(&buf, rec); err != nil {
			t.Fatal(err)
		}
		if want := "Course,'=Safeguarding adults level 2,Northshire SAB,3.5,"; !strings.Contains(buf.String(), want) {
			t.Errorf("CSV %q does not hold %q", buf.String(), want)
		}
	})
}
