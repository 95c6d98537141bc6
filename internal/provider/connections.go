package provider

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
)

// Connection is a connection made to a provider's service, as the provider may see it.
type Connection struct {
	ID               int64
	Version          int64
	Status           casework.ConnectionStatus
	ServiceID        string // the directory service's id
	ServiceName      string
	Person           string // first name and the initial of the family name
	ReferredBy       string // the worker who referred them
	ReferrerEmail    string
	ReferredAt       time.Time
	FirstSessionHelp string   // the support the worker offers for the first session; "" for none
	Contact          *Contact // nil unless the person agreed to be contacted by community providers
	Answers          []casework.ProviderAnswer
}

// Contact is how a person agreed a provider may contact them.
type Contact struct {
	Methods []person.ContactMethod
	Phone   string // given when they may be phoned or texted
	Email   string // given when they may be emailed
}

// consentGiven is the value of a consent that was given.
const consentGiven = "given"

// RecentDays is how long a provider still sees a connection it no longer needs to act on.
const RecentDays = 90

// MaxRecent is how many of those a provider's list shows.
const MaxRecent = 50

// connectionSelect reads connections to directory services with just what a provider may see
// and what deciding that needs. The referring worker is whoever last moved the connection to
// referred, or who made it.
const connectionSelect = `SELECT cn.id, cn.version, cn.status, cn.case_id, k.person_id, s.id, s.name,
	p.given_name, p.family_name, p.phone, p.email, p.contact_methods, p.do_not_contact,
	COALESCE((SELECT c2.value FROM consents c2 WHERE c2.person_id = p.id AND c2.kind = ?
		ORDER BY c2.recorded_at DESC, c2.id DESC LIMIT 1), ''),
	COALESCE(u.name, ''), COALESCE(u.email, ''), h.changed_at, cn.created_at, cn.first_session_help, cn.first_session_note
	FROM connections cn
	JOIN dir_services s ON s.pk = cn.directory_service_id
	JOIN cases k ON k.id = cn.case_id
	JOIN people p ON p.id = k.person_id
	LEFT JOIN connection_changes h ON h.id = (SELECT MAX(h2.id) FROM connection_changes h2
		WHERE h2.connection_id = cn.id AND h2.to_status = 'referred')
	LEFT JOIN users u ON u.id = COALESCE(h.changed_by, cn.created_by)`

// connectionRow is a connection and whose record it is, for the audit log.
type connectionRow struct {
	Connection
	caseID, personID int64
}

// Connections lists the connections made to the services orgID keeps that the provider needs
// to see: every one waiting for its answer or its confirmation of a first session, oldest
// first, then up to MaxRecent others changed in the last RecentDays, newest first. A suggestion the worker has not referred is
// not the provider's business. Each connection shown is audited as a read of the person's
// record.
func (s *Service) Connections(ctx context.Context, actor audit.Actor, orgID int64) ([]Connection, error) {
	var out []Connection
	err := s.db.Tx(ctx, func(c store.Conn) error {
		waiting, err := queryConnections(ctx, c, ` WHERE cn.directory_service_id IN `+keptServices+` AND cn.status IN (?, ?)
			ORDER BY CASE cn.status WHEN 'referred' THEN 0 ELSE 1 END, cn.updated_at, cn.id`,
			orgID, casework.ConnReferred, casework.ConnAccepted)
		if err != nil {
			return err
		}
		// The recent ones are chosen first and read after, so that only those shown are read whole.
		recent, err := queryConnections(ctx, c, ` WHERE cn.id IN (SELECT r.id FROM connections r
			WHERE r.directory_service_id IN `+keptServices+` AND r.status NOT IN (?, ?, ?) AND r.updated_at >= ?
			ORDER BY r.updated_at DESC, r.id DESC LIMIT ?) ORDER BY cn.updated_at DESC, cn.id DESC`,
			orgID, casework.ConnSuggested, casework.ConnReferred, casework.ConnAccepted, s.now().AddDate(0, 0, -RecentDays).UTC(), MaxRecent)
		if err != nil {
			return err
		}
		for _, r := range append(waiting, recent...) {
			if err := auditRead(ctx, c, actor, r, "provider"); err != nil {
				return err
			}
			out = append(out, r.Connection)
		}
		return nil
	})
	return out, apperr.Wrap("provider connections", err)
}

