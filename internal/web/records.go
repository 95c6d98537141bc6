package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/person"
)

// This file holds the records a care team keeps on a case: what matters to the person, their
// personalised care and support plan, contacts, and connections to community activities; and
// signposting, which needs no case. Referrers see none of them: they see status only. Each page
// audits one read of the person's record; changing a record needs the care team or the team
// that holds the case.

func (s *Server) recordRoutes() {
	m := s.mux
	m.HandleFunc("GET /cases/{id}/what-matters", s.handleWhatMatters)
	m.HandleFunc("POST /cases/{id}/what-matters", s.handleWhatMattersSave)
	m.HandleFunc("GET /cases/{id}/plan", s.handlePlan)
	m.HandleFunc("POST /cases/{id}/plan/goals", s.handleGoalAdd)
	m.HandleFunc("POST /cases/{id}/plan/goals/{goal}/status", s.handleGoalStatus)
	m.HandleFunc("POST /cases/{id}/plan/goals/{goal}/actions", s.handleActionAdd)
	m.HandleFunc("POST /cases/{id}/plan/actions/{action}/status", s.handleActionStatus)
	m.HandleFunc("POST /cases/{id}/plan/reviews", s.handleReviewAdd)
	m.HandleFunc("GET /cases/{id}/contacts", s.handleContacts)
	m.HandleFunc("POST /cases/{id}/contacts", s.handleContactAdd)
	m.HandleFunc("GET /cases/{id}/connections", s.handleConnections)
	m.HandleFunc("POST /cases/{id}/connections", s.handleConnectionAdd)
	m.HandleFunc("POST /cases/{id}/connections/{conn}/status", s.handleConnectionMove)
	m.HandleFunc("POST /cases/{id}/connections/{conn}/feedback", s.handleConnectionFeedback)
	m.HandleFunc("GET /people/{id}/signposting", s.handleSignposting)
	m.HandleFunc("POST /people/{id}/signposting", s.handleSignpostAdd)
	m.HandleFunc("GET /people/{id}/signposting/print", s.handleSignpostingPrint)
}

var (
	errReferrerRecords = apperr.New(apperr.Forbidden,
		"As the referrer you can see the status of your referral and the messages sent back, not the care team's records")
	errNotRecording = apperr.New(apperr.Forbidden,
		"Only workers on the care team, or in the team that holds the case, can change these records")
)

var recordNotices = map[string]string{
	"what-matters":  "What matters to them is saved",
	"goal":          "Goal added to the plan",
	"goal-status":   "Goal updated",
	"action":        "Action added to the plan",
	"action-status": "Action updated",
	"review":        "Review recorded",
	"contact":       "Contact recorded",
	"attempt":       "Failed contact attempt recorded",
	"connection":    "Connection added",
	"moved":         "Connection updated",
	"feedback":      "Feedback saved",
	"signposted":    "Signposting recorded",
	"measure":       "Wellbeing measure saved",
}

// recordHead is what heads every record page: the person, the case, and whether the user
// may change its records.
type recordHead struct {
	Banner  banner
	CaseID  int64
	Closed  bool
	CanEdit bool
	Current string // which record page this is, for the links between them
}

// mayRecord reports whether the user may change a person's records: someone who holds
// caseloads, on the care team or in the team that holds the case.
func (s *Server) mayRecord(r *http.Request, rel casework.Relationship) bool {
	return (rel == casework.CareTeam || rel == casework.TeamHolds) &&
		s.Policy.Can(r.Context(), state(r).user, access.UseCaseload, access.Resource{})
}

// recordCase finds the case a record page is about, refusing referrers and anyone with no
// relationship with its person.
func (s *Server) recordCase(w http.ResponseWriter, r *http.Request) (casework.Case, casework.Relationship, bool) {
	k, rel, ok := s.caseFor(w, r)
	if ok && rel == casework.Referrer {
		s.fail(w, r, errReferrerRecords)
		return k, rel, false
	}
	return k, rel, ok
}

