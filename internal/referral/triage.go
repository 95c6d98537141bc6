package referral

import (
	"fmt"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
)

// TriageAnswers are the triager's yes or no answers to the complexity questions (DESIGN §3.2).
type TriageAnswers struct {
	MultipleLongTermConditions bool
	Falls                      bool
	Mobility                   bool
	DailyActivities            bool // difficulty with daily activities
	CognitiveImpairment        bool
	Safeguarding               bool
	FrequentAttendance         bool
}

// TriageQuestion is one complexity question as the triage form shows it.
type TriageQuestion struct {
	Name   string // form field name
	Text   string
	Hint   string
	Answer bool
}

// triageQuestions is the one place that names each question and ties it to its answer.
var triageQuestions = []struct {
	name, text, hint string
	answer           func(*TriageAnswers) *bool
}{
	{"multiple_long_term_conditions",
		"Does the person live with 2 or more long-term health conditions?",
		"For example diabetes, COPD, heart failure, arthritis, or a long-term mental health condition.",
		func(a *TriageAnswers) *bool { return &a.MultipleLongTermConditions }},
	{"falls",
		"Has the person fallen, or been afraid of falling, in the last 12 months?",
		"Include near misses, and falls where they could not get up without help.",
		func(a *TriageAnswers) *bool { return &a.Falls }},
	{"mobility",
		"Does the person have difficulty moving around at home or getting out and about?",
		"For example walking, stairs, getting in and out of a chair, bed or bath, or using transport.",
		func(a *TriageAnswers) *bool { return &a.Mobility }},
	{"daily_activities",
		"Does the person struggle with everyday activities they need or want to do?",
		"For example washing, dressing, preparing meals, shopping, managing money or looking after their home.",
		func(a *TriageAnswers) *bool { return &a.DailyActivities }},
	{"cognitive_impairment",
		"Does the person have problems with memory, thinking, planning or making decisions?",
		"Include a diagnosis such as dementia or a learning disability, and worries raised by the person, their family or carers.",
		func(a *TriageAnswers) *bool { return &a.CognitiveImpairment }},
	{"safeguarding",
		"Are there any safeguarding concerns about the person or someone they live with?",
		"For example self-neglect, abuse, exploitation, or a carer who can no longer cope. If someone is at risk now, raise a safeguarding concern as well.",
		func(a *TriageAnswers) *bool { return &a.Safeguarding }},
	{"frequent_attendance",
		"Has the person often used GP, urgent care or emergency services in the last 12 months?",
		"For example many more GP appointments than usual, or repeated ambulance call-outs or A&E visits.",
		func(a *TriageAnswers) *bool { return &a.FrequentAttendance }},
}

// Questions lists the complexity questions in the order asked, with a's answers.
func (a TriageAnswers) Questions() []TriageQuestion {
	out := make([]TriageQuestion, len(triageQuestions))
	for i, q := range triageQuestions {
		out[i] = TriageQuestion{Name: q.name, Text: q.text, Hint: q.hint, Answer: *q.answer(&a)}
	}
	return out
}

// ReadTriageAnswers builds answers from a form, asking yes for each question's field name.
func ReadTriageAnswers(yes func(name string) bool) TriageAnswers {
	var a TriageAnswers
	for _, q := range triageQuestions {
		*q.answer(&a) = yes(q.name)
	}
	return a
}

// Score counts the questions answered yes.
func (a TriageAnswers) Score() int {
	n := 0
	for _, q := range triageQuestions {
		if *q.answer(&a) {
			n++
		}
	}
	return n
}

// functional reports whether the person has any of the difficulties an OT assesses first.
func (a TriageAnswers) functional() bool { return a.Falls || a.Mobility || a.DailyActivities }

// functionalPhrase names the functional difficulties answered yes, as a plural noun phrase.
func (a TriageAnswers) functionalPhrase() string {
	var parts []string
	if a.Falls {
		parts = append(parts, "falls")
	}
	if a.Mobility {
		parts = append(parts, "mobility problems")
	}
	if a.DailyActivities {
		parts = append(parts, "difficulties with daily activities")
	}
	if len(parts) == 0 {
		return ""
	}
	last := len(parts) - 1
	phrase := parts[last]
	if last > 0 {
		phrase = strings.Join(parts[:last], ", ") + " and " + phrase
	}
	return strings.ToUpper(phrase[:1]) + phrase[1:]
}

// Suggestion is triage's proposed tier and pathway, with the reasons shown to the triager.
type Suggestion struct {
	Tier    Tier
	Pathway Pathway
	Reasons []string
}

// triageRule raises the tier to at least tier when applies holds, and says why.
type triageRule struct {
	tier    Tier
	applies func(TriageAnswers) bool
	reason  func(TriageAnswers) string
}

