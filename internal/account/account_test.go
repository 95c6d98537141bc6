package account

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=3,p=1$") {
		t.Errorf("hash %q does not carry OWASP-level Argon2id parameters", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batter": false, "": false} {
		if ok, err := CheckPassword(h, pw); err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := CheckPassword("$2a$10$bcrypt-not-argon", "x"); err == nil {
		t.Error("a non-Argon2id hash was accepted")
	}
}

func TestThrottleSlowsAttackersButNeverLocksOut(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	th := NewThrottle()
	th.now = func() time.Time { return now }
	for range 5 {
		if w := th.Wait("a@x.nhs.uk", "10.0.0.1"); w != 0 {
			t.Fatalf("waiting %v within the free attempts", w)
		}
		th.Fail("a@x.nhs.uk", "10.0.0.1")
	}
	th.Fail("a@x.nhs.uk", "10.0.0.1")
	if w := th.Wait("a@x.nhs.uk", "10.0.0.1"); w != time.Second {
		t.Errorf("after 6 failures wait %v, want 1s", w)
	}
	th.Fail("a@x.nhs.uk", "10.0.0.1")
	if w := th.Wait("a@x.nhs.uk", "10.0.0.1"); w != 2*time.Second {
		t.Errorf("after 7 failures wait %v, want 2s (doubling)", w)
	}
	if w := th.Wait("a@x.nhs.uk", "192.0.2.7"); w != 0 {
		t.Errorf("the real user from another address waits %v, want 0", w)
	}
	// A spray from many addresses slows the account gently, never for long.
	for i := range 40 {
		th.Fail("b@x.nhs.uk", "198.51.100."+string(rune('a'+i%26)))
	}
	if w := th.Wait("b@x.nhs.uk", "203.0.113.9"); w == 0 || w > 30*time.Second {
		t.Errorf("after a spray the account waits %v, want between 0 and 30s", w)
	}
	now = now.Add(20 * time.Minute)
	if w := th.Wait("a@x.nhs.uk", "10.0.0.1"); w != 0 {
		t.Errorf("after the window, wait %v", w)
	}
}

func newTestService(t *testing.T) (*Service, *store.DB) {
	t.Helper()
	db := storetest.SQLite(t)
	return NewService(db), db
}

