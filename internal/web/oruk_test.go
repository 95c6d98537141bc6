package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/postcode"
)

// The ORUK tests run on two directories: the ORUK profile's own examples beside a few of
// Linkwell's services, to validate every endpoint's output against the profile's schemata and
// to round-trip; and Linkwell's services alone, whose filters, pages and distances can be
// worked out by hand.

const orukSource = "https://feed.example.org/oruk"

func orukUID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// The point of AB10 1AB in the ONS sample, which the services below are placed north of:
// along a meridian, 0.01° of latitude is 1111.95 m on the sphere the distances use.
const (
	ab101abLat, ab101abLong = 57.149606, -2.096916
	metresPer0_01Degree     = 6371008.8 * math.Pi / 180 * 0.01
)

// orukWorld is the services of the filter tests: numbered n, called name, k hundredths of a
// degree north of AB10 1AB, provided by organisation org; opts change them.
type orukFixture struct {
	name string
	k    int
	org  int
	opts []func(*directory.Service)
}

func orukService(n int, f orukFixture) directory.Service {
	lat, long := ab101abLat+0.01*float64(f.k), ab101abLong
	s := directory.Service{
		ID: orukUID(n), Name: f.name, Status: directory.StatusActive, Description: "A community activity called " + f.name + ".",
		OrganizationID: orukUID(900 + f.org), LastModified: "2024-12-01T09:00:00Z",
		Organization: &directory.Organization{ID: orukUID(900 + f.org), Name: fmt.Sprintf("Organisation %d", f.org), Description: "A local charity."},
		ServiceAtLocations: []directory.ServiceAtLocation{{ID: orukUID(n + 100), Location: &directory.Location{
			ID: orukUID(n + 200), LocationType: directory.LocationPhysical, Name: f.name + " hall", Latitude: &lat, Longitude: &long,
			Addresses: []directory.Address{{ID: orukUID(n + 300), Address1: "1 High Street", City: "Aberdeen", StateProvince: "Aberdeenshire",
				PostalCode: "AB10 1AB", Country: "GB", AddressType: directory.LocationPhysical}},
		}}},
		SocialPrescribing: directory.SocialPrescribing{Capacity: directory.CapacityAccepting, ReferralRoute: directory.RouteSelfReferral,
			LastVerifiedAt: "2025-06-01T09:00:00Z"},
	}
	for _, opt := range f.opts {
		opt(&s)
	}
	return s
}

func aged(minimum, maximum float64) func(*directory.Service) {
	return func(s *directory.Service) {
		if minimum >= 0 {
			s.MinimumAge = &minimum
		}
		if maximum >= 0 {
			s.MaximumAge = &maximum
		}
	}
}

func meets(id int, byday, opens, closes string) func(*directory.Service) {
	return func(s *directory.Service) {
		s.Schedules = append(s.Schedules, directory.Schedule{ID: orukUID(id), Freq: "WEEKLY", ByDay: byday, OpensAt: opens, ClosesAt: closes})
	}
}

// termed classifies a service with term t of taxonomy tax, both numbered.
func termed(attr, t, tax int) func(*directory.Service) {
	return func(s *directory.Service) {
		s.Attributes = append(s.Attributes, directory.Attribute{ID: orukUID(attr), TaxonomyTerm: &directory.TaxonomyTerm{
			ID: orukUID(t), Name: fmt.Sprintf("Term %d", t), Description: "A category.", TaxonomyID: orukUID(tax)}})
	}
}

func modified(at string) func(*directory.Service) {
	return func(s *directory.Service) { s.LastModified = at }
}

// Private details that must never reach the open feed.
const (
	secretService  = "Practice team huddle"
	secretContact  = "Jo Staffline"
	secretVerifier = "verifier@practice.example.nhs.uk"
)

