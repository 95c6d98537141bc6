package referral

import (
	"strings"
	"testing"
)

func TestComposeMessageHonoursSharingConsent(t *testing.T) {
	o := Outcome{Kind: MessageClosed, Service: "Riverside social prescribing", Reason: "Goals met",
		Summary: "Margaret now goes to the Tuesday walking group and feels less alone."}
	full := ComposeMessage(o, "full", false)
	if !strings.Contains(full.Body, o.Summary) || full.Recipient != "gp_and_referrer" || full.Codes[0].Code != SNOMEDReferralToSocialPrescribing {
		t.Errorf("full: %+v", full)
	}
	codes := ComposeMessage(o, "codes_only", false)
	if strings.Contains(codes.Body, "walking group") || len(codes.Codes) == 0 || codes.Recipient != "gp_and_referrer" {
		t.Errorf("codes only leaked free text or lost its codes: %+v", codes)
	}
	none := ComposeMessage(o, "none", false)
	if strings.Contains(none.Body, "walking group") || len(none.Codes) != 0 || none.Recipient != "referrer" {
		t.Errorf("no sharing: %+v", none)
	}
	declined := ComposeMessage(Outcome{Kind: MessageDeclined, Service: "S", Reason: "Person declined"}, "codes_only", true)
	if len(declined.Codes) != 2 || declined.Codes[1].Code != SNOMEDSocialPrescribingDeclined {
		t.Errorf("a decline by the person carries 871711000000103: %+v", declined.Codes)
	}
	if got := parseCodes(codesString(declined.Codes)); len(got) != 2 || got[1] != declined.Codes[1] {
		t.Errorf("codes round trip: %+v", got)
	}
}
