package referral

import (
	"fmt"
	"testing"

	"github.com/linkwell/linkwell/internal/apperr"
)

// allowed is the transition table of DESIGN §3.2, written out again so that a change to the
// code's table has to be made twice, on purpose.
var allowed = map[[2]Status]bool{
	{StatusDraft, StatusRequested}:          true,
	{StatusDraft, StatusCancelled}:          true,
	{StatusDraft, StatusEnteredInError}:     true,
	{StatusRequested, StatusAccepted}:       true,
	{StatusRequested, StatusRejected}:       true,
	{StatusRequested, StatusCancelled}:      true,
	{StatusRequested, StatusEnteredInError}: true,
	{StatusAccepted, StatusEnteredInError}:  true,
	{StatusRejected, StatusEnteredInError}:  true,
	{StatusCancelled, StatusEnteredInError}: true,
}

func TestEveryTransition(t *testing.T) {
	for _, from := range Statuses {
		for _, to := range Statuses {
			t.Run(fmt.Sprintf("%s to %s", from, to), func(t *testing.T) {
				want := allowed[[2]Status{from, to}]
				if got := CanTransition(from, to); got != want {
					t.Fatalf("CanTransition = %v, want %v", got, want)
				}
				err := CheckTransition(from, to)
				if want {
					if err != nil {
						t.Fatalf("CheckTransition = %v, want nil", err)
					}
					return
				}
				ae, ok := apperr.As(err)
				if !ok || ae.Kind != apperr.Conflict {
					t.Fatalf("CheckTransition = %v, want a conflict", err)
				}
				if ae.Message == "" || ae.Message[0] < 'A' || ae.Message[0] > 'Z' {
					t.Errorf("message %q is not a sentence", ae.Message)
				}
			})
		}
	}
}

func TestTransitionMessages(t *testing.T) {
	tests := []struct {
		from, to Status
		want     string
	}{
		{StatusRejected, StatusAccepted, "A referral that has been declined cannot be accepted"},
		{StatusAccepted, StatusRejected, "A referral that has been accepted cannot be declined"},
		{StatusCancelled, StatusRequested, "A referral that has been withdrawn cannot be sent for triage"},
		{StatusDraft, StatusAccepted, "A referral that is a draft cannot be accepted"},
		{StatusRequested, StatusDraft, "A referral that is awaiting triage cannot be returned to draft"},
		{StatusEnteredInError, StatusCancelled, "A referral that has been marked as entered in error cannot be withdrawn"},
		{StatusAccepted, StatusAccepted, "This referral has been accepted already"},
		{StatusRequested, StatusRequested, "This referral is awaiting triage already"},
	}
	for _, tt := range tests {
		ae, ok := apperr.As(CheckTransition(tt.from, tt.to))
		if !ok || ae.Message != tt.want {
			t.Errorf("%s to %s: got %v, want %q", tt.from, tt.to, ae, tt.want)
		}
	}
}

func TestCheckTransitionRefusesUnknownStatuses(t *testing.T) {
	for _, pair := range [][2]Status{{"open", StatusAccepted}, {StatusRequested, "in-progress"}, {"", ""}} {
		if err := CheckTransition(pair[0], pair[1]); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("CheckTransition(%q, %q) = %v, want invalid", pair[0], pair[1], err)
		}
		if CanTransition(pair[0], pair[1]) {
			t.Errorf("CanTransition(%q, %q) = true", pair[0], pair[1])
		}
	}
}

func TestTerminal(t *testing.T) {
	want := map[Status]bool{StatusAccepted: true, StatusRejected: true, StatusCancelled: true, StatusEnteredInError: true}
	for _, s := range Statuses {
		if got := s.Terminal(); got != want[s] {
			t.Errorf("%s.Terminal() = %v, want %v", s, got, want[s])
		}
	}
	if Status("unknown").Terminal() {
		t.Error("an unknown status is terminal")
	}
}

func TestNext(t *testing.T) {
	for _, from := range Statuses {
		next := from.Next()
		n := 0
		for _, to := range Statuses {
			if allowed[[2]Status{from, to}] {
				n++
			}
		}
		if len(next) != n {
			t.Errorf("%s.Next() = %v, want %d statuses", from, next, n)
		}
		for _, to := range next {
			if !allowed[[2]Status{from, to}] {
				t.Errorf("%s.Next() offers %s", from, to)
			}
		}
	}
}

func TestFHIRTaskStatus(t *testing.T) {
	want := map[Status]string{
		StatusDraft: "draft", StatusRequested: "requested", StatusAccepted: "accepted",
		StatusRejected: "rejected", StatusCancelled: "cancelled", StatusEnteredInError: "entered-in-error",
	}
	for _, s := range Statuses {
		code := FHIRTaskStatus(s)
		if code != want[s] {
			t.Errorf("FHIRTaskStatus(%s) = %q, want %q", s, code, want[s])
		}
		if back, ok := StatusFromFHIRTask(code); !ok || back != s {
			t.Errorf("StatusFromFHIRTask(%q) = %q, %v, want %s", code, back, ok, s)
		}
	}
	if FHIRTaskStatus("unknown") != "" {
		t.Error("an unknown status has a FHIR code")
	}
	for _, code := range []string{"in-progress", "completed", "entered_in_error", ""} {
		if s, ok := StatusFromFHIRTask(code); ok {
			t.Errorf("StatusFromFHIRTask(%q) = %s, want none", code, s)
		}
	}
}

func TestRejectReasonSNOMED(t *testing.T) {
	for _, r := range RejectReasons {
		want := ""
		if r == RejectPersonDeclined {
			want = "871711000000103"
		}
		if got := r.SNOMED(); got != want {
			t.Errorf("%s.SNOMED() = %q, want %q", r, got, want)
		}
	}
	if RejectReason("").Valid() || RejectReason("").SNOMED() != "" {
		t.Error("an empty reason is valid or coded")
	}
}
