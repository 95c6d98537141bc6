package config

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestParseServeDefaultsAndEnvironment(t *testing.T) {
	c, err := ParseServe(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DB != "linkwell.db" || c.Demo || c.MFA != MFARequired {
		t.Errorf("defaults: %+v", c)
	}
	c, err = ParseServe([]string{"--demo"}, env(nil), io.Discard)
	if err != nil || !c.Demo || c.MFA != MFAOptional {
		t.Errorf("--demo: %+v, %v; want demo with optional MFA", c, err)
	}
	c, err = ParseServe(nil, env(map[string]string{"LINKWELL_ADDR": "0.0.0.0:9000", "LINKWELL_DB": "postgres://x/y", "LINKWELL_DEMO": "true", "LINKWELL_MFA": "required"}), io.Discard)
	if err != nil || c.Addr != "0.0.0.0:9000" || c.DB != "postgres://x/y" || !c.Demo || c.MFA != MFARequired {
		t.Errorf("environment: %+v, %v", c, err)
	}
	c, err = ParseServe([]string{"--public-url", "https://linkwell.example"}, env(map[string]string{"LINKWELL_MAIL_DIR": "/tmp/mail"}), io.Discard)
	if err != nil || c.PublicURL != "https://linkwell.example" || c.MailDir != "/tmp/mail" {
		t.Errorf("public URL and mail directory: %+v, %v", c, err)
	}
	c, err = ParseServe(nil, env(map[string]string{"LINKWELL_RESEARCH_KEY": strings.Repeat("0f", 32)}), io.Discard)
	if err != nil || len(c.ResearchKey) != 32 || c.ResearchKey[0] != 0x0f {
		t.Errorf("research key from the environment: %x, %v", c.ResearchKey, err)
	}
	c, err = ParseServe([]string{"--addr", "127.0.0.1:1"}, env(map[string]string{"LINKWELL_ADDR": "0.0.0.0:9000"}), io.Discard)
	if err != nil || c.Addr != "127.0.0.1:1" {
		t.Errorf("flag should win over environment: %+v, %v", c, err)
	}
}

func TestParseServeRejectsBadValuesInOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "8080"}, {"--addr", "h:99999"}, {"--mfa", "no"}, {"--demo=perhaps"},
		{"--tls-key", "k.pem"}, {"--log-level", "loud"}, {"--nope"}, {"extra"}, {"--db", ""},
		{"--public-url", "linkwell.example"}, {"--public-url", "ftp://linkwell.example"},
		{"--research-key", "not-hex"}, {"--research-key", strings.Repeat("ab", 31)},
	} {
		_, err := ParseServe(args, env(nil), io.Discard)
		if err == nil {
			t.Errorf("%v accepted", args)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error spans lines: %q", args, err)
		}
	}
	if _, err := ParseServe([]string{"-h"}, env(nil), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}
