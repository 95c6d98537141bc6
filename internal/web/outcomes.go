package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/outcomes"
)

// This file holds a person's wellbeing measures on a case (DESIGN §3.5): the change since
// their baseline with a chart and a table, the form a worker completes with them, and the
// single-use link through which they answer alone, which needs no sign-in and shows nothing
// but the questions.

func (s *Server) outcomeRoutes() {
	m := s.mux
	m.HandleFunc("GET /cases/{id}/outcomes", s.handleOutcomes)
	m.HandleFunc("GET /cases/{id}/outcomes/record", s.handleOutcomeForm)
	m.HandleFunc("POST /cases/{id}/outcomes/record", s.handleOutcomeRecord)
	m.HandleFunc("POST /cases/{id}/outcomes/links", s.handleOutcomeLink)
	m.HandleFunc("GET /measure/{token}", s.handleMeasureLink)
	m.HandleFunc("POST /measure/{token}", s.handleMeasureLinkAnswer)
	m.HandleFunc("GET /measure-done", s.handleMeasureDone)
	s.measureSettingRoutes()
	s.reportRoutes()
}

func outcomesPath(id int64) string { return "/cases/" + itoa(id) + "/outcomes" }

// outcomesPage is a case's measures, one section an instrument, with the forms to add more.
type outcomesPage struct {
	recordHead
	Marker      outcomes.Marker
	Sections    []outcomeSection
	Instruments []option
	Timepoints  []option
	Link        string // a link just made, shown this once
	LinkExpires string
	Missing     string
}

// outcomeSection is one instrument's measures: the chart, then the table of the same numbers.
type outcomeSection struct {
	Name, Licence string
	Summed        bool
	Columns       []string
	Rows          []outcomeRow
	Scores        []string
	ScoreChange   string
	Chart         template.HTML
}

type outcomeRow struct {
	Label, Text string
	Values      []string
	Change      string
	Direction   string
}

func (s *Server) handleOutcomes(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.recordCase(w, r)
	if ok {
		s.showOutcomes(w, r, http.StatusOK, k, rel, newForm(values{"instrument": {"ons4"}}, nil), nil)
	}
}

func (s *Server) showOutcomes(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, f form, page func(*outcomesPage)) {
	head, _, err := s.openRecord(r, k, rel, "outcomes")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := outcomesPage{recordHead: head, Timepoints: labelledOptions(outcomes.Timepoints)}
	if err := s.fillOutcomes(r.Context(), &p, k); err != nil {
		s.fail(w, r, err)
		return
	}
	if page != nil {
		page(&p)
	}
	s.renderRecord(w, r, status, "outcomes", "Wellbeing measures: "+head.Banner.Name, p, f)
}

func (s *Server) fillOutcomes(ctx context.Context, p *outcomesPage, k casework.Case) error {
	uses, err := s.Outcomes.ServiceInstruments(ctx, k.ServiceID)
	if err != nil {
		return err
	}
	rs, err := s.Outcomes.CaseResponses(ctx, k.ID)
	if err != nil {
		return err
	}
	if k.Status != casework.Closed {
		m, err := s.Outcomes.Markers(ctx, []int64{k.ID})
		if err != nil {
			return err
		}
		p.Marker = m[k.ID]
	} else if miss, ok, err := s.Outcomes.MissingFollowUp(ctx, k.ID); err != nil {
		return err
	} else if ok {
		p.Missing = miss.Reason.Label()
		if miss.Note != "" {
			p.Missing += ": " + miss.Note
		}
	}
	shown := map[string]bool{}
	for _, u := range uses {
		if u.Enabled {
			p.Instruments = append(p.Instruments, option{Value: u.Instrument.Code, Label: u.Instrument.Name})
		}
		if sec, ok := outcomeSectionFor(u.Instrument, rs, len(p.Sections)); ok {
			p.Sections = append(p.Sections, sec)
			shown[u.Instrument.Code] = true
		}
	}
	// A measure the service has since stopped using still shows what was recorded.
	for _, r := range rs {
		if shown[r.Instrument] {
			continue
		}
		shown[r.Instrument] = true
		in, err := s.Outcomes.Instrument(ctx, r.Instrument, r.Version)
		if err != nil {
			return err
		}
		if sec, ok := outcomeSectionFor(in, rs, len(p.Sections)); ok {
			p.Sections = append(p.Sections, sec)
		}
	}
	return nil
}

