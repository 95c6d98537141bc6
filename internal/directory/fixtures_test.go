package directory

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const feed = "https://feed.example.org/oruk"

// uid is a fixed UUID for the test record numbered n.
func uid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func ptr[T any](v T) *T { return &v }

// activity returns a valid service numbered n called name, run by organisation 900 at a
// location of its own with no position; opts change it.
func activity(n int, name string, opts ...func(*Service)) Service {
	s := Service{
		ID: uid(n), Name: name, Status: StatusActive, Description: "A friendly community activity.",
		Organization: &Organization{ID: uid(900), Name: "Riverside Community Trust", Description: "A local charity."},
		ServiceAtLocations: []ServiceAtLocation{{ID: uid(n + 100), Location: &Location{
			ID: uid(n + 200), LocationType: LocationPhysical, Name: name + " hall",
			Addresses: []Address{{ID: uid(n + 300), Address1: "1 High Street", City: "Aberdeen", PostalCode: "AB10 1AA",
				Country: "GB", AddressType: LocationPhysical}},
		}}},
	}
	for _, opt := range opts {
		opt(&s)
	}
	return s
}

func at(lat, long float64) func(*Service) {
	return func(s *Service) {
		s.ServiceAtLocations[0].Location.Latitude, s.ServiceAtLocations[0].Location.Longitude = &lat, &long
	}
}

func ages(minimum, maximum *float64) func(*Service) {
	return func(s *Service) { s.MinimumAge, s.MaximumAge = minimum, maximum }
}

func runs(id int, byday, opens, closes string) func(*Service) {
	return func(s *Service) {
		s.Schedules = append(s.Schedules, Schedule{ID: uid(id), Freq: "WEEKLY", ByDay: byday, OpensAt: opens, ClosesAt: closes})
	}
}

// classified adds an attribute with the term numbered term, nested, of taxonomy numbered tax.
func classified(attr, term, tax int, name string) func(*Service) {
	return func(s *Service) {
		s.Attributes = append(s.Attributes, Attribute{ID: uid(attr), TaxonomyTerm: &TaxonomyTerm{
			ID: uid(term), Name: name, Description: name, TaxonomyID: uid(tax)}})
	}
}

func marshal(t testing.TB, s Service) []byte {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustUpsert stores s from source and fails the test unless the outcome is want.
func mustUpsert(t *testing.T, d *Directory, source string, s Service, want Outcome) {
	t.Helper()
	r, err := d.Upsert(t.Context(), source, marshal(t, s))
	if err != nil || r.Outcome != want {
		t.Fatalf("upsert %s (%s): outcome %s, error %v; want %s", s.Name, s.ID, r.Outcome, err, want)
	}
}

// directoryTables are every table migration 0011 creates, to check that nothing was written.
var directoryTables = []string{"dir_organizations", "dir_organization_identifiers", "dir_services", "dir_service_records", "dir_locations",
	"dir_addresses", "dir_accessibility", "dir_service_at_locations", "dir_contacts", "dir_phones", "dir_schedules",
	"dir_cost_options", "dir_service_areas", "dir_languages", "dir_funding", "dir_taxonomies", "dir_taxonomy_terms",
	"dir_attributes", "dir_service_search"}

// rowCounts counts the rows of every directory table.
func rowCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range directoryTables {
		var n int
		if err := db.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// names lists the names of services in order.
func names(items []Service) []string {
	var out []string
	for _, s := range items {
		out = append(out, s.Name)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
