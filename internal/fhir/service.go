// Package fhir is Linkwell's FHIR R4 referral exchange: GP systems and partners' systems send
// referrals as transaction Bundles or BaRS-style messages, follow them through a Task whose
// status moves with the referral and its case, read the message back as a Communication, and
// find the services that take referrals. It speaks for API clients (internal/apiclient), asks
// the access policy what each client's organisation may see, and records through the
// referral, person and casework services, in their transactions.
package fhir

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// Service answers FHIR interactions for API clients.
type Service struct {
	db        *store.DB
	people    *person.Service
	referrals *referral.Service
	cases     *casework.Service
	orgs      *organisation.Service
	policy    *access.Policy
	keys      sealer
	now       func() time.Time
}

// NewService returns a Service over db, recording through the other services.
func NewService(db *store.DB, people *person.Service, referrals *referral.Service, cases *casework.Service,
	orgs *organisation.Service, policy *access.Policy) *Service {
	return &Service{db: db, people: people, referrals: referrals, cases: cases, orgs: orgs, policy: policy, now: time.Now}
}

// Caller is who is asking: the client its token speaks for, and from where.
type Caller struct {
	apiclient.Principal
	Address string
}

func (c Caller) actor() audit.Actor { return c.Client.Actor(c.Address) }

func (c Caller) org() int64 { return c.Client.OrganisationID }

func (s *Service) ids(ctx context.Context) (ids, error) {
	b, err := s.keys.load(ctx, s.db)
	if err != nil {
		return ids{}, apperr.Wrap("fhir ids", err)
	}
	return ids{block: b}, nil
}

// begin checks the caller's scope and loads the ids' key, as every interaction starts.
func (s *Service) begin(ctx context.Context, who Caller, scope apiclient.Scope) (ids, error) {
	if err := s.policy.ClientScope(who.Principal, scope); err != nil {
		return ids{}, err
	}
	return s.ids(ctx)
}

// audit records an interaction against the client and its organisation, in its own
// transaction: reads and searches that change nothing else.
func (s *Service) audit(ctx context.Context, who Caller, action, recordType string, recordID int64, detail string) error {
	id := ""
	if recordID != 0 {
		id = audit.RecordID(recordID)
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		return audit.Record(ctx, c, who.actor(), audit.Event{Action: action, RecordType: recordType, RecordID: id,
			Detail: withOrg(who, detail)})
	})
	return apperr.Wrap("audit "+action, err)
}

// withOrg adds the client's organisation to an audit detail, which never holds personal data.
func withOrg(who Caller, detail string) string {
	d := fmt.Sprintf("organisation=%d", who.org())
	if detail != "" {
		d += " " + detail
	}
	return d
}

func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
