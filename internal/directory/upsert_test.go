package directory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// exampleServices reads every service record in the ORUK examples: whole files, list
// contents, an organisation's services, and a service at a location's service.
func exampleServices(t *testing.T) map[string][]byte {
	t.Helper()
	read := func(name string) map[string]json.RawMessage {
		b, err := os.ReadFile(filepath.Join("testdata", "oruk-3.0", name))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	list := func(raw json.RawMessage) []map[string]json.RawMessage {
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			t.Fatal(err)
		}
		return items
	}
	whole, _ := os.ReadFile(filepath.Join("testdata", "oruk-3.0", "service_full.json"))
	out := map[string][]byte{"service_full": whole}
	for i, item := range list(read("service_list.json")["contents"]) {
		out["service_list.contents["+itoa(i)+"]"], _ = json.Marshal(item)
	}
	for i, s := range list(read("organization_full.json")["services"]) {
		out["organization_full.services["+itoa(i)+"]"], _ = json.Marshal(s)
	}
	out["service_at_location_full.service"] = read("service_at_location_full.json")["service"]
	for i, item := range list(read("service_at_location_list.json")["contents"]) {
		out["service_at_location_list.contents["+itoa(i)+"].service"] = item["service"]
	}
	return out
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestEveryExampleServiceLoads(t *testing.T) {
	examples := exampleServices(t)
	if len(examples) < 5 {
		t.Fatalf("found %d example services, want at least 5", len(examples))
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		for name, record := range examples {
			r, err := d.Upsert(t.Context(), "oruk-examples", record)
			if err != nil || r.Outcome == Rejected {
				t.Errorf("%s: %s %v", name, r.Outcome, err)
				continue
			}
			got, err := d.GetService(t.Context(), Public, r.ID)
			if err != nil || got.ID != "ac148810-d857-441c-9679-408f346de14b" || got.Name != "Community Counselling" {
				t.Errorf("%s: read back %q %q, %v", name, got.ID, got.Name, err)
			}
		}
		// The examples were loaded in no fixed order; load the fullest last to check it whole.
		if r, err := d.Upsert(t.Context(), "oruk-examples", examples["service_full"]); err != nil || r.Outcome == Rejected {
			t.Fatalf("service_full again: %s %v", r.Outcome, err)
		}
		full, err := d.GetService(t.Context(), Public, "ac148810-d857-441c-9679-408f346de14b")
		if err != nil {
			t.Fatal(err)
		}
		if len(full.ServiceAtLocations) != 1 || full.ServiceAtLocations[0].Location.Addresses[0].PostalCode != "ABC 1234" ||
			len(full.Schedules) != 1 || len(full.Attributes) != 1 || full.Organization == nil {
			t.Errorf("service_full read back without its nested records: %+v", full)
		}
		if r, _ := d.Upsert(t.Context(), "oruk-examples", examples["service_full"]); r.Outcome != Unchanged {
			t.Errorf("service_full a second time: %s, want unchanged", r.Outcome)
		}
		// The example's location is at latitude 100, off the globe: kept, but not placed.
		if full.ServiceAtLocations[0].Location.Latitude == nil || *full.ServiceAtLocations[0].Location.Latitude != 100 {
			t.Errorf("latitude not kept as published")
		}
		near, _ := d.ListServiceAtLocations(t.Context(), Public, Filter{}, &Near{Latitude: 57, Longitude: -2}, Page{})
		if near.Total != 0 {
			t.Errorf("a location off the globe was found by distance: %+v", near.Items)
		}
		if term, err := d.GetTaxonomyTerm(t.Context(), "3f7b145d-84af-42d7-8fae-eaca714b02b2"); err != nil || term.Name != "name" {
			t.Errorf("the example's nested taxonomy term: %+v, %v", term, err)
		}
		if org, err := d.GetOrganization(t.Context(), Public, "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"); err != nil ||
			len(org.OrganizationIdentifiers) != 1 {
			t.Errorf("the example's organization: %+v, %v", org, err)
		}
	})
}

func TestUpsertIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		s := activity(1, "Walking group", runs(10, "MO,WE", "10:00", "11:30"), classified(20, 30, 40, "Physical activity"))
		mustUpsert(t, d, feed, s, Created)
		before := rowCounts(t, db)
		mustUpsert(t, d, feed, s, Unchanged)

		var indented bytes.Buffer
		json.Indent(&indented, marshal(t, s), "", "    ")
		if r, err := d.Upsert(t.Context(), feed, indented.Bytes()); err != nil || r.Outcome != Unchanged {
			t.Errorf("the same record laid out differently: %s %v, want unchanged", r.Outcome, err)
		}
		s.Name = "Walking group for health"
		mustUpsert(t, d, feed, s, Updated)
		if after := rowCounts(t, db); !equalCounts(before, after) {
			t.Errorf("rows after an update %v, want the same as after the first upsert %v", after, before)
		}
		got, err := d.GetService(t.Context(), Practitioners, s.ID)
		if err != nil || got.Name != "Walking group for health" || len(got.Schedules) != 1 {
			t.Errorf("after the update: %q with %d schedules, %v", got.Name, len(got.Schedules), err)
		}
		res, _ := d.ListServices(t.Context(), Public, Filter{Search: "health"}, Page{})
		if res.Total != 1 {
			t.Errorf("the search index did not follow the update: %d found for 'health'", res.Total)
		}
	})
}

func equalCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

func TestUpsertRefusesAServiceAnotherSourcePublishes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		s := activity(1, "Walking group")
		mustUpsert(t, d, feed, s, Created)
		s.Name = "Hijacked"
		r, err := d.Upsert(t.Context(), "https://other.example.org/oruk", marshal(t, s))
		if !apperr.Is(err, apperr.Conflict) || r.Outcome != Rejected || r.ID != s.ID {
			t.Errorf("another source's upsert: %+v, %v; want a conflict", r, err)
		}
		if got, _ := d.GetService(t.Context(), Public, s.ID); got.Name != "Walking group" {
			t.Errorf("another source overwrote the service: %q", got.Name)
		}
	})
}

func TestBadRecordsAreRejectedWithReasonsAndNothingWritten(t *testing.T) {
	valid := activity(1, "Walking group")
	withRecord := func(edit func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal(marshal(t, valid), &m)
		edit(m)
		b, _ := json.Marshal(m)
		return b
	}
	huge := withRecord(func(m map[string]any) { m["description"] = strings.Repeat("x", MaxRecordBytes) })
	tests := []struct {
		name      string
		record    []byte
		field     string
		wantID    bool
		inMessage string
	}{
		{"truncated JSON", marshal(t, valid)[:80], "record", false, "cut short"},
		{"not an object", []byte(`["a list"]`), "record", false, "JSON object"},
		{"wrong type", withRecord(func(m map[string]any) { m["minimum_age"] = "twelve" }), "minimum_age", true, "a number"},
		{"bad UUID", withRecord(func(m map[string]any) { m["id"] = "service-1" }), "id", true, "UUID"},
		{"bad nested UUID", marshal(t, activity(1, "Walking group", runs(-1, "MO", "", ""), func(s *Service) {
			s.Schedules[0].ID = "nope"
		})), "schedules[0].id", true, "UUID"},
		{"bad enum", withRecord(func(m map[string]any) { m["status"] = "open" }), "status", true, "one of"},
		{"missing name", withRecord(func(m map[string]any) { delete(m, "name") }), "name", true, "required"},
		{"bad address", marshal(t, activity(1, "Walking group", func(s *Service) {
			s.ServiceAtLocations[0].Location.Addresses[0].AddressType = "home"
		})), "service_at_locations[0].location.addresses[0].address_type", true, "one of"},
		{"unknown taxonomy term", marshal(t, activity(1, "Walking group", func(s *Service) {
			s.Attributes = []Attribute{{ID: uid(20), TaxonomyTermID: uid(999)}}
		})), "attributes[0].taxonomy_term_id", true, "not a known taxonomy term"},
		{"huge payload", huge, "record", false, "bytes"},
		{"bad extension value", withRecord(func(m map[string]any) { m["x_linkwell_capacity"] = "some" }), "x_linkwell_capacity", true, "one of"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		empty := rowCounts(t, db)
		for _, tt := range tests {
			r, err := d.Upsert(t.Context(), feed, tt.record)
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != apperr.Invalid || r.Outcome != Rejected || len(ae.Fields) == 0 {
				t.Errorf("%s: %+v, %v; want rejected as invalid with fields", tt.name, r, err)
				continue
			}
			if f := ae.Fields[0]; f.Field != tt.field || !strings.Contains(f.Message, tt.inMessage) {
				t.Errorf("%s: reason %q %q, want field %q saying %q", tt.name, f.Field, f.Message, tt.field, tt.inMessage)
			}
			if tt.wantID && r.ID == "" {
				t.Errorf("%s: the rejected record's id was not reported", tt.name)
			}
		}
		if got := rowCounts(t, db); !equalCounts(got, empty) {
			t.Errorf("rejected records left rows behind: %v", got)
		}
	})
}

