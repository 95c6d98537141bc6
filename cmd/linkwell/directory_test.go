package main

import (
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
