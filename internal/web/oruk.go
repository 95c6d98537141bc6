package web

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/postcode"
	"github.com/linkwell/linkwell/internal/store"
)

// The open directory feed speaks Open Referral UK 3.0 under /oruk: anyone may read it, from any
// website, and it always reads as the Public audience, so internal-only services, staff
// contacts and who verified a listing never leave through it, even for a signed-in user.

// orukOpenAPI describes what is served here; it is derived from the ORUK 3.0 profile's own
// OpenAPI description (BSD 3-Clause, see testdata/oruk-3.0/NOTICE).
//
//go:embed oruk_openapi.json
var orukOpenAPI []byte

const (
	orukVersion = "HSDS-UK-3.0"
	orukProfile = "https://github.com/openreferral/uk-profile"
)

func (s *Server) orukRoutes() {
	m := s.mux
	m.HandleFunc("GET /oruk", s.handleORUKRoot)
	m.HandleFunc("GET /oruk/{$}", s.handleORUKRoot)
	m.HandleFunc("GET /oruk/openapi.json", handleORUKOpenAPI)
	m.HandleFunc("OPTIONS /oruk/", handleORUKPreflight)
	m.HandleFunc("GET /oruk/services", s.handleORUKServices)
	m.HandleFunc("GET /oruk/services/{id}", orukItem(s, s.getORUKService))
	m.HandleFunc("GET /oruk/service_at_locations", s.handleORUKServiceAtLocations)
	m.HandleFunc("GET /oruk/service_at_locations/{id}", orukItem(s, s.getORUKServiceAtLocation))
	m.HandleFunc("GET /oruk/taxonomies", s.handleORUKTaxonomies)
	m.HandleFunc("GET /oruk/taxonomies/{id}", orukItem(s, s.Directory.GetTaxonomy))
	m.HandleFunc("GET /oruk/taxonomy_terms", s.handleORUKTaxonomyTerms)
	m.HandleFunc("GET /oruk/taxonomy_terms/{id}", orukItem(s, s.Directory.GetTaxonomyTerm))
	m.HandleFunc("GET /oruk/organizations", s.handleORUKOrganizations)
	m.HandleFunc("GET /oruk/organizations/{id}", s.handleORUKOrganization)
}

// isORUK reports whether a path is in the open directory feed.
func isORUK(path string) bool { return path == "/oruk" || strings.HasPrefix(path, "/oruk/") }

// allowAnyOrigin lets pages on any website read the open feed, errors included, so that
// directory apps can show a feed's problems too.
func allowAnyOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isORUK(r.URL.Path) {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		next.ServeHTTP(w, r)
	})
}

// handleORUKPreflight answers browsers' CORS preflight: only reads are offered, without
// credentials.
func handleORUKPreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Accept, Content-Type")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

func handleORUKOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(orukOpenAPI)
}

type orukRoot struct {
	Version    string `json:"version"`
	Profile    string `json:"profile"`
	OpenAPIURL string `json:"openapi_url"`
}

func (s *Server) handleORUKRoot(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil || s.Config.TLS() {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: "/oruk/openapi.json"}
	writeJSON(w, http.StatusOK, orukRoot{Version: orukVersion, Profile: orukProfile, OpenAPIURL: u.String()})
}

// orukPage is the HSDS page envelope. Pages are numbered from 1; size is the page size asked
// for, so that total_pages is total_items divided by it, rounded up.
type orukPage[T any] struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"`
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   []T  `json:"contents"`
}

func pageOf[T any](res directory.Results[T]) orukPage[T] {
	items := res.Items
	if items == nil {
		items = []T{} // the schema wants an array, never null
	}
	return orukPage[T]{
		TotalItems: res.Total, TotalPages: res.TotalPages(), PageNumber: res.Page.Number, Size: res.Page.Size,
		FirstPage: res.Page.Number == 1, LastPage: res.Page.Number >= res.TotalPages(), Empty: len(items) == 0,
		Contents: items,
	}
}

