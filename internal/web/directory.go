package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/postcode"
)

func (s *Server) directoryRoutes() {
	m := s.mux
	m.HandleFunc("GET /directory", s.handleDirectorySearch)
	m.HandleFunc("GET /directory/services/{sid}", s.handleDirectoryService)
	m.HandleFunc("POST /directory/services/{sid}/reports", s.handleDirectoryReport)
	m.HandleFunc("GET /directory/freshness", s.handleDirectoryFreshness)
	m.HandleFunc("GET /cases/{id}/directory", s.handleCaseDirectorySearch)
	m.HandleFunc("POST /cases/{id}/directory", s.handleCaseDirectoryAdd)
}

// directoryPageSize is how many results a page of the practitioners' search shows.
const directoryPageSize = 20

// metresPerMile turns the miles people search by into the metres the directory measures in.
const metresPerMile = 1609.344

var (
	distanceOptions = []option{{"1", "Within 1 mile"}, {"2", "Within 2 miles"}, {"5", "Within 5 miles"}, {"10", "Within 10 miles"}}
	dayOptions      = []option{{"MO", "Monday"}, {"TU", "Tuesday"}, {"WE", "Wednesday"}, {"TH", "Thursday"}, {"FR", "Friday"}, {"SA", "Saturday"}, {"SU", "Sunday"}}
	timeOptions     = []option{{"morning", "Morning (starts by 12pm)"}, {"afternoon", "Afternoon (12pm to 5pm)"}, {"evening", "Evening (from 5pm)"}}
	routeOptions    = []option{{string(directory.RouteDropIn), "Drop in"}, {string(directory.RouteSelfReferral), "Self-referral"}, {string(directory.RouteNeedsReferral), "Needs a referral"}}
	capacityOptions = []option{{string(directory.CapacityAccepting), "Taking people now"}, {string(directory.CapacityWaitingList), "Waiting list"}, {string(directory.CapacityFull), "Full"}}
)

// timeWindows are the parts of the day people search by, as the times a session starts from
// and finishes by.
var timeWindows = map[string][2]string{"morning": {"00:00", "13:00"}, "afternoon": {"12:00", "17:30"}, "evening": {"17:00", "23:59"}}

// directorySearch is a practitioner's search as read from the query.
type directorySearch struct {
	filter directory.Filter
	near   *directory.Near
	place  string // where distances are measured from, as shown
	page   int
}

// readDirectorySearch reads the search form, explaining each problem by its field.
func (s *Server) readDirectorySearch(r *http.Request, q url.Values) (directorySearch, error) {
	var errs apperr.Fields
	ds := directorySearch{page: 1, filter: directory.Filter{Search: strings.TrimSpace(q.Get("q")),
		LowCost: q.Get("low_cost") == "yes", Accessible: q.Get("accessible") == "yes"}}
	if len(ds.filter.Search) > 200 {
		errs.Add("q", "Words to search for must be 200 characters or fewer")
	}
	ds.filter.TaxonomyTermID = q.Get("category")
	if ds.filter.TaxonomyTermID != "" && (directory.Filter{TaxonomyTermID: ds.filter.TaxonomyTermID}).Validate() != nil {
		errs.Add("category", "Select a category from the list")
	}
	chosen(&errs, q, "day", dayOptions, "Select a day from the list", func(v string) { ds.filter.Day = directory.Weekday(v) })
	chosen(&errs, q, "time", timeOptions, "Select a time of day from the list", func(v string) {
		ds.filter.StartTime, ds.filter.EndTime = timeWindows[v][0], timeWindows[v][1]
	})
	chosen(&errs, q, "route", routeOptions, "Select how people get to the service", func(v string) { ds.filter.ReferralRoute = directory.ReferralRoute(v) })
	chosen(&errs, q, "capacity", capacityOptions, "Select whether the service has space", func(v string) { ds.filter.Capacity = directory.Capacity(v) })
	if v := strings.TrimSpace(q.Get("age")); v != "" {
		age, err := strconv.Atoi(v)
		if err != nil || age < 0 || age > 120 {
			errs.Add("age", "Age must be a whole number of years from 0 to 120")
		} else {
			a := float64(age)
			ds.filter.Age = &a
		}
	}
	if v := q.Get("page"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			ds.page = n
		}
	}
	s.readNear(r, q, &ds, &errs)
	return ds, errs.Err()
}