func createUser(t *testing.T, s *Service, email string, roles ...Role) User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), audit.System, UserInput{Email: email, Name: "Test User", Password: "a-long-enough-password", Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUserValidation(t *testing.T) {
	cases := []struct {
		in    UserInput
		field string
	}{
		{UserInput{Name: "A", Password: "a-long-enough-password", Roles: []Role{Administrator}}, "email"},
		{UserInput{Email: "not an email", Name: "A", Password: "a-long-enough-password", Roles: []Role{Administrator}}, "email"},
		{UserInput{Email: "a@b.nhs.uk", Password: "a-long-enough-password", Roles: []Role{Administrator}}, "name"},
		{UserInput{Email: "a@b.nhs.uk", Name: "A", Password: "short", Roles: []Role{Administrator}}, "password"},
		{UserInput{Email: "a@b.nhs.uk", Name: "A", Password: "a-long-enough-password"}, "roles"},
		{UserInput{Email: "a@b.nhs.uk", Name: "A", Password: "a-long-enough-password", Roles: []Role{"wizard"}}, "roles"},
		{UserInput{Email: "a@b.nhs.uk", Name: "A", Password: "a-long-enough-password", Roles: []Role{LinkWorker}}, "organisation"},
	}
	for _, c := range cases {
		err := c.in.Validate(true)
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.Invalid {
			t.Errorf("%+v: %v, want invalid", c.in, err)
			continue
		}
		found := false
		for _, f := range ae.Fields {
			found = found || f.Field == c.field
		}
		if !found {
			t.Errorf("%+v: fields %+v lack %q", c.in, ae.Fields, c.field)
		}
	}
}

func TestSignInSessionsAndTimeouts(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := NewService(db)
		u := createUser(t, s, "worker@example.nhs.uk", Administrator)

		_, err := s.SignIn(ctx, "worker@example.nhs.uk", "wrong password!", "10.0.0.1")
		_, err2 := s.SignIn(ctx, "nobody@example.nhs.uk", "wrong password!", "10.0.0.1")
		if err == nil || err2 == nil || err.Error() != err2.Error() {
			t.Fatalf("wrong password %v and unknown account %v must give the same answer", err, err2)
		}
		res, err := s.SignIn(ctx, " Worker@Example.NHS.uk ", "a-long-enough-password", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		sess, got, err := s.Authenticate(ctx, res.Token)
		if err != nil || got.ID != u.ID || !sess.MFAPassed {
			t.Fatalf("Authenticate = %+v, %+v, %v", sess, got, err)
		}
		if _, _, err := s.Authenticate(ctx, res.Token+"x"); !apperr.Is(err, apperr.Unauthorised) {
			t.Errorf("forged token: %v", err)
		}

		// Idle for 31 minutes: the session has ended, and stays ended.
		s.now = func() time.Time { return time.Now().Add(31 * time.Minute) }
		if _, _, err := s.Authenticate(ctx, res.Token); !apperr.Is(err, apperr.Unauthorised) {
			t.Errorf("after 31 idle minutes: %v, want unauthorised", err)
		}
		s.now = time.Now
		if _, _, err := s.Authenticate(ctx, res.Token); !apperr.Is(err, apperr.Unauthorised) {
			t.Errorf("an expired session came back: %v", err)
		}

		// Disabling a user ends their sessions at once.
		res, _ = s.SignIn(ctx, "worker@example.nhs.uk", "a-long-enough-password", "10.0.0.1")
		other := createUser(t, s, "admin@example.nhs.uk", Administrator)
		if err := s.SetDisabled(ctx, Actor(other, "10.0.0.2"), u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Authenticate(ctx, res.Token); !apperr.Is(err, apperr.Unauthorised) {
			t.Errorf("disabled user's session still works: %v", err)
		}
		if _, err := s.SignIn(ctx, "worker@example.nhs.uk", "a-long-enough-password", "10.0.0.3"); !apperr.Is(err, apperr.Unauthorised) {
			t.Errorf("disabled user signed in: %v", err)
		}
		if err := s.SetDisabled(ctx, Actor(other, "10.0.0.2"), other.ID, true); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("disabling yourself: %v, want invalid", err)
		}
		// Two failures: the wrong password, and the attempt after the account was disabled.
		page, err := audit.List(ctx, db, audit.Filter{RecordType: "user", RecordID: audit.RecordID(u.ID)})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range page.Entries {
			actions[e.Action]++
		}
		if actions["signin"] != 2 || actions["signin.failed"] != 2 || actions["user.disable"] != 1 || actions["user.create"] != 1 {
			t.Errorf("audit actions for the user: %v", actions)
		}
	})
}

func TestAbsoluteTimeout(t *testing.T) {
	s := Session{CreatedAt: time.Unix(0, 0), LastSeenAt: time.Unix(0, 0).Add(11*time.Hour + 50*time.Minute)}
	if got := s.ExpiresAt(); !got.Equal(time.Unix(0, 0).Add(12 * time.Hour)) {
		t.Errorf("an active session expires at %v, want 12 hours after it began", got)
	}
	s.LastSeenAt = time.Unix(0, 0).Add(time.Hour)
	if got := s.ExpiresAt(); !got.Equal(time.Unix(0, 0).Add(90 * time.Minute)) {
		t.Errorf("idle session expires at %v, want 30 minutes after last seen", got)
	}
}

func TestOptimisticLockingOnUsers(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestService(t)
	u := createUser(t, s, "edit@example.nhs.uk", Administrator)
	in := UserInput{Email: u.Email, Name: "First Edit", Roles: u.Roles, Version: u.Version}
	if _, err := s.UpdateUser(ctx, audit.System, u.ID, in); err != nil {
		t.Fatal(err)
	}
	in.Name = "Second Edit"
	if _, err := s.UpdateUser(ctx, audit.System, u.ID, in); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("stale version: %v, want conflict", err)
	}
	got, _ := s.User(ctx, u.ID)
	if got.Name != "First Edit" {
		t.Errorf("name is %q after a refused edit", got.Name)
	}
}
