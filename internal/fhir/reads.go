package fhir

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// pollSettle is how far before a search began its meta.lastUpdated is put: a transaction
// that stamped its change just before the search but committed just after is then seen by
// the next poll. A client may see such a Task twice, at the same version.
const pollSettle = 5 * time.Second

// visibleReferral reads a referral the client's organisation is party to, or says not found.
func (s *Service) visibleReferral(ctx context.Context, who Caller, id int64) (referralRow, access.ClientParty, error) {
	x, err := getReferralRow(ctx, s.db.Reader(), id)
	if err != nil {
		return referralRow{}, access.NoParty, err
	}
	party := s.policy.ClientReferral(who.Principal, x.parties(s.now()))
	if party == access.NoParty {
		return referralRow{}, access.NoParty, errNoReferral
	}
	return x, party, nil
}

// ReadTask returns the Task of a referral the client's organisation sent or receives.
func (s *Service) ReadTask(ctx context.Context, who Caller, id string) (Task, error) {
	k, err := s.begin(ctx, who, apiclient.TaskRead)
	if err != nil {
		return Task{}, err
	}
	rid, ok := k.open(kindTask, id)
	if !ok {
		return Task{}, errNoReferral
	}
	x, _, err := s.visibleReferral(ctx, who, rid)
	if err != nil {
		return Task{}, err
	}
	msgs, err := messagesFor(ctx, s.db.Reader(), []int64{rid})
	if err != nil {
		return Task{}, apperr.Wrap("read task", err)
	}
	return x.task(k, msgs[rid]), s.audit(ctx, who, "fhir.read", "referral", rid, "resource=Task")
}

// ReadServiceRequest returns a referral as a ServiceRequest.
func (s *Service) ReadServiceRequest(ctx context.Context, who Caller, id string) (ServiceRequest, error) {
	k, err := s.begin(ctx, who, apiclient.ReferralRead)
	if err != nil {
		return ServiceRequest{}, err
	}
	rid, ok := k.open(kindServiceRequest, id)
	if !ok {
		return ServiceRequest{}, errNoReferral
	}
	x, _, err := s.visibleReferral(ctx, who, rid)
	if err != nil {
		return ServiceRequest{}, err
	}
	answers, err := answersFor(ctx, s.db.Reader(), []int64{rid})
	if err != nil {
		return ServiceRequest{}, apperr.Wrap("read service request", err)
	}
	return x.serviceRequest(k, answers[rid]), s.audit(ctx, who, "fhir.read", "referral", rid, "resource=ServiceRequest")
}

// taskStatusSQL selects referrals by the Task status they show: taskStatus as SQL, checked
// against it by the tests.
var taskStatusSQL = map[string]string{
	"draft":            `r.status = 'draft'`,
	"requested":        `r.status = 'requested'`,
	"rejected":         `r.status = 'rejected'`,
	"cancelled":        `r.status = 'cancelled'`,
	"entered-in-error": `r.status = 'entered_in_error'`,
	"accepted": `r.status = 'accepted' AND (k.id IS NULL OR k.status = 'active' AND t.started_at IS NULL AND NOT EXISTS
		(SELECT 1 FROM case_contacts cc WHERE cc.case_id = k.id AND cc.failed = false))`,
	"in-progress": `r.status = 'accepted' AND k.status = 'active' AND (t.started_at IS NOT NULL OR EXISTS
		(SELECT 1 FROM case_contacts cc WHERE cc.case_id = k.id AND cc.failed = false))`,
	"on-hold":   `r.status = 'accepted' AND k.status = 'on_hold'`,
	"completed": `r.status = 'accepted' AND k.status = 'closed' AND k.closure_reason <> 'no_contact'`,
	"failed":    `r.status = 'accepted' AND k.status = 'closed' AND k.closure_reason = 'no_contact'`,
}