// writeORUK writes a read's result, or its error as JSON.
func (s *Server) writeORUK(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) handleORUKServices(w http.ResponseWriter, r *http.Request) {
	q := newORUKQuery(r)
	f, p := q.filter(), q.page()
	if err := q.err(f, p); err != nil {
		s.fail(w, r, err)
		return
	}
	// Pages are kept encoded while the directory stays as it was: most clients read the same
	// first pages, and a harvester's pages of a word search are read again by the next one.
	body, err := s.Directory.ServicesPage(r.Context(), f, p, encodeEntriesPage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}

// encodeEntriesPage writes a page of the open feed's list entries, each encoded when its
// service was written, in the HSDS page envelope, without decoding and encoding them again.
// The page is compact JSON, where the feed's other answers are indented: a page of 50 services
// is most of a harvester's reading.
func encodeEntriesPage(res directory.Results[json.RawMessage]) ([]byte, error) {
	envelope := pageOf(res)
	envelope.Contents = []json.RawMessage{}
	head, err := json.Marshal(envelope)
	if err != nil || !bytes.HasSuffix(head, []byte(`[]}`)) {
		return nil, fmt.Errorf("encode the page envelope: %q, %v", head, err)
	}
	head = head[:len(head)-2] // up to and with the contents' [
	size := len(head) + 3
	for _, entry := range res.Items {
		size += len(entry) + 1
	}
	b := append(make([]byte, 0, size), head...)
	for i, entry := range res.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, entry...)
	}
	return append(b, "]}\n"...), nil
}

func (s *Server) handleORUKServiceAtLocations(w http.ResponseWriter, r *http.Request) {
	q := newORUKQuery(r)
	f, p := q.filter(), q.page()
	near, err := q.near(r.Context(), s.DB.Reader())
	if err == nil {
		err = q.err(f, p)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Directory.ListServiceAtLocations(r.Context(), directory.Public, f, near, p)
	s.writeORUK(w, r, pageOf(res), err)
}

func (s *Server) handleORUKTaxonomies(w http.ResponseWriter, r *http.Request) {
	q := newORUKQuery(r)
	p := q.page()
	if err := q.err(directory.Filter{}, p); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Directory.ListTaxonomies(r.Context(), p)
	s.writeORUK(w, r, pageOf(res), err)
}

// handleORUKTaxonomyTerms lists every term, or with taxonomy_id those of one taxonomy.
func (s *Server) handleORUKTaxonomyTerms(w http.ResponseWriter, r *http.Request) {
	q := newORUKQuery(r)
	p := q.page()
	taxonomy := q.values.Get("taxonomy_id")
	if err := q.err(directory.Filter{TaxonomyID: taxonomy}, p); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Directory.ListTaxonomyTerms(r.Context(), taxonomy, p)
	s.writeORUK(w, r, pageOf(res), err)
}

func (s *Server) handleORUKOrganizations(w http.ResponseWriter, r *http.Request) {
	q := newORUKQuery(r)
	p := q.page()
	if err := q.err(directory.Filter{}, p); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Directory.ListOrganizations(r.Context(), directory.Public, p)
	s.writeORUK(w, r, pageOf(res), err)
}

// orukItem serves one record by the UUID in the path.
func orukItem[T any](s *Server, get func(ctx context.Context, id string) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := orukID(r)
		var v T
		if err == nil {
			v, err = get(r.Context(), id)
		}
		s.writeORUK(w, r, v, err)
	}
}

func (s *Server) getORUKService(ctx context.Context, id string) (directory.Service, error) {
	return s.Directory.GetService(ctx, directory.Public, id)
}

func (s *Server) getORUKServiceAtLocation(ctx context.Context, id string) (directory.ServiceAtLocation, error) {
	return s.Directory.GetServiceAtLocation(ctx, directory.Public, id)
}

// handleORUKOrganization serves an organisation fully nested, as ORUK's organization_full:
// with its services, one-to-one fields only, every one the public may see.
func (s *Server) handleORUKOrganization(w http.ResponseWriter, r *http.Request) {
	id, err := orukID(r)
	var o directory.Organization
	if err == nil {
		o, err = s.Directory.GetOrganization(r.Context(), directory.Public, id)
	}
	for p := (directory.Page{Number: 1, Size: directory.MaxPageSize}); err == nil; p.Number++ {
		var res directory.Results[directory.Service]
		res, err = s.Directory.ListServices(r.Context(), directory.Public, directory.Filter{OrganizationID: id}, p)
		o.Services = append(o.Services, res.Items...)
		if p.Number >= res.TotalPages() {
			break
		}
	}
	s.writeORUK(w, r, o, err)
}

var orukUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// orukID is the {id} of the path, which must be a UUID.
func orukID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !orukUUID.MatchString(id) {
		return "", apperr.Fields{{Field: "id", Message: "must be a UUID, such as ac148810-d857-441c-9679-408f346de14b"}}.Err()
	}
	return id, nil
}

// orukQuery reads ORUK query parameters, collecting what is wrong with them so that one 400
// names every bad parameter.
type orukQuery struct {
	values url.Values
	errs   apperr.Fields
}

func newORUKQuery(r *http.Request) *orukQuery { return &orukQuery{values: r.URL.Query()} }

// err is every problem with the parameters, the filter's and page's own checks included.
func (q *orukQuery) err(f directory.Filter, p directory.Page) error {
	fields := q.errs
	for _, check := range []error{f.Validate(), p.Validate()} {
		if ae, ok := apperr.As(check); ok {
			fields = append(fields, ae.Fields...)
		}
	}
	if len(fields) == 0 {
		return nil
	}
	var msg strings.Builder
	msg.WriteString("There is a problem with the query:")
	for _, f := range fields {
		fmt.Fprintf(&msg, " %s %s;", f.Field, f.Message)
	}
	return &apperr.Error{Kind: apperr.Invalid, Message: strings.TrimSuffix(msg.String(), ";"), Fields: fields}
}

func (q *orukQuery) page() directory.Page {
	return directory.Page{
		Number: q.positive("page", 1<<30, "must be a whole number, 1 or more"),
		Size:   q.positive("per_page", directory.MaxPageSize, "must be a whole number from 1 to "+strconv.Itoa(directory.MaxPageSize)),
	}
}

// positive reads a whole number from 1 to max; 0 when the parameter is absent.
func (q *orukQuery) positive(name string, max int, message string) int {
	v := q.values.Get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		q.errs.Add(name, message)
		return 0
	}
	return n
}

func (q *orukQuery) filter() directory.Filter {
	f := directory.Filter{
		Search:         q.values.Get("search"),
		TaxonomyTermID: q.values.Get("taxonomy_term_id"),
		TaxonomyID:     q.values.Get("taxonomy_id"),
		OrganizationID: q.values.Get("organization_id"),
		MinimumAge:     q.number("minimum_age"),
		MaximumAge:     q.number("maximum_age"),
		StartTime:      q.values.Get("start_time"),
		EndTime:        q.values.Get("end_time"),
		ModifiedAfter:  q.time("modified_after"),
	}
	if v := q.values.Get("day"); v != "" {
		var ok bool
		if f.Day, ok = directory.ParseWeekday(v); !ok {
			q.errs.Add("day", "must be a day of the week, such as MO or Monday")
		}
	}
	return f
}

func (q *orukQuery) number(name string) *float64 {
	v := q.values.Get(name)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		q.errs.Add(name, "must be a number")
		return nil
	}
	return &n
}

// time reads a date-time (RFC 3339) or a date, which means its midnight in UTC.
func (q *orukQuery) time(name string) time.Time {
	v := q.values.Get(name)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	q.errs.Add(name, "must be a date-time such as 2025-01-31T09:00:00Z, or a date such as 2025-01-31")
	return time.Time{}
}

// near is the point of the postcode parameter with the proximity radius, or nil without a
// postcode. A postcode that cannot be read or is not known is a bad parameter; the error
// returned is a failure to look it up.
func (q *orukQuery) near(ctx context.Context, c store.Conn) (*directory.Near, error) {
	code := q.values.Get("postcode")
	radius := q.number("proximity")
	if code == "" {
		if radius != nil {
			q.errs.Add("proximity", "needs a postcode to measure from")
		}
		return nil, nil
	}
	place, err := postcode.Lookup(ctx, c, code)
	if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.NotFound {
		ae, _ := apperr.As(err)
		q.errs.Add("postcode", ae.Message)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	n := &directory.Near{Latitude: place.Lat, Longitude: place.Long}
	if radius != nil {
		n.Radius = *radius
	}
	if ae, ok := apperr.As(n.Validate()); ok {
		q.errs = append(q.errs, ae.Fields...)
	}
	return n, nil
}
