package notify

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func twoUsers(t *testing.T, db *store.DB) (a, b int64) {
	t.Helper()
	ctx := context.Background()
	org, err := organisation.NewService(db).Create(ctx, audit.System, organisation.Input{Name: "Riverside PCN", Type: organisation.PCN, ODSCode: "U90001"})
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{}
	for _, email := range []string{"ann@example.nhs.uk", "bob@example.nhs.uk"} {
		u, err := account.NewService(db).CreateUser(ctx, audit.System, account.UserInput{Email: email, Name: email[:3],
			Password: "a-long-enough-password", OrganisationID: org.ID, Roles: []account.Role{account.LinkWorker}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	return ids[0], ids[1]
}

func TestNotificationsInTheCallersTransaction(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ann, bob := twoUsers(t, db)
		inbox := NewInbox(db)
		err := db.Tx(ctx, func(c store.Conn) error {
			if err := Notify(ctx, c, ann, "test.kind", "Something happened", "/cases/1"); err != nil {
				return err
			}
			return errors.New("the change failed")
		})
		if err == nil {
			t.Fatal("the transaction should have failed")
		}
		if got, _ := inbox.Unread(ctx, ann); len(got) != 0 {
			t.Errorf("a rolled-back notification survived: %+v", got)
		}
		if err := db.Tx(ctx, func(c store.Conn) error { return Notify(ctx, c, ann, "test.kind", "x", "https://evil.example") }); err == nil {
			t.Error("a link outside Linkwell was accepted")
		}
		err = db.Tx(ctx, func(c store.Conn) error {
			for _, subject := range []string{"First", "Second"} {
				if err := Notify(ctx, c, ann, "test.kind", subject, "/cases/1"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := inbox.Unread(ctx, ann)
		if err != nil || len(got) != 2 || got[0].Subject != "Second" || got[0].Kind != "test.kind" || got[0].ReadAt != nil {
			t.Fatalf("unread: %+v, %v", got, err)
		}
		if err := inbox.MarkRead(ctx, bob, got[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("marking someone else's notification read: %v", err)
		}
		if err := inbox.MarkRead(ctx, ann, got[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := inbox.MarkRead(ctx, ann, got[0].ID); err != nil {
			t.Errorf("marking read twice: %v", err)
		}
		if left, _ := inbox.Unread(ctx, ann); len(left) != 1 || left[0].Subject != "First" {
			t.Errorf("unread after marking one: %+v", left)
		}
		if err := inbox.MarkAllRead(ctx, ann); err != nil {
			t.Fatal(err)
		}
		if left, _ := inbox.Unread(ctx, ann); len(left) != 0 {
			t.Errorf("unread after marking all: %+v", left)
		}
	})
}

type failingMailer struct{ tried int }

func (f *failingMailer) Send(context.Context, Email) error {
	f.tried++
	return errors.New("smtp: connection refused")
}

func TestLogMailerLogsNoPersonalData(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var out Outbox
	out.Add(Email{UserID: 42, Kind: "safeguarding.concern", To: "ann@example.nhs.uk", Subject: "About Mrs Jones", Body: "Mrs Jones, 12 High St"})
	out.Send(context.Background(), LogMailer{Log: log}, log)
	got := buf.String()
	if !strings.Contains(got, "kind=safeguarding.concern") || !strings.Contains(got, "user_id=42") {
		t.Errorf("log does not say what went to whom: %s", got)
	}
	for _, secret := range []string{"ann@", "Jones", "High St"} {
		if strings.Contains(got, secret) {
			t.Errorf("log holds %q: %s", secret, got)
		}
	}
	if out.Len() != 0 {
		t.Errorf("outbox not emptied: %d left", out.Len())
	}
}

func TestFailedSendIsLoggedAndTheRestStillGo(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var out Outbox
	out.Add(Email{UserID: 1, Kind: "k", To: "a@example.nhs.uk"})
	out.Add(Email{UserID: 2, Kind: "k", To: "b@example.nhs.uk"})
	m := &failingMailer{}
	out.Send(context.Background(), m, log)
	if m.tried != 2 || strings.Count(buf.String(), "email not sent") != 2 {
		t.Errorf("tried %d sends; log: %s", m.tried, buf.String())
	}
}

func TestDirMailerWritesEachEmailToItsOwnFile(t *testing.T) {
	dir := t.TempDir() + "/mail"
	m := DirMailer{Dir: dir}
	for _, subject := range []string{"First", "Second\r\nBcc: someone@example.org"} {
		if err := m.Send(context.Background(), Email{Kind: "provider.link", To: "group@example.org", Subject: subject, Body: "Open this link"}); err != nil {
			t.Fatal(err)
		}
	}
	files, err := os.ReadDir(dir)
	if err != nil || len(files) != 2 {
		t.Fatalf("%d files (%v), want 2", len(files), err)
	}
	var all string
	for _, f := range files {
		if !strings.Contains(f.Name(), "provider-link") || !strings.HasSuffix(f.Name(), ".eml") {
			t.Errorf("file name %q", f.Name())
		}
		b, _ := os.ReadFile(dir + "/" + f.Name())
		all += string(b)
	}
	if !strings.Contains(all, "To: group@example.org\r\nSubject: First\r\n") || strings.Contains(all, "\nBcc:") || !strings.Contains(all, "\r\n\r\nOpen this link") {
		t.Errorf("files hold %q", all)
	}
}