// requestStatusSQL selects referrals by their ServiceRequest status, requestStatus as SQL.
var requestStatusSQL = map[string]string{
	"draft":            `r.status = 'draft'`,
	"active":           `(r.status = 'requested' OR r.status = 'accepted' AND (k.id IS NULL OR k.status <> 'closed'))`,
	"revoked":          `r.status IN ('rejected', 'cancelled')`,
	"completed":        `r.status = 'accepted' AND k.status = 'closed'`,
	"entered-in-error": `r.status = 'entered_in_error'`,
}

// statusCondition turns a comma-separated list of statuses into one condition.
func statusCondition(list string, sqlFor map[string]string, resource string) (string, error) {
	var parts []string
	for st := range strings.SplitSeq(list, ",") {
		cond, ok := sqlFor[st]
		if !ok {
			return "", badRequest("value", resource+".status", "%q is not a %s status this server records", st, resource)
		}
		parts = append(parts, "("+cond+")")
	}
	return "(" + strings.Join(parts, " OR ") + ")", nil
}

// changedSince selects the referrals whose Task changed after (or at) a time: the referral,
// its case, the Task's own record, or the first contact on the case. Each part reads an index
// on its time, so a poll reads only what changed.
func changedSince(op string, t time.Time) (string, []any) {
	// Each part starts from its own index; a case leads to the referral that opened it and
	// to those added to it. UNION ALL, because IN needs no duplicates removed, and SQLite plans
	// a plain UNION as a merge of full scans in id order (about a second a poll on the
	// national data).
	cond := `r.id IN (
		SELECT id FROM referrals WHERE updated_at ` + op + ` ?
		UNION ALL SELECT referral_id FROM cases WHERE updated_at ` + op + ` ?
		UNION ALL SELECT a.id FROM cases k2 JOIN referrals a ON a.adds_to_case_id = k2.id WHERE k2.updated_at ` + op + ` ?
		UNION ALL SELECT referral_id FROM fhir_tasks WHERE updated_at ` + op + ` ?
		UNION ALL SELECT k3.referral_id FROM case_contacts cc JOIN cases k3 ON k3.id = cc.case_id
			WHERE cc.created_at ` + op + ` ? AND cc.failed = false
		UNION ALL SELECT a.id FROM case_contacts cc JOIN referrals a ON a.adds_to_case_id = cc.case_id
			WHERE cc.created_at ` + op + ` ? AND cc.failed = false)`
	return cond, []any{t, t, t, t, t, t}
}

// SearchTasks finds the Tasks of referrals the client's organisation is party to, by owner
// (the HealthcareService, or its Organization), status, patient, focus and _lastUpdated,
// oldest referral first, with their ServiceRequests when _include=Task:focus.
func (s *Service) SearchTasks(ctx context.Context, who Caller, q Query) (Bundle, error) {
	k, err := s.begin(ctx, who, apiclient.TaskRead)
	if err != nil {
		return Bundle{}, err
	}
	b, n, err := s.findTasks(ctx, k, who, q)
	if err != nil {
		return Bundle{}, err
	}
	return b, s.audit(ctx, who, "fhir.search", "referral", 0, fmt.Sprintf("resource=Task results=%d", n))
}

// findTasks runs a Task search, returning the page and how many referrals it read.
func (s *Service) findTasks(ctx context.Context, k ids, who Caller, q Query) (Bundle, int, error) {
	p, err := readParams("Task", q, "owner", "status", "patient", "focus", "_lastUpdated", "_include")
	if err != nil {
		return Bundle{}, 0, err
	}
	rq, include, err := taskQuery(k, p, who.org())
	if err != nil {
		return Bundle{}, 0, err
	}
	op, since, polling, err := p.lastUpdated()
	if err != nil {
		return Bundle{}, 0, err
	}
	changed := func(referralRow) bool { return true }
	if polling {
		cond, args := changedSince(op, since)
		rq.where(cond, args...)
		// The exact test: the index parts may name a referral whose case changed without
		// this Task changing (a case another referral joined).
		changed = func(x referralRow) bool {
			return x.taskUpdated().After(since) || op == ">=" && x.taskUpdated().Equal(since)
		}
	}
	asOf := s.now().Add(-pollSettle)
	rows, next, err := s.page(ctx, k, kindTask, rq, p)
	if err != nil {
		return Bundle{}, 0, err
	}
	rows = slices.DeleteFunc(rows, func(x referralRow) bool { return !changed(x) })
	entries, err := s.taskEntries(ctx, k, q, rows, include)
	if err != nil {
		return Bundle{}, 0, apperr.Wrap("search tasks", err)
	}
	return searchset(q, p, entries, next, asOf), len(rows), nil
}

