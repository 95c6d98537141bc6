package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
)

const exampleServiceID = "ac148810-d857-441c-9679-408f346de14b" // the ORUK example's full service

func exampleService(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "directory", "testdata", "oruk-3.0", "service_full.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// upload is one file in a multipart form.
type upload struct {
	name string
	body []byte
}

// postMultipart submits a form with files as a browser would, and returns the response.
func (ts *testServer) postMultipart(t *testing.T, c *http.Client, path string, fields map[string]string, files []upload) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("files", f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.body)
	}
	mw.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

var importLocation = regexp.MustCompile(`^/directory/imports/(\d+)$`)

// startImport posts the import form, expects to be sent to the new import's progress page,
// waits for the import to finish and returns that page.
func (ts *testServer) startImport(t *testing.T, c *http.Client, fields map[string]string, files []upload) string {
	t.Helper()
	res, body := ts.postMultipart(t, c, "/directory/imports", fields, files)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !importLocation.MatchString(loc) {
		t.Fatalf("start import: %d to %q: %.600s", res.StatusCode, loc, body)
	}
	ts.Server.imports.Wait()
	res, body = ts.get(t, c, loc)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", loc, res.StatusCode)
	}
	return body
}

func TestDirectoryImportPagesAreForServiceLeadsAndAdministrators(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		email  string
		status int
	}{
		{"servicelead@linkwell.demo", http.StatusOK},
		{"admin@linkwell.demo", http.StatusOK},
		{"linkworker@linkwell.demo", http.StatusForbidden},
		{"ot@linkwell.demo", http.StatusForbidden},
		{"commissioner@linkwell.demo", http.StatusForbidden},
		{"provider@linkwell.demo", http.StatusForbidden},
	} {
		c := ts.client(t, tc.email)
		for _, path := range []string{"/directory/imports", "/directory/imports/new"} {
			if res, _ := ts.get(t, c, path); res.StatusCode != tc.status {
				t.Errorf("%s GET %s: %d, want %d", tc.email, path, res.StatusCode, tc.status)
			}
		}
		res, _ := ts.postMultipart(t, c, "/directory/imports", map[string]string{"source": "sneaky"},
			[]upload{{"s.json", exampleService(t)}})
		if want := map[int]int{200: http.StatusSeeOther, 403: 403}[tc.status]; res.StatusCode != want {
			t.Errorf("%s POST /directory/imports: %d, want %d", tc.email, res.StatusCode, want)
		}
	}
	if res, _ := ts.get(t, ts.anon(), "/directory/imports"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d, want a redirect to sign in", res.StatusCode)
	}
}

