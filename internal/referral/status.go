package referral

import (
	"slices"

	"github.com/linkwell/linkwell/internal/apperr"
)

// Status is where a referral is in its life, aligned with FHIR Task.status (DESIGN §3.2).
type Status string

const (
	StatusDraft          Status = "draft"
	StatusRequested      Status = "requested"
	StatusAccepted       Status = "accepted"
	StatusRejected       Status = "rejected"
	StatusCancelled      Status = "cancelled"
	StatusEnteredInError Status = "entered_in_error"
)

// Statuses lists every status in the order a referral passes through them.
var Statuses = []Status{StatusDraft, StatusRequested, StatusAccepted, StatusRejected,
	StatusCancelled, StatusEnteredInError}

var statusLabels = map[Status]string{
	StatusDraft:          "Draft",
	StatusRequested:      "Awaiting triage",
	StatusAccepted:       "Accepted",
	StatusRejected:       "Declined",
	StatusCancelled:      "Withdrawn",
	StatusEnteredInError: "Entered in error",
}

// transitions is every move a referral may make. Anything may be marked entered in error,
// because a mistake can be found at any time; nothing else leaves a decided referral, because
// an accepted referral lives on as a case and a declined or withdrawn one is a new referral.
var transitions = map[Status][]Status{
	StatusDraft:          {StatusRequested, StatusCancelled, StatusEnteredInError},
	StatusRequested:      {StatusAccepted, StatusRejected, StatusCancelled, StatusEnteredInError},
	StatusAccepted:       {StatusEnteredInError},
	StatusRejected:       {StatusEnteredInError},
	StatusCancelled:      {StatusEnteredInError},
	StatusEnteredInError: nil,
}

// Label is the status's name for people.
func (s Status) Label() string { return labelOf(statusLabels, s) }

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := statusLabels[s]; return ok }

// Terminal reports whether the referral's journey has ended: nothing may follow but marking
// it entered in error.
func (s Status) Terminal() bool {
	for _, next := range transitions[s] {
		if next != StatusEnteredInError {
			return false
		}
	}
	return s.Valid()
}

// Next lists the statuses a referral in s may move to.
func (s Status) Next() []Status { return slices.Clone(transitions[s]) }

// CanTransition reports whether a referral may move from one status to another.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// statePhrases describe a referral in each status, to finish "A referral that ...".
var statePhrases = map[Status]string{
	StatusDraft:          "is a draft",
	StatusRequested:      "is awaiting triage",
	StatusAccepted:       "has been accepted",
	StatusRejected:       "has been declined",
	StatusCancelled:      "has been withdrawn",
	StatusEnteredInError: "has been marked as entered in error",
}

// movePhrases name the move into each status, to finish "... cannot be ...".
var movePhrases = map[Status]string{
	StatusDraft:          "returned to draft",
	StatusRequested:      "sent for triage",
	StatusAccepted:       "accepted",
	StatusRejected:       "declined",
	StatusCancelled:      "withdrawn",
	StatusEnteredInError: "marked as entered in error",
}

// CheckTransition returns nil when the move is allowed, and otherwise a Conflict error that
// says in plain English why not.
func CheckTransition(from, to Status) error {
	switch {
	case !from.Valid() || !to.Valid():
		return apperr.New(apperr.Invalid, "Select a status from the list")
	case CanTransition(from, to):
		return nil
	case from == to:
		return apperr.New(apperr.Conflict, "This referral %s already", statePhrases[from])
	}
	return apperr.New(apperr.Conflict, "A referral that %s cannot be %s", statePhrases[from], movePhrases[to])
}

// fhirTaskStatuses maps each status to its FHIR R4 Task.status code.
var fhirTaskStatuses = map[Status]string{
	StatusDraft:          "draft",
	StatusRequested:      "requested",
	StatusAccepted:       "accepted",
	StatusRejected:       "rejected",
	StatusCancelled:      "cancelled",
	StatusEnteredInError: "entered-in-error",
}

// FHIRTaskStatus returns the FHIR Task.status code for s, or "" for an unknown status.
func FHIRTaskStatus(s Status) string { return fhirTaskStatuses[s] }

// StatusFromFHIRTask reads a FHIR Task.status code back, reporting false for codes a referral
// never takes (such as "in-progress").
func StatusFromFHIRTask(code string) (Status, bool) {
	for s, c := range fhirTaskStatuses {
		if c == code {
			return s, true
		}
	}
	return "", false
}

// RejectReason is why a service declined a referral.
type RejectReason string

const (
	RejectPersonDeclined RejectReason = "person_declined"
	RejectCriteriaNotMet RejectReason = "criteria_not_met"
	RejectNoCapacity     RejectReason = "no_capacity"
	RejectDuplicate      RejectReason = "duplicate"
	RejectNotContactable RejectReason = "not_contactable"
	RejectOther          RejectReason = "other"
)

// RejectReasons lists every reason in the order shown.
var RejectReasons = []RejectReason{RejectPersonDeclined, RejectCriteriaNotMet, RejectNoCapacity,
	RejectDuplicate, RejectNotContactable, RejectOther}

var rejectReasonLabels = map[RejectReason]string{
	RejectPersonDeclined: "The person declined social prescribing",
	RejectCriteriaNotMet: "Does not meet the service's criteria",
	RejectNoCapacity:     "The service has no capacity",
	RejectDuplicate:      "Duplicate referral",
	RejectNotContactable: "Could not contact the person",
	RejectOther:          "Other",
}

// Label is the reason's description for people.
func (r RejectReason) Label() string { return labelOf(rejectReasonLabels, r) }

// Valid reports whether r is a known reason.
func (r RejectReason) Valid() bool { _, ok := rejectReasonLabels[r]; return ok }

// SNOMED returns the SNOMED CT code recorded for the reason, or "" when there is none: only
// the person's own refusal has a national code.
func (r RejectReason) SNOMED() string {
	if r == RejectPersonDeclined {
		return SNOMEDSocialPrescribingDeclined
	}
	return ""
}