var orukWorld = []orukFixture{
	{"Walking group", 1, 1, []func(*directory.Service){aged(18, -1), meets(11, "MO", "10:00", "12:00"), termed(12, 501, 601), modified("2025-01-10T10:00:00Z")}},
	{"Art club", 2, 1, []func(*directory.Service){aged(0, 25), meets(21, "WE", "14:00", "16:00"), termed(22, 502, 601), modified("2025-03-10T10:00:00Z")}},
	{"Choir", 3, 2, []func(*directory.Service){aged(16, 99), meets(31, "MO", "18:00", "20:00"), termed(32, 501, 601), modified("2025-05-10T10:00:00Z")}},
	{"Coffee morning", 4, 2, []func(*directory.Service){meets(41, "TU,TH", "10:30", "11:30"), termed(42, 503, 602), modified("2025-07-10T10:00:00Z"),
		func(s *directory.Service) {
			s.VerifiedBy = secretVerifier
			s.Contacts = []directory.Contact{
				{ID: orukUID(43), Name: "Front desk", Email: "hello@coffee.example.org"},
				{ID: orukUID(44), Name: secretContact, Email: "jo@practice.example.nhs.uk", InternalOnly: true},
			}
		}}},
	{"Gardening club", 5, 3, []func(*directory.Service){aged(60, -1), meets(51, "SA", "09:00", "12:00"), modified("2025-09-10T10:00:00Z")}},
	{"Football for all", 6, 3, nil},
	{"Money advice", 7, 3, nil},
	{secretService, 0, 4, []func(*directory.Service){func(s *directory.Service) { s.InternalOnly = true }}},
}

