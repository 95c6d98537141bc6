package fhir

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// referralRow is a referral with everything its ServiceRequest and Task are made from: the
// service and its organisation, the case it opened (or joined), the first contact on that
// case, what FHIR added to it, and who sent it.
type referralRow struct {
	ID, PersonID, ServiceID       int64
	Status                        referral.Status
	ReasonCode                    string
	Source                        referral.Source
	Needs                         string
	Details                       string
	Urgency                       referral.Urgency
	ReferrerName, ReferrerContact string
	CreatedAt, UpdatedAt          time.Time
	Version                       int64
	PerformerOrgID                int64
	ServiceName                   string
	CaseID                        int64
	CaseStatus                    casework.Status
	ClosureReason                 casework.ClosureReason
	HoldReason                    casework.HoldReason
	CaseUpdated                   sql.NullTime
	CaseClosed                    sql.NullTime
	CaseVersion                   int64
	FirstContact                  sql.NullTime
	BusinessStatus                string
	Notes                         string
	Started                       sql.NullTime
	TaskVersion                   int64
	TaskUpdated                   sql.NullTime
	RequesterOrgID                int64
	Requester                     string // the requester reference as sent over FHIR, JSON; empty otherwise
	IdentifierSystem              string
	IdentifierValue               string
	AuthoredOn                    string
	RequesterODS                  string
}

// caseJoin finds the case a referral lives on once accepted: the one it opened, or the open
// case it was added to.
const caseJoin = `LEFT JOIN cases k ON r.status = 'accepted' AND k.id = COALESCE(
		(SELECT c1.id FROM cases c1 WHERE c1.referral_id = r.id), r.adds_to_case_id)`

const referralFrom = ` FROM referrals r
	JOIN services sv ON sv.id = r.service_id
	LEFT JOIN fhir_referrals f ON f.referral_id = r.id
	LEFT JOIN fhir_tasks t ON t.referral_id = r.id
	LEFT JOIN users ru ON ru.id = r.referrer_id
	` + caseJoin + `
	-- The first contact made, joined rather than taken with MIN, which SQLite returns untyped.
	LEFT JOIN case_contacts fc ON fc.id = (SELECT cc.id FROM case_contacts cc WHERE cc.case_id = k.id AND cc.failed = ?
		ORDER BY cc.created_at, cc.id LIMIT 1)`

const referralSelect = `SELECT r.id, r.person_id, r.service_id, r.status, r.reason_code, r.source, r.needs, r.details,
	r.urgency, r.referrer_name, r.referrer_contact, r.created_at, r.updated_at, r.version, sv.organisation_id, sv.name,
	COALESCE(k.id, 0), COALESCE(k.status, ''), COALESCE(k.closure_reason, ''), COALESCE(k.hold_reason, ''),
	k.updated_at, k.closed_at, COALESCE(k.version, 0),
	fc.created_at,
	COALESCE(t.business_status, ''), COALESCE(t.notes, '[]'), t.started_at, COALESCE(t.version, 0), t.updated_at,
	COALESCE(f.requester_org_id, ru.organisation_id, 0), COALESCE(f.requester, ''), COALESCE(f.identifier_system, ''),
	COALESCE(f.identifier_value, ''), COALESCE(f.authored_on, ''),
	COALESCE((SELECT o.ods_code FROM organisations o WHERE o.id = COALESCE(f.requester_org_id, ru.organisation_id)), '')` + referralFrom

func scanReferralRow(row interface{ Scan(...any) error }) (referralRow, error) {
	var x referralRow
	err := row.Scan(&x.ID, &x.PersonID, &x.ServiceID, &x.Status, &x.ReasonCode, &x.Source, &x.Needs, &x.Details,
		&x.Urgency, &x.ReferrerName, &x.ReferrerContact, &x.CreatedAt, &x.UpdatedAt, &x.Version, &x.PerformerOrgID, &x.ServiceName,
		&x.CaseID, &x.CaseStatus, &x.ClosureReason, &x.HoldReason, &x.CaseUpdated, &x.CaseClosed, &x.CaseVersion,
		&x.FirstContact, &x.BusinessStatus, &x.Notes, &x.Started, &x.TaskVersion, &x.TaskUpdated,
		&x.RequesterOrgID, &x.Requester, &x.IdentifierSystem, &x.IdentifierValue, &x.AuthoredOn, &x.RequesterODS)
	return x, err
}

// parties are the organisations either side of the referral, for the access policy.
func (x referralRow) parties(now time.Time) access.ReferralParties {
	holding := x.Status == referral.StatusRequested ||
		x.CaseID != 0 && (x.CaseStatus != casework.Closed || x.CaseClosed.Valid && now.Sub(x.CaseClosed.Time) < casework.ClosedCaseAccess)
	return access.ReferralParties{RequesterOrgID: x.RequesterOrgID, PerformerOrgID: x.PerformerOrgID, Holding: holding}
}

var errNoReferral = notFound("", "No such resource, or it is not this client's organisation's to see")

func getReferralRow(ctx context.Context, c store.Conn, id int64) (referralRow, error) {
	x, err := scanReferralRow(c.QueryRow(ctx, referralSelect+` WHERE r.id = ?`, false, id))
	if errors.Is(err, sql.ErrNoRows) {
		return referralRow{}, errNoReferral
	}
	if err != nil {
		return referralRow{}, fmt.Errorf("read referral: %w", err)
	}
	return x, nil
}

// referralQuery is a search over referrals: conditions joined with AND, the organisation
// whose view it is, and a page.
type referralQuery struct {
	conds []string
	args  []any
	org   int64 // only referrals this organisation is party to
	after int64 // keyset: referrals with ids above this
	limit int
}

func (q *referralQuery) where(cond string, args ...any) {
	q.conds = append(q.conds, cond)
	q.args = append(q.args, args...)
}

// listReferralRows runs the query, oldest referral first.
func listReferralRows(ctx context.Context, c store.Conn, q referralQuery) ([]referralRow, error) {
	// The access policy's rule for clients (access.ClientReferral), as SQL: the organisation
	// that runs the service, or the one that sent the referral.
	conds := append([]string{`(sv.organisation_id = ? OR COALESCE(f.requester_org_id, ru.organisation_id) = ?)`, `r.id > ?`}, q.conds...)
	args := append([]any{false, q.org, q.org, q.after}, q.args...)
	rows, err := c.Query(ctx, referralSelect+` WHERE `+strings.Join(conds, " AND ")+` ORDER BY r.id LIMIT ?`, append(args, q.limit)...)
	if err != nil {
		return nil, fmt.Errorf("search referrals: %w", err)
	}
	defer rows.Close()
	var out []referralRow
	for rows.Next() {
		x, err := scanReferralRow(rows)
		if err != nil {
			return nil, fmt.Errorf("search referrals: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
