package referral

import (
	"math/bits"
	"slices"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/apperr"
)

// answersFromBits answers question i yes when bit i of mask is set.
func answersFromBits(mask int) TriageAnswers {
	var a TriageAnswers
	for i, q := range triageQuestions {
		*q.answer(&a) = mask&(1<<i) != 0
	}
	return a
}

func TestSuggestNeverLowersTheTierForAnotherYes(t *testing.T) {
	combos := 1 << len(triageQuestions)
	if combos != 128 {
		t.Fatalf("%d answer combinations, want 128", combos)
	}
	for _, needs := range [][]Need{nil, {NeedHousing}} {
		for mask := range combos {
			before := Suggest(answersFromBits(mask), needs).Tier
			for i, q := range triageQuestions {
				if mask&(1<<i) != 0 {
					continue
				}
				after := Suggest(answersFromBits(mask|1<<i), needs).Tier
				if after.rank() < before.rank() {
					t.Errorf("%v: answering %s yes lowers the tier from %s to %s",
						answersFromBits(mask), q.name, before, after)
				}
			}
		}
	}
}

func TestSuggestAlwaysExplains(t *testing.T) {
	for mask := range 1 << len(triageQuestions) {
		s := Suggest(answersFromBits(mask), []Need{NeedLoneliness})
		if !s.Tier.Valid() || !s.Pathway.Valid() {
			t.Fatalf("%v: suggested %q, %q", answersFromBits(mask), s.Tier, s.Pathway)
		}
		if len(s.Reasons) < 2 {
			t.Errorf("%v: reasons %q, want one for the tier and one for the pathway", answersFromBits(mask), s.Reasons)
		}
		for _, r := range s.Reasons {
			if r == "" || !strings.HasSuffix(r, ".") || strings.ToUpper(r[:1]) != r[:1] {
				t.Errorf("%v: reason %q is not a sentence", answersFromBits(mask), r)
			}
		}
	}
}

func TestSuggest(t *testing.T) {
	social := []Need{NeedLoneliness, NeedFrailtyFalls}
	clinicalOnly := []Need{NeedFrailtyFalls, NeedLowMood}
	tests := []struct {
		name    string
		answers TriageAnswers
		needs   []Need
		tier    Tier
		pathway Pathway
		reason  string // a reason that must be given
	}{
		{"nothing", TriageAnswers{}, social, TierUniversal, PathwayLinkWorkerLed, "universal support"},
		{"long-term conditions alone", TriageAnswers{MultipleLongTermConditions: true}, social,
			TierUniversal, PathwayLinkWorkerLed, "universal support"},
		{"frequent attendance alone", TriageAnswers{FrequentAttendance: true}, nil,
			TierUniversal, PathwayLinkWorkerLed, "link worker"},
		{"conditions and frequent attendance", TriageAnswers{MultipleLongTermConditions: true, FrequentAttendance: true}, social,
			TierTargeted, PathwayLinkWorkerLed, "frequent use of health services"},
		{"a fall alone", TriageAnswers{Falls: true}, social, TierTargeted, PathwayJoint,
			"Falls suggest an occupational therapist should assess."},
		{"falls and mobility", TriageAnswers{Falls: true, Mobility: true}, social, TierTargeted, PathwayJoint,
			"Falls and mobility problems suggest an occupational therapist should assess."},
		{"safeguarding alone", TriageAnswers{Safeguarding: true}, social, TierTargeted, PathwayLinkWorkerLed,
			"safeguarding lead"},
		{"cognitive impairment alone", TriageAnswers{CognitiveImpairment: true}, nil, TierTargeted, PathwayLinkWorkerLed,
			"memory or thinking"},
		{"frailty with social needs", TriageAnswers{Falls: true, MultipleLongTermConditions: true}, social,
			TierSpecialist, PathwayJoint, "suggest frailty"},
		{"frailty without social needs", TriageAnswers{Falls: true, MultipleLongTermConditions: true}, clinicalOnly,
			TierSpecialist, PathwayOTLed, "an occupational therapist should lead"},
		{"daily activities and memory", TriageAnswers{DailyActivities: true, CognitiveImpairment: true}, nil,
			TierSpecialist, PathwayOTLed, "Difficulties with daily activities alongside problems with memory"},
		{"safeguarding and memory", TriageAnswers{Safeguarding: true, CognitiveImpairment: true}, social,
			TierSpecialist, PathwayJoint, "specialist support"},
		{"three unrelated factors", TriageAnswers{Safeguarding: true, FrequentAttendance: true, MultipleLongTermConditions: true}, clinicalOnly,
			TierSpecialist, PathwayOTLed, "3 of the 7 complexity questions"},
		{"everything", answersFromBits(127), social, TierSpecialist, PathwayJoint,
			"Falls, mobility problems and difficulties with daily activities alongside several long-term conditions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Suggest(tt.answers, tt.needs)
			if s.Tier != tt.tier || s.Pathway != tt.pathway {
				t.Errorf("suggested %s, %s; want %s, %s", s.Tier, s.Pathway, tt.tier, tt.pathway)
			}
			if !slices.ContainsFunc(s.Reasons, func(r string) bool { return strings.Contains(r, tt.reason) }) {
				t.Errorf("reasons %q do not mention %q", s.Reasons, tt.reason)
			}
		})
	}
}

