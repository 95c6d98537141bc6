package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/organisation"
)

const auditPerPage = 50

type auditPage struct {
	Actions    []option
	Result     audit.Page
	Pagination pagination
}

// pagination is the numbered page links under a long list.
type pagination struct {
	Previous, Next string
	Items          []pageItem
}

type pageItem struct {
	Number   int
	Href     string
	Current  bool
	Ellipsis bool
}

// handleAudit lets administrators browse and filter the audit log, newest first.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ViewAudit, access.Resource{}) {
		return
	}
	ctx, q := r.Context(), r.URL.Query()
	actions, err := audit.Actions(ctx, s.DB)
	if err != nil {
		s.fail(w, r, apperr.Wrap("audit page", err))
		return
	}
	var p auditPage
	for _, a := range actions {
		p.Actions = append(p.Actions, option{Value: a, Label: a})
	}
	filter, err := readAuditFilter(q)
	if err == nil {
		p.Result, err = audit.List(ctx, s.DB, filter)
		err = apperr.Wrap("audit page", err)
	}
	if err == nil && p.Result.Page > p.Result.Pages {
		err = errNoPage
	}
	if err != nil && !onForm(err) {
		s.fail(w, r, err)
		return
	}
	title := "Audit log"
	if err == nil && p.Result.Pages > 1 {
		title = fmt.Sprintf("Audit log (page %d of %d)", p.Result.Page, p.Result.Pages)
		p.Pagination = paginate(q, p.Result.Page, p.Result.Pages)
	}
	v := s.newView(r, title, p)
	v.Form = newForm(q, err)
	s.render(w, r, pageStatus(err), "audit", v)
}

// readAuditFilter reads the filter form. Dates are days in England, "to" included.
func readAuditFilter(q url.Values) (audit.Filter, error) {
	f := audit.Filter{Action: q.Get("action"), RecordType: strings.TrimSpace(q.Get("type")), PerPage: auditPerPage, Page: 1}
	var errs apperr.Fields
	if id := strings.TrimSpace(q.Get("record")); id != "" {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			errs.Add("record", "Record ID must be a number, like 42")
		}
		f.RecordID = id
	}
	if id, ok := formID(strings.TrimSpace(q.Get("actor"))); ok {
		f.ActorID = id
	} else {
		errs.Add("actor", "User ID must be a number, like 7")
	}
	var msg string
	if f.From, msg = filterDate(q, "from", "Date from"); msg != "" {
		errs.Add("from", msg)
	}
	if f.To, msg = filterDate(q, "to", "Date to"); msg != "" {
		errs.Add("to", msg)
	} else if !f.To.IsZero() {
		if f.To.Before(f.From) {
			errs.Add("to", "Date to must be the same as or after date from")
		}
		f.To = f.To.AddDate(0, 0, 1)
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		f.Page = n
	}
	return f, errs.Err()
}

// filterDate reads an optional date typed into the three boxes named name-day, name-month and
// name-year, as the start of that day in England.
func filterDate(q url.Values, name, label string) (time.Time, string) {
	d := organisation.DateParts{Day: q.Get(name + "-day"), Month: q.Get(name + "-month"), Year: q.Get(name + "-year")}
	if d.Empty() {
		return time.Time{}, ""
	}
	day, msg := d.Parse(label)
	if msg != "" {
		return time.Time{}, msg
	}
	t, _ := time.ParseInLocation(organisation.DateLayout, day, london)
	return t, ""
}

// paginate links to the first and last pages and those either side of the current one, with
// the filter kept.
func paginate(q url.Values, current, pages int) pagination {
	href := func(n int) string {
		v := maps.Clone(q)
		v.Set("page", strconv.Itoa(n))
		return "/admin/audit?" + v.Encode()
	}
	var p pagination
	if current > 1 {
		p.Previous = href(current - 1)
	}
	if current < pages {
		p.Next = href(current + 1)
	}
	for n := 1; n <= pages; n++ {
		switch {
		case n == 1 || n == pages || n >= current-1 && n <= current+1:
			p.Items = append(p.Items, pageItem{Number: n, Href: href(n), Current: n == current})
		case len(p.Items) > 0 && !p.Items[len(p.Items)-1].Ellipsis:
			p.Items = append(p.Items, pageItem{Ellipsis: true})
		}
	}
	return p
}
