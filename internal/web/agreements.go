package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/organisation"
)

func agreementPath(id int64) string { return "/admin/agreements/" + itoa(id) }

var agreementNotices = map[string]string{"1": "Data-sharing agreement saved"}

type agreementRow struct {
	Agreement organisation.Agreement
	Parties   string
	Status    string
}

type agreementsPage struct {
	Agreements []agreementRow
}

func (s *Server) handleAgreements(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ViewAgreements, access.Resource{}) {
		return
	}
	ctx := r.Context()
	list, err := s.Orgs.Agreements(ctx, listScope(state(r).user))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, _, err := s.orgNames(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var p agreementsPage
	day := today()
	for _, a := range list {
		p.Agreements = append(p.Agreements, agreementRow{Agreement: a, Parties: partyNames(a.PartyIDs, names), Status: a.Status(day)})
	}
	s.render(w, r, http.StatusOK, "agreements", s.newView(r, "Data-sharing agreements", p))
}

func partyNames(ids []int64, names map[int64]string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = names[id]
	}
	return strings.Join(out, ", ")
}

// agreementPage is the page for recording an agreement (New) or for one agreement: its
// details and the form to change them.
type agreementPage struct {
	New       bool
	Agreement agreementRow // as saved
	Orgs      []option
}

func (s *Server) handleAgreementNew(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageAgreement, access.Resource{}) {
		return
	}
	vals := values{}
	if scope := listScope(state(r).user); scope != 0 {
		vals["parties"] = []string{itoa(scope)}
	}
	s.showAgreement(w, r, http.StatusOK, organisation.Agreement{}, newForm(vals, nil))
}

func (s *Server) handleAgreementCreate(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageAgreement, access.Resource{}) || !s.parseForm(w, r) {
		return
	}
	in, err := readAgreementInput(r.PostForm)
	var a organisation.Agreement
	if err == nil {
		if !s.allowed(w, r, access.ManageAgreement, ownedBy(in.PartyIDs...)) {
			return
		}
		a, err = s.Orgs.CreateAgreement(r.Context(), actor(r), in)
	}
	if err != nil {
		s.showAgreementProblem(w, r, organisation.Agreement{}, err)
		return
	}
	redirectSaved(w, r, agreementPath(a.ID), "1")
}

func (s *Server) handleAgreement(w http.ResponseWriter, r *http.Request) {
	a, ok := s.agreementFor(w, r)
	if !ok {
		return
	}
	s.showAgreement(w, r, http.StatusOK, a, newForm(agreementValues(a), nil))
}

// handleAgreementUpdate saves changes to an agreement. A service lead's organisation must be
// party to it both before and after the change.
func (s *Server) handleAgreementUpdate(w http.ResponseWriter, r *http.Request) {
	a, ok := s.agreementFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	in, err := readAgreementInput(r.PostForm)
	if err == nil {
		if !s.allowed(w, r, access.ManageAgreement, ownedBy(in.PartyIDs...)) {
			return
		}
		_, err = s.Orgs.UpdateAgreement(r.Context(), actor(r), a.ID, in)
	}
	if err != nil {
		s.showAgreementProblem(w, r, a, err)
		return
	}
	redirectSaved(w, r, agreementPath(a.ID), "1")
}

// agreementFor finds the agreement a request is about and checks that the signed-in user may
// manage it.
func (s *Server) agreementFor(w http.ResponseWriter, r *http.Request) (organisation.Agreement, bool) {
	if !s.allowed(w, r, access.ViewAgreements, access.Resource{}) {
		return organisation.Agreement{}, false
	}
	id, err := pathID(r)
	var a organisation.Agreement
	if err == nil {
		a, err = s.Orgs.Agreement(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return organisation.Agreement{}, false
	}
	return a, s.allowed(w, r, access.ManageAgreement, ownedBy(a.PartyIDs...))
}

func readAgreementInput(f url.Values) (organisation.AgreementInput, error) {
	date := func(name string) organisation.DateParts {
		return organisation.DateParts{Day: f.Get(name + "-day"), Month: f.Get(name + "-month"), Year: f.Get(name + "-year")}
	}
	in := organisation.AgreementInput{Title: f.Get("title"), Purpose: f.Get("purpose"),
		Starts: date("starts"), Ends: date("ends"), Version: formVersion(f)}
	var ok bool
	if in.PartyIDs, ok = formIDs(f["parties"]); !ok {
		return in, apperr.Fields{{Field: "parties", Message: "Select organisations from the list"}}.Err()
	}
	return in, nil
}

func agreementValues(a organisation.Agreement) values {
	v := values{"title": {a.Title}, "purpose": {a.Purpose}, "parties": idStrings(a.PartyIDs), "version": {itoa(a.Version)}}
	for name, day := range map[string]string{"starts": a.StartsOn, "ends": a.EndsOn} {
		d := organisation.SplitDate(day)
		v[name+"-day"], v[name+"-month"], v[name+"-year"] = []string{d.Day}, []string{d.Month}, []string{d.Year}
	}
	return v
}

// showAgreementProblem shows the page again with what was typed and what is wrong with it;
// after a conflict, with the agreement as it is now (see showUserProblem).
func (s *Server) showAgreementProblem(w http.ResponseWriter, r *http.Request, a organisation.Agreement, err error) {
	if !onForm(err) {
		s.fail(w, r, err)
		return
	}
	var version int64
	if apperr.Is(err, apperr.Conflict) && a.ID != 0 {
		fresh, ferr := s.Orgs.Agreement(r.Context(), a.ID)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		a, version = fresh, fresh.Version
	}
	s.showAgreement(w, r, statusOf(err), a, newForm(keepTyped(r.PostForm, version), err))
}

// showAgreement renders the page for a, or for a new agreement when a has no id.
func (s *Server) showAgreement(w http.ResponseWriter, r *http.Request, status int, a organisation.Agreement, f form) {
	names, orgs, err := s.orgNames(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := agreementPage{New: a.ID == 0, Orgs: orgs,
		Agreement: agreementRow{Agreement: a, Parties: partyNames(a.PartyIDs, names), Status: a.Status(today())}}
	title := "Record a data-sharing agreement"
	if !p.New {
		title = a.Title
	}
	v := s.newView(r, title, p)
	v.Form = f
	v.Notice = savedNotice(r, agreementNotices)
	s.render(w, r, status, "agreement", v)
}
