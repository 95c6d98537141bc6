package web

import (
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/workforce"
)

// signOff makes the demo supervisor supervise u, if they do not yet, and sign off the
// competences until a year from now.
func (ts *testServer) signOff(t *testing.T, u account.User, codes ...string) {
	t.Helper()
	ctx := t.Context()
	sup := ts.user(t, sfSupervisor)
	if ok, err := ts.Server.Workforce.Supervises(ctx, ts.DB.Reader(), sup.ID, u.ID); err != nil {
		t.Fatal(err)
	} else if !ok {
		lead := ts.user(t, sfServiceLead)
		if u.OrganisationID != lead.OrganisationID {
			lead = ts.user(t, "admin@linkwell.demo")
		}
		if err := ts.Server.Workforce.AddSupervisor(ctx, account.Actor(lead, "test"), lead, u.ID, sup.ID); err != nil {
			t.Fatalf("supervise %s: %v", u.Email, err)
		}
	}
	review := nowInLondon().AddDate(1, 0, 0).Format("2006-01-02")
	for _, code := range codes {
		if err := ts.Server.Workforce.SignOff(ctx, account.Actor(sup, "test"), sup, u.ID, workforce.SignOffInput{Code: code, ReviewOn: review}); err != nil {
			t.Fatalf("sign off %s for %s: %v", code, u.Email, err)
		}
	}
}
