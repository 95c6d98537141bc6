package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/safeguarding"
)

// This file holds the pages that keep people safe (DESIGN F5, F8, F10, §3.2): risk flags on a
// person, safeguarding concerns raised from a case with the lead's queue and each service's
// local procedure, then work handed between workers (tasks, clinical input, step-down) and
// audited emergency access. Closing a case is in closure.go, notifications in notifications.go.

// safetyRoutes lists the routes of this file, closure.go and notifications.go.
func (s *Server) safetyRoutes() {
	m := s.mux
	m.HandleFunc("POST /people/{id}/flags", s.handleFlagRaise)
	m.HandleFunc("POST /people/{id}/flags/{flag}/remove", s.handleFlagRemove)
	m.HandleFunc("GET /cases/{id}/safeguarding/new", s.handleConcernNew)
	m.HandleFunc("POST /cases/{id}/safeguarding/new", s.handleConcernRaise)
	m.HandleFunc("GET /safeguarding", s.handleConcernQueue)
	m.HandleFunc("GET /safeguarding/concerns/{id}", s.handleConcern)
	m.HandleFunc("POST /safeguarding/concerns/{id}/move", s.handleConcernMove)
	m.HandleFunc("GET /services/{id}/safeguarding-procedure", s.handleProcedure)
	m.HandleFunc("POST /services/{id}/safeguarding-procedure", s.handleProcedureSave)
	s.workRoutes()
	s.closureRoutes()
	s.notificationRoutes()
}

// riskFlags are a person's current risk flags, for the banner at the top of every page about
// them.
type riskFlags []safeguarding.Flag

// Options are the kinds of flag the person does not carry yet, for the form that adds one.
func (fs riskFlags) Options() []option {
	var out []option
	for _, k := range safeguarding.FlagKinds {
		if !slices.ContainsFunc(fs, func(f safeguarding.Flag) bool { return f.Kind == k }) {
			out = append(out, option{Value: string(k), Label: k.Label()})
		}
	}
	return out
}

// personHead heads a safety page about a person: who they are and the risks they carry.
type personHead struct {
	Caption string
	Banner  banner
	Risk    riskFlags
}

// viewPerson reads the person a page is about, auditing the read once with its basis, and
// their risk flags.
func (s *Server) viewPerson(r *http.Request, personID int64, basis, caption string) (personHead, error) {
	ctx := r.Context()
	p, err := s.People.View(ctx, actor(r), personID, basis)
	if err != nil {
		return personHead{}, err
	}
	flags, err := s.Safety.Flags(ctx, personID)
	return personHead{Caption: caption, Banner: newBanner(p), Risk: flags}, err
}

var errReferrerOnly = apperr.New(apperr.Forbidden,
	"As the referrer you can see the status of your referral and the messages sent back to you, but not the rest of the record")

// caseToAct is caseFor for the pages that work on a case: the referrer, who sees status only,
// is refused.
func (s *Server) caseToAct(w http.ResponseWriter, r *http.Request) (casework.Case, casework.Relationship, bool) {
	k, rel, ok := s.caseFor(w, r)
	if ok && rel == casework.Referrer {
		s.fail(w, r, errReferrerOnly)
		return k, rel, false
	}
	return k, rel, ok
}

// caseToChange is caseToAct for a form, with the form read.
func (s *Server) caseToChange(w http.ResponseWriter, r *http.Request) (casework.Case, casework.Relationship, bool) {
	k, rel, ok := s.caseToAct(w, r)
	return k, rel, ok && s.parseForm(w, r)
}

// subID reads a second id in a path, such as the task in /cases/{id}/tasks/{task}.
func subID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNoPage
	}
	return id, nil
}

// readDate reads an optional date typed into the boxes name-day, name-month and name-year as
// YYYY-MM-DD. What cannot be read is passed on as typed, so that the service refuses it.
func readDate(vs url.Values, name string) string {
	d := organisation.DateParts{Day: vs.Get(name + "-day"), Month: vs.Get(name + "-month"), Year: vs.Get(name + "-year")}
	if d.Empty() {
		return ""
	}
	if day, msg := d.Parse("Date"); msg == "" {
		return day
	}
	return strings.TrimSpace(d.Year + "-" + d.Month + "-" + d.Day + "?")
}

// nowInLondon is the time in England, where oversight and review dates are read.
func nowInLondon() time.Time { return time.Now().In(london) }

func minutesOf(n int) time.Duration { return time.Duration(n) * time.Minute }

// --- Risk flags ---

// personToFlag finds the person whose flags a form changes, for anyone who may see their whole
// record.
func (s *Server) personToFlag(w http.ResponseWriter, r *http.Request) (int64, casework.Relationship, bool) {
	id, err := pathID(r)
	var rel casework.Relationship
	if err == nil {
		rel, err = s.Policy.PersonAccess(r.Context(), state(r).user, id)
	}
	if err == nil && rel == casework.Referrer {
		err = errReferrerOnly
	}
	if err != nil {
		s.fail(w, r, err)
		return 0, rel, false
	}
	return id, rel, s.parseForm(w, r)
}

