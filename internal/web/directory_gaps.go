package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/gaps"
)

// The gaps report: needs recorded on referrals in each area against the community services
// there, for service leads, commissioners and administrators.

func (s *Server) directoryGapsRoutes() {
	s.mux.HandleFunc("GET /directory/gaps", s.handleGaps)
	s.mux.HandleFunc("GET /directory/gaps.csv", s.handleGapsCSV)
}

// gapsPageSize is how many rows of the report a page shows; the CSV holds them all.
const gapsPageSize = 50

type gapsPage struct {
	Levels     []option
	Scope      string
	Headline   string
	Report     gaps.Report
	Rows       []gapsRow
	First      int
	Last       int
	LevelName  string // in lower case, for the table's caption
	Unplaced   string // referrals that could not be placed, as the report shows counts
	Uncompared string
	Pagination pagination
	CSV        string
	Matchings  []gapsMatching
}

type gapsRow struct {
	gaps.Row
	Referrals string
}

type gapsMatching struct {
	Need       string
	Categories string
}

// readGapsFilter reads the report's form: a date range that includes both days, and the kind
// of area. With nothing chosen it is the last 12 months by postcode district.
func readGapsFilter(q url.Values, now time.Time) (gaps.Filter, url.Values, error) {
	if q.Get("from-year") == "" && q.Get("to-year") == "" && q.Get("level") == "" {
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, london)
		from := today.AddDate(-1, 0, 1)
		q = url.Values{"level": {string(gaps.District)}}
		for name, d := range map[string]time.Time{"from": from, "to": today} {
			q.Set(name+"-day", strconv.Itoa(d.Day()))
			q.Set(name+"-month", strconv.Itoa(int(d.Month())))
			q.Set(name+"-year", strconv.Itoa(d.Year()))
		}
	}
	f := gaps.Filter{Level: gaps.Level(q.Get("level"))}
	var errs apperr.Fields
	var msg string
	if f.From, msg = filterDate(q, "from", "Date from"); msg != "" {
		errs.Add("from", msg)
	} else if f.From.IsZero() {
		errs.Add("from", "Enter the date the report starts from")
	}
	if f.To, msg = filterDate(q, "to", "Date to"); msg != "" {
		errs.Add("to", msg)
	} else if f.To.IsZero() {
		errs.Add("to", "Enter the date the report goes up to")
	} else {
		f.To = f.To.AddDate(0, 0, 1)
	}
	if err := errs.Err(); err != nil {
		return f, q, err
	}
	return f, q, f.Validate()
}

// gapsScope keeps a service lead to referrals to their own organisation's services;
// administrators and commissioners see every referral.
func gapsScope(u account.User) int64 {
	if u.HasAny(account.Administrator, account.Commissioner) {
		return 0
	}
	return u.OrganisationID
}

// gapsReport reads the filter and makes the report in the user's scope; the form's values
// come back with it, defaults filled in.
func (s *Server) gapsReport(r *http.Request, format string) (gaps.Report, url.Values, error) {
	f, q, err := readGapsFilter(r.URL.Query(), time.Now())
	if err != nil {
		return gaps.Report{}, q, err
	}
	f.OrganisationID = gapsScope(state(r).user)
	rep, err := gaps.NewService(s.DB).Report(r.Context(), actor(r), f, format)
	return rep, q, err
}

func (s *Server) handleGaps(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ViewProvisionGaps, access.Resource{}) {
		return
	}
	rep, q, err := s.gapsReport(r, "html")
	if err != nil && !onForm(err) {
		s.fail(w, r, err)
		return
	}
	page := gapsPage{Levels: labelledOptions(gaps.Levels), Scope: "Referrals to every service"}
	for _, m := range gaps.Matchings() {
		page.Matchings = append(page.Matchings, gapsMatching{Need: m.Need.Label(), Categories: strings.Join(m.Categories, ", ")})
	}
	if org := gapsScope(state(r).user); org != 0 {
		name, _ := s.Orgs.Name(r.Context(), org)
		page.Scope = "Referrals to the services of " + name
	}
	v := s.newView(r, "Gaps in community provision", nil)
	v.Form = newForm(q, err)
	if err == nil {
		page.Report, page.Headline = rep, rep.Headline(func(t time.Time) string { return t.In(london).Format("2 January 2006") })
		page.CSV = "/directory/gaps.csv?" + q.Encode()
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		n = min(max(n, 1), max(1, (len(rep.Rows)+gapsPageSize-1)/gapsPageSize))
		page.First = (n-1)*gapsPageSize + 1
		for _, row := range rep.Rows[(n-1)*gapsPageSize : min(n*gapsPageSize, len(rep.Rows))] {
			page.Rows = append(page.Rows, gapsRow{Row: row, Referrals: gaps.Count(row.Referrals)})
		}
		page.Last = page.First + len(page.Rows) - 1
		page.Pagination = paginateAt("/directory/gaps", q, n, (len(rep.Rows)+gapsPageSize-1)/gapsPageSize)
		page.LevelName = strings.ToLower(rep.Level.Label())
		if rep.Unplaced > 0 {
			page.Unplaced = gaps.Count(rep.Unplaced)
		}
		if rep.Uncompared > 0 {
			page.Uncompared = gaps.Count(rep.Uncompared)
		}
	}
	v.Data = page
	s.render(w, r, pageStatus(err), "directory_gaps", v)
}

func (s *Server) handleGapsCSV(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ViewProvisionGaps, access.Resource{}) {
		return
	}
	rep, _, err := s.gapsReport(r, "csv")
	var buf bytes.Buffer
	if err == nil {
		err = gaps.WriteCSV(&buf, rep)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := "gaps-" + string(rep.Level) + "-" + rep.From.In(london).Format(time.DateOnly) + "-to-" +
		rep.To.AddDate(0, 0, -1).In(london).Format(time.DateOnly) + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	buf.WriteTo(w)
}
