package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// result is what one run of the program did.
type result struct {
	code           int
	stdout, stderr string
}

// linkwell runs the program as main would, with no environment and the given standard input.
func linkwell(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	r := linkwell(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("linkwell %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

func sqlitePath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "linkwell.db")
}

func TestBadInputGivesOneLineErrorAndNonZeroExit(t *testing.T) {
	db := sqlitePath(t)
	mustRun(t, "", "migrate", "--db", db)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"unknown flag", []string{"serve", "--bogus"}, "flag provided but not defined: -bogus"},
		{"bad address", []string{"serve", "--db", db, "--addr", "nonsense"}, `--addr "nonsense" is not host:port`},
		{"bad demo value", []string{"serve", "--db", db, "--demo=maybe"}, "--demo must be true or false"},
		{"bad mfa value", []string{"serve", "--db", db, "--mfa", "sometimes"}, "--mfa must be required or optional"},
		{"tls half given", []string{"serve", "--db", db, "--tls-cert", "x.pem"}, "--tls-cert and --tls-key go together"},
		{"password not from stdin", []string{"user", "create", "--db", db, "--email", "a@b.nhs.uk", "--name", "A", "--role", "administrator"}, "--password-stdin"},
		{"unknown role", []string{"user", "create", "--db", db, "--role", "wizard"}, `unknown role "wizard"`},
		{"unknown organisation", []string{"user", "create", "--db", db, "--email", "a@b.nhs.uk", "--name", "A", "--role", "link_worker", "--org", "Nowhere", "--password-stdin"}, `no organisation has the id, ODS code or name "Nowhere"`},
		{"short password", []string{"user", "create", "--db", db, "--email", "a@b.nhs.uk", "--name", "A", "--role", "administrator", "--password-stdin"}, "password: Password must be 12 characters or more"},
		{"backup without target", []string{"backup", "--db", db}, "give --to FILE"},
		{"stray argument", []string{"migrate", "--db", db, "extra"}, `unexpected argument "extra"`},
		{"audit without verb", []string{"audit"}, "audit verify"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := linkwell(t, "short\n", c.args...)
			if r.code == 0 {
				t.Fatalf("exit 0, want non-zero; stdout %q", r.stdout)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != 1 {
				t.Errorf("stderr has %d lines, want one: %q", len(lines), r.stderr)
			}
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr %q does not say %q", r.stderr, c.want)
			}
			if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stderr shows a stack trace: %q", r.stderr)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	if out := mustRun(t, "", "version"); !strings.HasPrefix(out, "linkwell ") {
		t.Errorf("version printed %q", out)
	}
	if out := mustRun(t, "", "serve", "-h"); !strings.Contains(out, "-addr") || !strings.Contains(out, "LINKWELL_DB") {
		t.Errorf("serve -h printed %q", out)
	}
}

func TestCommandsRefuseASchemaThatIsBehind(t *testing.T) {
	db := sqlitePath(t)
	for _, args := range [][]string{
		{"serve", "--db", db, "--addr", "127.0.0.1:0"},
		{"user", "list", "--db", db},
		{"audit", "verify", "--db", db},
	} {
		r := linkwell(t, "", args...)
		if r.code == 0 || !strings.Contains(r.stderr, "run `linkwell migrate` with the same --db") {
			t.Errorf("%v: exit %d, stderr %q; want a refusal that says how to fix it", args, r.code, r.stderr)
		}
	}
	if out := mustRun(t, "", "migrate", "--db", db); !strings.Contains(out, "schema is at version") {
		t.Errorf("migrate printed %q", out)
	}
	if out := mustRun(t, "", "migrate", "--db", db); !strings.Contains(out, "applied 0 migration(s)") {
		t.Errorf("second migrate printed %q, want nothing applied", out)
	}
}