// outcomeSectionFor lays out one instrument's measures, or reports false when it has none.
func outcomeSectionFor(in outcomes.Instrument, rs []outcomes.Response, n int) (outcomeSection, bool) {
	pr := outcomes.Summarise(in, rs)
	if len(pr.Responses) == 0 {
		return outcomeSection{}, false
	}
	sec := outcomeSection{Name: in.Name, Licence: in.Licence.Note, Summed: in.Summed()}
	for _, r := range pr.Responses {
		sec.Columns = append(sec.Columns, r.Timepoint.Label()+", "+dayOf(r.CompletedAt))
		sec.Scores = append(sec.Scores, scoreText(r.Score))
	}
	var series []lineSeries
	for _, ic := range pr.Items {
		row := outcomeRow{Label: or(ic.Item.Label, ic.Item.Text), Text: ic.Text, Change: "Not yet measured again"}
		var vals []*float64
		for _, v := range ic.Values {
			if v == nil {
				row.Values = append(row.Values, "Not answered")
				vals = append(vals, nil)
				continue
			}
			row.Values = append(row.Values, fmt.Sprint(*v))
			f := float64(*v)
			vals = append(vals, &f)
		}
		if ic.Change != nil {
			row.Change, row.Direction = changeWords(*ic.Change, ic.Better, ic.Worse)
		}
		name := row.Label
		if ic.Item.Reverse {
			name += " (lower is better)"
		}
		sec.Rows = append(sec.Rows, row)
		series = append(series, lineSeries{Name: name, Values: vals})
	}
	if pr.ScoreChange != nil {
		sec.ScoreChange = signed(*pr.ScoreChange)
	}
	lo, hi := itemRange(in)
	desc := fmt.Sprintf("%s over %d measures of this case, from %s. ", in.Name, len(pr.Responses), sec.Columns[0])
	for _, row := range sec.Rows {
		desc += row.Label + ": " + strings.Join(row.Values, ", then ") + ". "
	}
	sec.Chart = lineChart(fmt.Sprintf("chart-%d", n), in.Name+" over time", desc, timepointLabels(pr.Responses), series, lo, hi)
	return sec, true
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// datetimeOf is a moment as people in England read it.
func datetimeOf(t time.Time) string { return t.In(london).Format("2 January 2006 at 3:04pm") }

func itemRange(in outcomes.Instrument) (float64, float64) {
	lo, hi := in.Items[0].Min, in.Items[0].Max
	for _, it := range in.Items {
		lo, hi = min(lo, it.Min), max(hi, it.Max)
	}
	return float64(lo), float64(hi)
}

func timepointLabels(rs []outcomes.Response) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Timepoint.Label()
		if r.Timepoint == outcomes.Interim {
			out[i] = "Review " + r.CompletedAt.In(london).Format("2 Jan")
		}
	}
	return out
}

// changeWords says a change in words, with the tag colour that goes with it.
func changeWords(d int, better, worse bool) (string, string) {
	switch {
	case better:
		return fmt.Sprintf("%+d, better", d), "green"
	case worse:
		return fmt.Sprintf("%+d, worse", d), "red"
	}
	return "No change", "grey"
}

func signed(v float64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%+.2f", v)
}

