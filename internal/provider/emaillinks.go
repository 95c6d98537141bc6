package provider

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/store"
)

// A provider with no Linkwell account hears of a connection by email: a single-use link, sent
// to the service's own published address, opens a page about that one connection where they
// accept or decline it, or later confirm the first session. Each link answers one move of one
// connection (into referred, then into accepted); it works until it is used, until LinkLifetime
// has passed, or until the connection moves on some other way, whichever comes first. Only the
// token's SHA-256 is kept, so the database alone cannot open a link.

// LinkLifetime is how long an emailed link works.
const LinkLifetime = 14 * 24 * time.Hour

// KindLink is the email kind of a single-use link to a provider.
const KindLink notify.Kind = "provider.link"

// The ways a link can fail to open, each with a message for the person who followed it.
var (
	ErrLinkUnknown  = apperr.New(apperr.NotFound, "This link is not right. Check you copied the whole web address from the email.")
	ErrLinkExpired  = apperr.New(apperr.NotFound, "This link has expired. Links work for 14 days. Contact the person who referred them if you still need to answer.")
	ErrLinkUsed     = apperr.New(apperr.NotFound, "This link has already been used, so it cannot be used again. Thank you for answering.")
	ErrLinkOutdated = apperr.New(apperr.NotFound, "This referral has changed since the link was sent, so there is nothing to answer here. We will email you if anything else is needed.")
)

// linkCandidate is a connection waiting for a provider with no account, for one of its moves.
type linkCandidate struct {
	connectionID, changeID, caseID int64
	status                         casework.ConnectionStatus
	serviceID                      string
}

// SendLinks emails a single-use link for each connection (of those named, or every one when
// none is named) that waits for the answer of a provider with no account: referred, for
// accepting or declining, or accepted, for confirming the first session. A service with no
// email address gets none. Each link is recorded before its email goes; one whose email fails
// is forgotten again, so that the next call tries again. It returns how many were sent.
func (s *Service) SendLinks(ctx context.Context, mailer notify.Mailer, baseURL string, connectionIDs ...int64) (int, error) {
	cands, err := s.linkCandidates(ctx, connectionIDs)
	if err != nil || len(cands) == 0 {
		return 0, err
	}
	ids := make([]string, len(cands))
	for i, c := range cands {
		ids[i] = c.serviceID
	}
	services, err := s.dir.GetServices(ctx, directory.Practitioners, ids)
	if err != nil {
		return 0, err
	}
	sent := 0
	var errs []error
	for _, cand := range cands {
		sv := services[cand.serviceID]
		to := serviceEmail(sv)
		if to == "" {
			continue
		}
		token, linkID, err := s.issueLink(ctx, cand, to)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if linkID == 0 {
			continue // sent meanwhile by someone else
		}
		if err := mailer.Send(ctx, linkEmail(sv.Name, cand.status, strings.TrimRight(baseURL, "/")+"/provider-link/"+token,
			s.now().Add(LinkLifetime), to)); err != nil {
			errs = append(errs, fmt.Errorf("send link for connection %d: %w", cand.connectionID, err))
			_, err := s.db.Exec(ctx, `DELETE FROM provider_links WHERE id = ?`, linkID)
			errs = append(errs, err)
			continue
		}
		sent++
	}
	return sent, apperr.Wrap("send provider links", errors.Join(errs...))
}

func (s *Service) linkCandidates(ctx context.Context, connectionIDs []int64) ([]linkCandidate, error) {
	q := `SELECT cn.id, h.id, cn.case_id, cn.status, s.id FROM connections cn
		JOIN connection_changes h ON h.id = (SELECT MAX(h2.id) FROM connection_changes h2 WHERE h2.connection_id = cn.id)
		JOIN dir_services s ON s.pk = cn.directory_service_id
		JOIN cases k ON k.id = cn.case_id
		WHERE cn.status IN (?, ?) AND k.status <> ?
		AND NOT EXISTS (SELECT 1 FROM provider_links pl WHERE pl.change_id = h.id)
		AND NOT EXISTS (SELECT 1 FROM org_directory_links l JOIN users u ON u.organisation_id = l.organisation_id
			JOIN user_roles r ON r.user_id = u.id AND r.role = ?
			WHERE l.dir_source = s.source AND l.dir_organization_id = s.organization_id AND u.disabled_at IS NULL)`
	args := []any{casework.ConnReferred, casework.ConnAccepted, casework.Closed, account.CommunityProvider}
	if len(connectionIDs) > 0 {
		q += ` AND cn.id IN ` + store.In(len(connectionIDs))
		for _, id := range connectionIDs {
			args = append(args, id)
		}
	}
	rows, err := s.db.Reader().Query(ctx, q+` ORDER BY cn.id`, args...)
	if err != nil {
		return nil, apperr.Wrap("links to send", err)
	}
	defer rows.Close()
	var out []linkCandidate
	for rows.Next() {
		var c linkCandidate
		if err := rows.Scan(&c.connectionID, &c.changeID, &c.caseID, &c.status, &c.serviceID); err != nil {
			return nil, apperr.Wrap("links to send", err)
		}
		out = append(out, c)
	}
	return out, apperr.Wrap("links to send", rows.Err())
}