// seedOrganisation adds an organisation directly through the service, as the web interface would.
func seedOrganisation(t *testing.T, dsn, name, ods string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = organisation.NewService(db).Create(ctx, audit.System, organisation.Input{Name: name, Type: organisation.GPPractice, ODSCode: ods})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUsersAndOrganisationsFromTheCommandLine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dsn := db.DSN
		seedOrganisation(t, dsn, "Millbrook Surgery", "Y90002")
		out := mustRun(t, "a-long-enough-password\n", "user", "create", "--db", dsn, "--email", "Boss@Example.NHS.uk",
			"--name", "Pat Boss", "--role", "administrator", "--password-stdin")
		if !strings.Contains(out, "boss@example.nhs.uk") {
			t.Errorf("user create printed %q", out)
		}
		for _, ref := range []string{"Y90002", "millbrook surgery", "1"} {
			email := "lw-" + strings.ReplaceAll(ref, " ", "") + "@example.nhs.uk"
			mustRun(t, "a-long-enough-password\n", "user", "create", "--db", dsn, "--email", email,
				"--name", "Lee Worker", "--role", "link_worker,supervisor", "--org", ref, "--password-stdin")
		}
		r := linkwell(t, "a-long-enough-password\n", "user", "create", "--db", dsn, "--email", "boss@example.nhs.uk",
			"--name", "Again", "--role", "administrator", "--password-stdin")
		if r.code == 0 || !strings.Contains(r.stderr, "already exists") {
			t.Errorf("duplicate email: exit %d, stderr %q", r.code, r.stderr)
		}
		list := mustRun(t, "", "user", "list", "--db", dsn)
		if strings.Count(list, "Lee Worker") != 3 || !strings.Contains(list, "link_worker,supervisor") || !strings.Contains(list, "Millbrook Surgery") {
			t.Errorf("user list:\n%s", list)
		}
		orgs := mustRun(t, "", "org", "list", "--db", dsn)
		if !strings.Contains(orgs, "Millbrook Surgery") || !strings.Contains(orgs, "GP practice") || !strings.Contains(orgs, "Y90002") {
			t.Errorf("org list:\n%s", orgs)
		}
		if out := mustRun(t, "", "audit", "verify", "--db", dsn); !strings.Contains(out, "audit log intact: 5 entries") {
			t.Errorf("audit verify printed %q, want 5 entries (1 organisation, 4 users)", out)
		}
	})
}

func TestBackupAndRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db, backup, restored := filepath.Join(dir, "live.db"), filepath.Join(dir, "backup.db"), filepath.Join(dir, "restored.db")
	mustRun(t, "", "migrate", "--db", db)
	mustRun(t, "a-long-enough-password\n", "user", "create", "--db", db, "--email", "keep@example.nhs.uk",
		"--name", "Kept Person", "--role", "administrator", "--password-stdin")
	mustRun(t, "", "backup", "--db", db, "--to", backup)
	if r := linkwell(t, "", "backup", "--db", db, "--to", backup); r.code == 0 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("backup over an existing file: exit %d, stderr %q", r.code, r.stderr)
	}
	// A change after the backup must not be in the restored copy.
	mustRun(t, "a-long-enough-password\n", "user", "create", "--db", db, "--email", "later@example.nhs.uk",
		"--name", "Later Person", "--role", "administrator", "--password-stdin")
	mustRun(t, "", "restore", "--from", backup, "--db", restored)
	list := mustRun(t, "", "user", "list", "--db", restored)
	if !strings.Contains(list, "Kept Person") || strings.Contains(list, "Later Person") {
		t.Errorf("restored users:\n%s", list)
	}
	if out := mustRun(t, "", "audit", "verify", "--db", restored); !strings.Contains(out, "1 entries") {
		t.Errorf("restored audit: %q", out)
	}
	if r := linkwell(t, "", "restore", "--from", backup, "--db", db); r.code == 0 || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("restore over a live database: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := linkwell(t, "", "restore", "--from", filepath.Join(dir, "missing.db"), "--db", filepath.Join(dir, "new.db")); r.code == 0 {
		t.Errorf("restore from a missing file succeeded")
	}
	if r := linkwell(t, "", "backup", "--db", "postgres://localhost/x", "--to", "x"); r.code == 0 || !strings.Contains(r.stderr, "pg_dump") {
		t.Errorf("backup on postgres should explain pg_dump: %q", r.stderr)
	}
}