// triageRules decide the tier. The tier is the highest of the rules that apply, and every
// rule is built only from "answered yes" (and, or, at least n yes), so answering one more
// question yes can switch rules on but never off: the suggested tier never goes down.
//
// Specialist (the top of the personalised care triangle, DESIGN F4) is for functional
// difficulty combined with cognitive impairment or several long-term conditions (the picture
// of frailty that OTs hold), safeguarding where the person's memory or thinking is affected,
// or any 3 complexity factors together. Targeted is for any single functional difficulty,
// cognitive impairment or safeguarding concern, or several long-term conditions with frequent
// use of services. Otherwise (at most a long-term condition or frequent attendance alone)
// universal support from a link worker is suggested.
var triageRules = []triageRule{
	{TierSpecialist,
		func(a TriageAnswers) bool { return a.functional() && a.CognitiveImpairment },
		func(a TriageAnswers) string {
			return a.functionalPhrase() + " alongside problems with memory or thinking need an occupational therapist to assess."
		}},
	{TierSpecialist,
		func(a TriageAnswers) bool { return a.functional() && a.MultipleLongTermConditions },
		func(a TriageAnswers) string {
			return a.functionalPhrase() + " alongside several long-term conditions suggest frailty, which an occupational therapist should assess."
		}},
	{TierSpecialist,
		func(a TriageAnswers) bool { return a.Safeguarding && a.CognitiveImpairment },
		func(TriageAnswers) string {
			return "A safeguarding concern for someone with problems with memory or thinking needs specialist support."
		}},
	{TierSpecialist,
		func(a TriageAnswers) bool { return a.Score() >= 3 },
		func(a TriageAnswers) string {
			return fmt.Sprintf("%d of the %d complexity questions were answered yes, which suggests complex needs.", a.Score(), len(triageQuestions))
		}},
	{TierTargeted,
		TriageAnswers.functional,
		func(a TriageAnswers) string {
			return a.functionalPhrase() + " suggest an occupational therapist should assess."
		}},
	{TierTargeted,
		func(a TriageAnswers) bool { return a.CognitiveImpairment },
		func(TriageAnswers) string {
			return "Problems with memory or thinking mean the person may need extra support to take part."
		}},
	{TierTargeted,
		func(a TriageAnswers) bool { return a.Safeguarding },
		func(TriageAnswers) string {
			return "A safeguarding concern means the person needs closer support. Tell the safeguarding lead if nobody has yet."
		}},
	{TierTargeted,
		func(a TriageAnswers) bool { return a.MultipleLongTermConditions && a.FrequentAttendance },
		func(TriageAnswers) string {
			return "Several long-term conditions and frequent use of health services suggest more than universal support."
		}},
}

// Suggest proposes a tier from the answers and a pathway from the tier, the functional
// difficulties and the referral's needs, explaining each step.
func Suggest(a TriageAnswers, needs []Need) Suggestion {
	s := Suggestion{Tier: TierUniversal}
	for _, r := range triageRules {
		if !r.applies(a) {
			continue
		}
		if r.tier.rank() > s.Tier.rank() {
			s.Tier = r.tier
		}
		s.Reasons = append(s.Reasons, r.reason(a))
	}
	if s.Tier == TierUniversal {
		s.Reasons = append(s.Reasons, "No functional, memory or safeguarding concerns were found, so universal support should meet the person's needs.")
	}
	var why string
	s.Pathway, why = suggestPathway(s.Tier, a, needs)
	s.Reasons = append(s.Reasons, why)
	return s
}

// suggestPathway chooses who should lead at a tier: an OT for complex needs, a link worker for
// community support, and both together where the person needs each.
func suggestPathway(t Tier, a TriageAnswers, needs []Need) (Pathway, string) {
	switch {
	case t == TierSpecialist && HasSocialNeed(needs):
		return PathwayJoint, "The referral also names social needs, so a link worker should work alongside the occupational therapist."
	case t == TierSpecialist:
		return PathwayOTLed, "The referral names no social needs, so an occupational therapist should lead."
	case t == TierTargeted && a.functional():
		return PathwayJoint, "An occupational therapist can assess the functional difficulties while a link worker connects the person with community support."
	case t == TierTargeted:
		return PathwayLinkWorkerLed, "A link worker can lead, asking an occupational therapist for advice if needed."
	}
	return PathwayLinkWorkerLed, "A link worker is best placed to connect the person with community support."
}

// Decision is the tier and pathway the triager chose, and why.
type Decision struct {
	Tier      Tier
	Pathway   Pathway
	Rationale string
}

// Differs reports whether the decision departs from the suggestion.
func (d Decision) Differs(s Suggestion) bool { return d.Tier != s.Tier || d.Pathway != s.Pathway }

// Validate explains every problem with the decision, asking for a rationale when it departs
// from the suggestion.
func (d *Decision) Validate(s Suggestion) error {
	var errs apperr.Fields
	d.Rationale = strings.TrimSpace(d.Rationale)
	if !d.Tier.Valid() {
		errs.Add("tier", "Select a tier")
	}
	if !d.Pathway.Valid() {
		errs.Add("pathway", "Select a pathway")
	}
	// Until a valid tier and pathway are chosen there is no choice to explain yet.
	if len(errs) == 0 && d.Differs(s) && d.Rationale == "" {
		errs.Add("rationale", "Explain why you chose a different tier or pathway")
	}
	if len(d.Rationale) > 2000 {
		errs.Add("rationale", "Rationale must be 2000 characters or fewer")
	}
	return errs.Err()
}
