package access

import (
	"log/slog"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/apperr"
)

func principal(org int64, scopes ...apiclient.Scope) apiclient.Principal {
	return apiclient.Principal{Client: apiclient.Client{ID: 7, OrganisationID: org, Scopes: scopes}, Scopes: scopes}
}

func TestClientPolicy(t *testing.T) {
	p := NewPolicy(slog.New(slog.DiscardHandler), nil)
	const gp, pcn, other = 1, 2, 3
	if err := p.ClientScope(principal(gp, apiclient.TaskRead), apiclient.TaskWrite); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("a token without the scope: %v", err)
	}
	if err := p.ClientScope(principal(gp, apiclient.TaskRead), apiclient.TaskRead); err != nil {
		t.Errorf("a token with the scope: %v", err)
	}
	if err := p.ClientScope(apiclient.Principal{}, apiclient.TaskRead); !apperr.Is(err, apperr.Unauthorised) {
		t.Errorf("no client: %v", err)
	}

	open := ReferralParties{RequesterOrgID: gp, PerformerOrgID: pcn, Holding: true}
	done := ReferralParties{RequesterOrgID: gp, PerformerOrgID: pcn, Holding: false}
	for _, c := range []struct {
		name string
		org  int64
		refs []ReferralParties
		want ClientParty
	}{
		{"the service holding the person's referral", pcn, []ReferralParties{open}, Performer},
		{"the service after it let go", pcn, []ReferralParties{done}, NoParty},
		{"the referrer, any time", gp, []ReferralParties{done}, Requester},
		{"a stranger", other, []ReferralParties{open, done}, NoParty},
		{"an organisation referring to its own service, after", pcn, []ReferralParties{{RequesterOrgID: pcn, PerformerOrgID: pcn}}, Requester},
		{"nobody's referrals", gp, nil, NoParty},
	} {
		got, err := p.ClientPerson(principal(c.org), c.refs)
		if got != c.want || (c.want == NoParty) != apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s: %v %v, want %v", c.name, got, err, c.want)
		}
	}

	for _, c := range []struct {
		party ClientParty
		to    string
		ok    bool
	}{
		{Requester, "cancelled", true}, {Requester, "rejected", false}, {Requester, "completed", false},
		{Performer, "cancelled", false}, {Performer, "rejected", true}, {Performer, "on-hold", true}, {NoParty, "cancelled", false},
	} {
		if err := p.ClientMayMove(c.party, c.to); (err == nil) != c.ok {
			t.Errorf("party %d moving to %s: %v, want allowed %v", c.party, c.to, err, c.ok)
		}
	}
}

func TestClientMayNameLead(t *testing.T) {
	p := NewPolicy(slog.New(slog.DiscardHandler), nil)
	const pcn, gp = 2, 1
	disabled := user(pcn, account.LinkWorker)
	now := time.Now()
	disabled.DisabledAt = &now
	for _, tt := range []struct {
		name string
		u    account.User
		want apperr.Kind // 0: allowed
	}{
		{"an OT of the client's organisation", user(pcn, account.OccupationalTherapist), 0},
		{"a link worker of the client's organisation", user(pcn, account.LinkWorker), 0},
		{"an OT of another organisation", user(gp, account.OccupationalTherapist), apperr.NotFound},
		{"a disabled link worker", disabled, apperr.NotFound},
		{"a service lead, who holds no cases", user(pcn, account.ServiceLead), apperr.Invalid},
		{"nobody", account.User{}, apperr.NotFound},
	} {
		err := p.ClientMayNameLead(principal(pcn, apiclient.TaskWrite), tt.u)
		if tt.want == 0 && err != nil || tt.want != 0 && !apperr.Is(err, tt.want) {
			t.Errorf("%s: %v, want kind %v", tt.name, err, tt.want)
		}
	}
}
