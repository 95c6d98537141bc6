package provider

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestOneOrganisationKeepsADirectoryOrganisationsListings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		kept, err := w.providers.Kept(ctx, w.charity.ID)
		if err != nil || len(kept) != 1 || kept[0].ID != walkersOrg || kept[0].Source != feedSource || kept[0].Services != 1 {
			t.Fatalf("kept: %+v, %v", kept, err)
		}
		found, err := w.providers.FindDirectoryOrgs(ctx, "CHOIR")
		if err != nil || len(found) != 1 || found[0].ID != choirOrg || found[0].KeptBy != 0 {
			t.Errorf("find choir: %+v, %v", found, err)
		}
		if found, _ := w.providers.FindDirectoryOrgs(ctx, "%"); len(found) != 0 {
			t.Errorf("a percent sign is matched literally, found %+v", found)
		}
		if err := w.providers.Link(ctx, audit.System, w.ot.OrganisationID, walkersOrg); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a second keeper: %v, want a conflict", err)
		}
		if err := w.providers.Link(ctx, audit.System, w.charity.ID, "00000000-0000-4000-8000-000000000999"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an unknown directory organisation: %v", err)
		}
		keepers, err := w.providers.Keepers(ctx, walkService)
		if err != nil || !slices.Equal(keepers, []int64{w.charity.ID}) {
			t.Errorf("keepers of the walk: %v, %v", keepers, err)
		}
		listings, err := w.providers.Listings(ctx, w.charity.ID)
		if err != nil || len(listings) != 1 || listings[0].ID != walkService {
			t.Errorf("the charity's listings: %+v, %v", listings, err)
		}
		if err := w.providers.Unlink(ctx, audit.System, w.charity.ID, walkersOrg); err != nil {
			t.Fatal(err)
		}
		if err := w.providers.Unlink(ctx, audit.System, w.charity.ID, walkersOrg); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unlinking twice: %v", err)
		}
		if keepers, _ := w.providers.Keepers(ctx, walkService); len(keepers) != 0 {
			t.Errorf("keepers after unlinking: %v", keepers)
		}
		if audits(t, db, "provider.link", walkersOrg) != 1 || audits(t, db, "provider.unlink", walkersOrg) != 1 {
			t.Errorf("linking and unlinking were not audited")
		}
	})
}

func TestAProviderSeesOnlyWhatItsConnectionsNeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		grace := account.Actor(w.provider, "test")
		w.connect(t, walkService, casework.ConnSuggested)
		referred := w.connect(t, walkService, casework.ConnReferred)
		w.connect(t, choirSvc, casework.ConnReferred)

		list, err := w.providers.Connections(ctx, grace, w.charity.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("connections: %+v, %v; want only the referred walk", list, err)
		}
		cn := list[0]
		if cn.ID != referred.ID || cn.Person != "Margaret O." || cn.ReferredBy != "Sarah Okafor" || cn.ServiceName != "Riverside Health Walk" ||
			cn.FirstSessionHelp != "I will meet her there" || cn.Contact != nil || cn.ReferredAt.IsZero() ||
			!slices.Equal(cn.Answers, []casework.ProviderAnswer{casework.ProviderAccept, casework.ProviderDecline}) {
			t.Errorf("the provider sees %+v", cn)
		}
		if n := audits(t, db, "person.view", "basis=provider connection="+itoa(referred.ID)); n != 1 {
			t.Errorf("%d audit entries for the read, want 1", n)
		}

		// Once she agrees to be contacted by providers, the provider sees how.
		people := person.NewService(db)
		if err := people.RecordConsent(ctx, account.Actor(w.ot, "test"), w.personID(t), person.ConsentProviderContact, "given"); err != nil {
			t.Fatal(err)
		}
		list, _ = w.providers.Connections(ctx, grace, w.charity.ID)
		if k := list[0].Contact; k == nil || k.Phone != "07700 900123" || k.Email != "" || !slices.Equal(k.Methods, []person.ContactMethod{person.ByPhone}) {
			t.Errorf("contact with consent: %+v", k)
		}

		// A connection to someone else's service is not found; answers are checked moves.
		other, _ := w.providers.Connections(ctx, grace, w.ot.OrganisationID)
		if len(other) != 0 {
			t.Errorf("an organisation that keeps nothing sees %+v", other)
		}
		choir := w.connect(t, choirSvc, casework.ConnReferred)
		if err := w.providers.Answer(ctx, grace, w.charity.ID, choir.ID, casework.ProviderAccept, "", choir.Version); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("answering for another's service: %v", err)
		}
		if err := w.providers.Answer(ctx, grace, w.charity.ID, referred.ID, casework.ProviderAccept, "", referred.Version); err != nil {
			t.Fatal(err)
		}
		list, _ = w.providers.Connections(ctx, grace, w.charity.ID)
		if list[0].Status != casework.ConnAccepted || !slices.Equal(list[0].Answers, []casework.ProviderAnswer{casework.ProviderAttended}) {
			t.Errorf("after accepting: %+v", list[0])
		}
	})
}

