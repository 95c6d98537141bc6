package web

import (
	"net/http"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
)

// The JSON API under /api/v1 answers with JSON errors and 401 rather than sign-in redirects.
// Today it serves the signed-in session; system clients with bearer tokens come with FHIR.

func (s *Server) apiRoutes() {
	s.mux.HandleFunc("GET /api/v1/me", s.handleAPIMe)
	s.mux.HandleFunc("GET /api/v1/organisations", s.handleAPIOrganisations)
}

type apiUser struct {
	ID             int64          `json:"id"`
	Email          string         `json:"email"`
	Name           string         `json:"name"`
	OrganisationID int64          `json:"organisation_id,omitempty"`
	Roles          []account.Role `json:"roles"`
	MFAEnabled     bool           `json:"mfa_enabled"`
}

func (s *Server) handleAPIMe(w http.ResponseWriter, r *http.Request) {
	u := state(r).user
	writeJSON(w, http.StatusOK, apiUser{ID: u.ID, Email: u.Email, Name: u.Name,
		OrganisationID: u.OrganisationID, Roles: u.Roles, MFAEnabled: u.MFAEnabled})
}

type apiOrganisation struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	ODSCode string `json:"ods_code,omitempty"`
}

func (s *Server) handleAPIOrganisations(w http.ResponseWriter, r *http.Request) {
	if err := s.Policy.Decide(r.Context(), state(r).user, access.ViewOrganisations, access.Resource{}); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.Orgs.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiOrganisation, len(list))
	for i, o := range list {
		out[i] = apiOrganisation{ID: o.ID, Name: o.Name, Type: string(o.Type), ODSCode: o.ODSCode}
	}
	writeJSON(w, http.StatusOK, map[string]any{"organisations": out})
}
