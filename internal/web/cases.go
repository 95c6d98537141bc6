package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// caseworkRoutes lists the pages OTs and link workers work from: caseloads, finding a person,
// a person's record with their care team, and a case with the forms that change its team.
func (s *Server) caseworkRoutes() {
	m := s.mux
	m.HandleFunc("GET /caseload", s.handleCaseload(myCaseload))
	m.HandleFunc("GET /caseload/team", s.handleCaseload(teamCaseload))
	m.HandleFunc("GET /people/search", s.handlePersonSearch)
	m.HandleFunc("GET /people/{id}", s.handlePerson)
	m.HandleFunc("GET /cases/{id}", s.handleCase)
	m.HandleFunc("POST /cases/{id}/team", s.handleCaseWorkerAdd)
	m.HandleFunc("POST /cases/{id}/team/{worker}/lead", s.handleCaseLead)
	m.HandleFunc("POST /cases/{id}/team/{worker}/end", s.handleCaseWorkerEnd)
	m.HandleFunc("POST /cases/{id}/hold", s.handleCaseHold)
	m.HandleFunc("POST /cases/{id}/resume", s.handleCaseResume)
}

func casePath(id int64) string { return "/cases/" + itoa(id) }

var caseNotices = map[string]string{
	"opened":  "Referral accepted and case opened: a message has gone back to the GP and referrer",
	"closed":  "Case closed: a message has gone back to the GP and referrer",
	"added":   "Added to the care team",
	"lead":    "The case has a new lead",
	"ended":   "Removed from the care team",
	"held":    "The case is on hold",
	"resumed": "The case is active again",
}

// casePage is a case with its care team, and the form to add to the team for those who may.
type casePage struct {
	Banner      banner
	Case        casework.Case
	Service     string
	Pathway     string
	Tier        string
	Engagement  string
	Status      string
	Tag         string
	Opened      string
	NextReview  string
	Closed      string
	Closure     string
	Current     []workerRow
	Past        []workerRow
	LeadName    string
	CanManage   bool
	Candidates  []option
	Risk        riskFlags
	Referrals   []referral.Referral // the one that opened the case, then any added to it
	HoldReasons []option
}

type workerRow struct {
	ID                              int64
	Name, Role, Organisation, Email string
	From, To                        string
	Lead                            bool
}

// caseFor finds the case a request is about and the user's relationship with its person,
// refusing those with none.
func (s *Server) caseFor(w http.ResponseWriter, r *http.Request) (casework.Case, casework.Relationship, bool) {
	id, err := pathID(r)
	var k casework.Case
	if err == nil {
		k, err = s.Cases.Get(r.Context(), id)
	}
	var rel casework.Relationship
	if err == nil {
		rel, err = s.Policy.PersonAccess(r.Context(), state(r).user, k.PersonID)
	}
	if err != nil {
		s.fail(w, r, err)
		return casework.Case{}, "", false
	}
	return k, rel, true
}

// mayManageTeam reports whether the user may change a case's care team: someone who holds
// caseloads, on the care team or in the team that holds the case.
func (s *Server) mayManageTeam(r *http.Request, rel casework.Relationship) bool {
	return (rel == casework.CareTeam || rel == casework.TeamHolds) &&
		s.Policy.Can(r.Context(), state(r).user, access.UseCaseload, access.Resource{})
}

var errNotYourTeam = apperr.New(apperr.Forbidden,
	"Only occupational therapists, link workers, supervisors and service leads on the care team, or in the team that holds the case, can change its care team")

// caseToManage is caseFor for the forms that change the care team.
func (s *Server) caseToManage(w http.ResponseWriter, r *http.Request) (casework.Case, casework.Relationship, bool) {
	k, rel, ok := s.caseFor(w, r)
	if !ok {
		return k, rel, false
	}
	if !s.mayManageTeam(r, rel) {
		s.fail(w, r, errNotYourTeam)
		return k, rel, false
	}
	return k, rel, s.parseForm(w, r)
}

