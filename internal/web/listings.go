package web

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/provider"
)

// Keeping listings current: the organisation that runs a service (or a service lead) edits and
// re-verifies its listing; the service lead resolves reports from the freshness queue; an
// administrator or service lead chooses which organisation keeps which directory
// organisation's listings.

func (s *Server) listingRoutes() {
	m := s.mux
	m.HandleFunc("GET /directory/services/{sid}/edit", s.handleListingEdit)
	m.HandleFunc("POST /directory/services/{sid}/edit", s.handleListingSave)
	m.HandleFunc("POST /directory/services/{sid}/verify", s.handleListingVerify)
	m.HandleFunc("POST /directory/reports/{rid}/resolve", s.handleReportResolve)
	m.HandleFunc("GET /admin/organisations/{id}/listings", s.handleOrgListings)
	m.HandleFunc("POST /admin/organisations/{id}/listings", s.handleOrgListingsLink)
	m.HandleFunc("POST /admin/organisations/{id}/listings/unlink", s.handleOrgListingsUnlink)
}

func listingPath(id string) string { return "/directory/services/" + url.PathEscape(id) + "/edit" }

var listingNotices = map[string]string{
	"listing": "Listing saved. It shows as checked today.",
	"checked": "Listing marked as checked today.",
}

// editor is the signed-in user changing a listing, named with their organisation so that
// practitioners know who checked it.
func (s *Server) editor(r *http.Request) directory.Editor {
	u := state(r).user
	name := u.Name
	if org, err := s.Orgs.Name(r.Context(), u.OrganisationID); err == nil && org != "" {
		name += ", " + org
	}
	return directory.Editor{Actor: actor(r), Name: name}
}

// listingFor reads the listing in the path, if the user may change it.
func (s *Server) listingFor(w http.ResponseWriter, r *http.Request) (directory.Listing, bool) {
	id := r.PathValue("sid")
	keepers, err := s.Providers.Keepers(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return directory.Listing{}, false
	}
	if !s.allowed(w, r, access.EditListing, access.Resource{OrganisationIDs: keepers}) {
		return directory.Listing{}, false
	}
	l, err := s.Directory.Listing(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return directory.Listing{}, false
	}
	return l, true
}

type listingEditPage struct {
	Listing    directory.Listing
	Row        directoryResult
	Days       []option
	Costs      []option
	Capacities []option
	Routes     []option
	Back       option
}

func (s *Server) handleListingEdit(w http.ResponseWriter, r *http.Request) {
	if l, ok := s.listingFor(w, r); ok {
		s.showListingEdit(w, r, http.StatusOK, l, newForm(listingValues(l.Service, l.Version), nil))
	}
}

func listingValues(sv directory.Service, version string) values {
	v := values(directory.EditOf(sv).Values())
	v["version"] = []string{version}
	return v
}

func (s *Server) showListingEdit(w http.ResponseWriter, r *http.Request, status int, l directory.Listing, f form) {
	page := listingEditPage{Listing: l, Row: directoryRow(directory.ServiceAtLocation{Service: &l.Service}, time.Now()),
		Days: dayOptions, Capacities: capacityOptions, Routes: routeOptions,
		Costs: []option{{"free", "Free"}, {"paid", "Paid for"}, {"", "Not known"}},
		Back:  option{"/directory/services/" + url.PathEscape(l.Service.ID), "Back to the listing"}}
	if s.Policy.Can(r.Context(), state(r).user, access.ActAsProvider, access.Resource{}) {
		page.Back = option{"/provider", "Back to your services"}
	}
	v := s.newView(r, "Edit "+l.Service.Name, page)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, listingNotices)
	}
	s.render(w, r, status, "listing_edit", v)
}