func (s *Server) handleFlagRaise(w http.ResponseWriter, r *http.Request) {
	id, rel, ok := s.personToFlag(w, r)
	if !ok {
		return
	}
	_, err := s.Safety.RaiseFlag(r.Context(), actor(r), id, safeguarding.FlagKind(r.PostForm.Get("kind")), r.PostForm.Get("note"))
	s.afterFlagChange(w, r, id, rel, err)
}

func (s *Server) handleFlagRemove(w http.ResponseWriter, r *http.Request) {
	id, rel, ok := s.personToFlag(w, r)
	if !ok {
		return
	}
	flagID, err := subID(r, "flag")
	if err == nil {
		err = s.Safety.RemoveFlag(r.Context(), actor(r), id, flagID)
	}
	s.afterFlagChange(w, r, id, rel, err)
}

// afterFlagChange goes back to the person's risk flags, or shows their record again with what
// went wrong.
func (s *Server) afterFlagChange(w http.ResponseWriter, r *http.Request, id int64, rel casework.Relationship, err error) {
	if err == nil {
		http.Redirect(w, r, personPath(id)+"#risks", http.StatusSeeOther)
		return
	}
	if !onForm(err) {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	p, verr := s.People.View(ctx, actor(r), id, string(rel))
	page := personPage{Banner: newBanner(p), Relationship: relationshipLabels[rel]}
	if verr == nil {
		verr = s.fillRecord(ctx, &page, p)
	}
	if verr != nil {
		s.fail(w, r, verr)
		return
	}
	v := s.newView(r, p.Name(), page)
	v.Form = newForm(r.PostForm, err)
	s.render(w, r, statusOf(err), "person", v)
}

// --- Safeguarding concerns ---

// procedureView is a local procedure as the page shows it, a paragraph to a line.
type procedureView struct {
	Default    bool
	Paragraphs []string
}

func newProcedureView(p safeguarding.Procedure) procedureView {
	v := procedureView{Default: p.Default}
	for _, line := range strings.Split(p.Text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			v.Paragraphs = append(v.Paragraphs, line)
		}
	}
	return v
}

// concernFormPage is the form that raises a concern, below the local procedure.
type concernFormPage struct {
	Head      personHead
	CaseID    int64
	Procedure procedureView
	Subjects  []option
	Types     []option
}

var concernSubjects = []option{{string(safeguarding.Adult), "An adult"}, {string(safeguarding.Child), "A child"}}

func concernTypes() []option {
	out := make([]option, len(safeguarding.ConcernTypes))
	for i, t := range safeguarding.ConcernTypes {
		out[i] = option{Value: string(t), Label: t.Label()}
	}
	return out
}

func (s *Server) handleConcernNew(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToAct(w, r)
	if ok {
		s.showConcernForm(w, r, http.StatusOK, k, rel, newForm(nil, nil))
	}
}

