package web

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/outcomes"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// caseloadPerPage is how many cases a caseload page lists.
const caseloadPerPage = 25

// caseloadKind is whose caseload a page lists.
type caseloadKind struct {
	Title string
	Path  string
	Empty string
	scope func(userID int64) casework.CaseloadFilter
}

var (
	myCaseload = caseloadKind{Title: "My caseload", Path: "/caseload",
		Empty: "You are not on the care team of any case that matches. Cases appear here when you take on a referral or someone adds you to a care team.",
		scope: func(id int64) casework.CaseloadFilter { return casework.CaseloadFilter{WorkerID: id} }}
	teamCaseload = caseloadKind{Title: "Team caseload", Path: "/caseload/team",
		Empty: "Your teams hold no cases that match. Cases appear here when a service your team runs accepts a referral.",
		scope: func(id int64) casework.CaseloadFilter { return casework.CaseloadFilter{TeamUserID: id} }}
)

// caseloadPage is one page of a caseload with its filters, sortable headings and page links.
type caseloadPage struct {
	Kind       caseloadKind
	Result     casework.CaseloadPage
	Rows       []caseloadRow
	Filtered   bool
	Statuses   []option
	Pathways   []option
	Tiers      []option
	Sort       map[string]sortHeading
	Pagination pagination
}

type caseloadRow struct {
	casework.CaseloadRow
	NHS      string
	Pathway  string
	Tier     string
	Status   string
	Tag      string
	Review   string
	Opened   string
	Risks    []string
	Contact  string
	Measures outcomes.Marker
}

// sortHeading is a column heading that sorts the list by its column when followed.
type sortHeading struct {
	Href string
	Sort string // the aria-sort value: "ascending", "descending" or "none"
}

// caseloadSorts are the orders a caseload can take, with the direction each sorts in.
var caseloadSorts = map[string]string{"name": "ascending", "review": "ascending", "opened": "descending"}

const defaultCaseloadSort = "review"

// handleCaseload lists a caseload, filtered and sorted by what the query asks. Nothing is
// remembered: a page loaded without a sort is in the default order.
func (s *Server) handleCaseload(kind caseloadKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.allowed(w, r, access.UseCaseload, access.Resource{}) {
			return
		}
		q := r.URL.Query()
		p := caseloadPage{Kind: kind, Statuses: labelledOptions(casework.Statuses),
			Pathways: labelledOptions(referral.Pathways), Tiers: labelledOptions(referral.Tiers)}
		f, err := readCaseloadFilter(q, kind.scope(state(r).user.ID))
		if err == nil {
			p.Result, err = s.Cases.Caseload(r.Context(), f)
		}
		if err == nil && p.Result.Page > p.Result.Pages {
			err = errNoPage
		}
		if err != nil && !onForm(err) {
			s.fail(w, r, err)
			return
		}
		p.Filtered = q.Get("status") != "" || f.Pathway != "" || f.Tier != ""
		p.Rows = caseloadRows(p.Result.Rows)
		if err := s.fillCaseloadDetail(r.Context(), p.Rows); err != nil {
			s.fail(w, r, err)
			return
		}
		p.Sort = sortHeadings(kind.Path, q)
		title := kind.Title
		if err == nil && p.Result.Pages > 1 {
			title = fmt.Sprintf("%s (page %d of %d)", kind.Title, p.Result.Page, p.Result.Pages)
			p.Pagination = paginateAt(kind.Path, q, p.Result.Page, p.Result.Pages)
		}
		v := s.newView(r, title, p)
		v.Form = newForm(q, err)
		s.render(w, r, pageStatus(err), "caseload", v)
	}
}

