package web

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/workforce"
)

// This file holds the pages a service lead keeps their staff on (DESIGN §3.3): the staff list,
// each member's profile and supervisors, and everyone's training record with its export for
// appraisal. The competence framework and service settings pages are in framework.go.

func (s *Server) staffRoutes() {
	m := s.mux
	m.HandleFunc("GET /workforce/staff", s.handleStaffList)
	m.HandleFunc("GET /workforce/staff/{id}/profile", s.handleProfileForm)
	m.HandleFunc("POST /workforce/staff/{id}/profile", s.handleProfileSave)
	m.HandleFunc("POST /workforce/staff/{id}/supervisors", s.handleSupervisorAdd)
	m.HandleFunc("POST /workforce/staff/{id}/supervisors/{link}/end", s.handleSupervisorEnd)
	m.HandleFunc("GET /workforce/staff/{id}/training", s.handleTraining)
	m.HandleFunc("POST /workforce/staff/{id}/training", s.handleTrainingAdd)
	m.HandleFunc("GET /workforce/staff/{id}/training.csv", s.handleTrainingCSV)
	s.frameworkRoutes()
}

func staffPath(id int64) string { return "/workforce/staff/" + itoa(id) }

// --- Staff list ---

type staffListPage struct {
	Staff  []workforce.StaffMember
	Orgs   []option // for administrators, who choose an organisation
	OrgID  int64
	Chosen bool
}

func (s *Server) handleStaffList(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), state(r).user
	if !u.HasAny(account.ServiceLead, account.Administrator) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "Only service leads and administrators keep staff records"))
		return
	}
	var page staffListPage
	var err error
	page.OrgID = listScope(u)
	if page.OrgID == 0 {
		_, page.Orgs, err = s.orgNames(ctx)
		page.OrgID, _ = formID(r.URL.Query().Get("organisation"))
	}
	if err == nil && page.OrgID != 0 {
		page.Chosen = true
		page.Staff, err = s.Workforce.Staff(ctx, u, page.OrgID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Staff", page)
	v.Form = newForm(r.URL.Query(), nil)
	s.render(w, r, http.StatusOK, "staff_list", v)
}

// --- Profile and supervisors ---

type profilePage struct {
	Profile     workforce.Profile
	Professions []option
	Bands       []option
	Candidates  []option
	RoleNames   string
}

// staffToManage reads the member of staff a page is about, refusing anyone who may not change
// their profile and supervisors.
func (s *Server) staffToManage(w http.ResponseWriter, r *http.Request) (workforce.Profile, bool) {
	id, err := pathID(r)
	var p workforce.Profile
	if err == nil {
		p, err = s.Workforce.Profile(r.Context(), id)
	}
	if err == nil && !workforce.MayManage(state(r).user, p.OrganisationID) {
		err = apperr.New(apperr.Forbidden, "Only a service lead in their organisation, or an administrator, can change this member of staff's profile or supervisors")
	}
	if err != nil {
		s.fail(w, r, err)
		return p, false
	}
	return p, true
}

func (s *Server) handleProfileForm(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.staffToManage(w, r); ok {
		vals := url.Values{"profession": {string(p.Profession)}, "registration": {p.Registration}, "band": {p.Band},
			"version": {itoa(p.Version)}}
		if p.Capacity > 0 {
			vals.Set("capacity", strconv.Itoa(p.Capacity))
		}
		s.showProfile(w, r, http.StatusOK, p, newForm(vals, nil))
	}
}

func (s *Server) showProfile(w http.ResponseWriter, r *http.Request, status int, p workforce.Profile, f form) {
	cands, err := s.Workforce.SupervisorCandidates(r.Context(), p.OrganisationID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := profilePage{Profile: p}
	for _, pr := range workforce.Professions {
		page.Professions = append(page.Professions, option{string(pr), pr.Label()})
	}
	for _, b := range workforce.Bands {
		page.Bands = append(page.Bands, option{b, "Band " + b})
	}
	for _, c := range cands {
		if c.SupervisorID == p.UserID {
			continue
		}
		label := c.SupervisorName + " – " + c.SupervisorOrg
		if c.CrossOrg {
			label += " (under a data-sharing agreement)"
		}
		page.Candidates = append(page.Candidates, option{itoa(c.SupervisorID), label})
	}
	for i, role := range p.Roles {
		if i > 0 {
			page.RoleNames += ", "
		}
		page.RoleNames += role.Label()
	}
	v := s.newView(r, "Profile and supervisors: "+p.Name, page)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, map[string]string{"profile": "Profile saved", "supervisor": "Supervisor added",
			"ended": "Supervision ended"})
	}
	s.render(w, r, status, "staff_profile", v)
}

