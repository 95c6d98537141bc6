package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/reports"
)

// The dashboards (DESIGN F11, F12, §4): a service lead's of their own services, and the
// commissioner's of every service, aggregate only with small numbers suppressed. Filters are
// a GET form, so every view has an address to share; exports are audited with why.

func (s *Server) reportRoutes() {
	m := s.mux
	m.HandleFunc("GET /reports/service", s.handleReport(serviceReport))
	m.HandleFunc("GET /reports/commissioner", s.handleReport(commissionerReport))
	m.HandleFunc("POST /reports/service/export", s.handleReportExport(serviceReport))
	m.HandleFunc("POST /reports/commissioner/export", s.handleReportExport(commissionerReport))
	m.HandleFunc("POST /reports/extracts/{kind}", s.handleExtract)
}

// reportKind is one of the two dashboards.
type reportKind struct {
	Name, Title, Path string
	action            access.Action
	suppress          bool
}

var (
	serviceReport      = reportKind{Name: "service", Title: "Service dashboard", Path: "/reports/service", action: access.ViewServiceReports}
	commissionerReport = reportKind{Name: "commissioner", Title: "Commissioner dashboard", Path: "/reports/commissioner",
		action: access.ViewCommissionerReports, suppress: true}
)

// scope is the organisation a dashboard covers for a user: a service lead's own on the
// service dashboard, every organisation on the commissioner's.
func (k reportKind) scope(u account.User) int64 {
	if k.suppress {
		return 0
	}
	return u.OrganisationID
}

type reportPage struct {
	Kind       reportKind
	Dashboard  reports.Dashboard
	Sections   []reportSection
	Period     string
	Teams      []option
	Sources    []option
	Pathways   []option
	Tables     []option
	Formats    []option
	Hidden     []hiddenField // the filters, carried into the export forms
	Extracts   bool
	ExtractFor []option
}

type reportSection struct {
	reports.Section
	Chart template.HTML
}

var filterFields = []string{"from-day", "from-month", "from-year", "to-day", "to-month", "to-year", "team", "practice", "source", "pathway"}

func (s *Server) handleReport(kind reportKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.allowed(w, r, kind.action, access.Resource{}) {
			return
		}
		q := r.URL.Query()
		s.showReport(w, r, kind, q, newForm(q, nil))
	}
}

func (s *Server) showReport(w http.ResponseWriter, r *http.Request, kind reportKind, q url.Values, f form) {
	ctx := r.Context()
	filter, ferr := readReportFilter(q, kind.scope(state(r).user), time.Now())
	d, err := s.Reports.Build(ctx, filter, kind.suppress)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := reportPage{Kind: kind, Dashboard: d, Sources: labelledOptions(referral.Sources), Pathways: labelledOptions(referral.Pathways),
		Period:   fmt.Sprintf("%s to %s", filter.From.Format("2 January 2006"), filter.To.Format("2 January 2006")),
		Formats:  []option{{Value: "csv", Label: "CSV (comma-separated values)"}, {Value: "xlsx", Label: "Excel workbook (XLSX)"}},
		Tables:   []option{{Value: "all", Label: "Every table"}},
		Extracts: !kind.suppress && s.Policy.Can(ctx, state(r).user, access.TakeExtract, access.Resource{}),
		ExtractFor: []option{{Value: "prsb", Label: "PRSB social prescribing minimum dataset (identifiable)"},
			{Value: "research", Label: "Pseudonymised research extract"}}}
	names, _, err := s.orgNames(ctx)
	if err == nil {
		p.Teams, err = s.teamOptions(ctx, filter.OrganisationID, names)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i, sec := range d.Sections {
		p.Tables = append(p.Tables, option{Value: sec.ID, Label: sec.Title})
		p.Sections = append(p.Sections, reportSection{Section: sec, Chart: sectionChart(i, sec)})
	}
	for _, name := range filterFields {
		if v := q.Get(name); v != "" {
			p.Hidden = append(p.Hidden, hiddenField{Name: name, Value: v})
		}
	}
	if ferr != nil {
		f = newForm(q, ferr)
	}
	status := http.StatusOK
	if len(f.Order) > 0 {
		status = http.StatusBadRequest
	}
	v := s.newView(r, kind.Title, p)
	v.Form = f
	s.render(w, r, status, "report", v)
}

// sectionChart draws a section's bars, describing them in words for those who cannot see it.
func sectionChart(i int, sec reports.Section) template.HTML {
	if len(sec.Bars) == 0 {
		return ""
	}
	bars := make([]bar, len(sec.Bars))
	var words []string
	for j, b := range sec.Bars {
		bars[j] = bar{Label: b.Label, Value: b.Value, Text: b.Text, Hidden: b.Hidden, Low: b.Low, High: b.High}
		words = append(words, b.Label+": "+b.Text)
	}
	desc := sec.ChartTitle + ". " + strings.Join(words, "; ") + "."
	return barChart(fmt.Sprintf("report-chart-%d", i), sec.ChartTitle, desc, bars)
}

// readReportFilter reads the filter form; the period defaults to the last twelve months.
func readReportFilter(q url.Values, org int64, now time.Time) (reports.Filter, error) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	f := reports.Filter{OrganisationID: org, From: today.AddDate(-1, 0, 1), To: today}
	var errs apperr.Fields
	if d, ok := readDay(q, "from"); !ok {
		errs.Add("from", "Start date must be a real date, like 1 4 2026")
	} else if !d.IsZero() {
		f.From = d
	}
	if d, ok := readDay(q, "to"); !ok {
		errs.Add("to", "End date must be a real date, like 31 3 2027")
	} else if !d.IsZero() {
		f.To = d
	}
	if f.To.Before(f.From) {
		errs.Add("to", "End date must be the same as or after the start date")
		f.To = f.From
	}
	if id, ok := formID(q.Get("team")); ok {
		f.TeamID = id
	} else {
		errs.Add("team", "Select a team from the list")
	}
	f.Practice = strings.ToUpper(strings.TrimSpace(q.Get("practice")))
	if f.Source = referral.Source(q.Get("source")); f.Source != "" && !f.Source.Valid() {
		errs.Add("source", "Select a source from the list")
		f.Source = ""
	}
	if f.Pathway = referral.Pathway(q.Get("pathway")); f.Pathway != "" && !f.Pathway.Valid() {
		errs.Add("pathway", "Select a pathway from the list")
		f.Pathway = ""
	}
	return f, errs.Err()
}

