package fhir

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// TaskEdit is a client's change to a Task: the whole Task (PUT) or a JSON Patch of it
// (PATCH), made only if the Task is still at the version named by If-Match.
type TaskEdit struct {
	ID      string
	IfMatch string
	Body    []byte
	Patch   bool
}

// taskPaths are where Linkwell's own errors about a Task change point.
var taskPaths = fieldPaths{"reason": "Task.statusReason", "hold_reason": "Task.statusReason",
	"closure_reason": "Task.statusReason", "closure_summary": "Task.note"}

// UpdateTask moves a Task, and with it the referral and case, as DESIGN §3.2's table says (see
// taskStatus), and records its business status and new notes. Only status, statusReason,
// businessStatus and note can change.
func (s *Service) UpdateTask(ctx context.Context, who Caller, e TaskEdit) (Task, error) {
	k, err := s.begin(ctx, who, apiclient.TaskWrite)
	if err != nil {
		return Task{}, err
	}
	rid, ok := k.open(kindTask, e.ID)
	if !ok {
		return Task{}, errNoReferral
	}
	want, err := ifMatch(e.IfMatch)
	if err != nil {
		return Task{}, err
	}
	var out Task
	err = s.db.Tx(ctx, func(c store.Conn) error {
		x, err := getReferralRow(ctx, c, rid)
		if err != nil {
			return err
		}
		party := s.policy.ClientReferral(who.Principal, x.parties(s.now()))
		if party == access.NoParty {
			return errNoReferral
		}
		msgs, err := messagesFor(ctx, c, []int64{rid})
		if err != nil {
			return err
		}
		current := x.task(k, msgs[rid])
		if x.taskVersion() != want {
			return problem(http.StatusPreconditionFailed, "conflict", "", "The Task is at version %d, not %d: read it again, then make your change",
				x.taskVersion(), want)
		}
		desired, err := desiredTask(current, e)
		if err != nil {
			return err
		}
		if err := s.applyTaskChange(ctx, c, who, party, x, current, desired); err != nil {
			return asProblem(err, taskPaths)
		}
		if x, err = getReferralRow(ctx, c, rid); err != nil {
			return err
		}
		if msgs, err = messagesFor(ctx, c, []int64{rid}); err != nil {
			return err
		}
		out = x.task(k, msgs[rid])
		return nil
	})
	if err != nil {
		return Task{}, apperr.Wrap("update task", err)
	}
	return out, nil
}

// ifMatch reads an If-Match header, W/"n" or "n".
func ifMatch(h string) (int64, error) {
	if h == "" {
		return 0, problem(http.StatusPreconditionRequired, "required", "", `Send If-Match with the Task's version, as its ETag gave it: W/"3"`)
	}
	v := strings.Trim(strings.TrimPrefix(strings.TrimSpace(h), "W/"), `"`)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, badRequest("value", "", `If-Match must be the Task's version as its ETag gave it, like W/"3"`)
	}
	return n, nil
}

// desiredTask is the Task as the client wants it: the body of a PUT, or the current Task
// with a JSON Patch applied.
func desiredTask(current Task, e TaskEdit) (Task, error) {
	body := e.Body
	if e.Patch {
		var ops []patchOp
		if err := json.Unmarshal(e.Body, &ops); err != nil {
			return Task{}, badRequest("structure", "", "A PATCH body is a JSON Patch: a list of operations")
		}
		for i, op := range ops {
			field, _, _ := strings.Cut(strings.TrimPrefix(op.Path, "/"), "/")
			if !editable[field] {
				return Task{}, unprocessable("business-rule", "Task."+field,
					"JSON Patch operation %d changes %s: only status, statusReason, businessStatus, note and (on acceptance) owner can change", i, field)
			}
		}
		var doc map[string]any
		raw, _ := json.Marshal(current)
		json.Unmarshal(raw, &doc)
		if doc["note"] == nil {
			doc["note"] = []any{} // so that a client can append with /note/- to a Task with no notes yet
		}
		patched, err := applyPatch(doc, ops)
		if err != nil {
			return Task{}, err
		}
		if body, err = json.Marshal(patched); err != nil {
			return Task{}, err
		}
	}
	var t Task
	if err := json.Unmarshal(body, &t); err != nil {
		return Task{}, badRequest("structure", "Task", "The Task could not be read: %v", err)
	}
	switch {
	case t.ResourceType != "Task":
		return Task{}, badRequest("invalid", "Task.resourceType", "Send a Task")
	case t.ID != current.ID:
		return Task{}, badRequest("invalid", "Task.id", "The Task's id must be the one in the URL")
	case t.Status == "":
		return Task{}, badRequest("required", "Task.status", "Task.status is required")
	}
	return t, nil
}