// orukServer is a test server holding postcodes from the ONS sample and fixtures' services;
// with examples, also every ORUK example service and the example taxonomy.
func orukServer(t *testing.T, examples bool) *testServer {
	t.Helper()
	ts := newTestServer(t)
	csv, err := os.Open(filepath.Join("..", "postcode", "testdata", "onspd-sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer csv.Close()
	if _, err := postcode.Import(t.Context(), ts.DB, csv, nil); err != nil {
		t.Fatalf("import postcodes: %v", err)
	}
	d := ts.Server.Directory
	if examples {
		loadORUKExamples(t, d)
	}
	for i, f := range orukWorld {
		b, _ := json.Marshal(orukService(1000+i*1000, f))
		if r, err := d.Upsert(t.Context(), orukSource, b); err != nil {
			t.Fatalf("upsert %s: %s %v", f.name, r.Outcome, err)
		}
	}
	return ts
}

// loadORUKExamples stores every service and taxonomy in the ORUK examples. They share ids,
// so the service stored last, the fully nested one, is the one served.
func loadORUKExamples(t *testing.T, d *directory.Directory) {
	t.Helper()
	read := func(name string, v any) {
		b, err := os.ReadFile(filepath.Join("..", "directory", "testdata", "oruk-3.0", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var services []json.RawMessage
	var list struct{ Contents []json.RawMessage }
	var sals struct {
		Contents []struct{ Service json.RawMessage }
	}
	var sal struct{ Service json.RawMessage }
	var org struct{ Services []json.RawMessage }
	var full json.RawMessage
	read("service_list.json", &list)
	read("service_at_location_list.json", &sals)
	read("service_at_location_full.json", &sal)
	read("organization_full.json", &org)
	read("service_full.json", &full)
	services = append(services, list.Contents...)
	for _, c := range sals.Contents {
		services = append(services, c.Service)
	}
	services = append(append(append(services, sal.Service), org.Services...), full)
	for i, b := range services {
		if r, err := d.Upsert(t.Context(), "oruk-examples", b); err != nil {
			t.Fatalf("example service %d: %s %v", i, r.Outcome, err)
		}
	}
	var tax directory.Taxonomy
	read("taxonomy.json", &tax)
	if _, err := d.UpsertTaxonomy(t.Context(), "oruk-examples", tax); err != nil {
		t.Fatalf("example taxonomy: %v", err)
	}
}

// orukSchemata compiles the ORUK 3.0 schemata, and a page envelope of each, once a test.
type orukSchemata struct {
	t       *testing.T
	schemas map[string]*jsonschema.Schema
}

const schemaBase = "https://schemata.linkwell.invalid/oruk-3.0/"

func newORUKSchemata(t *testing.T) *orukSchemata {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	files, _ := filepath.Glob(filepath.Join("testdata", "oruk-3.0", "schemata", "*.json"))
	if len(files) < 17 {
		t.Fatalf("found %d ORUK schemata, want 17", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := c.AddResource(schemaBase+filepath.Base(f), doc); err != nil {
			t.Fatal(err)
		}
	}
	// The envelope is ORUK's Page schema, every field required, around a list of entities.
	page := func(entity string) map[string]any {
		fields := []any{"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}
		props := map[string]any{"contents": map[string]any{"type": "array", "items": map[string]any{"$ref": entity + ".json"}}}
		for _, f := range fields[:4] {
			props[f.(string)] = map[string]any{"type": "integer", "minimum": 0}
		}
		for _, f := range fields[4:7] {
			props[f.(string)] = map[string]any{"type": "boolean"}
		}
		return map[string]any{"type": "object", "required": fields, "properties": props}
	}
	o := &orukSchemata{t: t, schemas: map[string]*jsonschema.Schema{}}
	for _, entity := range []string{"service", "service_at_location", "taxonomy", "taxonomy_term", "organization"} {
		if err := c.AddResource(schemaBase+entity+"_page.json", page(entity)); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{entity, entity + "_page"} {
			sch, err := c.Compile(schemaBase + name + ".json")
			if err != nil {
				t.Fatalf("compile %s: %v", name, err)
			}
			o.schemas[name] = sch
		}
	}
	return o
}

// check validates body against the named schema.
func (o *orukSchemata) check(path, schema, body string) {
	o.t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		o.t.Fatalf("GET %s: not JSON: %v", path, err)
	}
	if err := o.schemas[schema].Validate(doc); err != nil {
		o.t.Errorf("GET %s does not validate against %s: %v", path, schema, err)
	}
}

// orukGet fetches a path anonymously, checks the status and the CORS header, and returns
// the body.
func orukGet(t *testing.T, ts *testServer, path string, status int) string {
	t.Helper()
	res, body := ts.get(t, ts.anon(), path)
	if res.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d: %s", path, res.StatusCode, status, body)
	}
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("GET %s: Access-Control-Allow-Origin %q, want *", path, got)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q, want JSON", path, ct)
	}
	return body
}

type orukEnvelope = orukPage[json.RawMessage]

// orukPageOf fetches and decodes a page, after validating it.
func orukPageOf(t *testing.T, ts *testServer, o *orukSchemata, path, entity string) orukEnvelope {
	t.Helper()
	body := orukGet(t, ts, path, http.StatusOK)
	o.check(path, entity+"_page", body)
	var p orukEnvelope
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func ids(t *testing.T, items []json.RawMessage) []string {
	t.Helper()
	var out []string
	for _, raw := range items {
		var v struct{ ID string }
		json.Unmarshal(raw, &v)
		out = append(out, v.ID)
	}
	return out
}

func TestOrukEveryEndpointValidates(t *testing.T) {
	ts := orukServer(t, true)
	o := newORUKSchemata(t)
	// The validator is live: a service with a bad id and no status fails.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"id": "not-a-uuid", "name": "x"}`))
	if o.schemas["service"].Validate(bad) == nil {
		t.Fatal("the service schema accepts a service with no status and a bad id")
	}

	var root orukRoot
	json.Unmarshal([]byte(orukGet(t, ts, "/oruk/", http.StatusOK)), &root)
	if root.Version != "HSDS-UK-3.0" || root.Profile == "" || root.OpenAPIURL != ts.URL+"/oruk/openapi.json" {
		t.Errorf("GET /oruk/: %+v", root)
	}
	var api struct{ Paths map[string]any }
	if err := json.Unmarshal([]byte(orukGet(t, ts, "/oruk/openapi.json", http.StatusOK)), &api); err != nil {
		t.Fatalf("the OpenAPI description is not JSON: %v", err)
	}
	for _, p := range []string{"/", "/services", "/services/{id}", "/service_at_locations", "/service_at_locations/{id}", "/taxonomies",
		"/taxonomies/{id}", "/taxonomy_terms", "/taxonomy_terms/{id}", "/organizations", "/organizations/{id}"} {
		if api.Paths[p] == nil {
			t.Errorf("the OpenAPI description leaves out %s", p)
		}
	}

	for _, l := range []struct{ path, entity, item string }{
		{"/oruk/services?per_page=500", "service", "/oruk/services/"},
		{"/oruk/service_at_locations?per_page=500", "service_at_location", "/oruk/service_at_locations/"},
		{"/oruk/service_at_locations?postcode=AB10+1AB", "service_at_location", "/oruk/service_at_locations/"},
		{"/oruk/taxonomies", "taxonomy", "/oruk/taxonomies/"},
		{"/oruk/taxonomy_terms?per_page=500", "taxonomy_term", "/oruk/taxonomy_terms/"},
		{"/oruk/organizations", "organization", "/oruk/organizations/"},
	} {
		p := orukPageOf(t, ts, o, l.path, l.entity)
		if p.Empty || p.TotalItems != len(p.Contents) {
			t.Errorf("GET %s: %d items of %d", l.path, len(p.Contents), p.TotalItems)
		}
		for _, id := range ids(t, p.Contents) {
			o.check(l.item+id, l.entity, orukGet(t, ts, l.item+id, http.StatusOK))
		}
	}
	example := "/oruk/services/ac148810-d857-441c-9679-408f346de14b"
	if body := orukGet(t, ts, example, http.StatusOK); !strings.Contains(body, `"schedules"`) || !strings.Contains(body, `"service_at_locations"`) {
		t.Errorf("GET %s is not fully nested: %.300s", example, body)
	}
}

// TestOrukRoundTrip re-imports what the API serves: the record stays as it was.
func TestOrukRoundTrip(t *testing.T) {
	ts := orukServer(t, true)
	d := ts.Server.Directory
	var list orukEnvelope
	json.Unmarshal([]byte(orukGet(t, ts, "/oruk/services?per_page=500", http.StatusOK)), &list)
	for _, id := range ids(t, list.Contents) {
		path := "/oruk/services/" + id
		before := orukGet(t, ts, path, http.StatusOK)
		source := orukSource
		if id == "ac148810-d857-441c-9679-408f346de14b" {
			source = "oruk-examples"
		}
		r, err := d.Upsert(t.Context(), source, []byte(before))
		if err != nil {
			t.Fatalf("re-import %s: %v", path, err)
		}
		// Linkwell's own records hold nothing the API leaves out, so they come back byte for
		// byte; the coffee morning's private contact and verifier are left out, so it changes.
		if source == orukSource && !strings.Contains(before, "Coffee morning") && r.Outcome != directory.Unchanged {
			t.Errorf("re-import %s: %s, want unchanged", path, r.Outcome)
		}
		if after := orukGet(t, ts, path, http.StatusOK); after != before {
			t.Errorf("GET %s changed after re-importing it:\n%s\nwant\n%s", path, after, before)
		}
	}
}

func TestOrukFilters(t *testing.T) {
	ts := orukServer(t, false)
	o := newORUKSchemata(t)
	org1, term501, tax601 := orukUID(901), orukUID(501), orukUID(601)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"Art club", "Choir", "Coffee morning", "Football for all", "Gardening club", "Money advice", "Walking group"}},
		{"search=club", []string{"Art club", "Gardening club"}},
		{"taxonomy_term_id=" + term501, []string{"Choir", "Walking group"}},
		{"taxonomy_id=" + tax601, []string{"Art club", "Choir", "Walking group"}},
		{"organization_id=" + org1, []string{"Art club", "Walking group"}},
		{"minimum_age=18", []string{"Gardening club", "Walking group"}},
		{"maximum_age=30", []string{"Art club"}},
		{"day=MO", []string{"Choir", "Walking group"}},
		{"day=thursday", []string{"Coffee morning"}},
		{"start_time=10:00", []string{"Art club", "Choir", "Coffee morning", "Walking group"}},
		{"end_time=12:00", []string{"Coffee morning", "Gardening club", "Walking group"}},
		{"modified_after=2025-05-10", []string{"Choir", "Coffee morning", "Gardening club"}},
		{"modified_after=2025-05-10T10:00:01Z", []string{"Coffee morning", "Gardening club"}},
		{"day=MO&start_time=12:00", []string{"Choir"}},
		{"taxonomy_id=" + tax601 + "&organization_id=" + org1 + "&maximum_age=25", []string{"Art club"}},
		{"search=club&minimum_age=18", []string{"Gardening club"}},
		{"day=MO&end_time=12:00&taxonomy_term_id=" + term501 + "&minimum_age=18&modified_after=2025-01-01", []string{"Walking group"}},
		{"day=SU", nil},
	} {
		path := "/oruk/services?" + c.query
		p := orukPageOf(t, ts, o, path, "service")
		got := serviceNames(t, p.Contents)
		slices.Sort(got)
		if !slices.Equal(got, c.want) || p.TotalItems != len(c.want) {
			t.Errorf("GET %s: %q (total %d), want %q", path, got, p.TotalItems, c.want)
		}
		sals := orukPageOf(t, ts, o, "/oruk/service_at_locations?"+c.query, "service_at_location")
		if sals.TotalItems != len(c.want) {
			t.Errorf("GET /oruk/service_at_locations?%s: %d, want %d", c.query, sals.TotalItems, len(c.want))
		}
	}
}

func serviceNames(t *testing.T, items []json.RawMessage) []string {
	t.Helper()
	var out []string
	for _, raw := range items {
		var v struct {
			Name    string
			Service *struct{ Name string }
		}
		json.Unmarshal(raw, &v)
		if v.Service != nil {
			v.Name = v.Service.Name
		}
		out = append(out, v.Name)
	}
	return out
}

// TestOrukPagesAgree walks every page size over the seven public services: the pages hold each
// once, in one order, and agree on the totals and the edges.
func TestOrukPagesAgree(t *testing.T) {
	ts := orukServer(t, false)
	o := newORUKSchemata(t)
	whole := serviceNames(t, orukPageOf(t, ts, o, "/oruk/services", "service").Contents)
	for size := 1; size <= 8; size++ {
		pages := (7 + size - 1) / size
		var walked []string
		for n := 1; n <= pages+1; n++ {
			path := fmt.Sprintf("/oruk/services?page=%d&per_page=%d", n, size)
			p := orukPageOf(t, ts, o, path, "service")
			wantLen := min(size, max(0, 7-(n-1)*size))
			if p.TotalItems != 7 || p.TotalPages != pages || p.PageNumber != n || p.Size != size ||
				p.FirstPage != (n == 1) || p.LastPage != (n >= pages) || p.Empty != (wantLen == 0) || len(p.Contents) != wantLen {
				t.Errorf("GET %s: %+v with %d items, want %d items of 7 on %d pages", path, p, len(p.Contents), wantLen, pages)
			}
			walked = append(walked, serviceNames(t, p.Contents)...)
		}
		if !slices.Equal(walked, whole) {
			t.Errorf("pages of %d: %q, want %q", size, walked, whole)
		}
	}
}

// TestOrukNearestFirst measures from AB10 1AB: the services lie k hundredths of a degree due
// north of it, k metresPer0_01Degree away.
func TestOrukNearestFirst(t *testing.T) {
	ts := orukServer(t, false)
	o := newORUKSchemata(t)
	type item struct {
		Service  struct{ Name string }
		Distance *float64 `json:"x_linkwell_distance"`
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"postcode=ab10+1ab", []string{"Walking group", "Art club", "Choir", "Coffee morning", "Gardening club", "Football for all", "Money advice"}},
		{"postcode=AB10+1AB&proximity=3400", []string{"Walking group", "Art club", "Choir"}},
		{"postcode=AB10+1AB&proximity=5000&day=MO", []string{"Walking group", "Choir"}},
		{"postcode=AB10+1AB&per_page=2&page=2", []string{"Choir", "Coffee morning"}},
		{"postcode=AB10", []string{"Walking group", "Art club", "Choir", "Coffee morning", "Gardening club", "Football for all", "Money advice"}},
	} {
		path := "/oruk/service_at_locations?" + c.query
		p := orukPageOf(t, ts, o, path, "service_at_location")
		var got []string
		for _, raw := range p.Contents {
			var it item
			json.Unmarshal(raw, &it)
			got = append(got, it.Service.Name)
			i := slices.IndexFunc(orukWorld, func(f orukFixture) bool { return f.name == it.Service.Name })
			want := float64(orukWorld[i].k) * metresPer0_01Degree
			if it.Distance == nil || (c.query != "postcode=AB10" && math.Abs(*it.Distance-want) > 0.5) {
				t.Errorf("GET %s: %s at %v m, want %.1f", path, it.Service.Name, it.Distance, want)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("GET %s: %q, want %q", path, got, c.want)
		}
	}
}

func TestOrukBadParameters(t *testing.T) {
	ts := orukServer(t, false)
	for _, c := range []struct{ path, field string }{
		{"/oruk/services?page=0", "page"},
		{"/oruk/services?page=two", "page"},
		{"/oruk/services?per_page=501", "per_page"},
		{"/oruk/services?per_page=0", "per_page"},
		{"/oruk/services?taxonomy_term_id=gardening", "taxonomy_term_id"},
		{"/oruk/services?taxonomy_id=1", "taxonomy_id"},
		{"/oruk/services?organization_id=x", "organization_id"},
		{"/oruk/services?minimum_age=old", "minimum_age"},
		{"/oruk/services?maximum_age=-1", "maximum_age"},
		{"/oruk/services?day=Funday", "day"},
		{"/oruk/services?start_time=25:00", "start_time"},
		{"/oruk/services?end_time=noon", "end_time"},
		{"/oruk/services?modified_after=yesterday", "modified_after"},
		{"/oruk/services?modified_after=2025-13-01", "modified_after"},
		{"/oruk/service_at_locations?postcode=not+a+postcode", "postcode"},
		{"/oruk/service_at_locations?postcode=ZZ99+9ZZ", "postcode"},
		{"/oruk/service_at_locations?postcode=AB10+1AB&proximity=far", "proximity"},
		{"/oruk/service_at_locations?postcode=AB10+1AB&proximity=2000000", "proximity"},
		{"/oruk/service_at_locations?proximity=1000", "proximity"},
		{"/oruk/taxonomies?per_page=1000", "per_page"},
		{"/oruk/taxonomy_terms?taxonomy_id=nope", "taxonomy_id"},
		{"/oruk/organizations?page=-1", "page"},
		{"/oruk/services/not-a-uuid", "id"},
		{"/oruk/service_at_locations/1", "id"},
		{"/oruk/taxonomies/x", "id"},
		{"/oruk/taxonomy_terms/x", "id"},
		{"/oruk/organizations/x", "id"},
	} {
		var e jsonError
		if err := json.Unmarshal([]byte(orukGet(t, ts, c.path, http.StatusBadRequest)), &e); err != nil {
			t.Fatalf("GET %s: %v", c.path, err)
		}
		if e.Error.Status != 400 || !slices.ContainsFunc(e.Error.Fields, func(f jsonFieldError) bool { return f.Field == c.field }) {
			t.Errorf("GET %s: %+v, want a problem with %s", c.path, e.Error, c.field)
		}
	}
	var e jsonError
	json.Unmarshal([]byte(orukGet(t, ts, "/oruk/services?page=0&per_page=9999&day=X", http.StatusBadRequest)), &e)
	if len(e.Error.Fields) != 3 {
		t.Errorf("three bad parameters: %+v, want each named", e.Error.Fields)
	}
	for _, path := range []string{"/oruk/services/" + orukUID(1), "/oruk/service_at_locations/" + orukUID(1), "/oruk/taxonomies/" + orukUID(1),
		"/oruk/taxonomy_terms/" + orukUID(1), "/oruk/organizations/" + orukUID(1), "/oruk/nothing-here"} {
		if body := orukGet(t, ts, path, http.StatusNotFound); !strings.Contains(body, `"status": 404`) {
			t.Errorf("GET %s: %s, want a JSON 404", path, body)
		}
	}
}

// TestOrukIsOpenToEveryone: no session is needed, any website may read it, and a preflight
// is answered.
func TestOrukIsOpenToEveryone(t *testing.T) {
	ts := orukServer(t, false)
	res, _ := ts.do(t, ts.anon(), http.MethodOptions, "/oruk/services", nil)
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("OPTIONS /oruk/services: %d %v", res.StatusCode, res.Header)
	}
	if res, _ := ts.get(t, ts.anon(), "/api/v1/me"); res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("the private API allows any origin too")
	}
	orukGet(t, ts, "/oruk", http.StatusOK)
}