// readDay reads a date typed as day, month and year; all empty is the zero time.
func readDay(q url.Values, name string) (time.Time, bool) {
	d, m, y := strings.TrimSpace(q.Get(name+"-day")), strings.TrimSpace(q.Get(name+"-month")), strings.TrimSpace(q.Get(name+"-year"))
	if d == "" && m == "" && y == "" {
		return time.Time{}, true
	}
	dd, err1 := strconv.Atoi(d)
	mm, err2 := strconv.Atoi(m)
	yy, err3 := strconv.Atoi(y)
	if err1 != nil || err2 != nil || err3 != nil || yy < 2000 || yy > 2100 {
		return time.Time{}, false
	}
	t := time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == dd && int(t.Month()) == mm
}

// handleReportExport downloads a dashboard's tables as CSV or XLSX, with small numbers
// always suppressed, after auditing who took which tables and why.
func (s *Server) handleReportExport(kind reportKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.allowed(w, r, kind.action, access.Resource{}) || !s.parseForm(w, r) {
			return
		}
		ctx := r.Context()
		f := r.PostForm
		filter, err := readReportFilter(f, kind.scope(state(r).user), time.Now())
		var d reports.Dashboard
		if err == nil {
			d, err = s.Reports.Build(ctx, filter, true)
		}
		var grids []reports.Grid
		for _, sec := range d.Sections {
			if f.Get("table") == "all" || f.Get("table") == sec.ID {
				grids = append(grids, sec.Grid())
			}
		}
		format := f.Get("format")
		var errs apperr.Fields
		if err == nil && len(grids) == 0 {
			errs.Add("table", "Select which tables to export")
		}
		if format != "csv" && format != "xlsx" {
			errs.Add("format", "Select a format")
		}
		if err == nil {
			err = errs.Err()
		}
		if err == nil {
			err = s.Reports.AuditExport(ctx, actor(r), kind.Name+"/"+f.Get("table")+"."+format, filter, f.Get("reason"))
		}
		if err != nil {
			if !onForm(err) {
				s.fail(w, r, err)
				return
			}
			s.showReport(w, r, kind, f, newForm(f, err))
			return
		}
		s.download(w, r, "linkwell-"+kind.Name+"-"+f.Get("table"), format, grids)
	}
}

// download sends grids as a CSV or XLSX attachment, built in full first so that a failure is
// an error page rather than half a file.
func (s *Server) download(w http.ResponseWriter, r *http.Request, name, format string, grids []reports.Grid) {
	var buf bytes.Buffer
	var err error
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = reports.WriteXLSX(&buf, grids...)
	} else {
		err = reports.WriteCSV(&buf, grids...)
	}
	if err != nil {
		s.fail(w, r, apperr.Wrap("export", err))
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, name, time.Now().Format("2006-01-02"), format))
	w.Header().Set("Cache-Control", "no-store")
	buf.WriteTo(w)
}

// handleExtract downloads the PRSB minimum dataset or the pseudonymised research extract of
// the service lead's own services, as CSV, audited with why.
func (s *Server) handleExtract(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.TakeExtract, access.Resource{}) || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	filter, err := readReportFilter(f, state(r).user.OrganisationID, time.Now())
	var g reports.Grid
	kind := r.PathValue("kind")
	reason := f.Get("reason_" + kind)
	if err == nil {
		switch kind {
		case "prsb":
			g, err = s.Reports.PRSB(r.Context(), actor(r), filter, reason)
		case "research":
			g, err = s.Reports.Research(r.Context(), actor(r), filter, reason)
		default:
			err = errNoPage
		}
	}
	if msg := apperr.FieldMessage(err, "reason"); msg != "" {
		// Each extract has its own reason box on the page.
		err = apperr.Fields{{Field: "reason_" + kind, Message: msg}}.Err()
	}
	if err != nil {
		if !onForm(err) {
			s.fail(w, r, err)
			return
		}
		s.showReport(w, r, serviceReport, f, newForm(f, err))
		return
	}
	s.download(w, r, "linkwell-"+kind, "csv", []reports.Grid{g})
}