// A record that fails part way through writing, on a database constraint, leaves nothing of
// itself behind: here the second service claims the first one's service_at_location id.
func TestARecordFailingPartWayLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		mustUpsert(t, d, feed, activity(1, "Walking group"), Created)
		before := rowCounts(t, db)
		clash := activity(2, "Knit and natter", func(s *Service) {
			s.Organization = &Organization{ID: uid(901), Name: "Wool Club", Description: ""}
			s.ServiceAtLocations[0].ID = uid(101)
		})
		r, err := d.Upsert(t.Context(), feed, marshal(t, clash))
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "service_at_locations[0].id") {
			t.Fatalf("a clashing service_at_location: %+v, %v", r, err)
		}
		if after := rowCounts(t, db); !equalCounts(before, after) {
			t.Errorf("the failed record left rows: before %v, after %v", before, after)
		}
	})
}

func TestUpsertManyStoresTheGoodAndReportsTheBad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		clash := activity(3, "Clashing", func(s *Service) { s.ServiceAtLocations[0].ID = uid(101) })
		records := [][]byte{marshal(t, activity(1, "Walking group")), []byte(`{"id":`), marshal(t, clash),
			marshal(t, activity(4, "Choir")), marshal(t, activity(1, "Walking group"))}
		results, err := d.UpsertMany(t.Context(), feed, records)
		if err != nil {
			t.Fatal(err)
		}
		want := []Outcome{Created, Rejected, Rejected, Created, Unchanged}
		for i, r := range results {
			if r.Outcome != want[i] || (r.Outcome == Rejected) != (r.Err != nil) {
				t.Errorf("record %d: %s (%v), want %s", i, r.Outcome, r.Err, want[i])
			}
		}
		res, _ := d.ListServices(t.Context(), Public, Filter{}, Page{})
		if got := names(res.Items); strings.Join(got, ",") != "Walking group,Choir" {
			t.Errorf("stored services %v, want Choir and Walking group", got)
		}
	})
}

