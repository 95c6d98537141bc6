package account

import (
	"strings"
	"testing"
	"time"
)

// The SHA-1 test vectors of RFC 6238 Appendix B, which use 8 digits.
func TestTOTPRFC6238Vectors(t *testing.T) {
	key := []byte("12345678901234567890")
	tests := []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		step := totpStep(time.Unix(tt.unix, 0))
		if got := hotp(key, uint64(step), 8); got != tt.want {
			t.Errorf("T=%d: got %s, want %s", tt.unix, got, tt.want)
		}
	}
}

func TestTOTPCodeFromBase32Secret(t *testing.T) {
	secret := totpEncoding.EncodeToString([]byte("12345678901234567890"))
	// The 6-digit code is the 8-digit vector's last six digits.
	got, err := TOTPCode(strings.ToLower(secret[:8])+" "+secret[8:], time.Unix(59, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got != "287082" {
		t.Errorf("got %s, want 287082", got)
	}
	if _, err := TOTPCode("not base32!", time.Unix(59, 0)); err == nil {
		t.Error("a secret that is not base32 was accepted")
	}
}

func TestNewTOTPSecret(t *testing.T) {
	a, err := newTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newTOTPSecret()
	key, err := decodeTOTPSecret(a)
	if err != nil || len(key) != 20 || len(a) != 32 || a == b {
		t.Errorf("secret %q (key %d bytes, err %v) is not 20 fresh random bytes in base32", a, len(key), err)
	}
}

func TestTOTPURI(t *testing.T) {
	got := TOTPURI("JBSWY3DPEHPK3PXP", "sarah.okafor@example.nhs.uk")
	want := "otpauth://totp/Linkwell:sarah.okafor@example.nhs.uk?secret=JBSWY3DPEHPK3PXP&issuer=Linkwell&algorithm=SHA1&digits=6&period=30"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestMatchTOTPDriftWindow(t *testing.T) {
	key := []byte("12345678901234567890")
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name   string
		offset time.Duration
		want   totpResult
	}{
		{"now", 0, totpAccepted},
		{"one step behind", -30 * time.Second, totpAccepted},
		{"one step ahead", 30 * time.Second, totpAccepted},
		{"two steps behind", -60 * time.Second, totpWrong},
		{"two steps ahead", 60 * time.Second, totpWrong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := now.Add(tt.offset)
			code := hotp(key, uint64(totpStep(at)), totpDigits)
			step, got := matchTOTP(key, code, now, 0)
			if got != tt.want {
				t.Fatalf("got result %d, want %d", got, tt.want)
			}
			if got == totpAccepted && step != totpStep(at) {
				t.Errorf("accepted step %d, want %d", step, totpStep(at))
			}
		})
	}
	valid := map[string]bool{}
	for d := int64(-1); d <= 1; d++ {
		valid[hotp(key, uint64(totpStep(now)+d), totpDigits)] = true
	}
	for _, code := range []string{"000000", "111111", "222222"} {
		if !valid[code] {
			if _, got := matchTOTP(key, code, now, 0); got != totpWrong {
				t.Errorf("made-up code %s: got result %d, want wrong", code, got)
			}
			break
		}
	}
}

func TestMatchTOTPRefusesReplay(t *testing.T) {
	key := []byte("12345678901234567890")
	now := time.Unix(1_700_000_000, 0)
	current := totpStep(now)
	code := hotp(key, uint64(current), totpDigits)
	if _, got := matchTOTP(key, code, now, current); got != totpReplayed {
		t.Errorf("the code for a used step: got result %d, want replayed", got)
	}
	if _, got := matchTOTP(key, code, now, current+1); got != totpReplayed {
		t.Errorf("a code older than the last used step: got result %d, want replayed", got)
	}
	if step, got := matchTOTP(key, code, now, current-1); got != totpAccepted || step != current {
		t.Errorf("the code for a fresh step: got step %d result %d, want %d accepted", step, got, current)
	}
}