// caseToRecord is recordCase for the forms that change a case's records.
func (s *Server) caseToRecord(w http.ResponseWriter, r *http.Request) (casework.Case, casework.Relationship, bool) {
	k, rel, ok := s.recordCase(w, r)
	if !ok {
		return k, rel, false
	}
	if !s.mayRecord(r, rel) {
		s.fail(w, r, errNotRecording)
		return k, rel, false
	}
	return k, rel, s.parseForm(w, r)
}

// openRecord audits the read of the person's record for a case's record page and heads it.
func (s *Server) openRecord(r *http.Request, k casework.Case, rel casework.Relationship, current string) (recordHead, person.Person, error) {
	p, err := s.People.View(r.Context(), actor(r), k.PersonID, string(rel))
	if err != nil {
		return recordHead{}, person.Person{}, err
	}
	closed := k.Status == casework.Closed
	return recordHead{Banner: newBanner(p), CaseID: k.ID, Closed: closed, CanEdit: !closed && s.mayRecord(r, rel),
		Current: current}, p, nil
}

// renderRecord renders a record page, with its confirmation after a change.
func (s *Server) renderRecord(w http.ResponseWriter, r *http.Request, status int, page, title string, data any, f form) {
	v := s.newView(r, title, data)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, recordNotices)
	}
	s.render(w, r, status, page, v)
}

// afterRecord goes back to a record page after a change, or calls show with the form and the
// problem when the change was refused for something the user can put right.
func (s *Server) afterRecord(w http.ResponseWriter, r *http.Request, err error, path, kind string, show func(int, form)) {
	if err == nil {
		redirectSaved(w, r, path, kind)
		return
	}
	if !onForm(err) {
		s.fail(w, r, err)
		return
	}
	show(statusOf(err), newForm(r.PostForm, err))
}

// prefixed renames the fields of a form error to those of one of several forms on a page.
func prefixed(err error, prefix string) error {
	ae, ok := apperr.As(err)
	if !ok || len(ae.Fields) == 0 {
		return err
	}
	fs := make(apperr.Fields, len(ae.Fields))
	for i, fe := range ae.Fields {
		fs[i] = apperr.FieldError{Field: prefix + fe.Field, Message: fe.Message}
	}
	return fs.Err()
}

// pathNumber reads a record id from the path; anything but a positive number names no page.
func pathNumber(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNoPage
	}
	return id, nil
}

// dateParts reads a date typed into the boxes name-day, name-month and name-year.
func dateParts(f url.Values, name string) person.DateParts {
	return person.DateParts{Day: f.Get(name + "-day"), Month: f.Get(name + "-month"), Year: f.Get(name + "-year")}
}

// teamOptions lists the workers on a case's care team now.
func teamOptions(k casework.Case) []option {
	var out []option
	for _, wk := range k.Team {
		if wk.Current() {
			out = append(out, option{Value: itoa(wk.UserID), Label: wk.Name + " (" + wk.Role.Label() + ")"})
		}
	}
	return out
}

func barrierOptions() []option {
	out := make([]option, len(casework.Barriers))
	for i, b := range casework.Barriers {
		out[i] = option{Value: string(b), Label: b.Label()}
	}
	return out
}

func barrierCodes(bs []casework.Barrier) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

func barrierLabels(bs []casework.Barrier) string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Label()
	}
	return strings.Join(out, ", ")
}

// What matters to me

type whatMattersPage struct {
	recordHead
	Saved    casework.WhatMatters
	Barriers string
	Options  []option
	Conflict bool // the saved record changed under the user: show it beside what they typed
}

func (s *Server) handleWhatMatters(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.recordCase(w, r)
	if ok {
		s.showWhatMatters(w, r, http.StatusOK, k, rel, form{})
	}
}

