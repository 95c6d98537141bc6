package web

import (
	"net/http"

	"github.com/linkwell/linkwell/internal/organisation"
)

type homePage struct {
	Teams []organisation.Team
	Links []navLink
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	u := state(r).user
	var p homePage
	if u.OrganisationID != 0 {
		teams, err := s.Orgs.Teams(r.Context(), u.OrganisationID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, t := range teams {
			for _, id := range u.TeamIDs {
				if id == t.ID {
					p.Teams = append(p.Teams, t)
				}
			}
		}
	}
	for _, l := range s.navFor(r, u) {
		if l.Href != "/" {
			p.Links = append(p.Links, l)
		}
	}
	s.render(w, r, http.StatusOK, "home", s.newView(r, "Home", p))
}