var linkPattern = regexp.MustCompile(`https://linkwell\.example/provider-link/([A-Za-z0-9_-]{43})\b`)

// tokenIn finds the token in the one email sent most recently.
func tokenIn(t *testing.T, m *mailbox) string {
	t.Helper()
	if len(m.sent) == 0 {
		t.Fatal("no email was sent")
	}
	match := linkPattern.FindStringSubmatch(m.sent[len(m.sent)-1].Body)
	if match == nil {
		t.Fatalf("no link in %q", m.sent[len(m.sent)-1].Body)
	}
	return match[1]
}

func TestASingleUseLinkAnswersOneStepOfOneConnection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		mail := &mailbox{}
		w.connect(t, walkService, casework.ConnReferred) // kept by a charity with an account: no link
		w.connect(t, choirSvc, casework.ConnSuggested)   // not referred yet: no link
		cn := w.connect(t, choirSvc, casework.ConnReferred)
		n, err := w.providers.SendLinks(ctx, mail, "https://linkwell.example/")
		if err != nil || n != 1 || len(mail.sent) != 1 {
			t.Fatalf("sent %d (%v): %+v", n, err, mail.sent)
		}
		e := mail.sent[0]
		if e.To != "sing@example.org" || e.Kind != KindLink || e.UserID != 0 || !strings.Contains(e.Subject, "Riverside Community Choir") {
			t.Errorf("email: %+v", e)
		}
		if strings.Contains(e.Subject+e.Body, "Margaret") || strings.Contains(e.Subject+e.Body, "Okonkwo") {
			t.Errorf("the email names the person: %q", e.Body)
		}
		token := tokenIn(t, mail)
		var stored string
		db.Reader().QueryRow(ctx, `SELECT token_hash FROM provider_links`).Scan(&stored)
		if stored == "" || strings.Contains(stored, token) || stored != hashToken(token) {
			t.Errorf("the database holds %q for token %q: want only its hash", stored, token)
		}
		if n, _ := w.providers.SendLinks(ctx, mail, "https://linkwell.example"); n != 0 {
			t.Errorf("a second sweep sent %d more", n)
		}

		anon := audit.Actor{Label: "provider link", Address: "192.0.2.1"}
		seen, err := w.providers.OpenLink(ctx, anon, token)
		if err != nil || seen.ID != cn.ID || seen.Person != "Margaret O." || seen.ServiceName != "Riverside Community Choir" {
			t.Fatalf("opening the link: %+v, %v", seen, err)
		}
		if audits(t, db, "person.view", "basis=provider_link connection="+itoa(cn.ID)) != 1 {
			t.Errorf("opening the link was not audited")
		}
		wrong := token[:42] + map[bool]string{true: "B", false: "A"}[token[42] == 'A']
		if _, err := w.providers.OpenLink(ctx, anon, wrong); !errors.Is(err, ErrLinkUnknown) {
			t.Errorf("a wrong token: %v", err)
		}
		if _, err := w.providers.AnswerLink(ctx, anon, token, casework.ProviderAttended, "", seen.Version); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("confirming a session through a link to accept: %v", err)
		}
		if _, err := w.providers.AnswerLink(ctx, anon, token, casework.ProviderAccept, "", seen.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := w.providers.AnswerLink(ctx, anon, token, casework.ProviderDecline, "Changed our minds", seen.Version+1); !errors.Is(err, ErrLinkUsed) {
			t.Errorf("using the link again: %v, want ErrLinkUsed", err)
		}
		if _, err := w.providers.OpenLink(ctx, anon, token); !errors.Is(err, ErrLinkUsed) {
			t.Errorf("opening a used link: %v", err)
		}

		// Accepted: the next link asks for the first session, and expires after 14 days.
		if n, err := w.providers.SendLinks(ctx, mail, "https://linkwell.example", cn.ID); n != 1 || err != nil {
			t.Fatalf("the attendance link: %d, %v", n, err)
		}
		next := tokenIn(t, mail)
		if !strings.Contains(mail.sent[1].Body, "first session") || next == token {
			t.Errorf("second email: %q", mail.sent[1].Body)
		}
		w.providers.now = func() time.Time { return time.Now().Add(LinkLifetime + time.Hour) }
		if _, err := w.providers.OpenLink(ctx, anon, next); !errors.Is(err, ErrLinkExpired) {
			t.Errorf("an expired link: %v", err)
		}
		if _, err := w.providers.AnswerLink(ctx, anon, next, casework.ProviderAttended, "", seen.Version+1); !errors.Is(err, ErrLinkExpired) {
			t.Errorf("answering through an expired link: %v", err)
		}
		w.providers.now = time.Now
		if _, err := w.providers.AnswerLink(ctx, anon, next, casework.ProviderAttended, "", seen.Version+1); err != nil {
			t.Fatal(err)
		}
		all, _ := w.cases.Connections(ctx, w.caseID)
		for _, c := range all {
			if c.ID == cn.ID && c.Status != casework.ConnFirstAttended {
				t.Errorf("after the links the connection is %s", c.Status)
			}
		}
	})
}