func (s *Server) handleWhatMattersSave(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	_, err := s.Cases.SaveWhatMatters(r.Context(), actor(r), k.ID, casework.WhatMattersInput{
		OwnWords: f.Get("own_words"), Strengths: f.Get("strengths"), Wants: f.Get("wants"), Needs: f.Get("needs"),
		HasToDo: f.Get("has_to_do"), Barriers: f["barriers"], Version: formVersion(f)})
	if apperr.Is(err, apperr.Conflict) {
		// Keep what they typed, with the version now saved, so that saving again after checking
		// the other changes replaces them knowingly.
		current, cerr := s.Cases.WhatMatters(r.Context(), k.ID)
		if cerr != nil {
			s.fail(w, r, cerr)
			return
		}
		s.showWhatMatters(w, r, http.StatusConflict, k, rel, newForm(keepTyped(f, current.Version), err))
		return
	}
	s.afterRecord(w, r, err, casePath(k.ID)+"/what-matters", "what-matters", func(status int, fm form) {
		s.showWhatMatters(w, r, status, k, rel, fm)
	})
}

// showWhatMatters renders the conversation, with the form filled from the saved record unless
// f holds what the user typed.
func (s *Server) showWhatMatters(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, f form) {
	head, p, err := s.openRecord(r, k, rel, "what-matters")
	var saved casework.WhatMatters
	if err == nil {
		saved, err = s.Cases.WhatMatters(r.Context(), k.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if f.Values == nil {
		f = newForm(url.Values{"own_words": {saved.OwnWords}, "strengths": {saved.Strengths}, "wants": {saved.Wants},
			"needs": {saved.Needs}, "has_to_do": {saved.HasToDo}, "barriers": barrierCodes(saved.Barriers),
			"version": {itoa(saved.Version)}}, nil)
	}
	page := whatMattersPage{recordHead: head, Saved: saved, Barriers: barrierLabels(saved.Barriers), Options: barrierOptions(),
		Conflict: status == http.StatusConflict}
	s.renderRecord(w, r, status, "what_matters", p.Name()+": what matters to them", page, f)
}

// The personalised care and support plan

type planPage struct {
	recordHead
	Goals          []goalRow
	Reviews        []casework.Review
	Team           []option
	GoalStatuses   []option
	ActionStatuses []option
	Owners         []option
}

type goalRow struct {
	casework.Goal
	Prefix  string // of the fields of the forms about this goal
	Active  bool
	Open    bool // the add-an-action form is being shown again with what was typed
	Actions []actionRow
}

type actionRow struct {
	casework.Action
	Prefix string
}

func goalPrefix(id int64) string   { return "goal-" + itoa(id) + "-" }
func actionPrefix(id int64) string { return "action-" + itoa(id) + "-" }

func (s *Server) handlePlan(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.recordCase(w, r)
	if ok {
		s.showPlan(w, r, http.StatusOK, k, rel, form{})
	}
}

func (s *Server) handleGoalAdd(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	_, err := s.Cases.AddGoal(r.Context(), actor(r), k.ID, casework.GoalInput{Text: f.Get("goal"), Target: dateParts(f, "target")})
	s.afterPlan(w, r, k, rel, err, "goal")
}

func (s *Server) handleGoalStatus(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	g, err := s.goalOf(r, k)
	if err == nil {
		p := goalPrefix(g.ID)
		err = s.Cases.UpdateGoalStatus(r.Context(), actor(r), g.ID, casework.GoalStatus(r.PostForm.Get(p+"status")), formVersion(r.PostForm))
		err = prefixed(err, p)
	}
	s.afterPlan(w, r, k, rel, err, "goal-status")
}

func (s *Server) handleActionAdd(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	g, err := s.goalOf(r, k)
	if err == nil {
		f, p := r.PostForm, goalPrefix(g.ID)
		userID, _ := formID(f.Get(p + "owner_user"))
		_, err = s.Cases.AddAction(r.Context(), actor(r), g.ID, casework.ActionInput{Text: f.Get(p + "action"),
			Owner: casework.OwnerKind(f.Get(p + "owner")), OwnerUserID: userID, OwnerName: f.Get(p + "owner_name"),
			Due: dateParts(f, p+"due")})
		err = prefixed(err, p)
	}
	s.afterPlan(w, r, k, rel, err, "action")
}

func (s *Server) handleActionStatus(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	id, err := pathNumber(r, "action")
	if err == nil {
		err = s.actionOnCase(r.Context(), k.ID, id)
	}
	if err == nil {
		p := actionPrefix(id)
		err = s.Cases.UpdateActionStatus(r.Context(), actor(r), id, casework.ActionStatus(r.PostForm.Get(p+"status")), formVersion(r.PostForm))
		err = prefixed(err, p)
	}
	s.afterPlan(w, r, k, rel, err, "action-status")
}

func (s *Server) handleReviewAdd(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	by, _ := formID(f.Get("review-reviewed_by"))
	_, err := s.Cases.AddReview(r.Context(), actor(r), k.ID, casework.ReviewInput{On: dateParts(f, "review-on"),
		Note: f.Get("review-note"), With: f.Get("review-with"), ReviewedBy: by})
	s.afterPlan(w, r, k, rel, prefixed(err, "review-"), "review")
}

func (s *Server) afterPlan(w http.ResponseWriter, r *http.Request, k casework.Case, rel casework.Relationship, err error, kind string) {
	s.afterRecord(w, r, err, casePath(k.ID)+"/plan", kind, func(status int, f form) {
		s.showPlan(w, r, status, k, rel, f)
	})
}

// goalOf finds the goal named in the path among the case's, so that a goal of another case
// is never changed through this one.
func (s *Server) goalOf(r *http.Request, k casework.Case) (casework.Goal, error) {
	id, err := pathNumber(r, "goal")
	if err != nil {
		return casework.Goal{}, err
	}
	plan, err := s.Cases.Plan(r.Context(), k.ID)
	if err != nil {
		return casework.Goal{}, err
	}
	for _, g := range plan.Goals {
		if g.ID == id {
			return g, nil
		}
	}
	return casework.Goal{}, errNoPage
}

// actionOnCase checks that an action belongs to one of the case's goals.
func (s *Server) actionOnCase(ctx context.Context, caseID, actionID int64) error {
	plan, err := s.Cases.Plan(ctx, caseID)
	if err != nil {
		return err
	}
	for _, g := range plan.Goals {
		if slices.ContainsFunc(g.Actions, func(a casework.Action) bool { return a.ID == actionID }) {
			return nil
		}
	}
	return errNoPage
}

func (s *Server) showPlan(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, f form) {
	head, p, err := s.openRecord(r, k, rel, "plan")
	var plan casework.Plan
	if err == nil {
		plan, err = s.Cases.Plan(r.Context(), k.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := planPage{recordHead: head, Reviews: plan.Reviews, Team: teamOptions(k)}
	for _, g := range plan.Goals {
		row := goalRow{Goal: g, Prefix: goalPrefix(g.ID), Active: g.Status == casework.GoalActive}
		_, row.Open = f.Values[row.Prefix+"action"]
		for _, a := range g.Actions {
			row.Actions = append(row.Actions, actionRow{Action: a, Prefix: actionPrefix(a.ID)})
		}
		page.Goals = append(page.Goals, row)
	}
	for _, st := range casework.GoalStatuses {
		page.GoalStatuses = append(page.GoalStatuses, option{Value: string(st), Label: st.Label()})
	}
	for _, st := range casework.ActionStatuses {
		page.ActionStatuses = append(page.ActionStatuses, option{Value: string(st), Label: st.Label()})
	}
	for _, o := range casework.OwnerKinds {
		page.Owners = append(page.Owners, option{Value: string(o), Label: o.Label()})
	}
	if f.Values == nil {
		f = newForm(url.Values{"review-reviewed_by": {itoa(state(r).user.ID)}}, nil)
	}
	s.renderRecord(w, r, status, "plan", p.Name()+": plan", page, f)
}

// Contacts

type contactsPage struct {
	recordHead
	Contacts []contactRow
	Types    []option
	Team     []option
}

type contactRow struct {
	casework.Contact
	TypeLabel string
	Workers   string
}

func (s *Server) handleContacts(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.recordCase(w, r)
	if ok {
		s.showContacts(w, r, http.StatusOK, k, rel, form{})
	}
}

func (s *Server) handleContactAdd(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	var err error
	ids, idsOK := formIDs(f["workers"])
	if !idsOK {
		err = apperr.Fields{{Field: "workers", Message: "Select who took part from the people on the care team"}}.Err()
	}
	failed := f.Get("failed") == "yes"
	if err == nil {
		_, err = s.Cases.RecordContact(r.Context(), actor(r), k.ID, casework.ContactInput{Date: dateParts(f, "date"),
			Time: f.Get("time"), Type: casework.ContactType(f.Get("type")), Minutes: f.Get("minutes"), Failed: failed,
			Note: f.Get("note"), WorkerIDs: ids})
	}
	kind := "contact"
	if failed {
		kind = "attempt"
	}
	s.afterRecord(w, r, err, casePath(k.ID)+"/contacts", kind, func(status int, fm form) {
		s.showContacts(w, r, status, k, rel, fm)
	})
}

func (s *Server) showContacts(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, f form) {
	head, p, err := s.openRecord(r, k, rel, "contacts")
	var contacts []casework.Contact
	if err == nil {
		contacts, err = s.Cases.Contacts(r.Context(), k.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := contactsPage{recordHead: head, Team: teamOptions(k)}
	for _, t := range casework.ContactTypes {
		page.Types = append(page.Types, option{Value: string(t), Label: t.Label()})
	}
	for _, c := range contacts {
		names := make([]string, len(c.Workers))
		for i, wk := range c.Workers {
			names[i] = wk.Name
		}
		page.Contacts = append(page.Contacts, contactRow{Contact: c, TypeLabel: c.Type.Label(), Workers: joinNames(names)})
	}
	if f.Values == nil {
		f = newForm(nil, nil)
		// The one recording a contact almost always took part in it.
		if me := itoa(state(r).user.ID); slices.ContainsFunc(page.Team, func(o option) bool { return o.Value == me }) {
			f.Values["workers"] = []string{me}
		}
	}
	s.renderRecord(w, r, status, "contacts", p.Name()+": contacts", page, f)
}

// joinNames lists names as people write them: "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Connections to community activities

type connectionsPage struct {
	recordHead
	Connections []connectionRow
	Starts      []option
	Barriers    []option
}

type connectionRow struct {
	casework.Connection
	Prefix       string
	StatusLabel  string
	Tag          string
	Next         []option
	History      []historyRow
	BarrierText  string
	FeedbackOpen bool // the feedback form is being shown again with a problem
}

type historyRow struct {
	From, To, Note, By string
	At                 string
}

func connPrefix(id int64) string { return "conn-" + itoa(id) + "-" }

func (s *Server) handleConnections(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.recordCase(w, r)
	if ok {
		s.showConnections(w, r, http.StatusOK, k, rel, form{})
	}
}

func (s *Server) handleConnectionAdd(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	_, err := s.Cases.AddConnection(r.Context(), actor(r), k.ID, casework.ConnectionInput{Activity: f.Get("activity"),
		Organisation: f.Get("organisation"), Status: casework.ConnectionStatus(f.Get("status")),
		FirstSessionHelp: f.Get("first_session_help") == "yes", FirstSessionNote: f.Get("first_session_note")})
	s.afterConnections(w, r, k, rel, err, "connection")
}

func (s *Server) handleConnectionMove(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	cn, err := s.connectionOf(r, k)
	if err == nil {
		f, p := r.PostForm, connPrefix(cn.ID)
		if to := f.Get(p + "status"); to == "" {
			err = apperr.Fields{{Field: p + "status", Message: "Select what has happened"}}.Err()
		} else {
			err = prefixed(s.Cases.MoveConnection(r.Context(), actor(r), cn.ID, casework.ConnectionStatus(to),
				f.Get(p+"note"), formVersion(f)), p)
		}
	}
	if err == nil {
		s.sendLinksAfter(r, k.ID)
	}
	s.afterConnections(w, r, k, rel, err, "moved")
}

// handleConnectionFeedback records what the provider said and the barriers met, keeping the
// rest of the connection as it is.
func (s *Server) handleConnectionFeedback(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	cn, err := s.connectionOf(r, k)
	if err == nil {
		f, p := r.PostForm, connPrefix(cn.ID)
		_, err = s.Cases.UpdateConnection(r.Context(), actor(r), cn.ID, casework.ConnectionInput{Activity: cn.Activity,
			Organisation: cn.Organisation, FirstSessionHelp: cn.FirstSessionHelp, FirstSessionNote: cn.FirstSessionNote,
			ProviderFeedback: f.Get(p + "provider_feedback"), Barriers: f[p+"barriers"]}, formVersion(f))
		err = prefixed(err, p)
	}
	s.afterConnections(w, r, k, rel, err, "feedback")
}

func (s *Server) afterConnections(w http.ResponseWriter, r *http.Request, k casework.Case, rel casework.Relationship, err error, kind string) {
	s.afterRecord(w, r, err, casePath(k.ID)+"/connections", kind, func(status int, f form) {
		s.showConnections(w, r, status, k, rel, f)
	})
}

// connectionOf finds the connection named in the path among the case's.
func (s *Server) connectionOf(r *http.Request, k casework.Case) (casework.Connection, error) {
	id, err := pathNumber(r, "conn")
	if err != nil {
		return casework.Connection{}, err
	}
	list, err := s.Cases.Connections(r.Context(), k.ID)
	if err != nil {
		return casework.Connection{}, err
	}
	for _, cn := range list {
		if cn.ID == id {
			return cn, nil
		}
	}
	return casework.Connection{}, errNoPage
}

func (s *Server) showConnections(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, f form) {
	head, p, err := s.openRecord(r, k, rel, "connections")
	var list []casework.Connection
	if err == nil {
		list, err = s.Cases.Connections(r.Context(), k.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := connectionsPage{recordHead: head, Barriers: barrierOptions(), Starts: []option{
		{Value: string(casework.ConnSuggested), Label: "Suggested to them"},
		{Value: string(casework.ConnReferred), Label: "Referred to the provider"}}}
	if f.Values == nil {
		f = newForm(url.Values{"status": {string(casework.ConnSuggested)}}, nil)
	}
	for _, cn := range list {
		row := connectionRow{Connection: cn, Prefix: connPrefix(cn.ID), StatusLabel: cn.Status.Label(),
			Tag: connectionTag(cn.Status), BarrierText: barrierLabels(cn.Barriers)}
		_, row.FeedbackOpen = f.Errors[row.Prefix+"provider_feedback"]
		if _, ok := f.Errors[row.Prefix+"barriers"]; ok {
			row.FeedbackOpen = true
		}
		for _, st := range cn.Status.Next() {
			row.Next = append(row.Next, option{Value: string(st), Label: st.Label()})
		}
		for _, h := range cn.History {
			row.History = append(row.History, historyRow{From: h.From.Label(), To: h.To.Label(), Note: h.Note,
				By: h.ChangedByName, At: dayOf(h.At)})
		}
		// The feedback form starts from what is saved, unless this is the form being shown again.
		if _, typed := f.Values[row.Prefix+"provider_feedback"]; !typed {
			f.Values[row.Prefix+"provider_feedback"] = []string{cn.ProviderFeedback}
			f.Values[row.Prefix+"barriers"] = barrierCodes(cn.Barriers)
		}
		page.Connections = append(page.Connections, row)
	}
	s.renderRecord(w, r, status, "connections", p.Name()+": connections to activities", page, f)
}

// connectionTag is the colour of a connection's status tag.
func connectionTag(st casework.ConnectionStatus) string {
	switch st {
	case casework.ConnFirstAttended, casework.ConnAttending, casework.ConnCompleted:
		return "nhsuk-tag--green"
	case casework.ConnDidNotAttend, casework.ConnDeclined, casework.ConnNoCapacity:
		return "nhsuk-tag--orange"
	case casework.ConnSuggested:
		return "nhsuk-tag--white"
	}
	return "nhsuk-tag--blue"
}

// Signposting

// signpostFormRows is how many services the signposting form offers at a time.
const signpostFormRows = 3

type signpostingPage struct {
	Banner    banner
	CanRecord bool
	Records   []casework.Signpost
	Rows      []int
	Printable string // the printable list of what was just recorded
}

func (s *Server) handleSignposting(w http.ResponseWriter, r *http.Request) {
	id, rel, ok := s.signpostPerson(w, r)
	if ok {
		s.showSignposting(w, r, http.StatusOK, id, rel, form{})
	}
}

func (s *Server) handleSignpostAdd(w http.ResponseWriter, r *http.Request) {
	id, rel, ok := s.signpostPerson(w, r)
	if !ok {
		return
	}
	if !s.mayRecord(r, rel) {
		s.fail(w, r, errNotRecording)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	in := casework.SignpostInput{On: dateParts(f, "on")}
	for n := 1; n <= signpostFormRows; n++ {
		p := "service_" + strconv.Itoa(n) + "_"
		in.Services = append(in.Services, casework.SignpostedService{Name: f.Get(p + "name"),
			Organisation: f.Get(p + "organisation"), HowToContact: f.Get(p + "how_to_contact"), Why: f.Get(p + "why")})
	}
	sp, err := s.Cases.Signpost(r.Context(), actor(r), id, in)
	if err == nil {
		http.Redirect(w, r, personPath(id)+"/signposting?saved=signposted&signpost="+itoa(sp.ID), http.StatusSeeOther)
		return
	}
	if !onForm(err) {
		s.fail(w, r, err)
		return
	}
	s.showSignposting(w, r, statusOf(err), id, rel, newForm(f, err))
}

// signpostPerson finds the person a signposting page is about, refusing referrers and anyone
// with no relationship with them.
func (s *Server) signpostPerson(w http.ResponseWriter, r *http.Request) (int64, casework.Relationship, bool) {
	id, err := pathID(r)
	var rel casework.Relationship
	if err == nil {
		rel, err = s.Policy.PersonAccess(r.Context(), state(r).user, id)
	}
	if err == nil && rel == casework.Referrer {
		err = errReferrerRecords
	}
	if err != nil {
		s.fail(w, r, err)
		return 0, "", false
	}
	return id, rel, true
}

func (s *Server) showSignposting(w http.ResponseWriter, r *http.Request, status int, id int64, rel casework.Relationship, f form) {
	p, err := s.People.View(r.Context(), actor(r), id, string(rel))
	var records []casework.Signpost
	if err == nil {
		records, err = s.Cases.Signposting(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := signpostingPage{Banner: newBanner(p), CanRecord: s.mayRecord(r, rel), Records: records}
	if f.Values == nil {
		f = newForm(nil, nil)
	}
	for n := 1; n <= signpostFormRows; n++ {
		page.Rows = append(page.Rows, n)
	}
	if sp, ok := formID(r.URL.Query().Get("signpost")); ok && sp != 0 && status == http.StatusOK {
		page.Printable = personPath(id) + "/signposting/print?signpost=" + itoa(sp)
	}
	s.renderRecord(w, r, status, "signposting", p.Name()+": signposting", page, f)
}

type signpostPrintPage struct {
	PersonID int64
	List     casework.SignpostList
	EmailAt  string // the form to email the same list
}

// handleSignpostingPrint shows a list of services for the person to keep: those in the
// signposting records named by ?signpost=, or every service they have been told about.
func (s *Server) handleSignpostingPrint(w http.ResponseWriter, r *http.Request) {
	id, rel, ok := s.signpostPerson(w, r)
	if !ok {
		return
	}
	ids, idsOK := formIDs(r.URL.Query()["signpost"])
	if !idsOK {
		s.fail(w, r, errNoPage)
		return
	}
	p, err := s.People.View(r.Context(), actor(r), id, string(rel))
	var list casework.SignpostList
	if err == nil {
		list, err = s.Cases.SignpostingList(r.Context(), id, ids...)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "signposting_print", s.newView(r, p.Name()+": services that could help", signpostPrintPage{PersonID: id, List: list,
		EmailAt: personPath(id) + "/signposting/email?" + url.Values{"signpost": r.URL.Query()["signpost"]}.Encode()}))
}