// chosen reads a select's value, which must be one of its options.
func chosen(errs *apperr.Fields, q url.Values, name string, opts []option, msg string, set func(string)) {
	v := q.Get(name)
	if v == "" {
		return
	}
	for _, o := range opts {
		if o.Value == v {
			set(v)
			return
		}
	}
	errs.Add(name, msg)
}

// readNear looks up the postcode searched from and the distance asked for.
func (s *Server) readNear(r *http.Request, q url.Values, ds *directorySearch, errs *apperr.Fields) {
	pc, dist := strings.TrimSpace(q.Get("postcode")), q.Get("distance")
	miles := 0.0
	chosen(errs, q, "distance", distanceOptions, "Select a distance from the list", func(v string) { miles, _ = strconv.ParseFloat(v, 64) })
	if pc == "" {
		if dist != "" {
			errs.Add("postcode", "Enter a postcode to search by distance")
		}
		return
	}
	place, err := postcode.Lookup(r.Context(), s.DB.Reader(), pc)
	if err != nil {
		ae, ok := apperr.As(err)
		if !ok || ae.Kind == apperr.Internal {
			errs.Add("postcode", "We could not look up that postcode. Try again later")
			return
		}
		errs.Add("postcode", ae.Message)
		return
	}
	ds.near = &directory.Near{Latitude: place.Lat, Longitude: place.Long, Radius: miles * metresPerMile}
	ds.place = place.Postcode
}

// directoryResult is one service at a location in the search results.
type directoryResult struct {
	ID, LocationID string
	Name           string
	Organisation   string
	Description    string
	Where          string
	Distance       string
	NextRuns       string
	Cost           string
	Capacity       string
	Route          string
	FirstSession   string
	Checked        string
	Stale          bool
}

type directorySearchPage struct {
	Record       *recordHead // the case the search is for, if any
	PersonName   string
	Categories   []option
	Distances    []option
	Days         []option
	Times        []option
	Routes       []option
	Capacities   []option
	Searched     bool
	Place        string
	Results      []directoryResult
	Total        int
	First, Last  int
	Pagination   pagination
	Query        string // the search, to return to it
	CanAdd       bool
	SelectErrors string
}

func (s *Server) handleDirectorySearch(w http.ResponseWriter, r *http.Request) {
	s.showDirectorySearch(w, r, http.StatusOK, nil, r.URL.Query(), form{})
}

func (s *Server) handleCaseDirectorySearch(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.recordCase(w, r)
	if !ok {
		return
	}
	head, p, err := s.openRecord(r, k, rel, "directory")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	if _, asked := q["postcode"]; !asked && p.Postcode != "" {
		q.Set("postcode", s.searchablePostcode(r, p.Postcode))
	}
	s.showDirectorySearch(w, r, http.StatusOK, &head, q, form{})
}

// searchablePostcode is the person's postcode, or its outward code when the postcode itself is
// not known, so that a search opened from their case starts near them.
func (s *Server) searchablePostcode(r *http.Request, pc string) string {
	if _, err := postcode.Lookup(r.Context(), s.DB.Reader(), pc); err == nil {
		return pc
	}
	outward, _, _ := strings.Cut(strings.TrimSpace(pc), " ")
	if _, err := postcode.Lookup(r.Context(), s.DB.Reader(), outward); err == nil {
		return outward
	}
	return ""
}

