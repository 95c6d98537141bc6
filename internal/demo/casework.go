package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/outcomes"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// Casework is what loading people, referrals and cases needs.
type Casework struct {
	Accounts  *account.Service
	Orgs      *organisation.Service
	People    *person.Service
	Referrals *referral.Service
	Cases     *casework.Service
	Outcomes  *outcomes.Service // nil: no wellbeing measures
}

// PeopleCount is how many people the demo refers.
const PeopleCount = 200

var givenNames = []string{"Margaret", "John", "Patricia", "David", "Susan", "Michael", "Linda", "Peter", "Barbara", "Robert",
	"Elizabeth", "Brian", "Jean", "Kenneth", "Doreen", "Amir", "Fatima", "Mohammed", "Priya", "Ravi", "Grace", "Kwame",
	"Olga", "Tomasz", "Siobhan", "Declan", "Aisha", "Chen", "Mei", "Yusuf", "Joan", "Arthur", "Iris", "Stanley", "Nora",
	"Leon", "Zara", "Kofi", "Ewa", "Callum"}

var familyNames = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
	"Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Khan", "Begum", "Hussain", "Ahmed",
	"Nowak", "Kowalski", "Murphy", "Kelly", "Okafor", "Mensah", "Wang", "Li", "Clarke", "Hughes", "Edwards", "Lewis",
	"Harris", "Martin", "Jackson", "Wood", "Turner", "Hill"}

var postcodes = []string{"AB10 1AN", "AB10 6RN", "AB11 5QN", "AB12 3PQ", "AB15 4DH", "AB16 5ST", "AB21 9AB", "AB24 3FX"}

// demoNHSNumber makes a valid NHS number in the 999 range, which NHS England keeps for tests,
// so no demo person can be mistaken for a real one.
func demoNHSNumber(i int) string {
	for n := i * 7; ; n++ {
		s := fmt.Sprintf("999%06d", n%1000000)
		sum := 0
		for k := range 9 {
			sum += int(s[k]-'0') * (10 - k)
		}
		check := 11 - sum%11
		if check == 11 {
			check = 0
		}
		if check != 10 {
			return s + fmt.Sprint(check)
		}
	}
}

var needSets = [][]string{
	{"loneliness", "low_mood"}, {"frailty_falls", "loneliness"}, {"long_term_condition", "physical_activity"},
	{"money_debt", "benefits"}, {"housing"}, {"carer_support", "low_mood"}, {"bereavement", "loneliness"},
	{"weight", "physical_activity"}, {"frailty_falls", "long_term_condition"}, {"employment", "low_mood"},
}

// LoadCasework refers PeopleCount people to the PCN's social prescribing service and moves
// them through triage to declines, withdrawals and cases held by OTs, link workers or both.
func LoadCasework(ctx context.Context, d Casework) error {
	rng := rand.New(rand.NewPCG(2026, 11))
	w, err := loadWorld(ctx, d)
	if err != nil {
		return err
	}
	for i := range PeopleCount {
		if err := w.referOne(ctx, d, rng, i); err != nil {
			return fmt.Errorf("demo person %d: %w", i, err)
		}
	}
	return nil
}

type demoWorld struct {
	svc          referral.ReceivingService
	gps          []account.User
	ots, workers []account.User
}

func loadWorld(ctx context.Context, d Casework) (demoWorld, error) {
	pcn, err := d.Orgs.Resolve(ctx, PCN)
	if err != nil {
		return demoWorld{}, err
	}
	var teamID int64
	for _, t := range pcn.Teams {
		if t.Name == "Personalised Care Team" {
			teamID = t.ID
		}
	}
	svc, err := d.Referrals.CreateService(ctx, audit.System, referral.ServiceInput{
		OrganisationID: pcn.ID, TeamID: teamID, Name: "Riverside social prescribing",
		Description:  "Link workers and occupational therapists who help people find support in their community: groups, activities, advice and practical help.",
		Inclusion:    "Adults (18 and over) registered with a Riverside PCN practice who are lonely, struggling with their wellbeing, or have practical, social or emotional needs that affect their health. People with falls, frailty or several long-term conditions are seen by an occupational therapist as well.",
		Exclusion:    "People in crisis or at immediate risk (call 999 or refer to the crisis team), people under 18, and needs that are only clinical.",
		ResponseDays: 5, AcceptsSelfReferral: true,
	})
	if err != nil {
		return demoWorld{}, err
	}
	w := demoWorld{svc: svc}
	for _, email := range []string{"gp@linkwell.demo", "nurse@linkwell.demo"} {
		u, err := d.Accounts.UserByEmail(ctx, email)
		if err != nil {
			return demoWorld{}, err
		}
		w.gps = append(w.gps, u)
	}
	for _, email := range []string{"ot@linkwell.demo", "supervisor@linkwell.demo"} {
		u, _ := d.Accounts.UserByEmail(ctx, email)
		w.ots = append(w.ots, u)
	}
	for _, email := range []string{"linkworker@linkwell.demo", "aisha.patel@linkwell.demo", "daniel.hughes@linkwell.demo"} {
		u, _ := d.Accounts.UserByEmail(ctx, email)
		w.workers = append(w.workers, u)
	}
	return w, nil
}

