package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/workforce"
)

// Workforce is what loading the demo's supervision structure needs. Cases must check
// delegations against Work's competences.
type Workforce struct {
	Accounts *account.Service
	Cases    *casework.Service
	Work     *workforce.Service
}

// demoStaff are the demo's workers and their profiles.
var demoStaff = []struct {
	email string
	in    workforce.ProfileInput
}{
	{"supervisor@linkwell.demo", workforce.ProfileInput{Profession: "occupational_therapist", Registration: "OT48213", Band: "7", Capacity: "20"}},
	{"ot@linkwell.demo", workforce.ProfileInput{Profession: "occupational_therapist", Registration: "OT51877", Band: "6", Capacity: "30"}},
	{"linkworker@linkwell.demo", workforce.ProfileInput{Profession: "link_worker", Capacity: "45"}},
	{"aisha.patel@linkwell.demo", workforce.ProfileInput{Profession: "ot_assistant", Band: "3", Capacity: "40"}},
	{"daniel.hughes@linkwell.demo", workforce.ProfileInput{Profession: "link_worker", Band: "4", Capacity: "45"}},
}

// signOffs is each supervisee's spread of competences: signed off with a year to run, due for
// review within the month, and lapsed (signed off fourteen months ago for a year). Everything
// else in the framework is missing.
var signOffs = map[string]struct{ signed, expiring, expired []string }{
	"linkworker@linkwell.demo": {
		signed:   []string{"PC-WHAT-MATTERS", "PC-MENTAL-HEALTH", "PC-OUTCOMES", "CR-KNOWLEDGE", "SF-LONE-WORKING", "SF-BOUNDARIES", "PR-RECORDS", "SP-CONNECT"},
		expiring: []string{"CR-DIGITAL"},
		expired:  []string{"SF-SAFEGUARDING"},
	},
	"aisha.patel@linkwell.demo": {
		signed:   []string{"PC-WHAT-MATTERS", "CR-KNOWLEDGE", "SF-SAFEGUARDING", "SF-LONE-WORKING", "SP-CONNECT", "SP-ADVICE-BENEFITS"},
		expiring: []string{"SF-BOUNDARIES"},
		expired:  []string{"PR-RECORDS", "PC-OUTCOMES"},
	},
	"daniel.hughes@linkwell.demo": {
		signed: []string{"PC-WHAT-MATTERS", "PC-MENTAL-HEALTH", "PC-OUTCOMES", "CR-KNOWLEDGE", "CR-DIGITAL", "SF-SAFEGUARDING", "SF-LONE-WORKING",
			"SF-BOUNDARIES", "PR-RECORDS", "SP-CONNECT", "SP-ADVICE-BENEFITS", "SP-HOME-VISIT"},
		expiring: []string{"PC-LTC"},
	},
}

// LoadWorkforce gives the demo network its supervision structure, after LoadCasework: staff
// profiles; the PCN's OT supervisor over the charity's link worker and OT assistant (under the
// data-sharing agreement) and the PCN's own link worker; signed-off, expiring, expired and
// missing competences; past supervision sessions discussing cases; advice asked and answered,
// with one urgent question still open; training records; and delegations, one under a
// supervisor's override.
func LoadWorkforce(ctx context.Context, d Workforce) error {
	users := map[string]account.User{}
	for _, email := range []string{"admin@linkwell.demo", "supervisor@linkwell.demo", "ot@linkwell.demo", "linkworker@linkwell.demo",
		"aisha.patel@linkwell.demo", "daniel.hughes@linkwell.demo"} {
		u, err := d.Accounts.UserByEmail(ctx, email)
		if err != nil {
			return fmt.Errorf("demo workforce: %w", err)
		}
		users[email] = u
	}
	steps := []func(context.Context, Workforce, map[string]account.User) error{
		loadProfiles, loadSignOffs, loadSessions, loadAdvice, loadTraining, loadDelegations,
	}
	for _, step := range steps {
		if err := step(ctx, d, users); err != nil {
			return fmt.Errorf("demo workforce: %w", err)
		}
	}
	return nil
}

// daysAgo is the workforce service with its clock n days back, for a history.
func daysAgo(d Workforce, n int) *workforce.Service {
	at := time.Now().AddDate(0, 0, -n)
	return d.Work.WithClock(func() time.Time { return at })
}

func day(n int) string { return time.Now().AddDate(0, 0, n).Format(time.DateOnly) }

func loadProfiles(ctx context.Context, d Workforce, users map[string]account.User) error {
	admin := users["admin@linkwell.demo"]
	actor := account.Actor(admin, "demo")
	for _, s := range demoStaff {
		if err := d.Work.SaveProfile(ctx, actor, admin, users[s.email].ID, s.in); err != nil {
			return fmt.Errorf("profile of %s: %w", s.email, err)
		}
	}
	// Supervision began ten months ago, inside the data-sharing agreement that the charity's
	// workers need for a supervisor at the PCN.
	sup := users["supervisor@linkwell.demo"].ID
	for email := range signOffs {
		if err := daysAgo(d, 300).AddSupervisor(ctx, actor, admin, users[email].ID, sup); err != nil {
			return fmt.Errorf("supervisor of %s: %w", email, err)
		}
	}
	return nil
}