func (s *Server) handleConcernRaise(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToChange(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	raised, err := s.Safety.RaiseConcern(r.Context(), actor(r), k.ID, safeguarding.ConcernInput{
		Subject: safeguarding.Subject(f.Get("subject")), Type: safeguarding.ConcernType(f.Get("type")),
		ImmediateAction: f.Get("immediate_action"), WhoTold: f.Get("who_told")})
	switch {
	case err == nil:
		told := make([]int64, len(raised.Notified))
		for i, n := range raised.Notified {
			told[i] = n.UserID
		}
		q := url.Values{"saved": {"raised"}, "told": {strings.Join(idStrings(told), ",")}}
		http.Redirect(w, r, concernPath(raised.Concern.ID)+"?"+q.Encode(), http.StatusSeeOther)
	case onForm(err):
		s.showConcernForm(w, r, statusOf(err), k, rel, newForm(f, err))
	default:
		s.fail(w, r, err)
	}
}

func concernPath(id int64) string { return "/safeguarding/concerns/" + itoa(id) }

func (s *Server) showConcernForm(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, f form) {
	head, err := s.viewPerson(r, k.PersonID, string(rel), "Safeguarding concern")
	var proc safeguarding.Procedure
	if err == nil {
		proc, err = s.Safety.Procedure(r.Context(), k.ServiceID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := concernFormPage{Head: head, CaseID: k.ID, Procedure: newProcedureView(proc), Subjects: concernSubjects, Types: concernTypes()}
	v := s.newView(r, "Raise a safeguarding concern about "+head.Banner.Name, page)
	v.Form = f
	s.render(w, r, status, "safeguarding_new", v)
}

// concernPage is a concern with the procedure, who was told when it was raised, and the
// lead's form that moves it on.
type concernPage struct {
	Head      personHead
	Concern   safeguarding.Concern
	Procedure procedureView
	Service   string
	// JustRaised is set on the raiser's first sight of the concern, which lists who Linkwell
	// told (Notified): nobody, if no safeguarding lead or supervisor is set up.
	JustRaised bool
	Notified   []notifiedRow
	CanMove    bool
	Moves      []option
}

type notifiedRow struct {
	Name, Role, Email string
}

// concernAccess is a concern and why the user may see it.
type concernAccess struct {
	concern safeguarding.Concern
	basis   string
	lead    bool // a safeguarding lead in the organisation that runs the service
	service string
}

// concernFor finds the concern a request is about. The safeguarding leads of the organisation
// running the case's service see it; so does anyone who may see the person's whole record.
func (s *Server) concernFor(w http.ResponseWriter, r *http.Request) (concernAccess, bool) {
	ctx, u := r.Context(), state(r).user
	id, err := pathID(r)
	var a concernAccess
	if err == nil {
		a.concern, err = s.Safety.Concern(ctx, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return a, false
	}
	svc, err := s.Referrals.ReceivingService(ctx, a.concern.ServiceID)
	if err != nil {
		s.fail(w, r, err)
		return a, false
	}
	a.service = svc.Name
	if u.Has(account.SafeguardingLead) && u.OrganisationID != 0 && u.OrganisationID == svc.OrganisationID {
		a.lead, a.basis = true, "safeguarding_lead"
		return a, true
	}
	rel, err := s.Policy.PersonAccess(ctx, u, a.concern.PersonID)
	if err == nil && rel == casework.Referrer {
		err = errReferrerOnly
	}
	if err != nil {
		s.fail(w, r, err)
		return a, false
	}
	a.basis = string(rel)
	return a, true
}

var concernNotices = map[string]string{
	"raised": "Safeguarding concern raised",
	"moved":  "Concern updated",
}

func (s *Server) handleConcern(w http.ResponseWriter, r *http.Request) {
	if a, ok := s.concernFor(w, r); ok {
		s.showConcern(w, r, http.StatusOK, a, newForm(nil, nil))
	}
}

func (s *Server) handleConcernMove(w http.ResponseWriter, r *http.Request) {
	a, ok := s.concernFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	if !a.lead {
		s.fail(w, r, apperr.New(apperr.Forbidden, "Only the safeguarding lead can refer or close a concern"))
		return
	}
	to := safeguarding.ConcernStatus(r.PostForm.Get("to"))
	var err error
	if to != safeguarding.ConcernReferred && to != safeguarding.ConcernClosed {
		err = apperr.Fields{{Field: "to", Message: "Select what has happened to the concern"}}.Err()
	} else {
		err = s.Safety.MoveConcern(r.Context(), actor(r), a.concern.ID, formVersion(r.PostForm), to, r.PostForm.Get("outcome"))
	}
	switch {
	case err == nil:
		redirectSaved(w, r, concernPath(a.concern.ID), "moved")
	case onForm(err):
		if fresh, ferr := s.Safety.Concern(r.Context(), a.concern.ID); ferr == nil {
			a.concern = fresh
		}
		s.showConcern(w, r, statusOf(err), a, newForm(r.PostForm, err))
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) showConcern(w http.ResponseWriter, r *http.Request, status int, a concernAccess, f form) {
	k := a.concern
	head, err := s.viewPerson(r, k.PersonID, a.basis, "Safeguarding concern")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := concernPage{Head: head, Concern: k, Procedure: newProcedureView(k.Procedure), Service: a.service,
		CanMove: a.lead && k.Status != safeguarding.ConcernClosed}
	q := r.URL.Query()
	if status == http.StatusOK && q.Get("saved") == "raised" && k.RaisedBy == state(r).user.ID {
		page.JustRaised = true
		page.Notified = s.notifiedRows(r.Context(), q.Get("told"))
	}
	for _, to := range []safeguarding.ConcernStatus{safeguarding.ConcernReferred, safeguarding.ConcernClosed} {
		if safeguarding.CanMove(k.Status, to) {
			page.Moves = append(page.Moves, option{Value: string(to), Label: to.Label()})
		}
	}
	v := s.newView(r, "Safeguarding concern about "+head.Banner.Name, page)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, concernNotices)
	}
	s.render(w, r, status, "safeguarding_concern", v)
}

// notifiedRows names the people a concern was just sent to, from the ids the raising request
// passed on. Only safeguarding leads and supervisors are named: anything else in the list was
// not put there by Linkwell.
func (s *Server) notifiedRows(ctx context.Context, told string) []notifiedRow {
	var out []notifiedRow
	for _, v := range strings.Split(told, ",") {
		id, ok := formID(v)
		if !ok || id == 0 {
			continue
		}
		u, err := s.Accounts.User(ctx, id)
		if err != nil {
			continue
		}
		switch {
		case u.Has(account.SafeguardingLead):
			out = append(out, notifiedRow{Name: u.Name, Role: account.SafeguardingLead.Label(), Email: u.Email})
		case u.Has(account.Supervisor):
			out = append(out, notifiedRow{Name: u.Name, Role: "Your supervisor", Email: u.Email})
		}
	}
	return out
}

// concernRow is one concern in the safeguarding lead's queue.
type concernRow struct {
	safeguarding.Concern
	PersonName string
}

func (s *Server) handleConcernQueue(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	list, err := s.Safety.OpenConcerns(ctx, state(r).user)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]concernRow, len(list))
	for i, k := range list {
		rows[i] = concernRow{Concern: k, PersonName: "Unknown person"}
		if p, err := s.People.Get(ctx, k.PersonID); err == nil {
			rows[i].PersonName = p.Name()
		}
	}
	s.render(w, r, http.StatusOK, "safeguarding_queue", s.newView(r, "Safeguarding concerns", rows))
}

// --- Local procedure ---

// procedurePage is the form a service lead writes the local procedure in.
type procedurePage struct {
	ServiceID   int64
	ServiceName string
	Current     procedureView
}

// serviceToManage finds the service a request is about, for its organisation's service leads
// and administrators.
func (s *Server) serviceToManage(w http.ResponseWriter, r *http.Request) (int64, string, bool) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) {
		return 0, "", false
	}
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return 0, "", false
	}
	svc, err := s.Referrals.ReceivingService(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return 0, "", false
	}
	ok := s.allowed(w, r, access.ManageServices, access.Resource{OrganisationIDs: []int64{svc.OrganisationID}})
	return svc.ID, svc.Name, ok
}

