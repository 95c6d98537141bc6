package directory

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func exampleTaxonomy(t *testing.T) Taxonomy {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "oruk-3.0", "taxonomy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tax Taxonomy
	if err := json.Unmarshal(b, &tax); err != nil {
		t.Fatal(err)
	}
	return tax
}

func TestTaxonomiesAndTheirTerms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		tax := exampleTaxonomy(t)
		for _, want := range []Outcome{Created, Unchanged} {
			if got, err := d.UpsertTaxonomy(t.Context(), "lga", tax); err != nil || got != want {
				t.Fatalf("upsert the example taxonomy: %s %v, want %s", got, err, want)
			}
		}
		changed := tax
		changed.TaxonomyTerms = []TaxonomyTerm{tax.TaxonomyTerms[0], {ID: uid(77), Name: "Gardening", Description: "Growing things"}}
		if got, err := d.UpsertTaxonomy(t.Context(), "lga", changed); err != nil || got != Updated {
			t.Errorf("a new term: %s %v, want updated", got, err)
		}
		if _, err := d.UpsertTaxonomy(t.Context(), "another source", tax); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("another source's copy of the taxonomy: %v, want a conflict", err)
		}
		got, err := d.GetTaxonomy(t.Context(), tax.ID)
		if err != nil || got.Name != "name" || len(got.TaxonomyTerms) != 2 || got.TaxonomyTerms[0].Name != "Gardening" {
			t.Errorf("the taxonomy read back: %+v, %v", got, err)
		}
		terms, err := d.ListTaxonomyTerms(t.Context(), tax.ID, Page{Size: 1})
		if err != nil || terms.Total != 2 || len(terms.Items) != 1 || terms.Items[0].TaxonomyID != tax.ID {
			t.Errorf("the taxonomy's terms: %+v, %v", terms, err)
		}
		if all, _ := d.ListTaxonomies(t.Context(), Page{}); all.Total != 1 || len(all.Items[0].TaxonomyTerms) != 0 {
			t.Errorf("taxonomies listed: %+v", all)
		}
		if _, err := d.GetTaxonomyTerm(t.Context(), uid(78)); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an unknown term: %v, want not found", err)
		}

		// A service may now name the term by id alone, and is found by the term's taxonomy.
		byID := activity(1, "Allotment", func(s *Service) { s.Attributes = []Attribute{{ID: uid(20), TaxonomyTermID: uid(77)}} })
		mustUpsert(t, d, feed, byID, Created)
		res, _ := d.ListServices(t.Context(), Public, Filter{TaxonomyID: tax.ID, Search: "gardening"}, Page{})
		if res.Total != 1 {
			t.Errorf("a service classified by term id was not found by its taxonomy and the term's name: %+v", res)
		}
	})
}

func TestValidationNamesEveryProblemByPath(t *testing.T) {
	s := activity(1, "Walking group", runs(10, "1MO,-1FR", "25:00", "11:30"), func(s *Service) {
		s.MinimumAge, s.MaximumAge = ptr(60.0), ptr(18.0)
		s.Schedules = append(s.Schedules, Schedule{ID: uid(10), ByDay: "XX", ByMonthDay: "32"})
		s.ServiceAtLocations[0].Location.Latitude = ptr(57.1)
		s.Email = "not an email"
		s.URL = "www.example.org"
	})
	err := s.Validate()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid {
		t.Fatalf("Validate = %v, want invalid", err)
	}
	want := map[string]bool{
		"url": true, "email": true, "maximum_age": true, "schedules[0].opens_at": true,
		"schedules[1].id": true, "schedules[1].byday": true, "schedules[1].bymonthday": true,
		"service_at_locations[0].location.longitude": true,
	}
	for _, f := range ae.Fields {
		if !want[f.Field] {
			t.Errorf("unexpected problem %s: %s", f.Field, f.Message)
		}
		delete(want, f.Field)
	}
	for field := range want {
		t.Errorf("no problem reported for %s", field)
	}
	if valid := activity(2, "Choir", runs(11, "1MO,-1FR,SU", "09:00:00", "10:00")); valid.Validate() != nil {
		t.Errorf("a valid service: %v", valid.Validate())
	}
}

func TestQueryParametersAreChecked(t *testing.T) {
	for _, tt := range []struct {
		name  string
		err   error
		field string
	}{
		{"taxonomy id", Filter{TaxonomyID: "food"}.Validate(), "taxonomy_id"},
		{"day", Filter{Day: "Funday"}.Validate(), "day"},
		{"time", Filter{StartTime: "9am"}.Validate(), "start_time"},
		{"age", Filter{MinimumAge: ptr(-1.0)}.Validate(), "minimum_age"},
		{"page", Page{Number: -1}.Validate(), "page"},
		{"page size", Page{Size: 10_000}.Validate(), "per_page"},
		{"proximity", Near{Latitude: 57, Radius: -5}.Validate(), "proximity"},
		{"latitude", Near{Latitude: 91}.Validate(), "latitude"},
	} {
		ae, ok := apperr.As(tt.err)
		if !ok || len(ae.Fields) != 1 || ae.Fields[0].Field != tt.field {
			t.Errorf("%s: %v, want one problem with %s", tt.name, tt.err, tt.field)
		}
	}
	for in, want := range map[string]Weekday{"MO": "MO", "monday": "MO", "Sun": "SU", "th": "TH", "T": "", "Funday": ""} {
		if got, _ := ParseWeekday(in); got != want {
			t.Errorf("ParseWeekday(%q) = %q, want %q", in, got, want)
		}
	}
}