// A batch remembers the organisations, locations and terms it has claimed. A record that
// claimed a new organisation and then failed takes the organisation with it, so the next
// record nesting the same organisation must write it again rather than trust the memory.
func TestABatchForgetsWhatARejectedRecordClaimed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		wool := func(s *Service) {
			s.Organization = &Organization{ID: uid(901), Name: "Wool Club", Description: "Knitters."}
		}
		first := activity(1, "Walking group")
		clash := activity(2, "Knit and natter", wool, classified(20, 30, 40, "Crafts"),
			func(s *Service) { s.ServiceAtLocations[0].ID = uid(101) }) // first's service at a location
		knit := activity(3, "Knitting circle", wool, classified(21, 30, 40, "Crafts"))
		results, err := d.UpsertMany(t.Context(), feed, [][]byte{marshal(t, first), marshal(t, clash), marshal(t, knit)})
		if err != nil {
			t.Fatal(err)
		}
		if results[1].Outcome != Rejected || results[2].Outcome != Created {
			t.Fatalf("outcomes %s, %s; want the clash rejected and the knitting circle created", results[1].Outcome, results[2].Outcome)
		}
		got, err := d.GetOrganization(t.Context(), Public, uid(901))
		if err != nil || got.Name != "Wool Club" {
			t.Errorf("the organisation the rejected record first claimed: %+v, %v; want Wool Club stored", got, err)
		}
		res, err := d.ListServices(t.Context(), Public, Filter{TaxonomyTermID: uid(30)}, Page{})
		if err != nil || strings.Join(names(res.Items), ",") != "Knitting circle" {
			t.Errorf("services in the term the rejected record first claimed: %v, %v", names(res.Items), err)
		}
		res, _ = d.ListServices(t.Context(), Public, Filter{Search: "natter"}, Page{})
		if res.Total != 0 {
			t.Errorf("the rejected record is in the search index: %v", names(res.Items))
		}
	})
}

// The search index is written at the end of a batch: a service that comes twice in one batch
// is found by its last version's words only.
func TestABatchIndexesTheLastVersionOfAService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		v1 := activity(1, "Walking group")
		v2 := activity(1, "Rambling club")
		results, err := d.UpsertMany(t.Context(), feed, [][]byte{marshal(t, v1), marshal(t, v2)})
		if err != nil || results[0].Outcome != Created || results[1].Outcome != Updated {
			t.Fatalf("upsert twice in a batch: %+v, %v", results, err)
		}
		for words, want := range map[string]int{"walking": 0, "rambling": 1} {
			if res, err := d.ListServices(t.Context(), Public, Filter{Search: words}, Page{}); err != nil || res.Total != want {
				t.Errorf("search %q: %d found (%v), want %d", words, res.Total, err, want)
			}
		}
		mustUpsert(t, d, feed, activity(1, "Walking group"), Updated)
		if res, _ := d.ListServices(t.Context(), Public, Filter{Search: "rambling"}, Page{}); res.Total != 0 {
			t.Errorf("a later update left the old words in the index")
		}
	})
}