// taskEntries makes the search entries of Tasks, each followed by its ServiceRequest when
// include is set.
func (s *Service) taskEntries(ctx context.Context, k ids, q Query, rows []referralRow, include bool) ([]BundleEntry, error) {
	var entries []BundleEntry
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		ids := rowIDs(rows)
		msgs, err := messagesFor(ctx, c, ids)
		if err != nil {
			return err
		}
		answers := map[int64][]int64{}
		if include {
			if answers, err = answersFor(ctx, c, ids); err != nil {
				return err
			}
		}
		for _, x := range rows {
			t := x.task(k, msgs[x.ID])
			e, err := entry(q, "Task", t.ID, "match", t)
			if err != nil {
				return err
			}
			entries = append(entries, e)
			if include {
				sr := x.serviceRequest(k, answers[x.ID])
				e, err := entry(q, "ServiceRequest", sr.ID, "include", sr)
				if err != nil {
					return err
				}
				entries = append(entries, e)
			}
		}
		return nil
	})
	return entries, err
}

// taskQuery reads the Task search parameters into a query.
func taskQuery(k ids, p params, org int64) (referralQuery, bool, error) {
	rq := referralQuery{org: org}
	if v := p.get("owner"); v != "" {
		if id, ok := k.openRef(kindHealthcareService, v); ok {
			rq.where(`r.service_id = ?`, id)
		} else if id, ok := k.openRef(kindOrganization, v); ok {
			rq.where(`sv.organisation_id = ?`, id)
		} else {
			rq.where(`1 = 0`) // a reference to nothing matches nothing
		}
	}
	if err := refParam(&rq, k, p.get("patient"), kindPatient, `r.person_id = ?`); err != nil {
		return rq, false, err
	}
	if err := refParam(&rq, k, p.get("focus"), kindServiceRequest, `r.id = ?`); err != nil {
		return rq, false, err
	}
	if v := p.get("status"); v != "" {
		cond, err := statusCondition(v, taskStatusSQL, "Task")
		if err != nil {
			return rq, false, err
		}
		rq.where(cond)
	}
	include := false
	switch v := p.get("_include"); v {
	case "":
	case "Task:focus", "Task:focus:ServiceRequest":
		include = true
	default:
		return rq, false, badRequest("not-supported", "", "_include supports Task:focus only, not %q", v)
	}
	return rq, include, nil
}

// refParam adds a condition on a reference parameter; a reference to nothing matches nothing.
func refParam(rq *referralQuery, k ids, v string, kd kind, cond string) error {
	if v == "" {
		return nil
	}
	id, ok := k.openRef(kd, v)
	if !ok {
		rq.where(`1 = 0`)
		return nil
	}
	rq.where(cond, id)
	return nil
}

// page runs a referral query for one page: p.count rows after the cursor, and the cursor of
// the next page when more remain.
func (s *Service) page(ctx context.Context, k ids, cursorKind kind, rq referralQuery, p params) ([]referralRow, string, error) {
	if p.after != "" {
		after, ok := k.open(cursorKind, p.after)
		if !ok {
			return nil, "", badRequest("value", "", "_after is not a cursor this server gave")
		}
		rq.after = after
	}
	rq.limit = p.count + 1
	rows, err := listReferralRows(ctx, s.db.Reader(), rq)
	if err != nil {
		return nil, "", apperr.Wrap("search", err)
	}
	next := ""
	if len(rows) > p.count {
		rows = rows[:p.count]
		next = k.seal(cursorKind, rows[len(rows)-1].ID)
	}
	return rows, next, nil
}