// readCaseloadFilter reads the filter form, sort and page into f. The filters are selects, so
// a value they do not offer means the address was altered.
func readCaseloadFilter(q url.Values, f casework.CaseloadFilter) (casework.CaseloadFilter, error) {
	var errs apperr.Fields
	f.PerPage, f.Page = caseloadPerPage, 1
	if st := casework.Status(q.Get("status")); st != "" {
		if !slices.Contains(casework.Statuses, st) {
			errs.Add("status", "Select a status from the list")
		}
		f.Statuses = []casework.Status{st}
	}
	if f.Pathway = referral.Pathway(q.Get("pathway")); f.Pathway != "" && !f.Pathway.Valid() {
		errs.Add("pathway", "Select a pathway from the list")
	}
	if f.Tier = referral.Tier(q.Get("tier")); f.Tier != "" && !f.Tier.Valid() {
		errs.Add("tier", "Select a tier from the list")
	}
	f.Sort = q.Get("sort")
	if _, ok := caseloadSorts[f.Sort]; !ok {
		f.Sort = defaultCaseloadSort
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, errNoPage
		}
		f.Page = n
	}
	return f, errs.Err()
}

func caseloadRows(rows []casework.CaseloadRow) []caseloadRow {
	out := make([]caseloadRow, len(rows))
	for i, x := range rows {
		out[i] = caseloadRow{CaseloadRow: x, NHS: person.NHSNumber(x.NHSNumber).String(), Pathway: x.Pathway.Label(),
			Tier: x.Tier.Label(), Status: x.Status.Label(), Tag: caseTag(x.Status), Review: dayOfISO(x.NextReviewOn),
			Opened: dayOf(x.OpenedAt)}
	}
	return out
}

// fillCaseloadDetail adds each row's current risk flags, last contact and measures due, one
// query each for the whole page.
func (s *Server) fillCaseloadDetail(ctx context.Context, rows []caseloadRow) error {
	if len(rows) == 0 {
		return nil
	}
	caseIDs := make([]int64, len(rows))
	personIDs := make([]int64, len(rows))
	for i, row := range rows {
		caseIDs[i], personIDs[i] = row.CaseID, row.PersonID
	}
	contacts, err := s.Cases.LastContacts(ctx, caseIDs)
	if err != nil {
		return err
	}
	flags, err := s.Safety.FlagsFor(ctx, personIDs)
	if err != nil {
		return err
	}
	markers, err := s.Outcomes.Markers(ctx, caseIDs)
	if err != nil {
		return err
	}
	for i := range rows {
		if rows[i].CaseloadRow.Status != casework.Closed {
			rows[i].Measures = markers[rows[i].CaseID]
		}
		if t, ok := contacts[rows[i].CaseID]; ok {
			rows[i].Contact = dayOf(t)
		}
		for _, f := range flags[rows[i].PersonID] {
			rows[i].Risks = append(rows[i].Risks, f.Kind.Label())
		}
	}
	return nil
}

// sortHeadings links each sortable column to the list sorted by it, keeping the filters and
// going back to the first page; the column the list is sorted by says so.
func sortHeadings(path string, q url.Values) map[string]sortHeading {
	current := q.Get("sort")
	if _, ok := caseloadSorts[current]; !ok {
		current = defaultCaseloadSort
	}
	out := make(map[string]sortHeading, len(caseloadSorts))
	for key, dir := range caseloadSorts {
		v := maps.Clone(q)
		v.Del("page")
		v.Set("sort", key)
		h := sortHeading{Href: path + "?" + v.Encode(), Sort: "none"}
		if key == current {
			h.Sort = dir
		}
		out[key] = h
	}
	return out
}

// paginateAt is the numbered page links for a list at path, keeping the filters and sort:
// the first and last pages and those either side of the current one.
func paginateAt(path string, q url.Values, current, pages int) pagination {
	href := func(n int) string {
		v := maps.Clone(q)
		v.Set("page", strconv.Itoa(n))
		return path + "?" + v.Encode()
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

// labelledOptions offers coded values as choices, each by its label.
func labelledOptions[T interface {
	~string
	Label() string
}](vs []T) []option {
	out := make([]option, len(vs))
	for i, v := range vs {
		out[i] = option{Value: string(v), Label: v.Label()}
	}
	return out
}
