package web

import (
	"net/http"

	"github.com/linkwell/linkwell/internal/workforce"
)

// This file holds the drill-downs of the caseload oversight page: the cases or tasks behind
// each figure for one supervisee, reached through supervision.

type oversightDrillPage struct {
	Supervisee string
	UserID     int64
	Figure     workforce.Figure
	Days       int
	Cases      []workforce.OversightCase
	Tasks      []workforce.OversightTask
}

func (s *Server) handleOversightCases(w http.ResponseWriter, r *http.Request) {
	s.oversightDrill(w, r, "supervision_cases", func(p *oversightDrillPage) (err error) {
		p.Cases, err = s.Workforce.OversightCases(r.Context(), actor(r), state(r).user, p.UserID, p.Figure, p.Days)
		return err
	})
}

func (s *Server) handleOversightTasks(w http.ResponseWriter, r *http.Request) {
	s.oversightDrill(w, r, "supervision_tasks", func(p *oversightDrillPage) (err error) {
		p.Tasks, err = s.Workforce.OversightTasks(r.Context(), actor(r), state(r).user, p.UserID, p.Figure)
		return err
	})
}

// oversightDrill reads the supervisee and figure from the request, lists what is behind the
// figure with list, and shows it with the template named page.
func (s *Server) oversightDrill(w http.ResponseWriter, r *http.Request, page string, list func(*oversightDrillPage) error) {
	id, err := pathID(r)
	p := oversightDrillPage{UserID: id, Figure: workforce.Figure(r.URL.Query().Get("figure")), Days: noContactDays(r)}
	if err == nil {
		err = list(&p)
	}
	var prof workforce.Profile
	if err == nil {
		prof, err = s.Workforce.Profile(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Supervisee = prof.Name
	s.render(w, r, http.StatusOK, page, s.newView(r, p.Figure.Label()+": "+p.Supervisee, p))
}
