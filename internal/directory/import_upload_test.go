package directory

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// zipOf builds a zip holding the files named in the map.
func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hsdsPackageFiles reads the HSDS tabular package in testdata, inside a folder called folder.
func hsdsPackageFiles(t *testing.T, folder string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(filepath.Join("testdata", "hsds-package"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", "hsds-package", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[folder+e.Name()] = b
	}
	return out
}

func newUpload(t *testing.T) *Upload {
	t.Helper()
	u, err := NewUpload()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Remove() })
	return u
}

func add(u *Upload, name string, b []byte) error {
	return u.Add(name, bytes.NewReader(b), int64(len(b)))
}

func TestUploadsBecomeTheSourceTheyHold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		jobs := NewJobs(t.Context(), d)

		files := newUpload(t)
		if err := add(files, "walking.json", marshal(t, activity(1, "Walking group"))); err != nil {
			t.Fatal(err)
		}
		zipped := zipOf(t, map[string][]byte{"feed/choir.json": marshal(t, activity(2, "Choir")), "feed/notes.txt": []byte("ignored"),
			"__MACOSX/feed/._choir.json": []byte("junk")})
		if err := add(files, "more.zip", zipped); err != nil {
			t.Fatal(err)
		}
		pkg := newUpload(t)
		if err := add(pkg, "package.zip", zipOf(t, hsdsPackageFiles(t, "hsds/"))); err != nil {
			t.Fatal(err)
		}
		if src, err := pkg.Source(); err != nil || !strings.HasSuffix(string(src.(Package)), "hsds") {
			t.Fatalf("a zipped package in a folder: %v, %v; want the package", src, err)
		}

		for name, u := range map[string]*Upload{"files": files, "package": pkg} {
			if _, err := u.Source(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			id, err := jobs.Start(t.Context(), audit.System, "upload-"+name, u.Opener())
			if err != nil {
				t.Fatal(err)
			}
			jobs.Wait()
			job, err := jobs.Progress(t.Context(), id)
			if err != nil || job.State != JobDone || job.Summary.Created == 0 || job.Summary.Rejected != 0 {
				t.Errorf("%s: %+v, %v; want every record created", name, job, err)
			}
			if _, err := os.Stat(u.dir); !os.IsNotExist(err) {
				t.Errorf("%s: the upload's folder is still there after the import (%v)", name, err)
			}
		}
		if got, err := d.GetService(t.Context(), Public, uid(2)); err != nil || got.Name != "Choir" {
			t.Errorf("the service in the zip: %q, %v", got.Name, err)
		}
	})
}

func TestUploadsThatCannotBeImportedAreRefusedByName(t *testing.T) {
	twoPackages := hsdsPackageFiles(t, "a/")
	for name, b := range hsdsPackageFiles(t, "b/") {
		twoPackages[name] = b
	}
	tests := []struct {
		name, file string
		body       []byte
		want       string // in the message, on Add or else on Source
	}{
		{"not JSON or zip", "services.xlsx", []byte("PK"), "services.xlsx is not a .json or .zip file"},
		{"a damaged zip", "feed.zip", []byte("PK\x03\x04 nonsense"), "feed.zip is not a zip file that can be opened"},
		{"a path out of the zip", "evil.zip", zipOf(t, map[string][]byte{"../../escape.json": []byte("{}")}), "leads outside the zip"},
		{"nothing to import", "docs.zip", zipOf(t, map[string][]byte{"README.txt": []byte("hello")}), "no JSON files and no HSDS package"},
		{"two packages", "two.zip", zipOf(t, twoPackages), "more than one HSDS package"},
		{"a zip bomb", "bomb.zip", zipOf(t, map[string][]byte{"big.json": bytes.Repeat([]byte(" "), MaxUploadBytes+1)}), "over 256 MB once unzipped"},
	}
	for _, tt := range tests {
		u := newUpload(t)
		err := add(u, tt.file, tt.body)
		if err == nil {
			_, err = u.Source()
		}
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.Invalid || len(ae.Fields) != 1 || ae.Fields[0].Field != "files" || !strings.Contains(ae.Fields[0].Message, tt.want) {
			t.Errorf("%s: %v; want the files field saying %q", tt.name, err, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(os.TempDir(), "escape.json")); err == nil {
		t.Error("a zip entry was written outside the upload's folder")
	}
}

// A job left running by a server that died is marked failed, as interrupted, when the next
// server starts; finished jobs are left as they were.
func TestInterruptedJobsAreMarkedFailedAtStartUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		now := store.Now()
		var running, done int64
		err := db.Tx(t.Context(), func(c store.Conn) error {
			insert := `INSERT INTO dir_imports (source, state, total, done, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
			if err := c.QueryRow(t.Context(), insert, "feed-a", "running", 5000, 2000, now, nil).Scan(&running); err != nil {
				return err
			}
			return c.QueryRow(t.Context(), insert, "feed-b", "done", 10, 10, now, now).Scan(&done)
		})
		if err != nil {
			t.Fatal(err)
		}
		n, err := d.FailInterrupted(t.Context())
		if err != nil || n != 1 {
			t.Fatalf("marked %d, %v; want the one running job", n, err)
		}
		jobs := NewJobs(t.Context(), d)
		job, err := jobs.Progress(t.Context(), running)
		if err != nil || job.State != JobFailed || !strings.HasPrefix(job.Failure, "Interrupted") || job.FinishedAt == nil ||
			job.Summary.Done != 2000 {
			t.Errorf("the interrupted job: %+v, %v; want failed as interrupted with its progress kept", job, err)
		}
		if job, _ := jobs.Progress(t.Context(), done); job.State != JobDone || job.Failure != "" {
			t.Errorf("a finished job was changed: %+v", job)
		}
		list, err := jobs.ListJobs(t.Context(), Page{})
		if err != nil || list.Total != 2 || list.Items[0].ID != done || list.Items[1].ID != running {
			t.Errorf("past jobs %+v, %v; want both, the latest first", list, err)
		}
	})
}

// blockingSource sends one record and then waits until the import is cancelled.
type blockingSource struct{ record []byte }

func (b blockingSource) Read(ctx context.Context, r Receiver) error {
	r.Expect(2)
	if err := r.Receive(ctx, Record{JSON: b.record}); err != nil {
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}

// A job stopped because the server is shutting down says it was interrupted.
func TestAJobStoppedByShutdownSaysItWasInterrupted(t *testing.T) {
	db := storetest.SQLite(t)
	ctx, cancel := context.WithCancel(t.Context())
	jobs := NewJobs(ctx, New(db))
	id, err := jobs.Start(t.Context(), audit.System, "slow-feed", func(context.Context) (Source, error) {
		return blockingSource{marshal(t, activity(1, "Walking group"))}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	jobs.Wait()
	job, err := jobs.Progress(t.Context(), id)
	if err != nil || job.State != JobFailed || !strings.HasPrefix(job.Failure, "Interrupted") || job.Summary.Total != 2 {
		t.Errorf("a job stopped by shutdown: %+v, %v", job, err)
	}
}