func TestImportUploadedFilesShowsProgressAndRejections(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client(t, "servicelead@linkwell.demo")
	bad := []byte(`{"id": "not-a-uuid", "name": "Broken club", "status": "active"}`)
	page := ts.startImport(t, c, map[string]string{"source": "Riverside council files"},
		[]upload{{"good.json", exampleService(t)}, {"bad.json", bad}})
	for _, want := range []string{"Finished: 2 of 2 records done.", "Riverside council files", "New services</dt><dd class=\"nhsuk-summary-list__value\">1<",
		"Records rejected", "not-a-uuid", "must be a UUID"} {
		if !strings.Contains(page, want) {
			t.Errorf("the progress page does not say %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "data-refresh-every") || strings.Contains(page, ">Refresh<") {
		t.Error("a finished import still offers to refresh")
	}
	if got, err := ts.Server.Directory.GetService(t.Context(), 1, exampleServiceID); err != nil || got.ID != exampleServiceID {
		t.Errorf("the uploaded service was not stored: %v", err)
	}
	_, list := ts.get(t, c, "/directory/imports")
	if !strings.Contains(list, "Riverside council files") || !strings.Contains(list, "Finished") || !strings.Contains(list, "2 of 2 records") {
		t.Errorf("past imports do not list it:\n%s", list)
	}
	// The same files again update nothing.
	again := ts.startImport(t, c, map[string]string{"source": "Riverside council files"}, []upload{{"good.json", exampleService(t)}})
	if !strings.Contains(again, "Unchanged</dt><dd class=\"nhsuk-summary-list__value\">1<") {
		t.Errorf("re-importing the same file:\n%s", again)
	}
}

// exampleFeed serves the ORUK example service as a live feed of one page.
func exampleFeed(t *testing.T) *httptest.Server {
	t.Helper()
	record := exampleService(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oruk/services/"+exampleServiceID {
			w.Write(record)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"total_items": 1, "total_pages": 1, "page_number": 1, "size": 1,
			"first_page": true, "last_page": true, "empty": false, "contents": []map[string]string{{"id": exampleServiceID}}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestImportALiveFeedKeepsItAsTheSource(t *testing.T) {
	ts := newTestServer(t)
	feed := exampleFeed(t).URL + "/oruk"
	page := ts.startImport(t, ts.client(t, "admin@linkwell.demo"), map[string]string{"feed": feed}, nil)
	if !strings.Contains(page, "Finished: 1 of 1 records done.") || !strings.Contains(page, feed) {
		t.Errorf("the feed's import:\n%s", page)
	}
}

func TestImportFormExplainsEachProblem(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client(t, "servicelead@linkwell.demo")
	good := []upload{{"good.json", exampleService(t)}}
	for _, tc := range []struct {
		name   string
		fields map[string]string
		files  []upload
		status int
		want   []string
	}{
		{"nothing given", map[string]string{"source": "Council"}, nil, 400,
			[]string{"Choose files to upload, or enter the address of a live ORUK feed", `href="#files"`, `value="Council"`}},
		{"files without a source", nil, good, 400, []string{"Enter a name for where these files come from", `href="#source"`}},
		{"files and a feed", map[string]string{"source": "Council", "feed": "https://example.org/oruk"}, good, 400,
			[]string{"Upload files or enter a feed&#39;s address, not both", `value="https://example.org/oruk"`}},
		{"not a web address", map[string]string{"feed": "ftp://example.org/oruk"}, nil, 400,
			[]string{"Enter the feed&#39;s address as a web address starting https://", `href="#feed"`}},
		{"a spreadsheet", map[string]string{"source": "Council"}, []upload{{"services.xlsx", []byte("PK")}}, 400,
			[]string{"services.xlsx is not a .json or .zip file"}},
		{"a zip with nothing to import", map[string]string{"source": "Council"}, []upload{{"empty.zip", emptyZip(t)}}, 400,
			[]string{"The upload holds no JSON files and no HSDS package"}},
	} {
		res, body := ts.postMultipart(t, c, "/directory/imports", tc.fields, tc.files)
		if res.StatusCode != tc.status || !strings.Contains(body, "There is a problem") {
			t.Errorf("%s: %d, want %d with an error summary", tc.name, res.StatusCode, tc.status)
		}
		for _, want := range tc.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the form does not say %q", tc.name, want)
			}
		}
	}
	if _, list := ts.get(t, c, "/directory/imports"); !strings.Contains(list, "Nothing has been imported") {
		t.Errorf("refused forms started imports:\n%s", list)
	}
}

func emptyZip(t *testing.T) []byte {
	t.Helper()
	// The smallest zip: an end-of-central-directory record and nothing else.
	return append([]byte("PK\x05\x06"), make([]byte, 18)...)
}

// An upload over the limit is refused on the form before it is read, not with a generic
// error page.
func TestImportUploadOverTheLimitIsRefusedOnTheForm(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client(t, "servicelead@linkwell.demo")
	big := bytes.Repeat([]byte(" "), maxImportUploadBytes+1)
	res, body := ts.postMultipart(t, c, "/directory/imports", map[string]string{"source": "Council"}, []upload{{"big.json", big}})
	want := fmt.Sprintf("The files must be smaller than %d MB in all", maxImportUploadBytes>>20)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, want) || !strings.Contains(body, "There is a problem") {
		t.Errorf("an upload over the limit: %d\n%.500s", res.StatusCode, body)
	}
	// Other forms keep the usual limit.
	res, _ = ts.post(t, c, "/directory/services/x/reports", map[string][]string{"reason": {strings.Repeat("x", 2<<20)}})
	if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MB report was not refused: %d", res.StatusCode)
	}
}

func TestImportProgressOfAnUnknownImportIsNotFound(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client(t, "servicelead@linkwell.demo")
	for _, path := range []string{"/directory/imports/999", "/directory/imports/abc"} {
		if res, _ := ts.get(t, c, path); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
	}
}

// A running import's page says how far it has got and offers a plain Refresh link, which works
// without scripts; scripts reload the part marked to refresh.
func TestARunningImportOffersToRefresh(t *testing.T) {
	ts := newTestServer(t)
	var id int64
	err := ts.DB.Tx(t.Context(), func(c store.Conn) error {
		return c.QueryRow(t.Context(), `INSERT INTO dir_imports (source, state, total, done, created, started_at)
			VALUES ('https://feed.example.org/oruk', 'running', 5000, 2000, 1990, ?) RETURNING id`, store.Now()).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	c := ts.client(t, "servicelead@linkwell.demo")
	_, page := ts.get(t, c, "/directory/imports/"+itoa(id))
	for _, want := range []string{"Running: 2000 of 5000 records done.", `href="/directory/imports/` + itoa(id) + `">Refresh`,
		`data-refresh-every="3"`, `aria-live="polite"`} {
		if !strings.Contains(page, want) {
			t.Errorf("a running import's page does not say %q", want)
		}
	}
}

// Past imports come a page at a time, the latest first.
func TestPastImportsArePaged(t *testing.T) {
	ts := newTestServer(t)
	err := ts.DB.Tx(t.Context(), func(c store.Conn) error {
		for i := range directoryPageSize + 3 {
			if _, err := c.Exec(t.Context(), `INSERT INTO dir_imports (source, state, started_at) VALUES (?, 'done', ?)`,
				"feed "+itoa(int64(i)), store.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := ts.client(t, "servicelead@linkwell.demo")
	_, first := ts.get(t, c, "/directory/imports")
	_, second := ts.get(t, c, "/directory/imports?page=2")
	if !strings.Contains(first, `aria-label="Pages of imports"`) || !strings.Contains(first, ">feed 22<") || strings.Contains(first, ">feed 0<") {
		t.Errorf("the first page of imports is not the latest with page links")
	}
	if !strings.Contains(second, ">feed 0<") || strings.Contains(second, ">feed 22<") {
		t.Errorf("the second page does not hold the oldest imports")
	}
}