func loadSignOffs(ctx context.Context, d Workforce, users map[string]account.User) error {
	sup := users["supervisor@linkwell.demo"]
	actor := account.Actor(sup, "demo")
	sign := func(w *workforce.Service, email string, codes []string, review string) error {
		for _, code := range codes {
			err := w.SignOff(ctx, actor, sup, users[email].ID, workforce.SignOffInput{Code: code, ReviewOn: review, Note: "Observed in practice and discussed in supervision."})
			if err != nil {
				return fmt.Errorf("sign off %s for %s: %w", code, email, err)
			}
		}
		return nil
	}
	for email, s := range signOffs {
		if err := sign(daysAgo(d, 420), email, s.expired, day(-55)); err != nil {
			return err
		}
		if err := sign(daysAgo(d, 200), email, s.signed, day(165)); err != nil {
			return err
		}
		if err := sign(daysAgo(d, 340), email, s.expiring, day(25)); err != nil {
			return err
		}
	}
	tom := users["linkworker@linkwell.demo"]
	return d.Work.RecordEvidence(ctx, account.Actor(tom, "demo"), tom, tom.ID, "SP-ADVICE-BENEFITS",
		"Completed the benefits calculator training and shadowed the Citizens Advice benefits clinic twice; ran two checks with a colleague watching.")
}

// openCases returns the open cases a worker is on, and those of them the supervisor is on too.
func openCases(ctx context.Context, d Workforce, worker, sup int64) (all, shared []casework.Case, err error) {
	page, err := d.Cases.Caseload(ctx, casework.CaseloadFilter{WorkerID: worker, PerPage: 100})
	if err != nil {
		return nil, nil, err
	}
	for _, row := range page.Rows {
		if row.Status == casework.Closed {
			continue
		}
		k, err := d.Cases.Get(ctx, row.CaseID)
		if err != nil {
			return nil, nil, err
		}
		all = append(all, k)
		if slices.ContainsFunc(k.Team, func(w casework.Worker) bool { return w.UserID == sup && w.Current() }) {
			shared = append(shared, k)
		}
	}
	if len(all) < 2 {
		return nil, nil, errors.New("too few open cases for supervision")
	}
	return all, shared, nil
}

func loadSessions(ctx context.Context, d Workforce, users map[string]account.User) error {
	sup := users["supervisor@linkwell.demo"]
	actor := account.Actor(sup, "demo")
	type session struct {
		email      string
		ago        int
		summary    string
		reflection string
		action     string
	}
	sessions := []session{
		{"linkworker@linkwell.demo", 47, "Caseload review. Discussed a man whose falls have increased since his wife died: agreed a joint visit with the OT before any group referral. Discussed a woman who keeps cancelling the walking group: try the seated exercise class first.",
			"I am finding it hard to end support with people who still ring me most weeks.", "Book safeguarding adults level 2 refresher"},
		{"linkworker@linkwell.demo", 19, "Reviewed both cases from last time: the joint visit found the stairs unsafe and a falls referral went in; the seated class is going well. Talked about endings and a plan for stepping down support.",
			"Talking it through helped. I will use the ending letter we drafted.", "Draft an ending plan for two long-standing cases"},
		{"aisha.patel@linkwell.demo", 41, "Caseload review. Discussed a carer at breaking point: carer's assessment requested, respite options through the council. Discussed a benefits check that found an unclaimed attendance allowance.",
			"Proud of the attendance allowance result.", "Refresh record keeping sign-off"},
		{"daniel.hughes@linkwell.demo", 12, "Caseload review. Discussed a young man with low mood who wants work: referred to the employment support group. Discussed a woman with COPD who is isolated: the Breathe Easy group meets near her.",
			"", "Visit the Breathe Easy group to see it for himself"},
	}
	for _, s := range sessions {
		u := users[s.email]
		all, _, err := openCases(ctx, d, u.ID, sup.ID)
		if err != nil {
			return fmt.Errorf("sessions with %s: %w", s.email, err)
		}
		in := workforce.SessionInput{Kind: workforce.OneToOne, HeldOn: day(-s.ago), NextOn: day(28 - s.ago), Attendees: []int64{u.ID},
			CaseIDs: []int64{all[0].ID, all[1].ID}, Summary: s.summary, Reflections: map[int64]string{u.ID: s.reflection},
			Actions: []workforce.ActionInput{{OwnerID: u.ID, Action: s.action, DueOn: day(21 - s.ago)}}}
		if _, err := d.Work.RecordSession(ctx, actor, sup, in); err != nil {
			return fmt.Errorf("session with %s: %w", s.email, err)
		}
	}
	group := workforce.SessionInput{Kind: workforce.Group, HeldOn: day(-62), Attendees: []int64{users["linkworker@linkwell.demo"].ID, users["aisha.patel@linkwell.demo"].ID},
		Summary: "Group supervision on lone working: the check-in app, what to do when a visit feels unsafe, and the new home visit risk questions."}
	_, err := d.Work.RecordSession(ctx, actor, sup, group)
	return err
}