func (s *Server) showDirectorySearch(w http.ResponseWriter, r *http.Request, status int, head *recordHead, q url.Values, f form) {
	page := directorySearchPage{Record: head, Distances: distanceOptions, Days: dayOptions, Times: timeOptions,
		Routes: routeOptions, Capacities: capacityOptions}
	cats, err := s.Directory.ListTaxonomyTerms(r.Context(), "", directory.Page{Size: directory.MaxPageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, t := range cats.Items {
		page.Categories = append(page.Categories, option{Value: t.ID, Label: t.Name})
	}
	path := "/directory"
	if head != nil {
		path = casePath(head.CaseID) + "/directory"
		page.PersonName = head.Banner.Name
		page.CanAdd = head.CanEdit
	}
	page.Query = q.Encode()
	ds, err := s.readDirectorySearch(r, q)
	formErr := f.Errors
	f = newForm(q, err)
	for k, v := range formErr {
		f.Errors[k] = v
		page.SelectErrors = v
	}
	if err != nil {
		status = http.StatusBadRequest
	} else if len(q) > 0 {
		if err := s.searchDirectory(r, &page, ds, path, q); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	title := "Find community services"
	if head != nil {
		title = page.PersonName + ": find community services"
	}
	v := s.newView(r, title, page)
	v.Form = f
	s.render(w, r, status, "directory_search", v)
}

func (s *Server) searchDirectory(r *http.Request, page *directorySearchPage, ds directorySearch, path string, q url.Values) error {
	res, err := s.Directory.ListServiceAtLocations(r.Context(), directory.Practitioners, ds.filter, ds.near,
		directory.Page{Number: ds.page, Size: directoryPageSize})
	if err != nil {
		return err
	}
	page.Searched, page.Place, page.Total = true, ds.place, res.Total
	now := time.Now()
	// The list gives each service's one-to-one fields; when it runs and what it costs are in
	// its full record, read for the whole page at once.
	ids := make([]string, len(res.Items))
	for i, sl := range res.Items {
		ids[i] = sl.Service.ID
	}
	full, err := s.Directory.GetServices(r.Context(), directory.Practitioners, ids)
	if err != nil {
		return err
	}
	for _, sl := range res.Items {
		if sv, ok := full[sl.Service.ID]; ok {
			sl.Service = &sv
		}
		page.Results = append(page.Results, directoryRow(sl, now))
	}
	if len(res.Items) > 0 {
		page.First = (ds.page-1)*directoryPageSize + 1
		page.Last = page.First + len(res.Items) - 1
	}
	q.Del("page")
	page.Pagination = paginateAt(path, q, ds.page, res.TotalPages())
	return nil
}

func directoryRow(sl directory.ServiceAtLocation, now time.Time) directoryResult {
	sv := *sl.Service
	row := directoryResult{ID: sv.ID, Name: sv.Name, Description: sv.Description, Cost: costText(sv),
		Capacity: capacityText(sv), Route: optionLabel(routeOptions, string(sv.ReferralRoute)),
		FirstSession: sv.FirstSessionSupport, Stale: sv.Stale(now), Checked: checkedText(sv), NextRuns: nextRuns(sv, now)}
	if sv.Organization != nil {
		row.Organisation = sv.Organization.Name
	}
	if sl.Location != nil {
		row.LocationID = sl.Location.ID
		row.Where = whereText(*sl.Location)
	}
	if sl.Distance != nil {
		row.Distance = fmt.Sprintf("%.1f miles", *sl.Distance/metresPerMile)
	}
	return row
}

func optionLabel(opts []option, v string) string {
	for _, o := range opts {
		if o.Value == v && v != "" {
			return o.Label
		}
	}
	return "Not known"
}

func capacityText(sv directory.Service) string {
	if sv.Capacity == directory.CapacityWaitingList && sv.TypicalWaitDays != nil {
		return fmt.Sprintf("Waiting list (about %d weeks)", (*sv.TypicalWaitDays+6)/7)
	}
	return optionLabel(capacityOptions, string(sv.Capacity))
}

func costText(sv directory.Service) string {
	if len(sv.CostOptions) == 0 {
		if sv.Fees != "" {
			return sv.Fees
		}
		return "Not known"
	}
	var parts []string
	for _, o := range sv.CostOptions {
		switch {
		case o.AmountDescription != "":
			parts = append(parts, o.AmountDescription)
		case o.Amount != nil && *o.Amount == 0:
			parts = append(parts, "Free")
		case o.Amount != nil:
			parts = append(parts, fmt.Sprintf("£%.2f", *o.Amount))
		}
	}
	return strings.Join(parts, "; ")
}

func checkedText(sv directory.Service) string {
	t, err := time.Parse(time.RFC3339, sv.LastVerifiedAt)
	if err != nil {
		return "Never checked"
	}
	return "Checked " + t.In(london).Format("2 January 2006")
}

func whereText(l directory.Location) string {
	parts := []string{l.Name}
	for _, a := range l.Addresses {
		parts = append(parts, a.Address1, a.PostalCode)
		break
	}
	return strings.Join(parts, ", ")
}

// nextRuns says when a service next runs after now, from its weekly schedules.
func nextRuns(sv directory.Service, now time.Time) string {
	now = now.In(london)
	for d := range 8 {
		day := now.AddDate(0, 0, d)
		code := strings.ToUpper(day.Weekday().String()[:2])
		for _, sc := range sv.Schedules {
			if sc.OpensAt == "" || !strings.Contains(sc.ByDay, code) || d == 0 && sc.OpensAt <= now.Format("15:04") {
				continue
			}
			when := day.Format("Monday 2 January")
			if d == 0 {
				when = "Today"
			} else if d == 1 {
				when = "Tomorrow"
			}
			return fmt.Sprintf("%s, %s to %s", when, sc.OpensAt[:5], sc.ClosesAt[:min(5, len(sc.ClosesAt))])
		}
	}
	if len(sv.Schedules) > 0 && sv.Schedules[0].Description != "" {
		return sv.Schedules[0].Description
	}
	return "Ask the service"
}

// Adding from the results

func (s *Server) handleCaseDirectoryAdd(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToRecord(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	q, _ := url.ParseQuery(f.Get("search"))
	ids := f["service"]
	if len(ids) == 0 || len(ids) > casework.MaxSignpostedServices {
		head, _, err := s.openRecord(r, k, rel, "directory")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		msg := "Select at least one service"
		if len(ids) > 0 {
			msg = fmt.Sprintf("Select up to %d services at a time", casework.MaxSignpostedServices)
		}
		s.showDirectorySearch(w, r, http.StatusBadRequest, &head, q, form{Errors: map[string]string{"service": msg}})
		return
	}
	found, err := s.Directory.GetServices(r.Context(), directory.Practitioners, ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	services := make([]directory.Service, 0, len(ids))
	for _, id := range ids {
		sv, ok := found[id]
		if !ok {
			s.fail(w, r, apperr.New(apperr.NotFound, "No service has the id %s", id))
			return
		}
		services = append(services, sv)
	}
	if f.Get("action") == "signpost" {
		s.signpostServices(w, r, k, services)
		return
	}
	s.connectServices(w, r, k, services)
}

func (s *Server) connectServices(w http.ResponseWriter, r *http.Request, k casework.Case, services []directory.Service) {
	ins := make([]casework.ConnectionInput, 0, len(services))
	for _, sv := range services {
		pk, err := s.Directory.ServicePK(r.Context(), sv.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ins = append(ins, casework.ConnectionInput{Activity: sv.Name, Organisation: organisationName(sv),
			FirstSessionHelp: sv.FirstSessionSupport != "", FirstSessionNote: sv.FirstSessionSupport, DirectoryServicePK: pk})
	}
	if _, err := s.Cases.AddConnections(r.Context(), actor(r), k.ID, ins); err != nil {
		s.fail(w, r, err)
		return
	}
	redirectSaved(w, r, casePath(k.ID)+"/connections", "connection")
}

func (s *Server) signpostServices(w http.ResponseWriter, r *http.Request, k casework.Case, services []directory.Service) {
	var in casework.SignpostInput
	for _, sv := range services {
		in.Services = append(in.Services, casework.SignpostedService{Name: sv.Name, Organisation: organisationName(sv),
			HowToContact: contactText(sv), Why: sv.Description})
	}
	sp, err := s.Cases.Signpost(r.Context(), actor(r), k.PersonID, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, personPath(k.PersonID)+"/signposting/print?signpost="+itoa(sp.ID), http.StatusSeeOther)
}

func organisationName(sv directory.Service) string {
	if sv.Organization == nil {
		return ""
	}
	return sv.Organization.Name
}

// contactText is how to reach a service, for a signposting list.
func contactText(sv directory.Service) string {
	var parts []string
	for _, p := range sv.Phones {
		parts = append(parts, "Phone "+p.Number)
	}
	if sv.Email != "" {
		parts = append(parts, "email "+sv.Email)
	}
	for _, sl := range sv.ServiceAtLocations {
		if sl.Location != nil {
			parts = append(parts, "at "+whereText(*sl.Location))
		}
	}
	return strings.Join(parts, ", ")
}

// The service and its accuracy

type directoryServicePage struct {
	Service  directory.Service
	Row      directoryResult
	NextRuns string
	Contact  string
	Reports  []directory.Report
	Where    []string
	Access   []string
	CanEdit  bool // the user may change the listing
}

func (s *Server) handleDirectoryService(w http.ResponseWriter, r *http.Request) {
	s.showDirectoryService(w, r, http.StatusOK, form{})
}

func (s *Server) showDirectoryService(w http.ResponseWriter, r *http.Request, status int, f form) {
	sv, err := s.Directory.GetService(r.Context(), directory.Practitioners, r.PathValue("sid"))
	var reports []directory.Report
	var keepers []int64
	if err == nil {
		reports, err = s.Directory.Reports(r.Context(), sv.ID)
	}
	if err == nil {
		keepers, err = s.Providers.Keepers(r.Context(), sv.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := directoryServicePage{Service: sv, NextRuns: nextRuns(sv, time.Now()), Contact: contactText(sv), Reports: reports,
		CanEdit: s.Policy.Can(r.Context(), state(r).user, access.EditListing, access.Resource{OrganisationIDs: keepers})}
	page.Row = directoryRow(directory.ServiceAtLocation{Service: &sv}, time.Now())
	page.Row.Organisation = organisationName(sv)
	for _, sl := range sv.ServiceAtLocations {
		if sl.Location != nil {
			page.Where = append(page.Where, whereText(*sl.Location))
			for _, a := range sl.Location.Accessibility {
				page.Access = append(page.Access, a.Description)
			}
		}
	}
	v := s.newView(r, sv.Name, page)
	if f.Values != nil {
		v.Form = f
	}
	if status == http.StatusOK && r.URL.Query().Get("saved") == "reported" {
		v.Notice = "Thank you. The service lead will check this listing."
	}
	s.render(w, r, status, "directory_service", v)
}

func (s *Server) handleDirectoryReport(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	u := state(r).user
	id := r.PathValue("sid")
	err := s.Directory.ReportInaccuracy(r.Context(), id, directory.Reporter{Actor: actor(r), Name: u.Name}, r.PostForm.Get("reason"))
	if err == nil {
		redirectSaved(w, r, "/directory/services/"+url.PathEscape(id), "reported")
		return
	}
	if !onForm(err) {
		s.fail(w, r, err)
		return
	}
	s.showDirectoryService(w, r, statusOf(err), newForm(r.PostForm, err))
}

type freshnessPage struct {
	Items      []freshnessRow
	Total      int
	Pagination pagination
}

type freshnessRow struct {
	directoryResult
	Version string
	Reports []directory.Report
}

var freshnessNotices = map[string]string{
	"checked":  "Listing marked as checked today.",
	"resolved": "Report resolved.",
}

// handleDirectoryFreshness is the service lead's queue of listings to check.
func (s *Server) handleDirectoryFreshness(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) {
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	n = max(n, 1)
	res, err := s.Directory.FreshnessQueue(r.Context(), time.Now(), directory.Page{Number: n, Size: directoryPageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := freshnessPage{Total: res.Total, Pagination: paginateAt("/directory/freshness", url.Values{}, n, res.TotalPages())}
	for _, it := range res.Items {
		sv := it.Service
		page.Items = append(page.Items, freshnessRow{directoryResult: directoryRow(directory.ServiceAtLocation{Service: &sv}, time.Now()),
			Version: it.Version, Reports: it.Reports})
	}
	v := s.newView(r, "Directory listings to check", page)
	v.Notice = savedNotice(r, freshnessNotices)
	s.render(w, r, http.StatusOK, "directory_freshness", v)
}