func (s *Server) handleProcedure(w http.ResponseWriter, r *http.Request) {
	id, name, ok := s.serviceToManage(w, r)
	if ok {
		s.showProcedure(w, r, http.StatusOK, id, name, nil, nil)
	}
}

func (s *Server) handleProcedureSave(w http.ResponseWriter, r *http.Request) {
	id, name, ok := s.serviceToManage(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	err := s.Safety.SetProcedure(r.Context(), actor(r), id, r.PostForm.Get("procedure"))
	switch {
	case err == nil:
		redirectSaved(w, r, "/services/"+itoa(id)+"/safeguarding-procedure", "procedure")
	case onForm(err):
		s.showProcedure(w, r, statusOf(err), id, name, r.PostForm, err)
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) showProcedure(w http.ResponseWriter, r *http.Request, status int, id int64, name string, typed url.Values, err error) {
	p, perr := s.Safety.Procedure(r.Context(), id)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	if typed == nil {
		typed = url.Values{}
		if !p.Default {
			typed.Set("procedure", p.Text)
		}
	}
	v := s.newView(r, "Safeguarding procedure for "+name, procedurePage{ServiceID: id, ServiceName: name, Current: newProcedureView(p)})
	v.Form = newForm(typed, err)
	if status == http.StatusOK {
		v.Notice = savedNotice(r, map[string]string{"procedure": "Local procedure saved: workers see it when they raise a concern"})
	}
	s.render(w, r, status, "procedure", v)
}

// --- Tasks and clinical input (DESIGN F5, F8) ---

func (s *Server) workRoutes() {
	m := s.mux
	m.HandleFunc("GET /cases/{id}/tasks", s.handleTasks)
	m.HandleFunc("POST /cases/{id}/tasks", s.handleTaskDelegate)
	m.HandleFunc("POST /cases/{id}/tasks/{task}/complete", s.handleTaskFinish(casework.TaskDone))
	m.HandleFunc("POST /cases/{id}/tasks/{task}/cancel", s.handleTaskFinish(casework.TaskCancelled))
	m.HandleFunc("POST /cases/{id}/clinical-input", s.handleClinicalInputFlag)
	m.HandleFunc("GET /clinical-input", s.handleClinicalInputQueue)
	m.HandleFunc("POST /clinical-input/{id}/resolve", s.handleClinicalInputResolve)
	m.HandleFunc("GET /cases/{id}/step-down", s.handleStepDown)
	m.HandleFunc("POST /cases/{id}/step-down", s.handleStepDownOffer)
	m.HandleFunc("POST /cases/{id}/step-down/{handover}/withdraw", s.handleStepDownWithdraw)
	m.HandleFunc("GET /handovers", s.handleHandovers)
	m.HandleFunc("POST /handovers/{id}/accept", s.handleHandoverAccept)
	m.HandleFunc("POST /handovers/{id}/decline", s.handleHandoverDecline)
	m.HandleFunc("GET /oversight", s.handleOversight)
	m.HandleFunc("GET /people/{id}/emergency-access", s.handleOverrideForm)
	m.HandleFunc("POST /people/{id}/emergency-access", s.handleOverrideGrant)
	m.HandleFunc("GET /overrides", s.handleOverrides)
}

// tasksPage is a case's tasks and requests for clinical input, with the forms to add them.
type tasksPage struct {
	Head        personHead
	Case        casework.Case
	Open        bool // the case is open, so work can be added to it
	OnTeam      bool // the user is on the care team, so may delegate and ask for clinical input
	Types       []option
	Team        []option
	Tasks       []taskRow
	Clinical    []casework.ClinicalInputFlag
	WaitingOnOT bool
	CanOverride bool // a supervisor, who may delegate despite a supervisee's competence gap
}

type taskRow struct {
	casework.Task
	Due       string
	Tag       string
	CanFinish bool
	Field     string // the outcome field of this task's form
}

func taskField(id int64) string { return "outcome-" + itoa(id) }

var taskNotices = map[string]string{
	"delegated": "Task delegated",
	"done":      "Task done",
	"cancelled": "Task cancelled",
	"clinical":  "Clinical input requested: the occupational therapists have been told",
}

func (s *Server) handleTasks(w http.ResponseWriter, r *http.Request) {
	if k, rel, ok := s.caseToAct(w, r); ok {
		s.showTasks(w, r, http.StatusOK, k, rel, newForm(nil, nil))
	}
}

func (s *Server) handleTaskDelegate(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToChange(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	typeID, _ := formID(f.Get("type"))
	to, _ := formID(f.Get("delegate_to"))
	_, err := s.Cases.Delegate(r.Context(), actor(r), state(r).user, k.ID, casework.TaskInput{
		TypeID: typeID, DelegateTo: to, Guidance: f.Get("guidance"), DueOn: readDate(f, "due_on"), OverrideReason: f.Get("override_reason")})
	s.afterWork(w, r, k, rel, err, "/tasks", "delegated", f)
}

func (s *Server) handleTaskFinish(to casework.TaskStatus) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		k, rel, ok := s.caseToChange(w, r)
		if !ok {
			return
		}
		taskID, err := subID(r, "task")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ctx, u, field := r.Context(), state(r).user, taskField(taskID)
		version, outcome := formVersion(r.PostForm), r.PostForm.Get(field)
		if to == casework.TaskDone {
			err = s.Cases.CompleteTask(ctx, actor(r), u, taskID, version, outcome)
		} else {
			err = s.Cases.CancelTask(ctx, actor(r), u, taskID, version, outcome)
		}
		s.afterWork(w, r, k, rel, renameField(err, "outcome", field), "/tasks", string(to), r.PostForm)
	}
}

// renameField moves a field error to the name a page gives that field, where a page has
// several forms with the same field.
func renameField(err error, from, to string) error {
	ae, ok := apperr.As(err)
	if !ok || len(ae.Fields) == 0 {
		return err
	}
	fields := apperr.Fields(slices.Clone(ae.Fields))
	for i := range fields {
		if fields[i].Field == from {
			fields[i].Field = to
		}
	}
	return fields.Err()
}

func (s *Server) handleClinicalInputFlag(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToChange(w, r)
	if !ok {
		return
	}
	_, err := s.Cases.FlagClinicalInput(r.Context(), actor(r), state(r).user, k.ID, r.PostForm.Get("reason"))
	s.afterWork(w, r, k, rel, err, "/tasks", "clinical", r.PostForm)
}

// afterWork goes to the case's page under path after a change, or shows the tasks page again
// with what went wrong.
func (s *Server) afterWork(w http.ResponseWriter, r *http.Request, k casework.Case, rel casework.Relationship, err error, path, kind string, typed url.Values) {
	switch {
	case err == nil:
		redirectSaved(w, r, casePath(k.ID)+path, kind)
	case onForm(err):
		s.showTasks(w, r, statusOf(err), k, rel, newForm(typed, err))
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) showTasks(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, f form) {
	ctx, u := r.Context(), state(r).user
	head, err := s.viewPerson(r, k.PersonID, string(rel), "Tasks")
	page := tasksPage{Head: head, Case: k, Open: k.Status != casework.Closed, OnTeam: onCareTeam(k, u.ID), CanOverride: u.Has(account.Supervisor)}
	var tasks []casework.Task
	if err == nil {
		tasks, err = s.Cases.Tasks(ctx, k.ID)
	}
	if err == nil {
		page.Clinical, err = s.Cases.CaseClinicalInput(ctx, k.ID)
	}
	if err == nil {
		page.Types, err = s.taskTypeOptions(ctx)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, t := range tasks {
		page.Tasks = append(page.Tasks, taskRow{Task: t, Due: dayOfISO(t.DueOn), Tag: taskTag(t.Status), Field: taskField(t.ID),
			CanFinish: t.Status == casework.TaskOpen && (t.DelegatedTo == u.ID || t.DelegatedBy == u.ID)})
	}
	for _, c := range page.Clinical {
		page.WaitingOnOT = page.WaitingOnOT || c.ResolvedAt == nil
	}
	for _, wk := range k.Team {
		if wk.Current() {
			page.Team = append(page.Team, option{Value: itoa(wk.UserID), Label: wk.Name + " – " + wk.Role.Label()})
		}
	}
	v := s.newView(r, "Tasks for "+head.Banner.Name, page)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, taskNotices)
	}
	s.render(w, r, status, "tasks", v)
}

// taskTypeOptions lists the task types, saying which are clinical.
func (s *Server) taskTypeOptions(ctx context.Context) ([]option, error) {
	types, err := s.Cases.TaskTypes(ctx)
	out := make([]option, len(types))
	for i, t := range types {
		out[i] = option{Value: itoa(t.ID), Label: t.Name}
		if t.Clinical {
			out[i].Label += " (clinical: occupational therapists only)"
		}
	}
	return out, err
}

func taskTag(st casework.TaskStatus) string {
	switch st {
	case casework.TaskOpen:
		return "nhsuk-tag--blue"
	case casework.TaskDone:
		return "nhsuk-tag--green"
	}
	return "nhsuk-tag--grey"
}

// clinicalQueueRow is one request in the OT's clinical input queue.
type clinicalQueueRow struct {
	casework.ClinicalInputFlag
	Field string
}

func (s *Server) handleClinicalInputQueue(w http.ResponseWriter, r *http.Request) {
	s.showClinicalInputQueue(w, r, http.StatusOK, newForm(nil, nil))
}

func (s *Server) showClinicalInputQueue(w http.ResponseWriter, r *http.Request, status int, f form) {
	list, err := s.Cases.ClinicalInputQueue(r.Context(), state(r).user)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]clinicalQueueRow, len(list))
	for i, c := range list {
		rows[i] = clinicalQueueRow{ClinicalInputFlag: c, Field: "resolution-" + itoa(c.ID)}
	}
	v := s.newView(r, "Cases that need clinical input", rows)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, map[string]string{"resolved": "Request resolved"})
	}
	s.render(w, r, status, "clinical_input", v)
}

