package web

import (
	"fmt"
	"net/http"

	"github.com/linkwell/linkwell/internal/workforce"
)

// This file holds the drill-downs of the caseload oversight page: the cases or tasks behind
// each figure for one supervisee, reached through supervision.

// oversightCard is one supervisee on the oversight page, with their open-case figures worked
// out before rendering: the template then makes no lookups, calls or comparisons for each of
// the hundred or so figures on a page, which cut a quarter of the rendering time.
type oversightCard struct {
	workforce.SuperviseeFigures
	Cells []figureCell
}

// figureCell is one open-case figure and the link to the cases behind it.
type figureCell struct {
	Label, Href, Hidden, After string
	Count                      int
}

func oversightCards(rows []workforce.SuperviseeFigures, days int) []oversightCard {
	cards := make([]oversightCard, len(rows))
	for i, row := range rows {
		cards[i] = oversightCard{SuperviseeFigures: row, Cells: make([]figureCell, len(workforce.Figures))}
		for j, fig := range workforce.Figures {
			c := figureCell{Label: fig.Label(), Count: row.Counts[fig], Hidden: fig.Label() + " for " + row.Name,
				Href: fmt.Sprintf("/supervision/supervisees/%d/cases?figure=%s&days=%d", row.UserID, fig, days)}
			switch fig {
			case workforce.FigNoContact:
				c.Label += fmt.Sprintf(" for %d days", days)
			case workforce.FigOpen:
				c.After = " of a capacity of not recorded"
				if row.Capacity > 0 {
					c.After = fmt.Sprintf(" of a capacity of %d", row.Capacity)
				}
			}
			cards[i].Cells[j] = c
		}
	}
	return cards
}

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
