package web

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/directory"
)

// The pages where service leads and administrators import directory listings in the
// background and follow how far each import has got.

func (s *Server) directoryImportRoutes() {
	m := s.mux
	m.HandleFunc("GET /directory/imports", s.handleDirectoryImports)
	m.HandleFunc("GET /directory/imports/new", s.handleDirectoryImportForm)
	m.HandleFunc(importUploadRoute, s.handleDirectoryImportStart)
	m.HandleFunc("GET /directory/imports/{id}", s.handleDirectoryImport)
}

// importUploadRoute takes uploads, so its body may be up to maxImportUploadBytes rather than
// the usual limit (see limitBody).
const importUploadRoute = "POST /directory/imports"

// maxImportUploadBytes bounds one upload of files to import, as sent.
const maxImportUploadBytes = 64 << 20

// importRefreshSeconds is how often the progress page of a running import reloads itself
// where scripts run.
const importRefreshSeconds = 3

type importsPage struct {
	Jobs       []importRow
	Total      int
	Pagination pagination
}

type importRow struct {
	directory.Job
	Progress string
}

func (s *Server) handleDirectoryImports(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) {
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	n = max(n, 1)
	res, err := s.imports.ListJobs(r.Context(), directory.Page{Number: n, Size: directoryPageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := importsPage{Total: res.Total, Pagination: paginateAt("/directory/imports", url.Values{}, n, res.TotalPages())}
	for _, j := range res.Items {
		page.Jobs = append(page.Jobs, importRow{Job: j, Progress: progressText(j)})
	}
	s.render(w, r, http.StatusOK, "directory_imports", s.newView(r, "Directory imports", page))
}

// progressText says how far an import has got, in words.
func progressText(j directory.Job) string {
	sum := j.Summary
	switch {
	case sum.Total > 0:
		return fmt.Sprintf("%d of %d records", sum.Done, sum.Total)
	case j.State == directory.JobRunning:
		return fmt.Sprintf("%d records so far; the total is not known yet", sum.Done)
	}
	return fmt.Sprintf("%d records", sum.Done)
}

func (s *Server) handleDirectoryImportForm(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) {
		return
	}
	s.showImportForm(w, r, http.StatusOK, newForm(nil, nil))
}

func (s *Server) showImportForm(w http.ResponseWriter, r *http.Request, status int, f form) {
	v := s.newView(r, "Import directory listings", map[string]int{"MaxMB": maxImportUploadBytes >> 20,
		"MaxUnzippedMB": directory.MaxUploadBytes >> 20})
	v.Form = f
	s.render(w, r, status, "directory_import_new", v)
}

// handleDirectoryImportStart keeps the uploaded files, or notes the feed's address, and starts
// the import in the background, then shows its progress. What is wrong with the form is shown
// on it, with what was typed; the files must be chosen again, as browsers never keep them.
func (s *Server) handleDirectoryImportStart(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) {
		return
	}
	if r.ContentLength > maxImportUploadBytes {
		s.showImportForm(w, r, http.StatusRequestEntityTooLarge, newForm(nil, errUploadTooLarge))
		return
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		s.importFormFailed(w, r, readUploadError(err))
		return
	}
	defer r.MultipartForm.RemoveAll()
	source := strings.TrimSpace(r.PostForm.Get("source"))
	feedURL := strings.TrimSpace(r.PostForm.Get("feed"))
	files := r.MultipartForm.File["files"]
	var open directory.Opener
	var err error
	switch {
	case len(files) > 0 && feedURL != "":
		err = apperr.Fields{{Field: "files", Message: "Upload files or enter a feed's address, not both"}}.Err()
	case len(files) > 0:
		open, err = stageUpload(files, source)
	case feedURL != "":
		open, source, err = feedOpener(feedURL, source)
	default:
		err = apperr.Fields{{Field: "files", Message: "Choose files to upload, or enter the address of a live ORUK feed"}}.Err()
	}
	var id int64
	if err == nil {
		id, err = s.imports.Start(r.Context(), actor(r), source, open)
	}
	if err != nil {
		s.importFormFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory/imports/"+itoa(id), http.StatusSeeOther)
}

var errUploadTooLarge = apperr.Fields{{Field: "files",
	Message: fmt.Sprintf("The files must be smaller than %d MB in all: upload fewer at a time, or import them with linkwell directory import", maxImportUploadBytes>>20)}}.Err()

// readUploadError explains why a form with files could not be read.
func readUploadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errUploadTooLarge
	}
	return apperr.New(apperr.Invalid, "The form could not be read. Go back and try again.")
}

func (s *Server) importFormFailed(w http.ResponseWriter, r *http.Request, err error) {
	if !onForm(err) {
		s.fail(w, r, err)
		return
	}
	s.showImportForm(w, r, statusOf(err), newForm(r.PostForm, err))
}

// stageUpload keeps the uploaded files for the import, which needs a source name to keep
// their records under.
func stageUpload(files []*multipart.FileHeader, source string) (directory.Opener, error) {
	if source == "" {
		return nil, apperr.Fields{{Field: "source", Message: "Enter a name for where these files come from"}}.Err()
	}
	u, err := directory.NewUpload()
	if err != nil {
		return nil, err
	}
	for _, fh := range files {
		if err = addUploaded(u, fh); err != nil {
			break
		}
	}
	if err == nil {
		_, err = u.Source()
	}
	if err != nil {
		u.Remove()
		return nil, err
	}
	return u.Opener(), nil
}

func addUploaded(u *directory.Upload, fh *multipart.FileHeader) error {
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("open uploaded %s: %w", fh.Filename, err)
	}
	defer f.Close()
	return u.Add(fh.Filename, f, fh.Size)
}

// feedOpener checks a live feed's address; the feed is the source unless another is named.
func feedOpener(feedURL, source string) (directory.Opener, string, error) {
	u, err := url.Parse(feedURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(feedURL) > 2000 {
		return nil, "", apperr.Fields{{Field: "feed", Message: "Enter the feed's address as a web address starting https://"}}.Err()
	}
	if source == "" {
		source = feedURL
	}
	feed := directory.Feed{URL: feedURL}
	return func(context.Context) (directory.Source, error) { return feed, nil }, source, nil
}

type importPage struct {
	Job            directory.Job
	Progress       string
	Running        bool
	RefreshSeconds int
	MoreRejected   int
}

func (s *Server) handleDirectoryImport(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) {
		return
	}
	id, err := pathID(r)
	var job directory.Job
	if err == nil {
		job, err = s.imports.Progress(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := importPage{Job: job, Progress: progressText(job), Running: job.State == directory.JobRunning,
		RefreshSeconds: importRefreshSeconds, MoreRejected: job.Summary.Rejected - len(job.Summary.Rejections)}
	s.render(w, r, http.StatusOK, "directory_import", s.newView(r, "Import "+itoa(id)+" of directory listings", page))
}