func rowIDs(rows []referralRow) []int64 {
	out := make([]int64, len(rows))
	for i, x := range rows {
		out[i] = x.ID
	}
	return out
}

// SearchServiceRequests finds referrals the client's organisation is party to, by patient,
// status and identifier.
func (s *Service) SearchServiceRequests(ctx context.Context, who Caller, q Query) (Bundle, error) {
	k, err := s.begin(ctx, who, apiclient.ReferralRead)
	if err != nil {
		return Bundle{}, err
	}
	p, err := readParams("ServiceRequest", q, "patient", "status", "identifier")
	if err != nil {
		return Bundle{}, err
	}
	rq := referralQuery{org: who.org()}
	if err := refParam(&rq, k, p.get("patient"), kindPatient, `r.person_id = ?`); err != nil {
		return Bundle{}, err
	}
	if v := p.get("status"); v != "" {
		cond, err := statusCondition(v, requestStatusSQL, "ServiceRequest")
		if err != nil {
			return Bundle{}, err
		}
		rq.where(cond)
	}
	if v := p.get("identifier"); v != "" {
		system, value, ok := strings.Cut(v, "|")
		if !ok {
			return Bundle{}, badRequest("value", "ServiceRequest.identifier", "identifier takes system|value")
		}
		rq.where(`f.identifier_system = ? AND f.identifier_value = ?`, system, value)
	}
	asOf := s.now()
	rows, next, err := s.page(ctx, k, kindServiceRequest, rq, p)
	if err != nil {
		return Bundle{}, err
	}
	answers, err := answersFor(ctx, s.db.Reader(), rowIDs(rows))
	if err != nil {
		return Bundle{}, apperr.Wrap("search service requests", err)
	}
	var entries []BundleEntry
	for _, x := range rows {
		sr := x.serviceRequest(k, answers[x.ID])
		e, err := entry(q, "ServiceRequest", sr.ID, "match", sr)
		if err != nil {
			return Bundle{}, err
		}
		entries = append(entries, e)
	}
	return searchset(q, p, entries, next, asOf), s.audit(ctx, who, "fhir.search", "referral", 0, fmt.Sprintf("resource=ServiceRequest results=%d", len(rows)))
}

// messagesFor lists the messages back about each referral, oldest first.
func messagesFor(ctx context.Context, c store.Conn, referralIDs []int64) (map[int64][]messageRef, error) {
	out := map[int64][]messageRef{}
	if len(referralIDs) == 0 {
		return out, nil
	}
	rows, err := c.Query(ctx, `SELECT id, referral_id, kind FROM messages WHERE referral_id IN `+store.In(len(referralIDs))+
		` ORDER BY id`, anys(referralIDs)...)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m messageRef
		var rid int64
		if err := rows.Scan(&m.ID, &rid, &m.Kind); err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		out[rid] = append(out[rid], m)
	}
	return out, rows.Err()
}

// answersFor lists the QuestionnaireResponses sent with each referral.
func answersFor(ctx context.Context, c store.Conn, referralIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(referralIDs) == 0 {
		return out, nil
	}
	rows, err := c.Query(ctx, `SELECT id, referral_id FROM fhir_questionnaire_responses WHERE referral_id IN `+
		store.In(len(referralIDs))+` ORDER BY id`, anys(referralIDs)...)
	if err != nil {
		return nil, fmt.Errorf("list questionnaire responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, rid int64
		if err := rows.Scan(&id, &rid); err != nil {
			return nil, fmt.Errorf("list questionnaire responses: %w", err)
		}
		out[rid] = append(out[rid], id)
	}
	return out, rows.Err()
}

func anys(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