func (w demoWorld) referOne(ctx context.Context, d Casework, rng *rand.Rand, i int) error {
	gp := w.gps[i%len(w.gps)]
	year := 1935 + rng.IntN(65)
	in := referral.Input{ServiceID: w.svc.ID, Source: []referral.Source{referral.SourceGP, referral.SourcePracticeNurse,
		referral.SourceOccupationalTherapist, referral.SourceSocialCare}[i%4],
		Needs: needSets[i%len(needSets)], Urgency: []referral.Urgency{referral.UrgencyRoutine, referral.UrgencyRoutine, referral.UrgencySoon}[i%3],
		ConsentGiven: true, CriteriaMet: referral.CriteriaMet,
		Details: "Lives alone since a recent change in circumstances; would like to get out more and meet people.",
		Person: person.Input{NHSNumber: demoNHSNumber(i), GivenName: givenNames[rng.IntN(len(givenNames))],
			FamilyName:  familyNames[rng.IntN(len(familyNames))],
			DateOfBirth: person.DateParts{Day: fmt.Sprint(1 + rng.IntN(28)), Month: fmt.Sprint(1 + rng.IntN(12)), Year: fmt.Sprint(year)},
			Sex:         []person.Sex{person.Female, person.Male}[rng.IntN(2)], EthnicCategory: person.EthnicCategories[rng.IntN(16)],
			Postcode: postcodes[rng.IntN(len(postcodes))], Phone: fmt.Sprintf("07700 900%03d", i%1000),
			ContactMethods: []person.ContactMethod{person.ByPhone}, PreferredLanguage: "English",
			CarerStatus: person.CarerStatuses[rng.IntN(4)], PracticeODS: practiceLists[i%len(practiceLists)][0]},
		NotADuplicate: true,
	}
	r, err := d.Referrals.Submit(ctx, account.Actor(gp, "demo"), referral.Referrer{UserID: gp.ID, Name: gp.Name}, in)
	if err != nil {
		return err
	}
	switch {
	case i%20 < 3: // awaiting triage
		return nil
	case i%20 == 3:
		_, err = d.Referrals.Decide(ctx, audit.System, r.ID, r.Version, referral.StatusRejected, referral.RejectPersonDeclined, "")
		return err
	case i%20 == 4:
		_, err = d.Referrals.Decide(ctx, audit.System, r.ID, r.Version, referral.StatusCancelled, "", "")
		return err
	}
	return w.triageAndOpen(ctx, d, rng, r, i)
}

func (w demoWorld) triageAndOpen(ctx context.Context, d Casework, rng *rand.Rand, r referral.Referral, i int) error {
	ot := w.ots[i%len(w.ots)]
	answers := referral.TriageAnswers{Falls: rng.IntN(3) == 0, Mobility: rng.IntN(4) == 0,
		MultipleLongTermConditions: rng.IntN(3) == 0, DailyActivities: rng.IntN(5) == 0, CognitiveImpairment: rng.IntN(8) == 0}
	sug := referral.Suggest(answers, r.Needs)
	actor := account.Actor(ot, "demo")
	if _, err := d.Referrals.RecordTriage(ctx, actor, r.ID, answers, referral.Decision{Tier: sug.Tier, Pathway: sug.Pathway}); err != nil {
		return err
	}
	lead, engagement := ot, casework.Engagement("ot_social_prescriber")
	switch sug.Pathway {
	case referral.PathwayLinkWorkerLed:
		lead, engagement = w.workers[i%len(w.workers)], ""
	case referral.PathwayJoint:
		engagement = "refer_to_link_worker"
	}
	k, err := d.Cases.Open(ctx, actor, r.ID, casework.OpenInput{ReferralVersion: r.Version, Lead: lead, Engagement: engagement})
	if err != nil {
		return err
	}
	if sug.Pathway == referral.PathwayJoint {
		if err := d.Cases.AddWorker(ctx, actor, k.ID, w.workers[i%len(w.workers)], false); err != nil {
			return err
		}
		if k, err = d.Cases.Get(ctx, k.ID); err != nil {
			return err
		}
	}
	return fillCase(ctx, d, rng, k, lead, i)
}
