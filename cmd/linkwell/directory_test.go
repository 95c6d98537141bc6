package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

const orukExamples = "../../internal/directory/testdata/oruk-3.0"

func TestDirectoryImportPrintsASummaryAndIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		full := filepath.Join(orukExamples, "service_full.json")
		out := mustRun(t, "", "directory", "import", full, "--db", db.DSN, "--source", "examples")
		if !strings.Contains(out, "created:   1\n") || !strings.Contains(out, "rejected:  0\n") {
			t.Errorf("first import printed %q", out)
		}
		out = mustRun(t, "", "directory", "import", "../../internal/directory/testdata/hsds-package", "--db", db.DSN, "--source", "examples")
		if !strings.Contains(out, "created:   1\n") || !strings.Contains(out, "updated:   1\n") {
			t.Errorf("package import printed %q", out)
		}
	})
}

func TestDirectoryImportFailsWhenARecordIsRejected(t *testing.T) {
	db := sqlitePath(t)
	mustRun(t, "", "migrate", "--db", db)
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"id": "not-a-uuid", "name": "Choir", "status": "active"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := linkwell(t, "", "directory", "import", bad, "--db", db)
	if r.code == 0 || !strings.Contains(r.stderr, "1 record(s) rejected") || !strings.Contains(r.stdout, "not-a-uuid: There is a problem: id must be a UUID") {
		t.Errorf("exit %d, stdout %q, stderr %q; want a non-zero exit naming the record", r.code, r.stdout, r.stderr)
	}
	if r := linkwell(t, "", "directory"); r.code == 0 || !strings.Contains(r.stderr, "directory import PATH_OR_URL") {
		t.Errorf("no verb: exit %d, stderr %q", r.code, r.stderr)
	}
}

// A directory import left running when the server died is marked failed, as interrupted,
// when the next server starts.
func TestServeMarksInterruptedImportsFailed(t *testing.T) {
	path := sqlitePath(t)
	mustRun(t, "", "migrate", "--db", path)
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(t.Context(), `INSERT INTO dir_imports (source, state, total, done, started_at) VALUES ('feed', 'running', 10, 4, ?)`, store.Now()); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	ctx, stop := context.WithCancel(t.Context())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", path, "--addr", addr}, func(string) string { return "" }, strings.NewReader(""), io.Discard, &stderr)
	}()
	waitReady(t, "http://"+addr, done, &stderr)
	stop()
	<-done
	var state, failure string
	if err := db.Reader().QueryRow(t.Context(), `SELECT state, failure FROM dir_imports`).Scan(&state, &failure); err != nil {
		t.Fatal(err)
	}
	if state != "failed" || !strings.HasPrefix(failure, "Interrupted") {
		t.Errorf("the import left running: %s (%q), want failed as interrupted", state, failure)
	}
	if !strings.Contains(stderr.String(), "marked failed") {
		t.Errorf("serve did not log that it marked the import:\n%s", stderr.String())
	}
}

// `linkwell demo --directory N` imports a generated directory, or with --out writes it as
// ORUK list pages that `linkwell directory import` reads.
func TestDemoDirectoryGeneratesAnImportableFeed(t *testing.T) {
	db := sqlitePath(t)
	mustRun(t, "", "migrate", "--db", db)
	out := mustRun(t, "", "demo", "--directory", "40", "--db", db)
	if !strings.Contains(out, "created:   40\n") || !strings.Contains(out, "imported 40 services in") {
		t.Errorf("demo --directory printed %q", out)
	}
	dir := filepath.Join(t.TempDir(), "feed")
	if out := mustRun(t, "", "demo", "--directory", "1200", "--out", dir); !strings.Contains(out, "wrote 1200 services in 3 list pages") {
		t.Errorf("demo --directory --out printed %q", out)
	}
	other := sqlitePath(t)
	mustRun(t, "", "migrate", "--db", other)
	if out := mustRun(t, "", "directory", "import", dir, "--db", other); !strings.Contains(out, "created:   1200\n") {
		t.Errorf("importing the generated feed printed %q", out)
	}
}