var editable = map[string]bool{"status": true, "statusReason": true, "businessStatus": true, "note": true, "owner": true}

// applyTaskChange makes the change: the status move through the referral or case, then the
// Task's own business status and notes.
func (s *Service) applyTaskChange(ctx context.Context, c store.Conn, who Caller, party access.ClientParty, x referralRow, current, desired Task) error {
	added, err := newNotes(current.Note, desired.Note)
	if err != nil {
		return err
	}
	now := store.Now()
	for i := range added {
		added[i].AuthorString, added[i].Time = who.Client.Name, instant(now)
	}
	moved := desired.Status != current.Status
	if ownerChanged(current, desired) && (!moved || desired.Status != "accepted") {
		return unprocessable("business-rule", "Task.owner", "The owner changes only as the Task is accepted: it names the worker who takes the case on")
	}
	if moved {
		if err := s.policy.ClientMayMove(party, desired.Status); err != nil {
			return err
		}
		if err := s.move(ctx, c, who, x, current, desired, added); err != nil {
			return err
		}
	}
	own := taskOwn{notes: append(x.notes(), added...), business: x.BusinessStatus}
	if desired.BusinessStatus != nil && !reflect.DeepEqual(desired.BusinessStatus, current.BusinessStatus) {
		if party != access.Performer {
			return apperr.New(apperr.Forbidden, "Only the receiving service sets the Task's businessStatus")
		}
		b, _ := json.Marshal(storedBusinessStatus{Status: desired.Status, Concept: *desired.BusinessStatus})
		own.business = string(b)
	}
	// The performer saying work is under way (from accepted, or resuming from on hold) is
	// what in-progress means until a contact is recorded.
	started := moved && desired.Status == "in-progress"
	if len(added) == 0 && own.business == x.BusinessStatus && !started {
		if !moved {
			return nil // nothing changed: the Task stays at its version
		}
	} else if err := saveTaskOwn(ctx, c, x.ID, own, started); err != nil {
		return err
	}
	detail := fmt.Sprintf("status=%s from=%s notes_added=%d", desired.Status, current.Status, len(added))
	return audit.Record(ctx, c, who.actor(), audit.Event{Action: "fhir.task.update", RecordType: "referral",
		RecordID: audit.RecordID(x.ID), Detail: withOrg(who, detail)})
}

// newNotes returns the notes added: the Task's notes are a log, so those already there must
// be sent back unchanged, with new ones after them.
func newNotes(have, want []Annotation) ([]Annotation, error) {
	if len(want) < len(have) || !slices.Equal(have, want[:len(have)]) {
		return nil, unprocessable("business-rule", "Task.note", "Notes cannot be changed or removed: send the Task's notes as they are, with new ones after them")
	}
	added := append([]Annotation(nil), want[len(have):]...)
	for i, n := range added {
		if strings.TrimSpace(n.Text) == "" {
			return nil, unprocessable("required", fmt.Sprintf("Task.note[%d].text", len(have)+i), "A note needs text")
		}
	}
	return added, nil
}