func TestQuestions(t *testing.T) {
	a := TriageAnswers{Falls: true, FrequentAttendance: true}
	qs := a.Questions()
	if len(qs) != 7 {
		t.Fatalf("%d questions, want 7", len(qs))
	}
	names := map[string]bool{}
	for _, q := range qs {
		if q.Name == "" || names[q.Name] || !strings.HasSuffix(q.Text, "?") || q.Hint == "" {
			t.Errorf("question %+v is incomplete or repeated", q)
		}
		names[q.Name] = true
		if want := q.Name == "falls" || q.Name == "frequent_attendance"; q.Answer != want {
			t.Errorf("%s answer = %v, want %v", q.Name, q.Answer, want)
		}
	}
}

func TestReadTriageAnswersRoundTrip(t *testing.T) {
	for mask := range 1 << len(triageQuestions) {
		a := answersFromBits(mask)
		yes := map[string]bool{}
		for _, q := range a.Questions() {
			yes[q.Name] = q.Answer
		}
		got := ReadTriageAnswers(func(name string) bool { return yes[name] })
		if got != a {
			t.Fatalf("read back %+v, want %+v", got, a)
		}
		if want := bits.OnesCount(uint(mask)); got.Score() != want {
			t.Fatalf("%+v: score %d, want %d", a, got.Score(), want)
		}
	}
}

func TestDecisionValidate(t *testing.T) {
	s := Suggestion{Tier: TierTargeted, Pathway: PathwayJoint}
	tests := []struct {
		name   string
		d      Decision
		fields []string
	}{
		{"as suggested needs no reason", Decision{Tier: TierTargeted, Pathway: PathwayJoint}, nil},
		{"different tier needs a reason", Decision{Tier: TierSpecialist, Pathway: PathwayJoint}, []string{"rationale"}},
		{"different pathway needs a reason", Decision{Tier: TierTargeted, Pathway: PathwayOTLed, Rationale: "  "}, []string{"rationale"}},
		{"different with a reason", Decision{Tier: TierUniversal, Pathway: PathwayLinkWorkerLed,
			Rationale: "Falls were a one-off on ice; she is steady now."}, nil},
		{"nothing chosen", Decision{}, []string{"tier", "pathway"}},
		{"unknown pathway", Decision{Tier: TierTargeted, Pathway: "ot-led"}, []string{"pathway"}},
		{"rationale too long", Decision{Tier: TierTargeted, Pathway: PathwayJoint, Rationale: strings.Repeat("x", 2001)},
			[]string{"rationale"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.Validate(s)
			var got []string
			if ae, ok := apperr.As(err); ok {
				if ae.Kind != apperr.Invalid {
					t.Fatalf("kind %s, want invalid", ae.Kind)
				}
				for _, f := range ae.Fields {
					got = append(got, f.Field)
				}
			} else if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v", got, tt.fields)
			}
		})
	}
	d := Decision{Tier: TierSpecialist, Pathway: PathwayOTLed}
	ae, _ := apperr.As(d.Validate(s))
	if ae == nil || ae.Fields[0].Message != "Explain why you chose a different tier or pathway" {
		t.Errorf("rationale message: %v", ae)
	}
}
