package web

import (
	"net/http"
	"net/url"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/organisation"
)

func organisationPath(id int64) string { return "/admin/organisations/" + itoa(id) }

var organisationNotices = map[string]string{
	"1":    "Organisation saved",
	"team": "Team added",
}

type organisationsPage struct {
	Organisations []organisation.Organisation
	CanAdd        bool
}

func (s *Server) handleOrganisations(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ViewOrganisations, access.Resource{}) {
		return
	}
	ctx := r.Context()
	list, err := s.Orgs.List(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := organisationsPage{Organisations: list,
		CanAdd: s.Policy.Can(ctx, state(r).user, access.CreateOrganisation, access.Resource{})}
	s.render(w, r, http.StatusOK, "organisations", s.newView(r, "Organisations", p))
}

// organisationPage is the page for adding an organisation (New) or for one organisation: its
// details, the form to change them, and its teams. Service leads see other organisations
// but change only their own.
type organisationPage struct {
	New            bool
	Organisation   organisation.Organisation // as saved
	Types          []option
	CanEdit        bool
	CanManageTeams bool
}

func (s *Server) handleOrganisationNew(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.CreateOrganisation, access.Resource{}) {
		return
	}
	s.showOrganisation(w, r, http.StatusOK, organisation.Organisation{}, newForm(nil, nil))
}

func (s *Server) handleOrganisationCreate(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.CreateOrganisation, access.Resource{}) || !s.parseForm(w, r) {
		return
	}
	o, err := s.Orgs.Create(r.Context(), actor(r), readOrganisationInput(r.PostForm))
	if err != nil {
		s.showOrganisationProblem(w, r, organisation.Organisation{}, err)
		return
	}
	redirectSaved(w, r, organisationPath(o.ID), "1")
}

func (s *Server) handleOrganisation(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFor(w, r)
	if !ok {
		return
	}
	s.showOrganisation(w, r, http.StatusOK, o, newForm(organisationValues(o), nil))
}

func (s *Server) handleOrganisationUpdate(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFor(w, r)
	if !ok || !s.allowed(w, r, access.EditOrganisation, ownedBy(o.ID)) || !s.parseForm(w, r) {
		return
	}
	if _, err := s.Orgs.Update(r.Context(), actor(r), o.ID, readOrganisationInput(r.PostForm)); err != nil {
		s.showOrganisationProblem(w, r, o, err)
		return
	}
	redirectSaved(w, r, organisationPath(o.ID), "1")
}

func (s *Server) handleTeamAdd(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFor(w, r)
	if !ok || !s.allowed(w, r, access.ManageTeams, ownedBy(o.ID)) || !s.parseForm(w, r) {
		return
	}
	if _, err := s.Orgs.AddTeam(r.Context(), actor(r), o.ID, r.PostForm.Get("team_name")); err != nil {
		if !onForm(err) {
			s.fail(w, r, err)
			return
		}
		// The details form keeps the saved values; only the team name is what was typed.
		vals := organisationValues(o)
		vals["team_name"] = []string{r.PostForm.Get("team_name")}
		s.showOrganisation(w, r, statusOf(err), o, newForm(vals, err))
		return
	}
	redirectSaved(w, r, organisationPath(o.ID), "team")
}

// organisationFor finds the organisation a request is about.
func (s *Server) organisationFor(w http.ResponseWriter, r *http.Request) (organisation.Organisation, bool) {
	if !s.allowed(w, r, access.ViewOrganisations, access.Resource{}) {
		return organisation.Organisation{}, false
	}
	id, err := pathID(r)
	var o organisation.Organisation
	if err == nil {
		o, err = s.Orgs.Get(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return organisation.Organisation{}, false
	}
	return o, true
}

func ownedBy(ids ...int64) access.Resource { return access.Resource{OrganisationIDs: ids} }

func readOrganisationInput(f url.Values) organisation.Input {
	return organisation.Input{Name: f.Get("name"), Type: organisation.Type(f.Get("type")),
		ODSCode: f.Get("ods_code"), Version: formVersion(f)}
}

func organisationValues(o organisation.Organisation) values {
	return values{"name": {o.Name}, "type": {string(o.Type)}, "ods_code": {o.ODSCode}, "version": {itoa(o.Version)}}
}

// showOrganisationProblem shows the page again with what was typed and what is wrong with
// it; after a conflict, with the organisation as it is now (see showUserProblem).
func (s *Server) showOrganisationProblem(w http.ResponseWriter, r *http.Request, o organisation.Organisation, err error) {
	if !onForm(err) {
		s.fail(w, r, err)
		return
	}
	var version int64
	if apperr.Is(err, apperr.Conflict) && o.ID != 0 {
		fresh, ferr := s.Orgs.Get(r.Context(), o.ID)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		o, version = fresh, fresh.Version
	}
	s.showOrganisation(w, r, statusOf(err), o, newForm(keepTyped(r.PostForm, version), err))
}

// showOrganisation renders the page for o, or for a new organisation when o has no id.
func (s *Server) showOrganisation(w http.ResponseWriter, r *http.Request, status int, o organisation.Organisation, f form) {
	ctx, u := r.Context(), state(r).user
	p := organisationPage{New: o.ID == 0, Organisation: o}
	for _, t := range organisation.Types {
		p.Types = append(p.Types, option{Value: string(t), Label: t.Label()})
	}
	title := "Add an organisation"
	if !p.New {
		title = o.Name
		p.CanEdit = s.Policy.Can(ctx, u, access.EditOrganisation, ownedBy(o.ID))
		p.CanManageTeams = s.Policy.Can(ctx, u, access.ManageTeams, ownedBy(o.ID))
	}
	v := s.newView(r, title, p)
	v.Form = f
	v.Notice = savedNotice(r, organisationNotices)
	s.render(w, r, status, "organisation", v)
}
