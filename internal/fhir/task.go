package fhir

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/referral"
)

// Task status follows the referral and its case (DESIGN §3.2), so that a change made in the
// web interface shows over FHIR at once, and a change made over FHIR is a change to them:
//
//	referral draft / requested          draft / requested
//	referral rejected (with reason)     rejected, statusReason the reason (SNOMED CT 871711000000103 when the person declined)
//	referral withdrawn                  cancelled
//	referral entered in error           entered-in-error
//	accepted, case open, no contact yet accepted
//	case open, a contact made (or the
//	  performer said work started)      in-progress
//	case on hold                        on-hold, statusReason the hold reason
//	case closed, no contact after
//	  several attempts                  failed, statusReason the closure reason
//	case closed for any other reason    completed, statusReason the closure reason
func (x referralRow) taskStatus() string {
	switch x.Status {
	case referral.StatusAccepted:
		switch {
		case x.CaseID == 0:
			return "accepted"
		case x.CaseStatus == casework.OnHold:
			return "on-hold"
		case x.CaseStatus == casework.Closed && x.ClosureReason == "no_contact":
			return "failed"
		case x.CaseStatus == casework.Closed:
			return "completed"
		case x.FirstContact.Valid || x.Started.Valid:
			return "in-progress"
		}
		return "accepted"
	}
	return referral.FHIRTaskStatus(x.Status)
}

// taskVersion counts every change to what the Task shows: the referral's, the case's, the
// Task's own (notes, business status, started), and the first contact. Each part only grows,
// so the sum does too.
func (x referralRow) taskVersion() int64 {
	v := x.Version + x.CaseVersion + x.TaskVersion
	if x.FirstContact.Valid {
		v++
	}
	return v
}

// taskUpdated is when any of those last changed.
func (x referralRow) taskUpdated() time.Time {
	return latest(x.UpdatedAt, x.CaseUpdated.Time, x.TaskUpdated.Time, x.FirstContact.Time)
}

// requestVersion and requestUpdated version the ServiceRequest, whose status follows the
// referral and whether its case has closed.
func (x referralRow) requestVersion() int64     { return x.Version + x.CaseVersion }
func (x referralRow) requestUpdated() time.Time { return latest(x.UpdatedAt, x.CaseUpdated.Time) }

func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// requestStatus is the ServiceRequest's status: active until the referral is decided against
// or its case closes.
func (x referralRow) requestStatus() string {
	switch x.Status {
	case referral.StatusDraft:
		return "draft"
	case referral.StatusRejected, referral.StatusCancelled:
		return "revoked"
	case referral.StatusEnteredInError:
		return "entered-in-error"
	case referral.StatusAccepted:
		if x.CaseStatus == casework.Closed {
			return "completed"
		}
	}
	return "active"
}

// statusReason explains a decline, a hold or a closure.
func (x referralRow) statusReason() *CodeableConcept {
	switch x.taskStatus() {
	case "rejected":
		return rejectReasonConcept(x.ReasonCode)
	case "on-hold":
		return holdReasonConcept(x.HoldReason)
	case "completed", "failed":
		return closureReasonConcept(x.ClosureReason)
	}
	return nil
}

// storedBusinessStatus is a business status a performer set over FHIR, for the Task status it
// was set with: it shows until the status moves on.
type storedBusinessStatus struct {
	Status  string          `json:"status"`
	Concept CodeableConcept `json:"concept"`
}

// businessStatus is the performer's own word for where things are: what it set over FHIR for
// this status, or Linkwell's description.
func (x referralRow) businessStatus() *CodeableConcept {
	status := x.taskStatus()
	var stored storedBusinessStatus
	if x.BusinessStatus != "" && json.Unmarshal([]byte(x.BusinessStatus), &stored) == nil && stored.Status == status {
		return &stored.Concept
	}
	var text string
	switch status {
	case "accepted":
		text = "Accepted: case open"
	case "in-progress":
		text = "Case open: support under way"
	case "on-hold":
		text = "On hold: " + x.HoldReason.Label()
	case "completed", "failed":
		text = "Closed: " + x.ClosureReason.Label()
	case "rejected":
		text = "Declined: " + referral.RejectReason(x.ReasonCode).Label()
	default:
		text = x.Status.Label()
	}
	return &CodeableConcept{Text: text}
}

func (x referralRow) notes() []Annotation {
	var out []Annotation
	json.Unmarshal([]byte(x.Notes), &out) // written only by appendNote; unreadable reads as none
	return out
}

// requesterRef is who sent the referral: as the sender named itself over FHIR, or the
// referrer and their organisation.
func (x referralRow) requesterRef() *Reference {
	var ref Reference
	if x.Requester != "" && json.Unmarshal([]byte(x.Requester), &ref) == nil {
		return &ref
	}
	ref = Reference{Display: x.ReferrerName}
	if x.RequesterODS != "" {
		ref.Type, ref.Identifier = "Organization", &Identifier{System: SystemODS, Value: x.RequesterODS}
	}
	return &ref
}

func instant(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func etag(v int64) string { return `W/"` + strconv.FormatInt(v, 10) + `"` }

func meta(v int64, t time.Time) *Meta {
	return &Meta{VersionID: strconv.FormatInt(v, 10), LastUpdated: instant(t)}
}

// message is a message back, as a Task's output names it.
type messageRef struct {
	ID   int64
	Kind referral.MessageKind
}

// task builds the Task resource for a referral.
func (x referralRow) task(k ids, messages []messageRef) Task {
	t := Task{ResourceType: "Task", ID: k.seal(kindTask, x.ID), Meta: meta(x.taskVersion(), x.taskUpdated()),
		Status: x.taskStatus(), StatusReason: x.statusReason(), BusinessStatus: x.businessStatus(), Intent: "order",
		Code:       coding(systemTaskCode, "fulfill", "Fulfill the focal request"),
		Focus:      &Reference{Reference: k.ref(kindServiceRequest, x.ID)},
		For:        &Reference{Reference: k.ref(kindPatient, x.PersonID)},
		AuthoredOn: instant(x.CreatedAt), LastModified: instant(x.taskUpdated()), Requester: x.requesterRef(),
		Owner: &Reference{Reference: k.ref(kindHealthcareService, x.ServiceID), Display: x.ServiceName},
		Note:  x.notes()}
	for _, m := range messages {
		t.Output = append(t.Output, TaskOutput{Type: *coding(SystemMessageKind, string(m.Kind), "Message back: "+string(m.Kind)),
			ValueReference: Reference{Reference: k.ref(kindCommunication, m.ID)}})
	}
	return t
}
