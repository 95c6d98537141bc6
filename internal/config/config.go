// Package config builds Linkwell's settings once, from flags and LINKWELL_* environment
// variables (flags win), and validates them.
package config

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MFA says whether two-step verification is required of every user.
type MFA string

const (
	MFARequired MFA = "required"
	MFAOptional MFA = "optional"
)

// Serve is the configuration of `linkwell serve`.
type Serve struct {
	Addr            string
	DB              string
	Demo            bool
	MFA             MFA
	TLSCert         string
	TLSKey          string
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	LogLevel        string
	// PublicURL is where people reach Linkwell, such as https://linkwell.example.nhs.uk, for
	// the links in emails; without it, a link is built from the request that caused the email.
	PublicURL string
	// MailDir, when set, is a directory each email is written to as a file instead of being
	// sent: for demonstrations and tests, not for real people's email.
	MailDir string
	// ResearchKey is the secret that turns NHS numbers into pseudonyms in the research extract,
	// at least 32 bytes written as hex. Kept out of the database, so that a copy of the database
	// alone cannot re-identify an extract; without it, a key stored in the database is used.
	ResearchKey []byte
}

// TLS reports whether Linkwell serves HTTPS itself.
func (s Serve) TLS() bool { return s.TLSCert != "" }

// DefaultDB is the SQLite file used when no --db is given.
const DefaultDB = "linkwell.db"

// Getenv reads an environment variable; main passes os.Getenv and tests pass a map.
type Getenv func(string) string

// NewFlagSet returns a flag set that returns errors instead of exiting or printing, so the
// caller can report them in one line.
func NewFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// Parse parses args; for -h it prints the flags to help and returns flag.ErrHelp.
func Parse(fs *flag.FlagSet, args []string, help io.Writer) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(help, "Usage of linkwell %s:\n", fs.Name())
		fs.SetOutput(help)
		fs.PrintDefaults()
		return err
	}
	if err != nil {
		return fmt.Errorf("%w (see `linkwell %s -h`)", err, fs.Name())
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see `linkwell %s -h`)", fs.Arg(0), fs.Name())
	}
	return nil
}

// DBFlag registers the --db flag shared by every subcommand that touches data.
func DBFlag(fs *flag.FlagSet, getenv Getenv) *string {
	return fs.String("db", envOr(getenv, "LINKWELL_DB", DefaultDB), "SQLite file path, or a postgres:// URL (env LINKWELL_DB)")
}

func envOr(getenv Getenv, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// ParseServe reads serve's flags and environment and validates the result.
func ParseServe(args []string, getenv Getenv, help io.Writer) (Serve, error) {
	fs := NewFlagSet("serve")
	var c Serve
	fs.StringVar(&c.Addr, "addr", envOr(getenv, "LINKWELL_ADDR", "127.0.0.1:8080"), "address to listen on (env LINKWELL_ADDR)")
	db := DBFlag(fs, getenv)
	demo := fs.String("demo", envOr(getenv, "LINKWELL_DEMO", "false"), "load the demo organisation and data into an empty database (env LINKWELL_DEMO)")
	mfa := fs.String("mfa", getenv("LINKWELL_MFA"), "two-step verification: required or optional (default required, optional with --demo) (env LINKWELL_MFA)")
	fs.StringVar(&c.TLSCert, "tls-cert", getenv("LINKWELL_TLS_CERT"), "TLS certificate file, to serve HTTPS (env LINKWELL_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", getenv("LINKWELL_TLS_KEY"), "TLS key file (env LINKWELL_TLS_KEY)")
	fs.StringVar(&c.PublicURL, "public-url", getenv("LINKWELL_PUBLIC_URL"), "where people reach Linkwell, for links in emails (env LINKWELL_PUBLIC_URL)")
	fs.StringVar(&c.MailDir, "mail-dir", getenv("LINKWELL_MAIL_DIR"), "write emails as files to this directory instead of sending them (env LINKWELL_MAIL_DIR)")
	researchKey := fs.String("research-key", getenv("LINKWELL_RESEARCH_KEY"), "secret for pseudonyms in research extracts, 64 or more hex digits (env LINKWELL_RESEARCH_KEY)")
	fs.StringVar(&c.LogLevel, "log-level", envOr(getenv, "LINKWELL_LOG_LEVEL", "info"), "debug, info, warn or error (env LINKWELL_LOG_LEVEL)")
	// "--demo" on its own means true, as a boolean flag would.
	fs.Lookup("demo").DefValue = "false"
	args = normaliseBoolFlag(args, "demo")
	if err := Parse(fs, args, help); err != nil {
		return Serve{}, err
	}
	c.DB = *db
	c.MaxBodyBytes = 1 << 20
	c.ShutdownTimeout = 20 * time.Second
	var err error
	if c.Demo, err = strconv.ParseBool(*demo); err != nil {
		return Serve{}, fmt.Errorf("--demo must be true or false, not %q", *demo)
	}
	if c.ResearchKey, err = researchKeyOf(*researchKey); err != nil {
		return Serve{}, err
	}
	c.MFA = MFA(*mfa)
	if c.MFA == "" {
		c.MFA = MFARequired
		if c.Demo {
			c.MFA = MFAOptional
		}
	}
	return c, c.validate()
}

// researchKeyOf reads a research key written as hex; empty means none is configured.
func researchKeyOf(v string) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	key, err := hex.DecodeString(strings.TrimSpace(v))
	if err != nil || len(key) < 32 {
		return nil, errors.New("--research-key must be at least 64 hex digits (32 random bytes), such as the output of `openssl rand -hex 32`")
	}
	return key, nil
}

// normaliseBoolFlag turns a bare "--name" into "--name=true" so the flag can also be given a
// value from the environment as a string.
func normaliseBoolFlag(args []string, name string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "-"+name || a == "--"+name {
			a = "--" + name + "=true"
		}
		out[i] = a
	}
	return out
}

func (c Serve) validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr %q is not host:port", c.Addr))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs = append(errs, fmt.Errorf("--addr %q has no valid port", c.Addr))
	}
	if c.DB == "" {
		errs = append(errs, errors.New("--db must not be empty"))
	}
	if c.MFA != MFARequired && c.MFA != MFAOptional {
		errs = append(errs, fmt.Errorf("--mfa must be required or optional, not %q", c.MFA))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key go together"))
	}
	if u, err := url.Parse(c.PublicURL); c.PublicURL != "" && (err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "") {
		errs = append(errs, fmt.Errorf("--public-url must be a full web address such as https://linkwell.example.nhs.uk, not %q", c.PublicURL))
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", c.LogLevel))
	}
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}
