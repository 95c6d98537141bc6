package web

import (
	"bytes"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/workforce"
)

// This file holds a service lead's competence framework pages (DESIGN §3.3, issue 5): the
// framework in force with its versions, loading one from a CSV file, changing it one competence
// at a time (each change a new version), and each service's supervision and advice settings.

func (s *Server) frameworkRoutes() {
	m := s.mux
	m.HandleFunc("GET /workforce/framework", s.handleFramework)
	m.HandleFunc("POST /workforce/framework", s.handleFrameworkUpload)
	m.HandleFunc("GET /workforce/framework/versions/{id}", s.handleFrameworkVersion)
	m.HandleFunc("GET /workforce/framework/versions/{id}/csv", s.handleFrameworkCSV)
	m.HandleFunc("GET /workforce/framework/competences/new", s.handleCompetenceForm)
	m.HandleFunc("POST /workforce/framework/competences/new", s.handleCompetenceSave)
	m.HandleFunc("GET /workforce/framework/competences/{code}", s.handleCompetenceForm)
	m.HandleFunc("POST /workforce/framework/competences/{code}", s.handleCompetenceSave)
	m.HandleFunc("POST /workforce/framework/competences/{code}/remove", s.handleCompetenceRemove)
	m.HandleFunc("GET /services/{id}/workforce-settings", s.handleWorkforceSettings)
	m.HandleFunc("POST /services/{id}/workforce-settings", s.handleWorkforceSettingsSave)
}

var errServiceLeadsOnly = apperr.New(apperr.Forbidden, "Only service leads keep their organisation's competence framework")

// serviceLead refuses anyone who is not a service lead in an organisation.
func (s *Server) serviceLead(w http.ResponseWriter, r *http.Request) (account.User, bool) {
	u := state(r).user
	if !u.Has(account.ServiceLead) || u.OrganisationID == 0 {
		s.fail(w, r, errServiceLeadsOnly)
		return u, false
	}
	return u, true
}

type frameworkPage struct {
	Framework    workforce.Framework
	Versions     []workforce.Framework
	Own          bool     // the organisation has loaded its own; otherwise the default applies
	FileProblems []string // every problem with an uploaded file, each naming its line
	Current      bool     // the version shown is the one in force
}

func (s *Server) handleFramework(w http.ResponseWriter, r *http.Request) {
	s.showFramework(w, r, http.StatusOK, newForm(nil, nil), nil)
}

func (s *Server) showFramework(w http.ResponseWriter, r *http.Request, status int, f form, problems []string) {
	u, ok := s.serviceLead(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	page := frameworkPage{FileProblems: problems, Current: true}
	var err error
	page.Framework, err = s.Workforce.FrameworkFor(ctx, u.OrganisationID)
	if err == nil {
		page.Versions, err = s.Workforce.FrameworkVersions(ctx, u.OrganisationID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Own = page.Framework.OrganisationID != 0
	v := s.newView(r, "Competence framework", page)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, map[string]string{"loaded": "Framework loaded as a new version", "changed": "Framework changed: saved as a new version",
			"removed": "Competence removed: saved as a new version"})
	}
	s.render(w, r, status, "framework", v)
}

// maxFrameworkFile is the largest framework file read: 500 competences with long descriptions.
const maxFrameworkFile = 1 << 20

func (s *Server) handleFrameworkUpload(w http.ResponseWriter, r *http.Request) {
	u, ok := s.serviceLead(w, r)
	if !ok {
		return
	}
	if err := r.ParseMultipartForm(maxFrameworkFile); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.fail(w, r, errTooLarge)
		} else {
			s.fail(w, r, apperr.New(apperr.Invalid, "The form could not be read. Go back and try again."))
		}
		return
	}
	defer r.MultipartForm.RemoveAll()
	name := r.PostForm.Get("name")
	file, _, ferr := r.FormFile("file")
	var err error
	if ferr != nil {
		var errs apperr.Fields
		if strings.TrimSpace(name) == "" {
			errs.Add("name", "Enter a name for the framework")
		}
		errs.Add("file", "Select a CSV file to upload")
		err = errs.Err()
	} else {
		defer file.Close()
		_, err = s.Workforce.LoadFramework(r.Context(), actor(r), u, name, file)
	}
	switch {
	case err == nil:
		redirectSaved(w, r, "/workforce/framework", "loaded")
	case onForm(err):
		f, problems := everyFileProblem(r.PostForm, err)
		s.showFramework(w, r, statusOf(err), f, problems)
	default:
		s.fail(w, r, err)
	}
}