// The rows nested in a batch's services are written many to a statement. Every record's rows
// arrive once, whether the batch went straight through or was written again with a savepoint
// per record because one record failed, and whatever the number of rows; a service that comes
// twice keeps only its last version's rows; a rejected record leaves none.
func TestABatchWritesEveryRecordsNestedRowsOnce(t *testing.T) {
	const n = 2*rowsPerInsert + 37 // full statements and a shorter last one
	nested := func(i int) Service {
		s := activity(i, fmt.Sprintf("Group %d", i), runs(10000+i, "WE", "10:00", "12:00"), classified(20000+i, 30, 40, "Arts"),
			func(s *Service) {
				s.Phones = []Phone{{ID: uid(30000 + i), Number: "01632 960001"}}
				s.CostOptions = []CostOption{{ID: uid(40000 + i), Amount: ptr(float64(i % 5))}}
				s.ServiceAtLocations[0].Location.Accessibility = []Accessibility{{ID: uid(50000 + i), Description: "Step-free"}}
			})
		s.ServiceAtLocations[0].ID, s.ServiceAtLocations[0].Location.ID = uid(60000+i), uid(70000+i)
		s.ServiceAtLocations[0].Location.Addresses[0].ID = uid(80000 + i)
		return s
	}
	batch := func(t *testing.T, clash bool) [][]byte {
		var records [][]byte
		for i := 1; i <= n; i++ {
			records = append(records, marshal(t, nested(i)))
			if clash && i == n/2 { // a service at a location that belongs to service 1
				records = append(records, marshal(t, nested(n+1)), marshal(t, activity(n+2, "Clash", func(s *Service) {
					s.ServiceAtLocations[0].ID = uid(60001)
					s.Schedules = []Schedule{{ID: uid(99999), Freq: "WEEKLY", ByDay: "WE"}}
				})))
			}
		}
		again := nested(3) // service 3 again, now on Fridays
		again.Schedules[0].ByDay = "FR"
		return append(records, marshal(t, again))
	}
	for _, clash := range []bool{false, true} {
		t.Run(fmt.Sprintf("clash=%v", clash), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				d := New(db)
				results, err := d.UpsertMany(t.Context(), feed, batch(t, clash))
				if err != nil {
					t.Fatal(err)
				}
				stored := n
				for i, r := range results {
					switch {
					case clash && i == n/2+1:
						if r.Outcome != Rejected || !strings.Contains(r.Err.Error(), "service_at_locations[0].id") {
							t.Errorf("the clash: %s, %v", r.Outcome, r.Err)
						}
					case i == len(results)-1:
						if r.Outcome != Updated {
							t.Errorf("service 3 again: %s, %v", r.Outcome, r.Err)
						}
					case r.Outcome != Created:
						t.Errorf("record %d: %s, %v", i, r.Outcome, r.Err)
					}
				}
				if clash {
					stored++ // nested(n+1), before the clash
				}
				counts := rowCounts(t, db)
				for _, table := range []string{"dir_services", "dir_schedules", "dir_attributes", "dir_phones", "dir_cost_options",
					"dir_addresses", "dir_accessibility", "dir_service_at_locations"} {
					if counts[table] != stored {
						t.Errorf("%s has %d rows, want %d", table, counts[table], stored)
					}
				}
				for f, want := range map[string]struct {
					filter Filter
					total  int
				}{
					"Wednesdays":  {Filter{Day: "WE"}, stored - 1},
					"Fridays":     {Filter{Day: "FR"}, 1},
					"term":        {Filter{TaxonomyTermID: uid(30)}, stored},
					"low cost":    {Filter{LowCost: true}, stored},
					"accessible":  {Filter{Accessible: true}, stored},
					"the clash's": {Filter{Search: "clash"}, 0},
				} {
					res, err := d.ListServices(t.Context(), Practitioners, want.filter, Page{})
					if err != nil || res.Total != want.total {
						t.Errorf("%s: %d services (%v), want %d", f, res.Total, err, want.total)
					}
				}
			})
		})
	}
}

// An organisation or location nested differently by two services of one batch is written
// again by the second: the rows the first left buffered are inserted before they are replaced,
// so only the second version's remain.
func TestABatchReplacesTheNestedRowsOfASharedRecordItRewrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		shared := func(number, city string) func(*Service) {
			return func(s *Service) {
				s.Organization.OrganizationIdentifiers = []OrganizationIdentifier{{ID: uid(950), IdentifierType: "charity", Identifier: number}}
				s.ServiceAtLocations[0].Location.ID = uid(960)
				s.ServiceAtLocations[0].Location.Addresses[0].City = city
				s.ServiceAtLocations[0].Location.Phones = []Phone{{ID: uid(970), Number: number}}
			}
		}
		records := [][]byte{marshal(t, activity(1, "Walking group", shared("1000001", "Aberdeen"))),
			marshal(t, activity(2, "Choir", shared("1000002", "Dundee")))}
		results, err := d.UpsertMany(t.Context(), feed, records)
		if err != nil || results[0].Outcome != Created || results[1].Outcome != Created {
			t.Fatalf("upsert: %+v, %v", results, err)
		}
		for table, want := range map[string]string{"dir_organization_identifiers": "identifier", "dir_addresses": "city", "dir_phones": "number"} {
			var got []string
			rows, err := db.Reader().Query(t.Context(), `SELECT `+want+` FROM `+table)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					t.Fatal(err)
				}
				got = append(got, v)
			}
			rows.Close()
			if len(got) != 1 || (got[0] != "1000002" && got[0] != "Dundee") {
				t.Errorf("%s holds %v, want the second version's alone", table, got)
			}
		}
	})
}
