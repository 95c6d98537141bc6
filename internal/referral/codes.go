package referral

import (
	"slices"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
)

// SNOMED CT concepts NHS England asks services to record for social prescribing (DESIGN §5).
const (
	SNOMEDReferralToSocialPrescribing        = "871731000000106"
	SNOMEDReferralToSocialPrescribingDisplay = "Referral to social prescribing service"
	SNOMEDSocialPrescribingDeclined          = "871711000000103"
	SNOMEDSocialPrescribingDeclinedDisplay   = "Social prescribing declined"
)

// labelOf returns a code's label, or the code itself when it has none.
func labelOf[T ~string](labels map[T]string, v T) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return string(v)
}

// Source is who made a referral (DESIGN §3.2).
type Source string

const (
	SourceSelf                     Source = "self"
	SourceGP                       Source = "gp"
	SourcePracticeNurse            Source = "practice_nurse"
	SourceOccupationalTherapist    Source = "occupational_therapist"
	SourceAlliedHealthProfessional Source = "allied_health_professional"
	SourceSocialCare               Source = "social_care"
	SourceCommunityGroup           Source = "community_group"
	SourceAmbulanceOrED            Source = "ambulance_or_ed"
	SourceSecondaryCare            Source = "secondary_care"
	SourcePharmacist               Source = "pharmacist"
	SourceOther                    Source = "other"
)

// Sources lists every source in the order shown.
var Sources = []Source{SourceSelf, SourceGP, SourcePracticeNurse, SourceOccupationalTherapist,
	SourceAlliedHealthProfessional, SourceSocialCare, SourceCommunityGroup, SourceAmbulanceOrED,
	SourceSecondaryCare, SourcePharmacist, SourceOther}

var sourceLabels = map[Source]string{
	SourceSelf:                     "Self-referral",
	SourceGP:                       "GP",
	SourcePracticeNurse:            "Practice nurse",
	SourceOccupationalTherapist:    "Occupational therapist",
	SourceAlliedHealthProfessional: "Other allied health professional",
	SourceSocialCare:               "Social care",
	SourceCommunityGroup:           "Community group",
	SourceAmbulanceOrED:            "Ambulance or emergency department",
	SourceSecondaryCare:            "Secondary care",
	SourcePharmacist:               "Pharmacist",
	SourceOther:                    "Other",
}

// Label is the source's name for people.
func (s Source) Label() string { return labelOf(sourceLabels, s) }

// Valid reports whether s is a known source.
func (s Source) Valid() bool { _, ok := sourceLabels[s]; return ok }

// Need is one of the needs and concerns a referral is about (DESIGN §3.2).
type Need string

const (
	NeedLoneliness        Need = "loneliness"
	NeedLowMood           Need = "low_mood"
	NeedLongTermCondition Need = "long_term_condition"
	NeedPhysicalActivity  Need = "physical_activity"
	NeedWeight            Need = "weight"
	NeedHousing           Need = "housing"
	NeedMoneyDebt         Need = "money_debt"
	NeedBenefits          Need = "benefits"
	NeedEmployment        Need = "employment"
	NeedCarerSupport      Need = "carer_support"
	NeedBereavement       Need = "bereavement"
	NeedSubstanceUse      Need = "substance_use"
	NeedFrailtyFalls      Need = "frailty_falls"
	NeedOther             Need = "other"
)

// Needs lists every need in the order shown.
var Needs = []Need{NeedLoneliness, NeedLowMood, NeedLongTermCondition, NeedPhysicalActivity,
	NeedWeight, NeedHousing, NeedMoneyDebt, NeedBenefits, NeedEmployment, NeedCarerSupport,
	NeedBereavement, NeedSubstanceUse, NeedFrailtyFalls, NeedOther}

var needLabels = map[Need]string{
	NeedLoneliness:        "Loneliness and isolation",
	NeedLowMood:           "Low mood and anxiety",
	NeedLongTermCondition: "Support with a long-term condition",
	NeedPhysicalActivity:  "Physical activity",
	NeedWeight:            "Weight",
	NeedHousing:           "Housing",
	NeedMoneyDebt:         "Money and debt",
	NeedBenefits:          "Benefits",
	NeedEmployment:        "Employment",
	NeedCarerSupport:      "Carer support",
	NeedBereavement:       "Bereavement",
	NeedSubstanceUse:      "Substance use",
	NeedFrailtyFalls:      "Frailty and falls",
	NeedOther:             "Other",
}