func (s *Server) handleCase(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseFor(w, r)
	if !ok {
		return
	}
	if rel == casework.Referrer {
		s.showPerson(w, r, k.PersonID, rel)
		return
	}
	s.showCase(w, r, http.StatusOK, k, rel, newForm(nil, nil))
}

func (s *Server) handleCaseWorkerAdd(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToManage(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	cands, err := s.workerCandidates(ctx, state(r).user, k)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := formID(r.PostForm.Get("worker"))
	i := slices.IndexFunc(cands, func(u account.User) bool { return u.ID == id })
	if i < 0 {
		err = apperr.Fields{{Field: "worker", Message: "Select who to add to the care team"}}.Err()
	} else {
		err = s.Cases.AddWorker(ctx, actor(r), k.ID, cands[i], r.PostForm.Get("lead") == "yes")
	}
	s.afterTeamChange(w, r, k, rel, err, "added")
}

func (s *Server) handleCaseLead(w http.ResponseWriter, r *http.Request) {
	s.changeWorker(w, r, "lead", func(ctx context.Context, caseID, workerID int64) error {
		return s.Cases.MakeLead(ctx, actor(r), caseID, workerID)
	})
}

func (s *Server) handleCaseWorkerEnd(w http.ResponseWriter, r *http.Request) {
	s.changeWorker(w, r, "ended", func(ctx context.Context, caseID, workerID int64) error {
		return s.Cases.EndWorker(ctx, actor(r), caseID, workerID)
	})
}

// handleCaseHold puts an active case on hold; handleCaseResume makes it active again. Either
// is for whoever may change the care team.
func (s *Server) handleCaseHold(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToManage(w, r)
	if ok {
		err := s.Cases.Hold(r.Context(), actor(r), k.ID, formVersion(r.PostForm), casework.HoldReason(r.PostForm.Get("hold_reason")))
		s.afterTeamChange(w, r, k, rel, err, "held")
	}
}

func (s *Server) handleCaseResume(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToManage(w, r)
	if ok {
		s.afterTeamChange(w, r, k, rel, s.Cases.Resume(r.Context(), actor(r), k.ID, formVersion(r.PostForm)), "resumed")
	}
}

// changeWorker runs a change to one member of a case's care team, named in the path.
func (s *Server) changeWorker(w http.ResponseWriter, r *http.Request, kind string, change func(ctx context.Context, caseID, workerID int64) error) {
	k, rel, ok := s.caseToManage(w, r)
	if !ok {
		return
	}
	workerID, err := strconv.ParseInt(r.PathValue("worker"), 10, 64)
	if err != nil || workerID <= 0 {
		s.fail(w, r, errNoPage)
		return
	}
	s.afterTeamChange(w, r, k, rel, change(r.Context(), k.ID, workerID), kind)
}

// afterTeamChange goes back to the case after a change, or shows the case again with what
// went wrong when the change was refused.
func (s *Server) afterTeamChange(w http.ResponseWriter, r *http.Request, k casework.Case, rel casework.Relationship, err error, kind string) {
	if err == nil {
		redirectSaved(w, r, casePath(k.ID), kind)
		return
	}
	if !onForm(err) {
		s.fail(w, r, err)
		return
	}
	fresh, ferr := s.Cases.Get(r.Context(), k.ID)
	if ferr != nil {
		s.fail(w, r, ferr)
		return
	}
	s.showCase(w, r, statusOf(err), fresh, rel, newForm(r.PostForm, err))
}

// showCase renders a case for someone who may see the person's record, auditing the read.
func (s *Server) showCase(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, f form) {
	ctx := r.Context()
	p, err := s.People.View(ctx, actor(r), k.PersonID, string(rel))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.buildCasePage(ctx, k, p)
	if err == nil && s.mayManageTeam(r, rel) && k.Status != casework.Closed {
		page.CanManage = true
		page.Candidates, err = s.candidateOptions(ctx, state(r).user, k)
		for _, h := range casework.HoldReasons {
			page.HoldReasons = append(page.HoldReasons, option{string(h), h.Label()})
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, p.Name()+": case", page)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, caseNotices)
	}
	s.render(w, r, status, "case", v)
}