// move changes the referral or case as the new Task status says.
func (s *Service) move(ctx context.Context, c store.Conn, who Caller, x referralRow, current, t Task, added []Annotation) error {
	actor := who.actor()
	note := ""
	if len(added) > 0 {
		note = added[len(added)-1].Text
	}
	from := x.taskStatus()
	switch t.Status {
	case "cancelled":
		return s.referrals.DecideIn(ctx, c, actor, x.ID, x.Version, referral.StatusCancelled, "", note)
	case "rejected":
		reason, ok := rejectReasonFrom(t.StatusReason)
		if !ok {
			return unprocessable("code-invalid", "Task.statusReason", "Say why the referral is declined: statusReason from %s", SystemRejectReason)
		}
		return s.referrals.DecideIn(ctx, c, actor, x.ID, x.Version, referral.StatusRejected, reason, note)
	case "entered-in-error":
		if x.CaseID != 0 && x.CaseStatus != casework.Closed {
			return conflict("conflict", "Task.status", "This referral's case is open: close it in Linkwell before marking the referral entered in error")
		}
		return s.referrals.DecideIn(ctx, c, actor, x.ID, x.Version, referral.StatusEnteredInError, "", note)
	case "accepted":
		return s.accept(ctx, c, who, x, current, t)
	}
	if x.CaseID == 0 {
		return conflict("conflict", "Task.status", "A %s Task cannot become %s: the referral has no case yet", from, t.Status)
	}
	switch {
	case t.Status == "on-hold":
		reason := casework.HoldReason(t.StatusReason.codeIn(SystemHoldReason))
		if reason == "" {
			reason = "other"
		}
		return s.cases.HoldIn(ctx, c, actor, x.CaseID, x.CaseVersion, reason)
	case t.Status == "in-progress" && from == "on-hold":
		return s.cases.ResumeIn(ctx, c, actor, x.CaseID, x.CaseVersion)
	case t.Status == "in-progress" && from == "accepted":
		return nil // the performer says work has started: recorded with the Task's own fields
	case t.Status == "completed" || t.Status == "failed":
		return s.close(ctx, c, actor, x, t, note)
	}
	return conflict("conflict", "Task.status", "A %s Task cannot become %s", from, t.Status)
}

// close ends the case: completed with the reason given (goals met when none is), failed
// with no contact after several attempts; the newest note is the outcome summary.
func (s *Service) close(ctx context.Context, c store.Conn, actor audit.Actor, x referralRow, t Task, summary string) error {
	reason := casework.ClosureReason(t.StatusReason.codeIn(SystemClosureReason))
	switch {
	case t.Status == "failed" && reason == "":
		reason = "no_contact"
	case t.Status == "failed" && reason != "no_contact", t.Status == "completed" && reason == "no_contact":
		return unprocessable("business-rule", "Task.statusReason", "A failed Task closes for no_contact; completed closes for any other reason")
	case reason == "":
		reason = "goals_met"
	}
	if summary == "" {
		return unprocessable("required", "Task.note", "Add a note with the outcome summary: what changed for the person")
	}
	return s.cases.CloseIn(ctx, c, actor, x.CaseID, x.CaseVersion, reason, summary)
}

// taskOwn is what the Task holds of its own.
type taskOwn struct {
	notes    []Annotation
	business string
}

func saveTaskOwn(ctx context.Context, c store.Conn, referralID int64, own taskOwn, started bool) error {
	notes, err := json.Marshal(own.notes)
	if err != nil {
		return err
	}
	now := store.Now()
	var startedAt any
	if started {
		startedAt = now
	}
	_, err = c.Exec(ctx, `INSERT INTO fhir_tasks (referral_id, business_status, notes, started_at, version, updated_at)
		VALUES (?, ?, ?, ?, 1, ?)
		ON CONFLICT (referral_id) DO UPDATE SET business_status = excluded.business_status, notes = excluded.notes,
			started_at = COALESCE(fhir_tasks.started_at, excluded.started_at), version = fhir_tasks.version + 1,
			updated_at = excluded.updated_at`, referralID, own.business, string(notes), startedAt, now)
	if err != nil {
		return fmt.Errorf("save task: %w", err)
	}
	return nil
}