// serviceEmail is where a service takes email: its own address, else its public contact's,
// else its organisation's.
func serviceEmail(sv directory.Service) string {
	if sv.Email != "" {
		return sv.Email
	}
	for _, k := range sv.Contacts {
		if !k.InternalOnly && k.Email != "" {
			return k.Email
		}
	}
	if sv.Organization != nil {
		return sv.Organization.Email
	}
	return ""
}

// issueLink records a new link for a candidate and returns its token, or a zero id when a link
// for that move exists already.
func (s *Service) issueLink(ctx context.Context, cand linkCandidate, to string) (string, int64, error) {
	var raw [32]byte
	rand.Read(raw[:]) // never fails (crypto/rand panics rather than return an error)
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	var id int64
	err := s.db.Tx(ctx, func(c store.Conn) error {
		now := store.Now()
		err := c.QueryRow(ctx, `INSERT INTO provider_links (token_hash, connection_id, change_id, sent_to, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, hashToken(token), cand.connectionID, cand.changeID, to, now,
			s.now().Add(LinkLifetime).UTC()).Scan(&id)
		if store.IsUniqueViolation(err) {
			id = 0
			return nil
		}
		if err != nil {
			return fmt.Errorf("record link: %w", err)
		}
		return audit.Record(ctx, c, audit.System, audit.Event{Action: "provider.link_send", RecordType: "case",
			RecordID: audit.RecordID(cand.caseID), Detail: fmt.Sprintf("connection=%d status=%s", cand.connectionID, cand.status)})
	})
	return token, id, apperr.Wrap("issue link", err)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// linkEmail holds nothing about the person: the service's name, what to do, and the link.
func linkEmail(service string, st casework.ConnectionStatus, link string, expires time.Time, to string) notify.Email {
	subject, ask := "Linkwell: a new referral to "+service, "see the referral and accept or decline it"
	if st == casework.ConnAccepted {
		subject, ask = "Linkwell: tell us when someone comes to "+service, "confirm when they come to their first session"
	}
	return notify.Email{Kind: KindLink, To: to, Subject: subject, Body: "A social prescribing worker has referred someone to " +
		service + " through Linkwell.\n\nOpen this link to " + ask + ":\n" + link + "\n\nThe link works once, until " +
		expires.Format("2 January 2006") + ". It shows only what you need to know about this one referral.\n" +
		"If you were not expecting this email, you can ignore it."}
}

// link is a stored link, as read when it is followed.
type link struct {
	id, connectionID, changeID int64
	expires                    time.Time
	used                       bool
}

// OpenLink returns the one connection a link is for, auditing the read, or the reason it
// cannot be used.
func (s *Service) OpenLink(ctx context.Context, actor audit.Actor, token string) (Connection, error) {
	var out Connection
	err := s.db.Tx(ctx, func(c store.Conn) error {
		l, err := s.usableLink(ctx, c, token)
		if err != nil {
			return err
		}
		rows, err := queryConnections(ctx, c, ` WHERE cn.id = ?`, l.connectionID)
		if err != nil {
			return err
		}
		if len(rows) != 1 {
			return ErrLinkOutdated
		}
		out = rows[0].Connection
		return auditRead(ctx, c, actor, rows[0], "provider_link")
	})
	return out, apperr.Wrap("open link", err)
}

// AnswerLink records the answer given through a link and spends the link with it, returning
// the connection as it was; a new link follows for the next step (SendLinks).
func (s *Service) AnswerLink(ctx context.Context, actor audit.Actor, token string, a casework.ProviderAnswer, reason string, version int64) (casework.Connection, error) {
	l, err := s.usableLink(ctx, s.db.Reader(), token)
	if err != nil {
		return casework.Connection{}, err
	}
	return s.cases.AnswerAsProvider(ctx, actor, l.connectionID, a, reason, version, func(c store.Conn) error {
		res, err := c.Exec(ctx, `UPDATE provider_links SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?`,
			store.Now(), l.id, s.now().UTC())
		if err != nil {
			return fmt.Errorf("spend link: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrLinkUsed
		}
		return nil
	})
}

// usableLink finds the link with token and checks it may still be used.
func (s *Service) usableLink(ctx context.Context, c store.Conn, token string) (link, error) {
	var l link
	var used sql.NullTime
	err := c.QueryRow(ctx, `SELECT id, connection_id, change_id, expires_at, used_at FROM provider_links WHERE token_hash = ?`,
		hashToken(token)).Scan(&l.id, &l.connectionID, &l.changeID, &l.expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return link{}, ErrLinkUnknown
	}
	if err != nil {
		return link{}, fmt.Errorf("find link: %w", err)
	}
	var latest int64
	if err := c.QueryRow(ctx, `SELECT MAX(id) FROM connection_changes WHERE connection_id = ?`, l.connectionID).Scan(&latest); err != nil {
		return link{}, fmt.Errorf("find link: %w", err)
	}
	switch {
	case used.Valid:
		return link{}, ErrLinkUsed
	case !s.now().Before(l.expires):
		return link{}, ErrLinkExpired
	case latest != l.changeID:
		return link{}, ErrLinkOutdated
	}
	return l, nil
}