// handleClinicalInputResolve resolves a request in the user's own queue; any other is not
// theirs to resolve.
func (s *Server) handleClinicalInputResolve(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), state(r).user
	id, err := pathID(r)
	var queue []casework.ClinicalInputFlag
	if err == nil {
		queue, err = s.Cases.ClinicalInputQueue(ctx, u)
	}
	if err == nil && !slices.ContainsFunc(queue, func(c casework.ClinicalInputFlag) bool { return c.ID == id }) {
		err = apperr.New(apperr.NotFound, "No request for clinical input was found in your queue")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	field := "resolution-" + itoa(id)
	err = renameField(s.Cases.ResolveClinicalInput(ctx, actor(r), u, id, r.PostForm.Get(field)), "resolution", field)
	switch {
	case err == nil:
		redirectSaved(w, r, "/clinical-input", "resolved")
	case onForm(err):
		s.showClinicalInputQueue(w, r, statusOf(err), newForm(r.PostForm, err))
	default:
		s.fail(w, r, err)
	}
}

// --- Step-down ---

// stepDownPage is the handover form and the case's handovers so far.
type stepDownPage struct {
	Head      personHead
	Case      casework.Case
	CanOffer  bool // the user is the occupational therapist who leads the open case
	Receivers []option
	YesNo     []option
	Handovers []casework.Handover
	Waiting   bool
	UserID    int64
}