func (s *Server) handleProfileSave(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffToManage(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	err := s.Workforce.SaveProfile(r.Context(), actor(r), state(r).user, p.UserID, workforce.ProfileInput{
		Profession: workforce.Profession(f.Get("profession")), Registration: f.Get("registration"), Band: f.Get("band"),
		Capacity: f.Get("capacity"), Version: formVersion(f)})
	s.afterProfileChange(w, r, p, err, "profile", keepTyped(f, p.Version))
}

func (s *Server) handleSupervisorAdd(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffToManage(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	sup, valid := formID(r.PostForm.Get("supervisor"))
	var err error
	if !valid {
		err = apperr.Fields{{Field: "supervisor", Message: "Select a supervisor from the list"}}.Err()
	} else {
		err = s.Workforce.AddSupervisor(r.Context(), actor(r), state(r).user, p.UserID, sup)
	}
	s.afterProfileChange(w, r, p, err, "supervisor", values(r.PostForm))
}

func (s *Server) handleSupervisorEnd(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffToManage(w, r)
	if !ok {
		return
	}
	link, err := strconv.ParseInt(r.PathValue("link"), 10, 64)
	if err != nil || !slices.ContainsFunc(p.Supervisors, func(l workforce.Link) bool { return l.ID == link }) {
		s.fail(w, r, errNoPage)
		return
	}
	err = s.Workforce.EndSupervisor(r.Context(), actor(r), state(r).user, link)
	s.afterProfileChange(w, r, p, err, "ended", nil)
}

// afterProfileChange shows the outcome of a change on the profile page: back to it with a
// confirmation, or the form again with the problem and what was typed.
func (s *Server) afterProfileChange(w http.ResponseWriter, r *http.Request, p workforce.Profile, err error, kind string, typed values) {
	switch {
	case err == nil:
		redirectSaved(w, r, staffPath(p.UserID)+"/profile", kind)
	case onForm(err):
		if fresh, ferr := s.Workforce.Profile(r.Context(), p.UserID); ferr == nil {
			p = fresh
		}
		s.showProfile(w, r, statusOf(err), p, newForm(typed, err))
	default:
		s.fail(w, r, err)
	}
}

// --- Training record ---

type trainingPage struct {
	Profile    workforce.Profile
	Entries    []workforce.Training
	TotalHours string
	Kinds      []option
}

func (s *Server) handleTraining(w http.ResponseWriter, r *http.Request) {
	s.showTraining(w, r, http.StatusOK, newForm(url.Values{"kind": {string(workforce.Course)}}, nil))
}

func (s *Server) showTraining(w http.ResponseWriter, r *http.Request, status int, f form) {
	ctx := r.Context()
	id, err := pathID(r)
	var page trainingPage
	if err == nil {
		page.Entries, err = s.Workforce.TrainingRecord(ctx, state(r).user, id)
	}
	if err == nil {
		page.Profile, err = s.Workforce.Profile(ctx, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	minutes := 0
	for _, e := range page.Entries {
		minutes += e.Minutes
	}
	page.TotalHours = workforce.Training{Minutes: minutes}.Hours()
	page.Kinds = []option{{string(workforce.Course), workforce.Course.Label()}, {string(workforce.CPD), "Continuing professional development (CPD)"}}
	v := s.newView(r, "Training record: "+page.Profile.Name, page)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, map[string]string{"training": "Training added to the record"})
	}
	s.render(w, r, status, "training", v)
}

func (s *Server) handleTrainingAdd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil || !s.parseForm(w, r) {
		if err != nil {
			s.fail(w, r, err)
		}
		return
	}
	f := r.PostForm
	err = s.Workforce.AddTraining(r.Context(), actor(r), state(r).user, id, workforce.TrainingInput{
		Kind: workforce.TrainingKind(f.Get("kind")), Title: f.Get("title"), Provider: f.Get("provider"),
		CompletedOn: readDate(f, "completed_on"), Hours: f.Get("hours"), Notes: f.Get("notes")})
	switch {
	case err == nil:
		redirectSaved(w, r, staffPath(id)+"/training", "training")
	case onForm(err):
		s.showTraining(w, r, statusOf(err), newForm(f, err))
	default:
		s.fail(w, r, err)
	}
}

// handleTrainingCSV downloads a training record for appraisal, with any typed text that a
// spreadsheet would run as a formula made harmless.
func (s *Server) handleTrainingCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	var entries []workforce.Training
	var p workforce.Profile
	if err == nil {
		entries, err = s.Workforce.TrainingRecord(ctx, state(r).user, id)
	}
	if err == nil {
		p, err = s.Workforce.Profile(ctx, id)
	}
	var buf bytes.Buffer
	if err == nil {
		err = workforce.WriteTrainingCSV(&buf, entries)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeCSV(w, "training-record-"+itoa(p.UserID)+".csv", buf.Bytes())
}

// writeCSV sends a CSV file as a download.
func writeCSV(w http.ResponseWriter, filename string, body []byte) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}
