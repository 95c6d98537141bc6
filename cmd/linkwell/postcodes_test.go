package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// onspdSample is the ONS Postcode Directory extract the postcode package tests with.
const onspdSample = "../../internal/postcode/testdata/onspd-sample.csv"

func TestPostcodesImportPrintsASummaryAndIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		out := mustRun(t, "", "postcodes", "import", onspdSample, "--db", db.DSN)
		for _, want := range []string{
			"imported:               4236 postcodes (4236 new or changed)",
			"skipped, terminated:    3811",
			"skipped, no location:   1",
			"rejected:               0",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("first import printed %q, want %q", out, want)
			}
		}
		out = mustRun(t, "", "postcodes", "import", onspdSample, "--db", db.DSN)
		if !strings.Contains(out, "imported:               4236 postcodes (0 new or changed)") {
			t.Errorf("second import printed %q, want nothing new or changed", out)
		}
	})
}

func TestPostcodesImportFailsInOneLine(t *testing.T) {
	db := sqlitePath(t)
	mustRun(t, "", "migrate", "--db", db)
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	notONSPD := write("addresses.csv", "postcode,address\nM1 1AD,1 Piccadilly\n")
	badRow := write("bad-row.csv", "pcds,doterm,lat,long,ctry,lsoa21,icb,imd\nM1 1AD,,53.48,-2.24,E92000001,,,1\nM1 1AE,,north,-2.24,E92000001,,,1\n")
	cases := []struct {
		name       string
		args       []string
		want       string
		wantStdout string
	}{
		{"no verb", []string{"postcodes"}, "say `linkwell postcodes import FILE [--db ...]`", ""},
		{"no file", []string{"postcodes", "import"}, "give the ONS Postcode Directory CSV first", ""},
		{"flags first", []string{"postcodes", "import", "--db", db, "x.csv"}, "give the ONS Postcode Directory CSV first", ""},
		{"missing file", []string{"postcodes", "import", filepath.Join(dir, "nowhere.csv"), "--db", db}, "no such file", ""},
		{"not the directory", []string{"postcodes", "import", notONSPD, "--db", db},
			"the file is not an ONS Postcode Directory CSV: its header has no pcds, doterm, lat, long, ctry, lsoa21, icb, imd column", ""},
		{"a rejected row", []string{"postcodes", "import", badRow, "--db", db},
			"1 row(s) rejected, the first listed above; the rest of the file was imported",
			`line 3 (M1 1AE): its latitude and longitude ("north", "-2.24") are not a position`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := linkwell(t, "", c.args...)
			if r.code == 0 {
				t.Fatalf("exit 0, want non-zero; stdout %q", r.stdout)
			}
			if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr %q, want one line saying %q", r.stderr, c.want)
			}
			if !strings.Contains(r.stdout, c.wantStdout) {
				t.Errorf("stdout %q, want %q", r.stdout, c.wantStdout)
			}
		})
	}
	if out := mustRun(t, "", "postcodes", "import", "-h"); !strings.Contains(out, "-db") {
		t.Errorf("postcodes import -h printed %q", out)
	}
}