// tamper opens the database behind the program's back, as an attacker with the file would.
func tamper(t *testing.T, db *store.DB, statements ...string) {
	t.Helper()
	driver := "sqlite"
	dsn := db.DSN
	if db.Dialect == store.Postgres {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range statements {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	dropGuards := map[store.Dialect]string{
		store.SQLite:   `DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete`,
		store.Postgres: `DROP TRIGGER audit_log_no_change ON audit_log`,
	}
	cases := []struct {
		name   string
		change string
		want   string
	}{
		{"edited entry", `UPDATE audit_log SET detail = 'roles=referrer' WHERE seq = 2`, "audit entry 2: its contents do not match its hash"},
		{"deleted entry", `DELETE FROM audit_log WHERE seq = 2`, "audit entry 2: missing"},
		{"deleted last entries", `DELETE FROM audit_log WHERE seq >= 3`, "audit entry 3"},
		{"rehashed entry", `UPDATE audit_log SET hash = 'ffff' WHERE seq = 1`, "audit entry 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				for i := range 3 {
					mustRun(t, "a-long-enough-password\n", "user", "create", "--db", db.DSN, "--email",
						fmt.Sprintf("u%d@example.nhs.uk", i), "--name", "U", "--role", "administrator", "--password-stdin")
				}
				mustRun(t, "", "audit", "verify", "--db", db.DSN)
				for _, s := range strings.Split(dropGuards[db.Dialect], "; ") {
					tamper(t, db, s)
				}
				tamper(t, db, c.change)
				r := linkwell(t, "", "audit", "verify", "--db", db.DSN)
				if r.code == 0 || !strings.Contains(r.stderr, c.want) {
					t.Errorf("exit %d, stderr %q; want failure naming %q", r.code, r.stderr, c.want)
				}
			})
		})
	}
}

func TestAuditLogRefusesChangesWhileGuarded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustRun(t, "a-long-enough-password\n", "user", "create", "--db", db.DSN, "--email", "a@example.nhs.uk",
			"--name", "A", "--role", "administrator", "--password-stdin")
		ctx := context.Background()
		if _, err := db.Exec(ctx, `UPDATE audit_log SET detail = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("update of the audit log: %v, want refusal", err)
		}
		if _, err := db.Exec(ctx, `DELETE FROM audit_log`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("delete from the audit log: %v, want refusal", err)
		}
	})
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestWholeProgram runs `linkwell serve --demo` on a random port, on each engine, signs in
// over HTTP, and stops it the way SIGTERM would.
func TestWholeProgram(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		addr := freeAddr(t)
		ctx, stop := context.WithCancel(context.Background())
		var stderr syncBuffer
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--demo", "--db", db.DSN, "--addr", addr}, func(string) string { return "" },
				strings.NewReader(""), io.Discard, &stderr)
		}()
		base := "http://" + addr
		waitReady(t, base, done, &stderr)

		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		res, err := c.PostForm(base+"/login", url.Values{"email": {"ot@linkwell.demo"}, "password": {demo.Password}})
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, res)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Sarah Okafor") || !strings.Contains(body, "Occupational therapist") {
			t.Errorf("after sign-in: %d, body lacks the user's name and role:\n%.2000s", res.StatusCode, body)
		}
		metrics := readAll(t, mustGet(t, c, base+"/metrics"))
		for _, want := range []string{`linkwell_http_requests_total{method="POST",route="POST /login",status="303"} 1`, "linkwell_db_open_connections", "go_goroutines"} {
			if !strings.Contains(metrics, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		checkDemoAPIClient(t, base)
		stop()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d after shutdown: %s", code, stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop within 30 s of cancellation")
		}
		logs := stderr.String()
		if !strings.Contains(logs, `"msg":"stopped"`) {
			t.Errorf("no graceful stop in the log:\n%s", logs)
		}
		for _, personal := range []string{"Sarah Okafor", "ot@linkwell.demo", demo.Password, demo.APIClients[0].Secret} {
			if strings.Contains(logs, personal) {
				t.Errorf("the log contains %q", personal)
			}
		}
		if out := mustRun(t, "", "audit", "verify", "--db", db.DSN); !strings.Contains(out, "audit log intact") {
			t.Errorf("audit verify after serving: %q", out)
		}
	})
}

// checkDemoAPIClient follows docs/fhir.md's first steps with the demo GP practice's published
// credentials: a token, then the service to refer to.
func checkDemoAPIClient(t *testing.T, base string) {
	t.Helper()
	gp := demo.APIClients[0]
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(gp.ClientID, gp.Secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(body), &tok); err != nil || res.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("the demo GP client's token: %d %s", res.StatusCode, body)
	}
	req, _ = http.NewRequest(http.MethodGet, base+"/fhir/HealthcareService?name=riverside", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if res, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != http.StatusOK || !strings.Contains(body, `"Bundle"`) || !strings.Contains(body, "HealthcareService") {
		t.Errorf("the demo GP client finding services: %d %.500s", res.StatusCode, body)
	}
}

func waitReady(t *testing.T, base string, done chan int, stderr *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before it was ready: %s", code, stderr.String())
		default:
		}
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("serve was not ready within 60 s: %s", stderr.String())
}

func mustGet(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