// TestOrukKeepsPrivateDataOut reads every endpoint, signed in or not, for the internal-only
// service, the staff contact and the verifier.
func TestOrukKeepsPrivateDataOut(t *testing.T) {
	ts := orukServer(t, false)
	internal := orukUID(1000 + 7*1000)
	paths := []string{"/oruk/services?per_page=500", "/oruk/service_at_locations?per_page=500", "/oruk/service_at_locations?postcode=AB10+1AB",
		"/oruk/organizations", "/oruk/services?search=huddle", "/oruk/services?organization_id=" + orukUID(904)}
	for i := range 7 {
		paths = append(paths, "/oruk/services/"+orukUID(1000+i*1000), "/oruk/service_at_locations/"+orukUID(1100+i*1000))
	}
	for org := 901; org <= 903; org++ {
		paths = append(paths, "/oruk/organizations/"+orukUID(org))
	}
	signedIn := ts.client(t, "ot@linkwell.demo")
	for _, path := range paths {
		for _, c := range []*http.Client{ts.anon(), signedIn} {
			res, body := ts.get(t, c, path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
			}
			for _, secret := range []string{secretService, secretContact, secretVerifier, internal, "x_linkwell_internal_only", "x_linkwell_verified_by"} {
				if strings.Contains(body, secret) {
					t.Errorf("GET %s shows %q", path, secret)
				}
			}
		}
	}
	for _, path := range []string{"/oruk/services/" + internal, "/oruk/service_at_locations/" + orukUID(1100+7*1000), "/oruk/organizations/" + orukUID(904)} {
		orukGet(t, ts, path, http.StatusNotFound)
	}
	if body := orukGet(t, ts, "/oruk/services/"+orukUID(4000), http.StatusOK); !strings.Contains(body, "Front desk") {
		t.Errorf("the public contact is missing: %s", body)
	}
}