func loadAdvice(ctx context.Context, d Workforce, users map[string]account.User) error {
	sup := users["supervisor@linkwell.demo"]
	asks := []struct {
		email    string
		urgency  workforce.Urgency
		question string
		answer   string
	}{
		{"linkworker@linkwell.demo", workforce.Routine, "He wants to join the Tuesday craft group but has early dementia. Is it suitable, or should I look for a memory café first?",
			"Try the memory café first and go with him the first time; the craft group leader can take him once he is settled. Review it in supervision."},
		{"aisha.patel@linkwell.demo", workforce.Routine, "The benefits check suggests attendance allowance. Should I help her fill in the form or refer on to welfare rights?",
			"Refer on to welfare rights: the form is long and they can appeal if it is refused. You can support her at the appointment."},
		{"linkworker@linkwell.demo", workforce.Urgent, "She told me on the phone her son takes her pension each week and she has no money for food. Who do I need to tell?", ""},
	}
	for i, a := range asks {
		u := users[a.email]
		all, shared, err := openCases(ctx, d, u.ID, sup.ID)
		if err != nil {
			return err
		}
		k := all[len(all)-1]
		if i == len(asks)-1 && len(shared) > 0 {
			k = shared[0] // the supervisor can act on the case the urgent question is about
		}
		r, err := d.Work.AskAdvice(ctx, account.Actor(u, "demo"), u, k.ID, workforce.AdviceInput{AskOf: sup.ID, Urgency: a.urgency, Question: a.question})
		if err != nil {
			return fmt.Errorf("advice from %s: %w", a.email, err)
		}
		if a.answer != "" {
			if err := d.Work.AnswerAdvice(ctx, account.Actor(sup, "demo"), sup, r.ID, a.answer); err != nil {
				return err
			}
		}
	}
	return nil
}

func loadTraining(ctx context.Context, d Workforce, users map[string]account.User) error {
	entries := map[string][]workforce.TrainingInput{
		"linkworker@linkwell.demo": {
			{Kind: workforce.Course, Title: "Safeguarding adults level 2", Provider: "Northshire Safeguarding Adults Board", CompletedOn: day(-430), Hours: "3"},
			{Kind: workforce.Course, Title: "Mental Health First Aid", Provider: "MHFA England", CompletedOn: day(-190), Hours: "12"},
			{Kind: workforce.CPD, Title: "Reading: falls prevention in older people", CompletedOn: day(-60), Hours: "1.5", Notes: "Read the local falls pathway and discussed it in supervision."},
		},
		"aisha.patel@linkwell.demo": {
			{Kind: workforce.Course, Title: "Benefits calculator training", Provider: "Riverside Citizens Advice", CompletedOn: day(-150), Hours: "6"},
			{Kind: workforce.CPD, Title: "Shadowing the community OT on home visits", CompletedOn: day(-30), Hours: "7"},
		},
	}
	for email, es := range entries {
		u := users[email]
		for _, e := range es {
			if err := d.Work.AddTraining(ctx, account.Actor(u, "demo"), u, u.ID, e); err != nil {
				return fmt.Errorf("training for %s: %w", email, err)
			}
		}
	}
	return nil
}

// loadDelegations has the supervisor delegate to the charity's link worker on a case they
// share: one task he holds the competences for, and one he does not, under her override.
func loadDelegations(ctx context.Context, d Workforce, users map[string]account.User) error {
	sup, tom := users["supervisor@linkwell.demo"], users["linkworker@linkwell.demo"]
	_, shared, err := openCases(ctx, d, tom.ID, sup.ID)
	if err != nil || len(shared) == 0 {
		return errors.Join(err, errors.New("no case shared by the supervisor and the link worker"))
	}
	types, err := d.Cases.TaskTypes(ctx)
	if err != nil {
		return err
	}
	typeID := func(name string) int64 {
		for _, t := range types {
			if t.Name == name {
				return t.ID
			}
		}
		return 0
	}
	actor := account.Actor(sup, "demo")
	tasks := []casework.TaskInput{
		{TypeID: typeID("Accompany to a first session"), DelegateTo: tom.ID, DueOn: day(7),
			Guidance: "Meet her at the bus stop and go in with her to the first memory café; stay for the first half hour."},
		{TypeID: typeID("Home environment check for non-clinical needs"), DelegateTo: tom.ID, DueOn: day(10),
			Guidance:       "Look at heating, food in the house and how she manages the stairs; report anything clinical to me the same day.",
			OverrideReason: "He did two of these with me last month and did them well; his safeguarding refresher is booked. I will review it in supervision."},
	}
	for _, in := range tasks {
		if _, err := d.Cases.Delegate(ctx, actor, sup, shared[0].ID, in); err != nil {
			return fmt.Errorf("delegation: %w", err)
		}
	}
	return nil
}
