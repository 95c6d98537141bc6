package account

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

const mfaPassword = "correct horse battery staple"

// mfaFixture is a service on a fresh database with a clock the test moves, and one user.
type mfaFixture struct {
	db    *store.DB
	svc   *Service
	clock time.Time
	user  User
}

func newMFAFixture(t *testing.T, db *store.DB) *mfaFixture {
	t.Helper()
	f := &mfaFixture{db: db, clock: time.Now()}
	f.svc = NewService(f.db)
	f.svc.now = func() time.Time { return f.clock }
	u, err := f.svc.CreateUser(t.Context(), audit.System, UserInput{
		Email: "helen.clarke@example.nhs.uk", Name: "Helen Clarke", Password: mfaPassword,
		Roles: []Role{Administrator},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.user = u
	return f
}

func (f *mfaFixture) actor() audit.Actor { return Actor(f.user, "192.0.2.1") }

// tick moves the clock on one TOTP step, so that a new code is due.
func (f *mfaFixture) tick() { f.clock = f.clock.Add(totpPeriod * time.Second) }

func (f *mfaFixture) code(t *testing.T, secret string) string {
	t.Helper()
	code, err := TOTPCode(secret, f.clock)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrol sets up two-step verification and returns the secret and recovery codes.
func (f *mfaFixture) enrol(t *testing.T) (string, []string) {
	t.Helper()
	secret, _, err := f.svc.BeginEnrolment(t.Context(), f.actor(), f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := f.svc.ConfirmEnrolment(t.Context(), f.actor(), f.user.ID, f.code(t, secret))
	if err != nil {
		t.Fatal(err)
	}
	return secret, codes
}

// pendingSession signs in with the password and returns the session that owes its second factor.
func (f *mfaFixture) pendingSession(t *testing.T) Session {
	t.Helper()
	res, err := f.svc.SignIn(t.Context(), f.user.Email, mfaPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if !res.NeedsMFA {
		t.Fatal("sign-in did not ask for the second factor")
	}
	sess, _, err := f.svc.Authenticate(t.Context(), res.Token)
	if err != nil {
		t.Fatal(err)
	}
	if sess.MFAPassed {
		t.Fatal("a session that owes its second factor was marked passed")
	}
	return sess
}

func (f *mfaFixture) auditActions(t *testing.T) []string {
	t.Helper()
	rows, err := f.db.Reader().Query(t.Context(),
		`SELECT action, detail FROM audit_log WHERE record_type = 'user' AND record_id = ? ORDER BY seq`, audit.RecordID(f.user.ID))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var action, detail string
		if err := rows.Scan(&action, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSpace(action+" "+detail))
	}
	return out
}

func wantCodeError(t *testing.T, err error, msg string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || len(ae.Fields) != 1 || ae.Fields[0].Field != "code" || ae.Fields[0].Message != msg {
		t.Fatalf("got %v, want a field error on code: %q", err, msg)
	}
}

var recoveryCodePattern = regexp.MustCompile(`^[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}$`)

func TestMFAEnrolment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newMFAFixture(t, db)
		ctx := t.Context()
		secret, uri, err := f.svc.BeginEnrolment(ctx, f.actor(), f.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if uri != TOTPURI(secret, f.user.Email) {
			t.Errorf("uri %q does not carry the secret and address", uri)
		}
		again, _, err := f.svc.BeginEnrolment(ctx, f.actor(), f.user.ID)
		if err != nil || again != secret {
			t.Errorf("asking again gave a different secret (err %v): a scanned QR code would stop working", err)
		}

		_, err = f.svc.ConfirmEnrolment(ctx, f.actor(), f.user.ID, "")
		wantCodeError(t, err, msgEnterCode)
		_, err = f.svc.ConfirmEnrolment(ctx, f.actor(), f.user.ID, "12345")
		wantCodeError(t, err, msgEnterCode)
		wrong := "000000"
		if wrong == f.code(t, secret) {
			wrong = "111111"
		}
		_, err = f.svc.ConfirmEnrolment(ctx, f.actor(), f.user.ID, wrong)
		wantCodeError(t, err, msgWrongCode)

		code := f.code(t, secret)
		codes, err := f.svc.ConfirmEnrolment(ctx, f.actor(), f.user.ID, code[:3]+" "+code[3:])
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != 10 || len(slices.Compact(slices.Sorted(slices.Values(codes)))) != 10 {
			t.Errorf("got %d recovery codes, want 10 different ones: %v", len(codes), codes)
		}
		for _, c := range codes {
			if !recoveryCodePattern.MatchString(c) {
				t.Errorf("recovery code %q is not xxxx-xxxx-xxxx from the readable alphabet", c)
			}
		}
		u, err := f.svc.User(ctx, f.user.ID)
		if err != nil || !u.MFAEnabled || u.totpSecret != secret {
			t.Fatalf("after enrolment: enabled %v, secret stored %v, err %v", u.MFAEnabled, u.totpSecret == secret, err)
		}
		if left, err := f.svc.RecoveryCodesLeft(ctx, f.user.ID); err != nil || left != 10 {
			t.Errorf("recovery codes left: %d (err %v), want 10", left, err)
		}
		if _, _, err := f.svc.BeginEnrolment(ctx, f.actor(), f.user.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("enrolling twice: got %v, want a conflict", err)
		}
		if got, want := f.auditActions(t), []string{"user.create roles=administrator", "mfa.enrol_start", "mfa.enrol"}; !slices.Equal(got, want) {
			t.Errorf("audit: got %q, want %q", got, want)
		}
	})
}

func TestMFAStoresNoCodeInTheClear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newMFAFixture(t, db)
		_, codes := f.enrol(t)
		var n int
		err := f.db.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM recovery_codes WHERE code_hash = ? OR code_hash = ?`,
			codes[0], tidyCode(codes[0])).Scan(&n)
		if err != nil || n != 0 {
			t.Errorf("a recovery code is stored as typed (n=%d, err %v)", n, err)
		}
		for _, a := range f.auditActions(t) {
			for _, c := range codes {
				if strings.Contains(a, c) || strings.Contains(a, tidyCode(c)) {
					t.Errorf("audit entry %q holds a recovery code", a)
				}
			}
		}
	})
}

func TestMFAVerifySecondFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newMFAFixture(t, db)
		ctx := t.Context()
		secret, _ := f.enrol(t)
		sess := f.pendingSession(t)

		// The code that confirmed enrolment has been used: seeing it must not be enough.
		_, err := f.svc.VerifySecondFactor(ctx, sess, f.code(t, secret), "192.0.2.1")
		wantCodeError(t, err, msgUsedCode)
		_, err = f.svc.VerifySecondFactor(ctx, sess, "abc", "192.0.2.1")
		wantCodeError(t, err, msgEnterCode)

		f.tick()
		token, err := f.svc.VerifySecondFactor(ctx, sess, f.code(t, secret), "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		renewed, _, err := f.svc.Authenticate(ctx, token)
		if err != nil || !renewed.MFAPassed {
			t.Fatalf("the new session: passed %v, err %v", renewed.MFAPassed, err)
		}
		if renewed.TokenHash == sess.TokenHash {
			t.Error("the session token was not renewed")
		}
		if _, err := f.svc.VerifySecondFactor(ctx, sess, f.code(t, secret), "192.0.2.1"); err == nil {
			t.Error("the old session passed the second factor twice")
		}

		// Within the same step, another sign-in cannot reuse the code.
		second := f.pendingSession(t)
		_, err = f.svc.VerifySecondFactor(ctx, second, f.code(t, secret), "192.0.2.1")
		wantCodeError(t, err, msgUsedCode)

		want := []string{"signin.password", "signin.mfa_failed", "signin.mfa method=totp", "signin.mfa_failed",
			"signin.password", "signin.mfa_failed"}
		if got := f.auditActions(t)[3:]; !slices.Equal(got, want) {
			t.Errorf("audit: got %q, want %q", got, want)
		}
	})
}

func TestMFARecoveryCodeWorksOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newMFAFixture(t, db)
		ctx := t.Context()
		_, codes := f.enrol(t)

		// Typed in capitals without hyphens, it is still the code.
		typed := strings.ToUpper(strings.ReplaceAll(codes[3], "-", ""))
		if _, err := f.svc.VerifySecondFactor(ctx, f.pendingSession(t), typed, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.VerifySecondFactor(ctx, f.pendingSession(t), codes[3], "192.0.2.1")
		wantCodeError(t, err, msgWrongCode)
		if left, _ := f.svc.RecoveryCodesLeft(ctx, f.user.ID); left != 9 {
			t.Errorf("recovery codes left: %d, want 9", left)
		}
		actions := f.auditActions(t)
		if !slices.Contains(actions, "signin.recovery_code remaining=9") {
			t.Errorf("audit %q does not record the recovery code's use", actions)
		}
	})
}

func TestMFAWrongCodesAreThrottled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newMFAFixture(t, db)
		ctx := t.Context()
		secret, _ := f.enrol(t)
		f.tick()
		sess := f.pendingSession(t)
		valid := map[string]bool{}
		for d := -1; d <= 1; d++ {
			code, _ := TOTPCode(secret, f.clock.Add(time.Duration(d)*totpPeriod*time.Second))
			valid[code] = true
		}
		var err error
		for i := 0; i < 10 && !apperr.Is(err, apperr.TooMany); i++ {
			guess := strings.Repeat(string(rune('0'+i)), 6)
			if valid[guess] {
				continue
			}
			_, err = f.svc.VerifySecondFactor(ctx, sess, guess, "192.0.2.1")
		}
		if !apperr.Is(err, apperr.TooMany) {
			t.Fatalf("after repeated wrong codes: got %v, want too many attempts", err)
		}
		// A right password does not clear the count of wrong codes.
		fresh := f.pendingSession(t)
		if _, err := f.svc.VerifySecondFactor(ctx, fresh, f.code(t, secret), "192.0.2.1"); !apperr.Is(err, apperr.TooMany) {
			t.Errorf("after signing in again: got %v, want still too many attempts", err)
		}
	})
}

func TestMFARegenerateAndDisable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newMFAFixture(t, db)
		ctx := t.Context()
		_, old := f.enrol(t)
		fresh, err := f.svc.RegenerateRecoveryCodes(ctx, f.actor(), f.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(fresh) != 10 || slices.Contains(fresh, old[0]) {
			t.Fatalf("regenerated codes %v are not ten new ones", fresh)
		}
		_, err = f.svc.VerifySecondFactor(ctx, f.pendingSession(t), old[0], "192.0.2.1")
		wantCodeError(t, err, msgWrongCode)
		if _, err := f.svc.VerifySecondFactor(ctx, f.pendingSession(t), fresh[0], "192.0.2.1"); err != nil {
			t.Fatalf("a regenerated code: %v", err)
		}

		if err := f.svc.DisableMFA(ctx, audit.System, f.user.ID); err != nil {
			t.Fatal(err)
		}
		u, _ := f.svc.User(ctx, f.user.ID)
		if u.MFAEnabled || u.totpSecret != "" {
			t.Error("two-step verification is still on after disabling it")
		}
		var sessions, codes int
		f.db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, f.user.ID).Scan(&sessions)
		f.db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?`, f.user.ID).Scan(&codes)
		if sessions != 0 || codes != 0 {
			t.Errorf("after disabling: %d sessions and %d recovery codes remain, want none", sessions, codes)
		}
		if _, err := f.svc.RegenerateRecoveryCodes(ctx, f.actor(), f.user.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("recovery codes without two-step verification: got %v, want a conflict", err)
		}
		res, err := f.svc.SignIn(ctx, f.user.Email, mfaPassword, "192.0.2.1")
		if err != nil || res.NeedsMFA {
			t.Errorf("sign-in after disabling: needs MFA %v, err %v", res.NeedsMFA, err)
		}
		actions := f.auditActions(t)
		for _, want := range []string{"mfa.recovery_codes", "mfa.disable"} {
			if !slices.Contains(actions, want) {
				t.Errorf("audit %q has no %s", actions, want)
			}
		}
	})
}

func TestMFADisableUnknownUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newMFAFixture(t, db)
		err := f.svc.DisableMFA(t.Context(), audit.System, f.user.ID+100)
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("got %v, want not found", err)
		}
	})
}