// A database whose services were stored before their list entries were kept serves the same
// pages, and the server's housekeeping fills the entries in.
func TestHousekeepingFillsTheFeedsListEntries(t *testing.T) {
	ts := orukServer(t, true)
	o := newORUKSchemata(t)
	count := func() int {
		t.Helper()
		var n int
		if err := ts.DB.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM dir_service_entries`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	kept := count()
	want := orukGet(t, ts, "/oruk/services?per_page=3&page=2", http.StatusOK)
	if kept == 0 {
		t.Fatal("no list entries were written with the services")
	}
	if _, err := ts.DB.Exec(t.Context(), `DELETE FROM dir_service_entries`); err != nil {
		t.Fatal(err)
	}
	// Another page size, so that the page is read again rather than kept.
	for _, path := range []string{"/oruk/services?per_page=2&page=3", "/oruk/services?per_page=500"} {
		orukPageOf(t, ts, o, path, "service")
	}
	ts.Server.housekeep(t.Context())
	if got := count(); got != kept {
		t.Errorf("housekeeping filled %d list entries, want the %d there were", got, kept)
	}
	if _, err := ts.DB.Exec(t.Context(), `UPDATE dir_generation SET n = n + 1`); err != nil { // drop the pages kept
		t.Fatal(err)
	}
	if got := orukGet(t, ts, "/oruk/services?per_page=3&page=2", http.StatusOK); got != want {
		t.Errorf("page 2 from the filled entries:\n%s\nwant\n%s", got, want)
	}
}