// Answer records the answer of orgID's provider about a connection to one of its services.
// A connection to a service it does not keep is not found.
func (s *Service) Answer(ctx context.Context, actor audit.Actor, orgID, connectionID int64, a casework.ProviderAnswer, reason string, version int64) error {
	var kept bool
	err := s.db.Reader().QueryRow(ctx, `SELECT COUNT(*) > 0 FROM connections cn WHERE cn.id = ? AND cn.directory_service_id IN `+keptServices,
		connectionID, orgID).Scan(&kept)
	if err != nil {
		return apperr.Wrap("answer connection", err)
	}
	if !kept {
		return apperr.New(apperr.NotFound, "No connection was found")
	}
	_, err = s.cases.AnswerAsProvider(ctx, actor, connectionID, a, reason, version, nil)
	return err
}

func queryConnections(ctx context.Context, c store.Conn, where string, args ...any) ([]connectionRow, error) {
	rows, err := c.Query(ctx, connectionSelect+where, append([]any{person.ConsentProviderContact}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read connections: %w", err)
	}
	defer rows.Close()
	var out []connectionRow
	for rows.Next() {
		var r connectionRow
		var given, family, phone, email, methods, consent, note string
		var doNotContact, help bool
		var referred sql.NullTime
		if err := rows.Scan(&r.ID, &r.Version, &r.Status, &r.caseID, &r.personID, &r.ServiceID, &r.ServiceName,
			&given, &family, &phone, &email, &methods, &doNotContact, &consent, &r.ReferredBy, &r.ReferrerEmail,
			&referred, &r.ReferredAt, &help, &note); err != nil {
			return nil, fmt.Errorf("read connections: %w", err)
		}
		r.Person = shortName(given, family)
		if referred.Valid {
			r.ReferredAt = referred.Time
		}
		if help {
			r.FirstSessionHelp = note
		}
		if consent == consentGiven && !doNotContact {
			r.Contact = contactFor(methods, phone, email)
		}
		r.Answers = casework.ProviderAnswers(r.Status)
		out = append(out, r)
	}
	return out, rows.Err()
}

// shortName is a first name and the initial of the family name: enough to greet someone at
// the door, not enough to look them up.
func shortName(given, family string) string {
	given, family = strings.TrimSpace(given), strings.TrimSpace(family)
	for _, r := range family {
		return strings.TrimSpace(given + " " + string(r) + ".")
	}
	return given
}

// contactFor gives the ways the person agreed to be contacted, with the detail each needs.
func contactFor(methods, phone, email string) *Contact {
	k := &Contact{}
	for m := range strings.SplitSeq(methods, ",") {
		switch cm := person.ContactMethod(strings.TrimSpace(m)); cm {
		case person.ByPhone, person.BySMS:
			k.Methods, k.Phone = append(k.Methods, cm), phone
		case person.ByEmail:
			k.Methods, k.Email = append(k.Methods, cm), email
		case person.ByLetter:
			k.Methods = append(k.Methods, cm)
		}
	}
	if len(k.Methods) == 0 {
		return nil
	}
	return k
}

// auditRead records that a provider saw a connection, as a read of the person's record.
func auditRead(ctx context.Context, c store.Conn, actor audit.Actor, r connectionRow, basis string) error {
	return audit.Record(ctx, c, actor, audit.Event{Action: "person.view", RecordType: "person", RecordID: audit.RecordID(r.personID),
		Detail: fmt.Sprintf("basis=%s connection=%d case=%d", basis, r.ID, r.caseID)})
}
