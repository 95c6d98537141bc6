package referral

import (
	"slices"
	"testing"

	"github.com/linkwell/linkwell/internal/apperr"
)

// checkCodeList fails unless every listed code is valid, listed once, and labelled, and
// every labelled code is listed.
func checkCodeList[T ~string](t *testing.T, list []T, labels map[T]string) {
	t.Helper()
	if len(list) != len(labels) {
		t.Errorf("%d codes listed but %d labelled", len(list), len(labels))
	}
	seen := map[T]bool{}
	for _, c := range list {
		if seen[c] {
			t.Errorf("%q listed twice", c)
		}
		seen[c] = true
		if labels[c] == "" {
			t.Errorf("%q has no label", c)
		}
	}
}

func TestCodeListsAreComplete(t *testing.T) {
	t.Run("source", func(t *testing.T) { checkCodeList(t, Sources, sourceLabels) })
	t.Run("need", func(t *testing.T) { checkCodeList(t, Needs, needLabels) })
	t.Run("urgency", func(t *testing.T) { checkCodeList(t, Urgencies, urgencyLabels) })
	t.Run("tier", func(t *testing.T) { checkCodeList(t, Tiers, tierLabels) })
	t.Run("pathway", func(t *testing.T) { checkCodeList(t, Pathways, pathwayLabels) })
	t.Run("status", func(t *testing.T) { checkCodeList(t, Statuses, statusLabels) })
	t.Run("reject reason", func(t *testing.T) { checkCodeList(t, RejectReasons, rejectReasonLabels) })
}

func TestLabels(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{SourceSelf.Label(), "Self-referral"},
		{SourceAlliedHealthProfessional.Label(), "Other allied health professional"},
		{SourceAmbulanceOrED.Label(), "Ambulance or emergency department"},
		{NeedLoneliness.Label(), "Loneliness and isolation"},
		{NeedLongTermCondition.Label(), "Support with a long-term condition"},
		{NeedFrailtyFalls.Label(), "Frailty and falls"},
		{UrgencySoon.Label(), "Soon (within 2 weeks)"},
		{UrgencyUrgent.Label(), "Urgent (within 2 working days)"},
		{PathwayOTLed.Label(), "OT-led"},
		{PathwayLinkWorkerLed.Label(), "Link worker-led"},
		{PathwayJoint.Label(), "Joint (OT and link worker)"},
		{StatusRequested.Label(), "Awaiting triage"},
		{StatusRejected.Label(), "Declined"},
		{StatusCancelled.Label(), "Withdrawn"},
		// An unknown code is shown as itself rather than as nothing.
		{Need("retired_code").Label(), "retired_code"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("label %q, want %q", tt.got, tt.want)
		}
	}
}

func TestValid(t *testing.T) {
	if Source("doctor").Valid() || Need("").Valid() || Urgency("ROUTINE").Valid() ||
		Tier("high").Valid() || Pathway("ot-led").Valid() {
		t.Error("an unknown code was accepted")
	}
	if !SourceOther.Valid() || !NeedOther.Valid() || !UrgencyRoutine.Valid() || !TierTargeted.Valid() || !PathwayJoint.Valid() {
		t.Error("a known code was refused")
	}
}

func TestSocialNeeds(t *testing.T) {
	social := []Need{NeedLoneliness, NeedHousing, NeedMoneyDebt, NeedBenefits, NeedEmployment,
		NeedCarerSupport, NeedBereavement, NeedPhysicalActivity}
	for _, n := range Needs {
		if got, want := n.Social(), slices.Contains(social, n); got != want {
			t.Errorf("%s.Social() = %v, want %v", n, got, want)
		}
	}
	if HasSocialNeed([]Need{NeedLowMood, NeedFrailtyFalls}) || HasSocialNeed(nil) {
		t.Error("HasSocialNeed is true with no social need")
	}
	if !HasSocialNeed([]Need{NeedFrailtyFalls, NeedHousing}) {
		t.Error("HasSocialNeed missed housing")
	}
}

func TestParseNeeds(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []Need
	}{
		{"none", nil, nil},
		{"blanks skipped", []string{"", " "}, nil},
		{"one", []string{"housing"}, []Need{NeedHousing}},
		{"put in list order without repeats", []string{"other", " housing ", "loneliness", "housing"},
			[]Need{NeedLoneliness, NeedHousing, NeedOther}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNeeds(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseNeedsRefusesUnknownCodes(t *testing.T) {
	for _, in := range [][]string{{"loneliness", "boredom"}, {"Loneliness"}, {"low mood"}} {
		_, err := ParseNeeds(in)
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.Invalid {
			t.Fatalf("ParseNeeds(%q) = %v, want an invalid error", in, err)
		}
		if len(ae.Fields) != 1 || ae.Fields[0].Field != "needs" {
			t.Errorf("ParseNeeds(%q) fields = %v, want one on needs", in, ae.Fields)
		}
	}
}

func TestNeedsRoundTrip(t *testing.T) {
	for _, needs := range [][]Need{nil, {NeedOther}, Needs, {NeedFrailtyFalls, NeedMoneyDebt}} {
		s := NeedsString(needs)
		if got := ParseNeedsList(s); !slices.Equal(got, needs) {
			t.Errorf("ParseNeedsList(%q) = %v, want %v", s, got, needs)
		}
	}
	if got := NeedsString([]Need{NeedLowMood, NeedWeight}); got != "low_mood,weight" {
		t.Errorf("NeedsString = %q", got)
	}
	// A code since retired from the list is kept, so the record still says what was asked.
	if got := ParseNeedsList("housing,retired_code"); !slices.Equal(got, []Need{NeedHousing, "retired_code"}) {
		t.Errorf("ParseNeedsList dropped a stored code: %v", got)
	}
}

func TestSNOMEDCodes(t *testing.T) {
	// Codes from NHS England's social prescribing guidance; a typo here miscodes GP records.
	if SNOMEDReferralToSocialPrescribing != "871731000000106" || SNOMEDSocialPrescribingDeclined != "871711000000103" {
		t.Error("SNOMED CT code changed")
	}
}