// everyFileProblem builds the form for a refused file so that the error summary lists every
// problem with it, each naming its line, rather than only the first.
func everyFileProblem(typed url.Values, err error) (form, []string) {
	f := newForm(typed, err)
	ae, _ := apperr.As(err)
	var problems []string
	for _, fe := range ae.Fields {
		if fe.Field != "file" {
			continue
		}
		if len(problems) > 0 {
			f.Order = append(f.Order, fe)
		}
		problems = append(problems, fe.Message)
	}
	return f, problems
}

func (s *Server) handleFrameworkVersion(w http.ResponseWriter, r *http.Request) {
	fw, ok := s.frameworkVersion(w, r)
	if !ok {
		return
	}
	cur, err := s.Workforce.FrameworkFor(r.Context(), state(r).user.OrganisationID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := frameworkPage{Framework: fw, Own: fw.OrganisationID != 0, Current: cur.ID == fw.ID}
	s.render(w, r, http.StatusOK, "framework_version", s.newView(r, fw.Name+", version "+strconv.Itoa(fw.Version), page))
}

func (s *Server) handleFrameworkCSV(w http.ResponseWriter, r *http.Request) {
	fw, ok := s.frameworkVersion(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := fw.WriteCSV(&buf); err != nil {
		s.fail(w, r, err)
		return
	}
	writeCSV(w, "competence-framework-v"+strconv.Itoa(fw.Version)+".csv", buf.Bytes())
}

func (s *Server) frameworkVersion(w http.ResponseWriter, r *http.Request) (workforce.Framework, bool) {
	u, ok := s.serviceLead(w, r)
	if !ok {
		return workforce.Framework{}, false
	}
	id, err := pathID(r)
	var fw workforce.Framework
	if err == nil {
		fw, err = s.Workforce.Framework(r.Context(), u, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return fw, false
	}
	return fw, true
}

// --- Changing one competence ---

type competencePage struct {
	Framework workforce.Framework
	Original  workforce.Competence // empty when adding
	TaskTypes []option
}

func (s *Server) handleCompetenceForm(w http.ResponseWriter, r *http.Request) {
	u, ok := s.serviceLead(w, r)
	if !ok {
		return
	}
	fw, err := s.Workforce.FrameworkFor(r.Context(), u.OrganisationID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vals := url.Values{"base": {itoa(fw.ID)}}
	if code := r.PathValue("code"); code != "" {
		k, found := findCompetence(fw, code)
		if !found {
			s.fail(w, r, errNoPage)
			return
		}
		vals["area"], vals["code"], vals["competence"] = []string{k.Area}, []string{k.Code}, []string{k.Name}
		vals["description"], vals["task_types"] = []string{k.Description}, k.TaskTypes
	}
	s.showCompetence(w, r, http.StatusOK, fw, newForm(vals, nil))
}

func findCompetence(fw workforce.Framework, code string) (workforce.Competence, bool) {
	for _, k := range fw.Competences {
		if k.Code == code {
			return k, true
		}
	}
	return workforce.Competence{}, false
}

func (s *Server) showCompetence(w http.ResponseWriter, r *http.Request, status int, fw workforce.Framework, f form) {
	names, err := s.Workforce.TaskTypeNames(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := competencePage{Framework: fw}
	page.Original, _ = findCompetence(fw, r.PathValue("code"))
	for _, n := range names {
		page.TaskTypes = append(page.TaskTypes, option{n, n})
	}
	title := "Add a competence"
	if page.Original.Code != "" {
		title = "Change a competence"
	}
	v := s.newView(r, title, page)
	v.Form = f
	s.render(w, r, status, "framework_competence", v)
}

func (s *Server) handleCompetenceSave(w http.ResponseWriter, r *http.Request) {
	s.changeFramework(w, r, false)
}

func (s *Server) handleCompetenceRemove(w http.ResponseWriter, r *http.Request) {
	s.changeFramework(w, r, true)
}

// changeFramework saves one change to the framework as a new version.
func (s *Server) changeFramework(w http.ResponseWriter, r *http.Request, remove bool) {
	u, ok := s.serviceLead(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	base, _ := formID(f.Get("base"))
	in := workforce.CompetenceEdit{BaseID: base, Original: r.PathValue("code"), Remove: remove, Area: f.Get("area"), Code: f.Get("code"),
		Name: f.Get("competence"), Desc: f.Get("description"), TaskTypes: f["task_types"]}
	_, err := s.Workforce.EditFramework(r.Context(), actor(r), u, in)
	kind := "changed"
	if remove {
		kind = "removed"
	}
	switch {
	case err == nil:
		redirectSaved(w, r, "/workforce/framework", kind)
	case onForm(err) && !remove:
		fw, ferr := s.Workforce.FrameworkFor(r.Context(), u.OrganisationID)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		typed := maps.Clone(f)
		typed.Set("base", itoa(fw.ID))
		s.showCompetence(w, r, statusOf(err), fw, newForm(typed, err))
	case onForm(err):
		s.showFramework(w, r, statusOf(err), newForm(nil, err), nil)
	default:
		s.fail(w, r, err)
	}
}

// --- Service settings ---

type settingsPage struct {
	ServiceID   int64
	ServiceName string
	Settings    workforce.Settings
	Defaults    workforce.Settings
}

func (s *Server) handleWorkforceSettings(w http.ResponseWriter, r *http.Request) {
	id, name, ok := s.serviceToManage(w, r)
	if !ok {
		return
	}
	set, err := s.Workforce.ServiceSettings(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vals := url.Values{"supervision_days": {strconv.Itoa(set.SupervisionDays)}, "urgent_minutes": {strconv.Itoa(set.UrgentMinutes)},
		"routine_days": {strconv.Itoa(set.RoutineDays)}, "version": {itoa(set.Version)}}
	s.showWorkforceSettings(w, r, http.StatusOK, id, name, set, newForm(vals, nil))
}

func (s *Server) showWorkforceSettings(w http.ResponseWriter, r *http.Request, status int, id int64, name string, set workforce.Settings, f form) {
	v := s.newView(r, "Supervision and advice settings for "+name, settingsPage{ServiceID: id, ServiceName: name, Settings: set, Defaults: workforce.DefaultSettings})
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, map[string]string{"settings": "Settings saved"})
	}
	s.render(w, r, status, "workforce_settings", v)
}

func (s *Server) handleWorkforceSettingsSave(w http.ResponseWriter, r *http.Request) {
	id, name, ok := s.serviceToManage(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	err := s.Workforce.SaveServiceSettings(r.Context(), actor(r), state(r).user, id, workforce.SettingsInput{SupervisionDays: f.Get("supervision_days"),
		UrgentMinutes: f.Get("urgent_minutes"), RoutineDays: f.Get("routine_days"), Version: formVersion(f)})
	switch {
	case err == nil:
		redirectSaved(w, r, "/services/"+itoa(id)+"/workforce-settings", "settings")
	case onForm(err):
		set, serr := s.Workforce.ServiceSettings(r.Context(), id)
		if serr != nil {
			s.fail(w, r, serr)
			return
		}
		s.showWorkforceSettings(w, r, statusOf(err), id, name, set, newForm(keepTyped(f, set.Version), err))
	default:
		s.fail(w, r, err)
	}
}