var agreedOptions = []option{{"yes", "Yes"}, {"no", "No"}}

func (s *Server) handleStepDown(w http.ResponseWriter, r *http.Request) {
	if k, rel, ok := s.caseToAct(w, r); ok {
		s.showStepDown(w, r, http.StatusOK, k, rel, newForm(nil, nil))
	}
}

func (s *Server) handleStepDownOffer(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToChange(w, r)
	if !ok {
		return
	}
	ctx, u, f := r.Context(), state(r).user, r.PostForm
	receivers, err := s.stepDownReceivers(ctx, u, k)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var to account.User
	if id, _ := formID(f.Get("to")); id != 0 && slices.ContainsFunc(receivers, func(o option) bool { return o.Value == itoa(id) }) {
		if to, err = s.Accounts.User(ctx, id); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	_, err = s.Cases.OfferStepDown(ctx, actor(r), u, k.ID, to, casework.HandoverInput{
		NeedsAddressed: f.Get("needs_addressed"), GoalsRemaining: f.Get("goals_remaining"), RisksEscalation: f.Get("risks_escalation"),
		AgreedWithPerson: f.Get("agreed_with_person") == "yes", OversightUntil: readDate(f, "oversight_until")})
	s.afterStepDown(w, r, k, rel, err, "offered")
}

func (s *Server) handleStepDownWithdraw(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToChange(w, r)
	if !ok {
		return
	}
	id, err := subID(r, "handover")
	if err == nil {
		err = s.Cases.WithdrawStepDown(r.Context(), actor(r), state(r).user, id)
	}
	s.afterStepDown(w, r, k, rel, err, "withdrawn")
}

func (s *Server) afterStepDown(w http.ResponseWriter, r *http.Request, k casework.Case, rel casework.Relationship, err error, kind string) {
	switch {
	case err == nil:
		redirectSaved(w, r, casePath(k.ID)+"/step-down", kind)
	case onForm(err):
		s.showStepDown(w, r, statusOf(err), k, rel, newForm(r.PostForm, err))
	default:
		s.fail(w, r, err)
	}
}

// stepDownReceivers are the link workers a case can be handed to: those on its care team, then
// those who could join it.
func (s *Server) stepDownReceivers(ctx context.Context, me account.User, k casework.Case) ([]option, error) {
	var out []option
	for _, wk := range k.Team {
		if wk.Current() && wk.Role == account.LinkWorker && wk.UserID != me.ID {
			out = append(out, option{Value: itoa(wk.UserID), Label: wk.Name + " (on the care team)"})
		}
	}
	cands, err := s.workerCandidates(ctx, me, k)
	if err != nil {
		return nil, err
	}
	names, _, err := s.orgNames(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range cands {
		if u.Has(account.LinkWorker) && u.ID != me.ID {
			out = append(out, option{Value: itoa(u.ID), Label: u.Name + ", " + names[u.OrganisationID]})
		}
	}
	return out, nil
}

func (s *Server) showStepDown(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, f form) {
	ctx, u := r.Context(), state(r).user
	head, err := s.viewPerson(r, k.PersonID, string(rel), "Step down")
	page := stepDownPage{Head: head, Case: k, YesNo: agreedOptions, UserID: u.ID}
	if err == nil {
		page.Handovers, err = s.Cases.Handovers(ctx, k.ID)
	}
	for _, h := range page.Handovers {
		page.Waiting = page.Waiting || h.Status == casework.HandoverOffered
	}
	lead, hasLead := k.Lead()
	page.CanOffer = k.Status != casework.Closed && hasLead && lead.UserID == u.ID && u.Has(account.OccupationalTherapist) && !page.Waiting
	if err == nil && page.CanOffer {
		page.Receivers, err = s.stepDownReceivers(ctx, u, k)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Step down "+head.Banner.Name+"'s case to a link worker", page)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, map[string]string{"offered": "Handover sent: the link worker has been told", "withdrawn": "Handover withdrawn"})
	}
	s.render(w, r, status, "step_down", v)
}

// handoverRow is a handover waiting for the user's answer, with who it is about.
type handoverRow struct {
	casework.Handover
	Head  personHead
	Field string
}

func (s *Server) handleHandovers(w http.ResponseWriter, r *http.Request) {
	if s.allowed(w, r, access.UseCaseload, access.Resource{}) {
		s.showHandovers(w, r, http.StatusOK, newForm(nil, nil))
	}
}

// showHandovers lists the handovers waiting for the user, auditing the read of each person's
// record on the basis of the handover offered to them.
func (s *Server) showHandovers(w http.ResponseWriter, r *http.Request, status int, f form) {
	ctx := r.Context()
	list, err := s.Cases.HandoversFor(ctx, state(r).user.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]handoverRow, len(list))
	for i, h := range list {
		k, err := s.Cases.Get(ctx, h.CaseID)
		if err == nil {
			rows[i] = handoverRow{Handover: h, Field: "decline_reason-" + itoa(h.ID)}
			rows[i].Head, err = s.viewPerson(r, k.PersonID, "handover", "Handover")
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	v := s.newView(r, "Cases handed over to you", rows)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, map[string]string{"declined": "Handover declined: the occupational therapist has been told"})
	}
	s.render(w, r, status, "handovers", v)
}

// handoverFor finds a handover waiting for the user's answer; any other is not found.
func (s *Server) handoverFor(w http.ResponseWriter, r *http.Request) (casework.Handover, bool) {
	if !s.allowed(w, r, access.UseCaseload, access.Resource{}) {
		return casework.Handover{}, false
	}
	id, err := pathID(r)
	var list []casework.Handover
	if err == nil {
		list, err = s.Cases.HandoversFor(r.Context(), state(r).user.ID)
	}
	i := slices.IndexFunc(list, func(h casework.Handover) bool { return h.ID == id })
	if err == nil && i < 0 {
		err = apperr.New(apperr.NotFound, "No handover is waiting for your answer")
	}
	if err != nil {
		s.fail(w, r, err)
		return casework.Handover{}, false
	}
	return list[i], s.parseForm(w, r)
}

func (s *Server) handleHandoverAccept(w http.ResponseWriter, r *http.Request) {
	h, ok := s.handoverFor(w, r)
	if !ok {
		return
	}
	if err := s.Cases.AcceptStepDown(r.Context(), actor(r), state(r).user, h.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, casePath(h.CaseID), http.StatusSeeOther)
}

func (s *Server) handleHandoverDecline(w http.ResponseWriter, r *http.Request) {
	h, ok := s.handoverFor(w, r)
	if !ok {
		return
	}
	field := "decline_reason-" + itoa(h.ID)
	err := renameField(s.Cases.DeclineStepDown(r.Context(), actor(r), state(r).user, h.ID, r.PostForm.Get(field)), "decline_reason", field)
	switch {
	case err == nil:
		redirectSaved(w, r, "/handovers", "declined")
	case onForm(err):
		s.showHandovers(w, r, statusOf(err), newForm(r.PostForm, err))
	default:
		s.fail(w, r, err)
	}
}

// oversightRow is a case the OT stepped down and still oversees.
type oversightRow struct {
	casework.OversightCase
	NHS   string
	Until string
}

func (s *Server) handleOversight(w http.ResponseWriter, r *http.Request) {
	u := state(r).user
	if !u.Has(account.OccupationalTherapist) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "Only occupational therapists keep oversight of cases they stepped down"))
		return
	}
	list, err := s.Cases.OversightCases(r.Context(), u.ID, nowInLondon())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]oversightRow, len(list))
	for i, o := range list {
		rows[i] = oversightRow{OversightCase: o, NHS: person.NHSNumber(o.NHSNumber).String(), Until: dayOfISO(o.OversightUntil)}
	}
	s.render(w, r, http.StatusOK, "oversight", s.newView(r, "Cases you oversee", rows))
}

