package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/workforce"
)

// This file holds the workforce pages (DESIGN F5, F9, §3.3): a supervisor's caseload oversight
// with its drill-downs, supervision sessions, advice requests from a case and the supervisor's
// queue, and a member of staff's profile with their competences and sign-off.

func (s *Server) workforceRoutes() {
	m := s.mux
	m.HandleFunc("GET /supervision", s.handleOversightPage)
	m.HandleFunc("GET /supervision/supervisees/{id}/cases", s.handleOversightCases)
	m.HandleFunc("GET /supervision/supervisees/{id}/tasks", s.handleOversightTasks)
	m.HandleFunc("GET /supervision/sessions/new", s.handleSessionForm)
	m.HandleFunc("POST /supervision/sessions/new", s.handleSessionRecord)
	m.HandleFunc("GET /supervision/sessions/{id}", s.handleSession)
	m.HandleFunc("GET /advice", s.handleAdviceQueue)
	m.HandleFunc("POST /advice/{id}/answer", s.handleAdviceAnswer)
	m.HandleFunc("GET /cases/{id}/advice", s.handleCaseAdvice)
	m.HandleFunc("POST /cases/{id}/advice", s.handleAdviceAsk)
	m.HandleFunc("GET /workforce/staff/{id}", s.handleStaff)
	m.HandleFunc("POST /workforce/staff/{id}/signoff", s.handleSignOff)
	m.HandleFunc("POST /workforce/staff/{id}/evidence", s.handleEvidence)
}

var errSupervisorsOnly = apperr.New(apperr.Forbidden, "Only supervisors have this page")

// noContactDays reads the oversight page's "no contact for" setting.
func noContactDays(r *http.Request) int {
	if n, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && n >= 7 && n <= 180 {
		return n
	}
	return workforce.NoContactDays
}

// oversightPage is the supervisor's morning view.
type oversightPage struct {
	Rows      []oversightCard
	Days      int
	Benchmark [2]int
	Queue     int
}