// Label is the need's name for people.
func (n Need) Label() string { return labelOf(needLabels, n) }

// Valid reports whether n is a known need.
func (n Need) Valid() bool { _, ok := needLabels[n]; return ok }

// Social reports whether the need is one a link worker meets through community support, which
// triage uses to decide whether a specialist case should be worked jointly.
func (n Need) Social() bool {
	switch n {
	case NeedLoneliness, NeedHousing, NeedMoneyDebt, NeedBenefits, NeedEmployment,
		NeedCarerSupport, NeedBereavement, NeedPhysicalActivity:
		return true
	}
	return false
}

// ParseNeeds reads need codes from a form into the order of Needs, without repeats, skipping
// blanks and refusing unknown codes; an empty list is for the caller to judge.
func ParseNeeds(codes []string) ([]Need, error) {
	chosen := make(map[Need]bool, len(codes))
	for _, c := range codes {
		n := Need(strings.TrimSpace(c))
		if n == "" {
			continue
		}
		if !n.Valid() {
			return nil, apperr.Fields{{Field: "needs", Message: "Select needs and concerns from the list"}}.Err()
		}
		chosen[n] = true
	}
	var out []Need
	for _, n := range Needs {
		if chosen[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

// NeedsString joins needs into the comma-separated form they are stored in.
func NeedsString(needs []Need) string {
	parts := make([]string, len(needs))
	for i, n := range needs {
		parts[i] = string(n)
	}
	return strings.Join(parts, ",")
}

// ParseNeedsList reads needs stored by NeedsString, keeping every code as stored so that a
// retired code is shown rather than silently lost.
func ParseNeedsList(s string) []Need {
	var out []Need
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, Need(part))
		}
	}
	return out
}

// HasSocialNeed reports whether any of the needs is social.
func HasSocialNeed(needs []Need) bool { return slices.ContainsFunc(needs, Need.Social) }

// Urgency is how soon the referrer asks the service to act.
type Urgency string

const (
	UrgencyRoutine Urgency = "routine"
	UrgencySoon    Urgency = "soon"
	UrgencyUrgent  Urgency = "urgent"
)

// Urgencies lists every urgency in the order shown.
var Urgencies = []Urgency{UrgencyRoutine, UrgencySoon, UrgencyUrgent}

var urgencyLabels = map[Urgency]string{
	UrgencyRoutine: "Routine",
	UrgencySoon:    "Soon (within 2 weeks)",
	UrgencyUrgent:  "Urgent (within 2 working days)",
}

// Label is the urgency's name for people.
func (u Urgency) Label() string { return labelOf(urgencyLabels, u) }

// Valid reports whether u is a known urgency.
func (u Urgency) Valid() bool { _, ok := urgencyLabels[u]; return ok }

// Tier is a level of the personalised care triangle: how much support a person needs.
type Tier string

const (
	TierUniversal  Tier = "universal"
	TierTargeted   Tier = "targeted"
	TierSpecialist Tier = "specialist"
)

// Tiers lists every tier from least to most support; triage relies on this order.
var Tiers = []Tier{TierUniversal, TierTargeted, TierSpecialist}

var tierLabels = map[Tier]string{
	TierUniversal:  "Universal",
	TierTargeted:   "Targeted",
	TierSpecialist: "Specialist",
}

// Label is the tier's name for people.
func (t Tier) Label() string { return labelOf(tierLabels, t) }

// Valid reports whether t is a known tier.
func (t Tier) Valid() bool { _, ok := tierLabels[t]; return ok }

// rank orders tiers by how much support they mean, with unknown tiers lowest.
func (t Tier) rank() int { return slices.Index(Tiers, t) }

// Pathway is who leads a person's support.
type Pathway string

const (
	PathwayOTLed         Pathway = "ot_led"
	PathwayLinkWorkerLed Pathway = "link_worker_led"
	PathwayJoint         Pathway = "joint"
)

// Pathways lists every pathway in the order shown.
var Pathways = []Pathway{PathwayOTLed, PathwayLinkWorkerLed, PathwayJoint}

var pathwayLabels = map[Pathway]string{
	PathwayOTLed:         "OT-led",
	PathwayLinkWorkerLed: "Link worker-led",
	PathwayJoint:         "Joint (OT and link worker)",
}

// Label is the pathway's name for people.
func (p Pathway) Label() string { return labelOf(pathwayLabels, p) }

// Valid reports whether p is a known pathway.
func (p Pathway) Valid() bool { _, ok := pathwayLabels[p]; return ok }