func TestALinkOutlivedByTheConnectionOrTheMailIsNotUsed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		mail := &mailbox{failing: true}
		cn := w.connect(t, choirSvc, casework.ConnReferred)
		if n, err := w.providers.SendLinks(ctx, mail, "https://linkwell.example"); n != 0 || err == nil {
			t.Fatalf("with the mail server down: %d sent, %v", n, err)
		}
		var links int
		db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM provider_links`).Scan(&links)
		if links != 0 {
			t.Errorf("%d links kept whose email failed", links)
		}
		mail.failing = false
		if n, err := w.providers.SendLinks(ctx, mail, "https://linkwell.example"); n != 1 || err != nil {
			t.Fatalf("once the mail server is back: %d, %v", n, err)
		}
		token := tokenIn(t, mail)
		// The worker hears from the choir by phone and records the decline themselves.
		if err := w.cases.MoveConnection(ctx, account.Actor(w.ot, "test"), cn.ID, casework.ConnNoCapacity, "Phoned: full", cn.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := w.providers.OpenLink(ctx, audit.System, token); !errors.Is(err, ErrLinkOutdated) {
			t.Errorf("a link the connection has moved past: %v", err)
		}
		if _, err := w.providers.AnswerLink(ctx, audit.System, token, casework.ProviderAccept, "", cn.Version+1); !errors.Is(err, ErrLinkOutdated) {
			t.Errorf("answering through it: %v", err)
		}
	})
}

// Keep notify imported for the mailbox's interface check.
var _ notify.Mailer = (*mailbox)(nil)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