func (s *Server) buildCasePage(ctx context.Context, k casework.Case, p person.Person) (casePage, error) {
	services, err := s.serviceNames(ctx)
	if err != nil {
		return casePage{}, err
	}
	page := casePage{Banner: newBanner(p), Case: k, Service: services[k.ServiceID], Pathway: k.Pathway.Label(),
		Tier: k.Tier.Label(), Engagement: k.Engagement.Label(), Status: k.Status.Label(), Tag: caseTag(k.Status),
		Opened: dayOf(k.OpenedAt), NextReview: dayOfISO(k.NextReviewOn)}
	if k.ClosedAt != nil {
		page.Closed = dayOf(*k.ClosedAt)
		page.Closure = casework.ClosureReason(k.ClosureReason).Label()
	}
	if page.Risk, err = s.Safety.Flags(ctx, k.PersonID); err != nil {
		return casePage{}, err
	}
	if page.Referrals, err = s.Referrals.List(ctx, referral.Filter{CaseID: k.ID}); err != nil {
		return casePage{}, err
	}
	slices.SortFunc(page.Referrals, func(a, b referral.Referral) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, wk := range k.Team {
		row := workerRow{ID: wk.ID, Name: wk.Name, Role: wk.Role.Label(), Organisation: wk.OrganisationName,
			Email: wk.Email, From: dayOfISO(wk.From), To: dayOfISO(wk.To), Lead: wk.Lead}
		if !wk.Current() {
			page.Past = append(page.Past, row)
			continue
		}
		page.Current = append(page.Current, row)
		if wk.Lead {
			page.LeadName = wk.Name
		}
	}
	return page, nil
}

// workerCandidates lists who may join a case's care team: occupational therapists and link
// workers in the user's organisation or one that shares data with it under an agreement in
// force today, who are not on the team already.
func (s *Server) workerCandidates(ctx context.Context, me account.User, k casework.Case) ([]account.User, error) {
	if me.OrganisationID == 0 {
		return nil, nil
	}
	day := time.Now().In(london)
	shares := map[int64]bool{}
	var out []account.User
	for _, role := range []account.Role{account.OccupationalTherapist, account.LinkWorker} {
		users, err := s.Accounts.Users(ctx, account.UserFilter{Role: role})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if u.Disabled() || u.OrganisationID == 0 || onCareTeam(k, u.ID) ||
				slices.ContainsFunc(out, func(x account.User) bool { return x.ID == u.ID }) {
				continue
			}
			ok, seen := shares[u.OrganisationID]
			if !seen {
				var err error
				if ok, err = s.Orgs.Shares(ctx, me.OrganisationID, u.OrganisationID, day); err != nil {
					return nil, err
				}
				shares[u.OrganisationID] = ok
			}
			if ok {
				out = append(out, u)
			}
		}
	}
	slices.SortFunc(out, func(a, b account.User) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func onCareTeam(k casework.Case, userID int64) bool {
	return slices.ContainsFunc(k.Team, func(w casework.Worker) bool { return w.UserID == userID && w.Current() })
}

// candidateOptions are the choices in the "add a worker" select: name, role and organisation.
func (s *Server) candidateOptions(ctx context.Context, me account.User, k casework.Case) ([]option, error) {
	cands, err := s.workerCandidates(ctx, me, k)
	if err != nil {
		return nil, err
	}
	names, _, err := s.orgNames(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]option, len(cands))
	for i, u := range cands {
		role := account.LinkWorker
		if u.Has(account.OccupationalTherapist) {
			role = account.OccupationalTherapist
		}
		out[i] = option{Value: itoa(u.ID), Label: u.Name + " – " + role.Label() + ", " + names[u.OrganisationID]}
	}
	return out, nil
}