func (s *Server) handleOversightPage(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), state(r).user
	days := noContactDays(r)
	rows, err := s.Workforce.Oversight(ctx, u, days)
	var queue []workforce.AdviceRequest
	if err == nil {
		queue, err = s.Workforce.AdviceQueue(ctx, u.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := oversightPage{Rows: oversightCards(rows, days), Days: days, Benchmark: workforce.YearBenchmark, Queue: len(queue)}
	s.render(w, r, http.StatusOK, "supervision", s.newView(r, "Caseload oversight", page))
}

// --- Supervision sessions ---

type sessionFormPage struct {
	Overrides []workforce.OverrideToReview
	Kinds     []option
	People    []option
	Cases     []option
	Owners    []option
	ActionRow []int
}

func (s *Server) handleSessionForm(w http.ResponseWriter, r *http.Request) {
	s.showSessionForm(w, r, http.StatusOK, newForm(url.Values{"kind": {string(workforce.OneToOne)}}, nil))
}

func (s *Server) showSessionForm(w http.ResponseWriter, r *http.Request, status int, f form) {
	ctx, u := r.Context(), state(r).user
	if !u.Has(account.Supervisor) {
		s.fail(w, r, errSupervisorsOnly)
		return
	}
	links, err := s.Workforce.Supervisees(ctx, u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := sessionFormPage{ActionRow: []int{1, 2}, Owners: []option{{itoa(u.ID), u.Name + " (you)"}}}
	if page.Overrides, err = s.Workforce.OverridesToReview(ctx, u.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, k := range workforce.SessionKinds {
		page.Kinds = append(page.Kinds, option{string(k), k.Label()})
	}
	for _, l := range links {
		page.People = append(page.People, option{itoa(l.SuperviseeID), l.SuperviseeName})
		page.Owners = append(page.Owners, option{itoa(l.SuperviseeID), l.SuperviseeName})
		cl, err := s.Cases.Caseload(ctx, casework.CaseloadFilter{WorkerID: l.SuperviseeID, PerPage: 100})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, row := range cl.Rows {
			page.Cases = append(page.Cases, option{itoa(row.CaseID), row.Name + " (" + l.SuperviseeName + ")"})
		}
	}
	v := s.newView(r, "Record a supervision session", page)
	v.Form = f
	s.render(w, r, status, "supervision_session_new", v)
}

func (s *Server) handleSessionRecord(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	f, u := r.PostForm, state(r).user
	attendees, _ := formIDs(f["attendees"])
	cases, _ := formIDs(f["cases"])
	in := workforce.SessionInput{Kind: workforce.SessionKind(f.Get("kind")), HeldOn: readDate(f, "held_on"), NextOn: readDate(f, "next_on"),
		Attendees: attendees, CaseIDs: cases, Summary: f.Get("summary"), Reflections: map[int64]string{}}
	if len(attendees) == 1 {
		in.Reflections[attendees[0]] = f.Get("reflection")
	}
	for _, i := range []string{"1", "2"} {
		owner, _ := formID(f.Get("action-" + i + "-owner"))
		in.Actions = append(in.Actions, workforce.ActionInput{OwnerID: owner, Action: f.Get("action-" + i), DueOn: readDate(f, "action-"+i+"-due")})
	}
	id, err := s.Workforce.RecordSession(r.Context(), actor(r), u, in)
	switch {
	case err == nil:
		redirectSaved(w, r, "/supervision/sessions/"+itoa(id), "recorded")
	case onForm(err):
		s.showSessionForm(w, r, statusOf(err), newForm(f, err))
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var k workforce.Session
	if err == nil {
		k, err = s.Workforce.Session(r.Context(), actor(r), state(r).user, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, k.Kind.Label()+" supervision on "+dayOfISO(k.HeldOn), k)
	v.Notice = savedNotice(r, map[string]string{"recorded": "Supervision session recorded"})
	s.render(w, r, http.StatusOK, "supervision_session", v)
}

// --- Advice ---

type adviceQueuePage struct {
	Requests []adviceRow
	Times    []workforce.ResponseTimes
}

type adviceRow struct {
	workforce.AdviceRequest
	Late  bool
	Field string
}

func (s *Server) handleAdviceQueue(w http.ResponseWriter, r *http.Request) {
	s.showAdviceQueue(w, r, http.StatusOK, newForm(nil, nil))
}

func (s *Server) showAdviceQueue(w http.ResponseWriter, r *http.Request, status int, f form) {
	ctx, u := r.Context(), state(r).user
	if !u.HasAny(account.Supervisor, account.OccupationalTherapist) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "Only supervisors and occupational therapists answer advice requests"))
		return
	}
	reqs, err := s.Workforce.AdviceQueue(ctx, u.ID)
	var page adviceQueuePage
	if err == nil {
		page.Times, err = s.Workforce.AdviceResponseTimes(ctx, u.ID, nowInLondon().AddDate(0, -3, 0))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, q := range reqs {
		page.Requests = append(page.Requests, adviceRow{AdviceRequest: q, Late: q.Late(nowInLondon()), Field: "answer-" + itoa(q.ID)})
	}
	v := s.newView(r, "Advice requests", page)
	v.Form = f
	v.Notice = savedNotice(r, map[string]string{"answered": "Answer recorded on the case: the worker has been told"})
	s.render(w, r, status, "advice_queue", v)
}

func (s *Server) handleAdviceAnswer(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil || !s.parseForm(w, r) {
		if err != nil {
			s.fail(w, r, err)
		}
		return
	}
	err = s.Workforce.AnswerAdvice(r.Context(), actor(r), state(r).user, id, r.PostForm.Get("answer-"+itoa(id)))
	switch {
	case err == nil:
		redirectSaved(w, r, "/advice", "answered")
	case onForm(err):
		s.showAdviceQueue(w, r, statusOf(err), newForm(r.PostForm, err))
	default:
		s.fail(w, r, err)
	}
}

type caseAdvicePage struct {
	Head      personHead
	Case      casework.Case
	OnTeam    bool
	Advisers  []option
	Urgencies []option
	Requests  []workforce.AdviceRequest
}

func (s *Server) handleCaseAdvice(w http.ResponseWriter, r *http.Request) {
	if k, rel, ok := s.caseToAct(w, r); ok {
		s.showCaseAdvice(w, r, http.StatusOK, k, rel, newForm(url.Values{"urgency": {string(workforce.Routine)}}, nil))
	}
}

func (s *Server) handleAdviceAsk(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToChange(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	to, _ := formID(f.Get("ask_of"))
	_, err := s.Workforce.AskAdvice(r.Context(), actor(r), state(r).user, k.ID,
		workforce.AdviceInput{AskOf: to, Urgency: workforce.Urgency(f.Get("urgency")), Question: f.Get("question")})
	switch {
	case err == nil:
		redirectSaved(w, r, casePath(k.ID)+"/advice", "asked")
	case onForm(err):
		s.showCaseAdvice(w, r, statusOf(err), k, rel, newForm(f, err))
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) showCaseAdvice(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, f form) {
	ctx, u := r.Context(), state(r).user
	head, err := s.viewPerson(r, k.PersonID, string(rel), "Advice")
	page := caseAdvicePage{Head: head, Case: k, OnTeam: onCareTeam(k, u.ID) && k.Status != casework.Closed,
		Urgencies: []option{{string(workforce.Urgent), "Urgent: I need an answer within the hour"}, {string(workforce.Routine), "Routine: within two working days"}}}
	var ads []workforce.Link
	if err == nil {
		ads, err = s.Workforce.Advisers(ctx, u.ID, k.ID)
	}
	if err == nil {
		page.Requests, err = s.Workforce.CaseAdvice(ctx, k.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range ads {
		page.Advisers = append(page.Advisers, option{itoa(a.SupervisorID), a.SupervisorName + " – " + a.SupervisorOrg})
	}
	v := s.newView(r, "Advice about "+head.Banner.Name, page)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, map[string]string{"asked": "Question sent: you will be told when it is answered"})
	}
	s.render(w, r, status, "case_advice", v)
}

// --- Staff profile and competences ---

type staffPage struct {
	Profile     workforce.Profile
	Record      workforce.CompetenceRecord
	CanSignOff  bool
	IsSelf      bool
	CanManage   bool // may change their profile and supervisors
	CanTraining bool // may see their training record
	Competences []option
}

var errNotYourColleague = apperr.New(apperr.Forbidden, "Only the member of staff, their supervisors and their organisation's service leads can see their competences")

func (s *Server) handleStaff(w http.ResponseWriter, r *http.Request) {
	s.showStaff(w, r, http.StatusOK, newForm(nil, nil))
}

func (s *Server) showStaff(w http.ResponseWriter, r *http.Request, status int, f form) {
	ctx, u := r.Context(), state(r).user
	id, err := pathID(r)
	var page staffPage
	if err == nil {
		page.Profile, err = s.Workforce.Profile(ctx, id)
	}
	if err == nil {
		page.Record, err = s.Workforce.Competences(ctx, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.IsSelf = u.ID == id
	for _, l := range page.Profile.Supervisors {
		page.CanSignOff = page.CanSignOff || l.SupervisorID == u.ID && u.Has(account.Supervisor)
	}
	page.CanManage = workforce.MayManage(u, page.Profile.OrganisationID)
	page.CanTraining = page.IsSelf || page.CanSignOff || page.CanManage && !u.Has(account.Administrator)
	if !page.IsSelf && !page.CanSignOff && !page.CanManage {
		s.fail(w, r, errNotYourColleague)
		return
	}
	for _, row := range page.Record.Rows {
		page.Competences = append(page.Competences, option{row.Code, row.Name})
	}
	v := s.newView(r, page.Profile.Name, page)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, map[string]string{"signed": "Competence signed off", "evidence": "Evidence recorded"})
	}
	s.render(w, r, status, "staff", v)
}

func (s *Server) handleSignOff(w http.ResponseWriter, r *http.Request) {
	s.staffChange(w, r, "signed", func(id int64, f url.Values) error {
		return s.Workforce.SignOff(r.Context(), actor(r), state(r).user, id, workforce.SignOffInput{Code: f.Get("competence"),
			ReviewOn: readDate(f, "review_on"), Note: f.Get("note")})
	})
}

func (s *Server) handleEvidence(w http.ResponseWriter, r *http.Request) {
	s.staffChange(w, r, "evidence", func(id int64, f url.Values) error {
		return renameField(s.Workforce.RecordEvidence(r.Context(), actor(r), state(r).user, id, f.Get("evidence_competence"), f.Get("evidence")),
			"competence", "evidence_competence")
	})
}

// staffChange runs a change to a member of staff's competences and shows the outcome.
func (s *Server) staffChange(w http.ResponseWriter, r *http.Request, kind string, change func(int64, url.Values) error) {
	id, err := pathID(r)
	if err != nil || !s.parseForm(w, r) {
		if err != nil {
			s.fail(w, r, err)
		}
		return
	}
	err = change(id, r.PostForm)
	switch {
	case err == nil:
		redirectSaved(w, r, "/workforce/staff/"+itoa(id), kind)
	case onForm(err):
		s.showStaff(w, r, statusOf(err), newForm(r.PostForm, err))
	default:
		s.fail(w, r, err)
	}
}