func scoreText(sc outcomes.Score) string {
	switch {
	case sc.Raw != nil && sc.Value != nil && float64(*sc.Raw) != *sc.Value:
		return fmt.Sprintf("%s (raw %d)", trimFloat(*sc.Value), *sc.Raw)
	case sc.Value != nil:
		return trimFloat(*sc.Value)
	}
	return ""
}

// measureForm is the questions of one measure, for a worker with the person or for the
// person alone.
type measureForm struct {
	Instrument outcomes.Instrument
	Timepoint  outcomes.Timepoint
	Items      []measureItem
	Action     string
}

type measureItem struct {
	Code, Question, Hint string
	GoalField, GoalLabel string
	GoalText             string // the goal set at the baseline, rated again now
	Options              []option
}

func newMeasureForm(in outcomes.Instrument, tp outcomes.Timepoint, goals map[string]string, action string) measureForm {
	mf := measureForm{Instrument: in, Timepoint: tp, Action: action}
	for _, it := range in.Items {
		mi := measureItem{Code: it.Code, Question: it.Text}
		if in.Scoring.Method == outcomes.Goals {
			if goals != nil && goals[it.Code] == "" {
				continue
			}
			mi.GoalText = goals[it.Code]
			mi.GoalField, mi.GoalLabel = outcomes.GoalTextField(it.Code), it.Label+" (optional)"
			if !it.Optional {
				mi.GoalLabel = it.Label
			}
			mi.Question = "How close are you to this goal?"
			if mi.GoalText != "" {
				mi.Question = "How close are you now to “" + mi.GoalText + "”?"
			}
		}
		if it.MinLabel != "" {
			mi.Hint = fmt.Sprintf("%d means %s; %d means %s", it.Min, strings.ToLower(it.MinLabel), it.Max, strings.ToLower(it.MaxLabel))
		}
		for _, c := range it.Choices() {
			mi.Options = append(mi.Options, option{Value: fmt.Sprint(c.Value), Label: c.Label})
		}
		mf.Items = append(mf.Items, mi)
	}
	return mf
}

// formAnswers reads a measure's answers from a submitted form.
func formAnswers(in outcomes.Instrument, f url.Values) map[string]string {
	out := map[string]string{}
	for _, it := range in.Items {
		out[it.Code] = f.Get(it.Code)
		out[outcomes.GoalTextField(it.Code)] = f.Get(outcomes.GoalTextField(it.Code))
	}
	return out
}

type outcomeFormPage struct {
	recordHead
	Measure measureForm
}

var errNotMeasuring = apperr.New(apperr.Forbidden, "Only workers on the care team, or in the team that holds the case, can record measures")

func (s *Server) handleOutcomeForm(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.recordCase(w, r)
	if !ok {
		return
	}
	if !s.mayRecord(r, rel) {
		s.fail(w, r, errNotMeasuring)
		return
	}
	q := r.URL.Query()
	s.showOutcomeForm(w, r, http.StatusOK, k, rel, q.Get("instrument"), outcomes.Timepoint(q.Get("timepoint")), newForm(nil, nil))
}