func (s *Server) handleListingSave(w http.ResponseWriter, r *http.Request) {
	l, ok := s.listingFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	_, err := s.Directory.EditListing(r.Context(), s.editor(r), l.Service.ID, r.PostForm.Get("version"), directory.ListingEditFrom(r.PostForm))
	switch {
	case err == nil:
		redirectSaved(w, r, listingPath(l.Service.ID), "listing")
	case onForm(err):
		// After a conflict the form carries the current version, so that saving again is a
		// deliberate choice to replace what the other person did.
		typed := values(maps.Clone(r.PostForm))
		if apperr.Is(err, apperr.Conflict) {
			typed["version"] = []string{l.Version}
		}
		s.showListingEdit(w, r, statusOf(err), l, newForm(typed, err))
	default:
		s.fail(w, r, err)
	}
}

// handleListingVerify marks a listing checked: from its edit page, or from the freshness queue
// (from=queue), where it returns.
func (s *Server) handleListingVerify(w http.ResponseWriter, r *http.Request) {
	l, ok := s.listingFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	if _, err := s.Directory.Verify(r.Context(), s.editor(r), l.Service.ID, r.PostForm.Get("version")); err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostForm.Get("from") == "queue" {
		redirectSaved(w, r, "/directory/freshness", "checked")
		return
	}
	redirectSaved(w, r, listingPath(l.Service.ID), "checked")
}

func (s *Server) handleReportResolve(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) || !s.parseForm(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("rid"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, errNoPage)
		return
	}
	if err := s.Directory.ResolveReport(r.Context(), s.editor(r), id, r.PostForm.Get("outcome")); err != nil {
		s.fail(w, r, err)
		return
	}
	redirectSaved(w, r, "/directory/freshness", "resolved")
}

// Which organisation keeps which listings

type orgListingsPage struct {
	Organisation organisation.Organisation
	Kept         []provider.DirectoryOrg
	Query        string
	Searched     bool
	Found        []provider.DirectoryOrg
}

var orgListingsNotices = map[string]string{
	"linked":   "Listings linked. This organisation's community providers can now keep them current.",
	"unlinked": "Listings unlinked.",
}

func (s *Server) orgListingsFor(w http.ResponseWriter, r *http.Request) (organisation.Organisation, bool) {
	o, ok := s.organisationFor(w, r)
	if !ok || !s.allowed(w, r, access.LinkListings, access.Resource{}) {
		return organisation.Organisation{}, false
	}
	return o, true
}

func (s *Server) handleOrgListings(w http.ResponseWriter, r *http.Request) {
	if o, ok := s.orgListingsFor(w, r); ok {
		s.showOrgListings(w, r, http.StatusOK, o, form{})
	}
}

func (s *Server) showOrgListings(w http.ResponseWriter, r *http.Request, status int, o organisation.Organisation, f form) {
	page := orgListingsPage{Organisation: o, Query: r.URL.Query().Get("q")}
	kept, err := s.Providers.Kept(r.Context(), o.ID)
	if err == nil && page.Query != "" {
		page.Searched = true
		page.Found, err = s.Providers.FindDirectoryOrgs(r.Context(), page.Query)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Kept = kept
	s.renderForm(w, r, status, "organisation_listings", "Directory listings kept by "+o.Name, page, f, orgListingsNotices)
}

func (s *Server) handleOrgListingsLink(w http.ResponseWriter, r *http.Request) {
	s.changeOrgListings(w, r, "linked", s.Providers.Link)
}

func (s *Server) handleOrgListingsUnlink(w http.ResponseWriter, r *http.Request) {
	s.changeOrgListings(w, r, "unlinked", s.Providers.Unlink)
}

func (s *Server) changeOrgListings(w http.ResponseWriter, r *http.Request, kind string,
	change func(ctx context.Context, a audit.Actor, orgID int64, dirOrgID string) error) {
	o, ok := s.orgListingsFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	err := change(r.Context(), actor(r), o.ID, r.PostForm.Get("directory_organisation"))
	switch {
	case err == nil:
		redirectSaved(w, r, organisationPath(o.ID)+"/listings", kind)
	case apperr.Is(err, apperr.Conflict):
		s.showOrgListings(w, r, http.StatusConflict, o, newForm(r.PostForm, err))
	default:
		s.fail(w, r, err)
	}
}
