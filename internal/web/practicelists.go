package web

import (
	"net/http"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/reports"
)

// Practice list sizes: service leads enter each GP practice's registered list, so that the
// dashboards can show the share of each list referred.

func (s *Server) practiceListRoutes() {
	s.mux.HandleFunc("GET /reports/practices", s.handlePracticeLists)
	s.mux.HandleFunc("POST /reports/practices", s.handlePracticeListSave)
}

type practiceListsPage struct {
	Lists []reports.PracticeList
}

// mayEditPracticeLists checks the user leads a service of their own organisation.
func (s *Server) mayEditPracticeLists(w http.ResponseWriter, r *http.Request) bool {
	return s.allowed(w, r, access.ManageServices, access.Resource{OrganisationIDs: []int64{state(r).user.OrganisationID}})
}

func (s *Server) handlePracticeLists(w http.ResponseWriter, r *http.Request) {
	if s.mayEditPracticeLists(w, r) {
		s.showPracticeLists(w, r, http.StatusOK, newForm(nil, nil))
	}
}

func (s *Server) showPracticeLists(w http.ResponseWriter, r *http.Request, status int, f form) {
	lists, err := s.Reports.PracticeLists(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Practice list sizes", practiceListsPage{Lists: lists})
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, map[string]string{"saved": "The practice's list size is saved"})
	}
	s.render(w, r, status, "practice_lists", v)
}

func (s *Server) handlePracticeListSave(w http.ResponseWriter, r *http.Request) {
	if !s.mayEditPracticeLists(w, r) || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	_, err := s.Reports.SetPracticeList(r.Context(), actor(r), f.Get("ods"), f.Get("size"))
	switch {
	case err == nil:
		redirectSaved(w, r, "/reports/practices", "saved")
	case onForm(err):
		s.showPracticeLists(w, r, statusOf(err), newForm(f, err))
	default:
		s.fail(w, r, err)
	}
}