func (s *Server) showOutcomeForm(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, code string, tp outcomes.Timepoint, f form) {
	ctx := r.Context()
	in, err := s.Outcomes.Usable(ctx, k.ServiceID, code, tp)
	if err != nil {
		if onForm(err) {
			s.showOutcomes(w, r, statusOf(err), k, rel, newForm(values{"instrument": {code}, "timepoint": {string(tp)}}, err), nil)
			return
		}
		s.fail(w, r, err)
		return
	}
	head, _, err := s.openRecord(r, k, rel, "outcomes")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var goals map[string]string
	if in.Scoring.Method == outcomes.Goals && tp != outcomes.Baseline {
		if goals, err = s.Outcomes.BaselineGoals(ctx, k.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p := outcomeFormPage{recordHead: head, Measure: newMeasureForm(in, tp, goals, outcomesPath(k.ID)+"/record")}
	s.renderRecord(w, r, status, "outcome_record", in.Name+" – "+strings.ToLower(tp.Label())+": "+head.Banner.Name, p, f)
}

func (s *Server) handleOutcomeRecord(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	code, tp := f.Get("instrument"), outcomes.Timepoint(f.Get("timepoint"))
	in, err := s.Outcomes.Usable(r.Context(), k.ServiceID, code, tp)
	if err == nil {
		_, err = s.Outcomes.Record(r.Context(), actor(r), outcomes.RecordInput{CaseID: k.ID, Instrument: code, Timepoint: tp,
			UserID: state(r).user.ID, Form: formAnswers(in, f)})
	}
	switch {
	case err == nil:
		redirectSaved(w, r, outcomesPath(k.ID), "measure")
	case apperr.Is(err, apperr.Conflict):
		s.showOutcomes(w, r, statusOf(err), k, rel, newForm(values{"instrument": {code}}, err), nil)
	case onForm(err):
		s.showOutcomeForm(w, r, statusOf(err), k, rel, code, tp, newForm(f, err))
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) handleOutcomeLink(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	code, tp := f.Get("link_instrument"), outcomes.Timepoint(f.Get("link_timepoint"))
	token, expires, err := s.Outcomes.CreateLink(r.Context(), actor(r), state(r).user.ID, k.ID, code, tp)
	if err != nil {
		if !onForm(err) {
			s.fail(w, r, err)
			return
		}
		s.showOutcomes(w, r, statusOf(err), k, rel, newForm(f, prefixed(err, "link_")), nil)
		return
	}
	link := s.absoluteURL(r, "/measure/"+token)
	s.showOutcomes(w, r, http.StatusOK, k, rel, newForm(nil, nil), func(p *outcomesPage) {
		p.Link, p.LinkExpires = link, datetimeOf(expires)
	})
}

// absoluteURL is path on the address the request came to, for a link sent to someone.
func (s *Server) absoluteURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || s.Config.TLS() {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// The person's own pages: no sign-in, no navigation, nothing but the questions.

type measureLinkPage struct {
	Measure measureForm
}

// personActor is who the audit log records for answers given through a link.
func personActor(r *http.Request) audit.Actor {
	return audit.Actor{Label: "person through a single-use link", Address: clientAddress(r)}
}

func (s *Server) handleMeasureLink(w http.ResponseWriter, r *http.Request) {
	s.showMeasureLink(w, r, http.StatusOK, newForm(nil, nil))
}

func (s *Server) showMeasureLink(w http.ResponseWriter, r *http.Request, status int, f form) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	token := r.PathValue("token")
	l, err := s.Outcomes.OpenLink(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := measureLinkPage{Measure: newMeasureForm(l.Instrument, l.Timepoint, l.Goals, "/measure/"+token)}
	v := s.newView(r, "How you are feeling: "+l.Instrument.Name, p)
	v.Form = f
	s.render(w, r, status, "measure_link", v)
}

func (s *Server) handleMeasureLinkAnswer(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	token := r.PathValue("token")
	l, err := s.Outcomes.OpenLink(r.Context(), token)
	if err == nil {
		err = s.Outcomes.AnswerLink(r.Context(), personActor(r), token, formAnswers(l.Instrument, r.PostForm))
	}
	switch {
	case err == nil:
		http.Redirect(w, r, "/measure-done", http.StatusSeeOther)
	case apperr.Is(err, apperr.Invalid):
		s.showMeasureLink(w, r, statusOf(err), newForm(r.PostForm, err))
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) handleMeasureDone(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "measure_done", s.newView(r, "Thank you", nil))
}

// isMeasureLink reports whether path is a person's single-use measure page, which needs no
// session: the token in it is the only key.
func isMeasureLink(path string) bool {
	return path == "/measure-done" || strings.HasPrefix(path, "/measure/") && !strings.Contains(path[len("/measure/"):], "/")
}