// --- Emergency access ---

// overrideRoles may ask for emergency access; the service refuses anyone else too.
var overrideRoles = []account.Role{account.OccupationalTherapist, account.LinkWorker, account.Supervisor,
	account.SafeguardingLead, account.ServiceLead}

var errNoOverride = apperr.New(apperr.Forbidden,
	"Only occupational therapists, link workers, supervisors, safeguarding leads and service leads can use emergency access")

// overridePage is the emergency access form for one person, who is not named: the user has
// no relationship with them yet.
type overridePage struct {
	PersonID  int64
	Durations []option
}

var overrideDurations = []option{{"60", "1 hour"}, {"120", "2 hours"}, {"240", "4 hours"}, {"480", "8 hours"}}

func (s *Server) handleOverrideForm(w http.ResponseWriter, r *http.Request) {
	id, ok := s.personForOverride(w, r)
	if ok {
		s.showOverride(w, r, http.StatusOK, id, newForm(values{"duration": {"60"}}, nil))
	}
}

func (s *Server) personForOverride(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := pathID(r)
	if err == nil && !state(r).user.HasAny(overrideRoles...) {
		err = errNoOverride
	}
	if err != nil {
		s.fail(w, r, err)
		return 0, false
	}
	return id, true
}

func (s *Server) handleOverrideGrant(w http.ResponseWriter, r *http.Request) {
	id, ok := s.personForOverride(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	minutes, err := strconv.Atoi(r.PostForm.Get("duration"))
	if err != nil || !slices.ContainsFunc(overrideDurations, func(o option) bool { return o.Value == r.PostForm.Get("duration") }) {
		minutes = -1 // the service explains the limit
	}
	_, err = s.Cases.GrantOverride(r.Context(), actor(r), state(r).user, id, r.PostForm.Get("reason"), minutesOf(minutes))
	switch {
	case err == nil:
		http.Redirect(w, r, personPath(id), http.StatusSeeOther)
	case onForm(err):
		s.showOverride(w, r, statusOf(err), id, newForm(r.PostForm, err))
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) showOverride(w http.ResponseWriter, r *http.Request, status int, id int64, f form) {
	v := s.newView(r, "Emergency access to a record", overridePage{PersonID: id, Durations: overrideDurations})
	v.Form = f
	s.render(w, r, status, "override", v)
}

// overrideRow is one use of emergency access, for supervisors to review.
type overrideRow struct {
	casework.Override
	Minutes int
}

func (s *Server) handleOverrides(w http.ResponseWriter, r *http.Request) {
	if !state(r).user.Has(account.Supervisor) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "Only supervisors review the use of emergency access"))
		return
	}
	since := nowInLondon().AddDate(0, 0, -overrideReviewDays)
	list, err := s.Cases.OverridesForReview(r.Context(), since)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]overrideRow, len(list))
	for i, o := range list {
		rows[i] = overrideRow{Override: o, Minutes: int(o.EndsAt.Sub(o.StartsAt).Minutes())}
	}
	s.render(w, r, http.StatusOK, "overrides", s.newView(r, "Emergency access to review", overridesPage{Days: overrideReviewDays, Rows: rows}))
}

// overrideReviewDays is how far back the review list goes.
const overrideReviewDays = 90

type overridesPage struct {
	Days int
	Rows []overrideRow
}
