package directory

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// The origin of the distance tests, in Aberdeen, and the distances from it worked out by hand:
// along a meridian 0.01 degrees is R × 0.01 × π/180 = 1111.95 m (R = 6371008.8 m), and along
// the parallel at 57.15°N it is that × cos 57.15° = 603.17 m.
const originLat, originLong = 57.15, -2.10

// fiveActivities stores five services that differ in every way the filters look at.
func fiveActivities(t *testing.T, d *Directory) {
	t.Helper()
	modified := func(at string) func(*Service) { return func(s *Service) { s.LastModified = at } }
	sp := func(c Capacity, r ReferralRoute) func(*Service) {
		return func(s *Service) { s.Capacity, s.ReferralRoute = c, r }
	}
	for _, s := range []Service{
		activity(1, "Walking group", at(57.16, -2.10), ages(ptr(18.0), nil), runs(11, "MO", "10:00", "11:30"),
			classified(21, 31, 41, "Physical activity"), sp(CapacityAccepting, RouteDropIn), modified("2024-01-01T00:00:00Z")),
		activity(2, "Chair yoga", at(57.15, -2.09), ages(ptr(60.0), ptr(100.0)), runs(12, "TU,TH", "14:00:00", "15:00:00"),
			classified(22, 31, 41, "Physical activity"), sp(CapacityWaitingList, RouteSelfReferral), modified("2025-06-01T09:00:00Z"),
			func(s *Service) { s.Organization = &Organization{ID: uid(901), Name: "Gentle Movement CIC"} }),
		activity(3, "Young carers club", at(57.17, -2.10), ages(ptr(8.0), ptr(17.0)), runs(13, "SA", "10:00", "12:00"),
			classified(23, 32, 42, "Carers support"), sp(CapacityFull, RouteNeedsReferral), modified("2025-01-01T00:00:00Z")),
		activity(4, "Money advice", at(57.15, -2.30), runs(14, "MO,FR", "09:00", "17:00"),
			classified(24, 33, 42, "Money and debt"), modified("2023-05-05T00:00:00Z")),
		activity(5, "Community choir", ages(ptr(16.0), nil), modified("2023-01-01T00:00:00Z")),
	} {
		mustUpsert(t, d, feed, s, Created)
	}
}

func TestEachFilterAloneAndCombined(t *testing.T) {
	tests := []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"no filter", Filter{}, []string{"Chair yoga", "Community choir", "Money advice", "Walking group", "Young carers club"}},
		{"taxonomy term", Filter{TaxonomyTermID: uid(31)}, []string{"Chair yoga", "Walking group"}},
		{"taxonomy", Filter{TaxonomyID: uid(42)}, []string{"Money advice", "Young carers club"}},
		{"organization", Filter{OrganizationID: uid(901)}, []string{"Chair yoga"}},
		{"minimum age at least 16", Filter{MinimumAge: ptr(16.0)}, []string{"Chair yoga", "Community choir", "Walking group"}},
		{"maximum age at most 20", Filter{MaximumAge: ptr(20.0)}, []string{"Young carers club"}},
		{"open to a 70 year old", Filter{Age: ptr(70.0)}, []string{"Chair yoga", "Community choir", "Money advice", "Walking group"}},
		{"on Monday", Filter{Day: "MO"}, []string{"Money advice", "Walking group"}},
		{"on Monday from 09:30", Filter{Day: "MO", StartTime: "09:30"}, []string{"Walking group"}},
		{"closing by noon", Filter{EndTime: "12:00:00"}, []string{"Walking group", "Young carers club"}},
		{"Saturday closing by 11", Filter{Day: "SA", EndTime: "11:00"}, nil},
		{"modified since 2025", Filter{ModifiedAfter: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, []string{"Chair yoga", "Young carers club"}},
		{"capacity", Filter{Capacity: CapacityWaitingList}, []string{"Chair yoga"}},
		{"referral route", Filter{ReferralRoute: RouteDropIn}, []string{"Walking group"}},
		{"taxonomy and day", Filter{TaxonomyID: uid(42), Day: "MO"}, []string{"Money advice"}},
		{"words and age", Filter{Search: "club", Age: ptr(10.0)}, []string{"Young carers club"}},
		{"words and term that exclude each other", Filter{Search: "club", TaxonomyTermID: uid(31)}, nil},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		fiveActivities(t, d)
		for _, tt := range tests {
			if err := tt.filter.Validate(); err != nil {
				t.Errorf("%s: the filter is not valid: %v", tt.name, err)
			}
			res, err := d.ListServices(t.Context(), Public, tt.filter, Page{})
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if got := sorted(names(res.Items)); !slices.Equal(got, tt.want) || res.Total != len(tt.want) {
				t.Errorf("%s: %v (total %d), want %v", tt.name, got, res.Total, tt.want)
			}
			sals, err := d.ListServiceAtLocations(t.Context(), Public, tt.filter, nil, Page{})
			if err != nil || sals.Total != len(tt.want) {
				t.Errorf("%s: %d services at locations (%v), want %d", tt.name, sals.Total, err, len(tt.want))
			}
		}
	})
}

func TestPagesAgreeOnTotals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		fiveActivities(t, d)
		var seen []string
		for number := 1; number <= 4; number++ {
			res, err := d.ListServices(t.Context(), Public, Filter{}, Page{Number: number, Size: 2})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 5 || res.TotalPages() != 3 {
				t.Errorf("page %d: total %d in %d pages, want 5 in 3", number, res.Total, res.TotalPages())
			}
			if want := min(2, max(0, 5-(number-1)*2)); len(res.Items) != want {
				t.Errorf("page %d has %d items, want %d", number, len(res.Items), want)
			}
			seen = append(seen, names(res.Items)...)
		}
		want := []string{"Walking group", "Chair yoga", "Young carers club", "Money advice", "Community choir"}
		if !slices.Equal(seen, want) {
			t.Errorf("the pages together list %v, want each service once in the order they were stored: %v", seen, want)
		}
		filtered, _ := d.ListServices(t.Context(), Public, Filter{TaxonomyID: uid(42)}, Page{Number: 2, Size: 1})
		if filtered.Total != 2 || len(filtered.Items) != 1 || filtered.Items[0].Name != "Money advice" {
			t.Errorf("second page of a filtered list: %v of %d", names(filtered.Items), filtered.Total)
		}
		if len(filtered.Items[0].Schedules) != 0 || filtered.Items[0].Organization == nil {
			t.Errorf("list items carry nested lists or lack their organization: %+v", filtered.Items[0])
		}
	})
}

func TestServicesAtLocationsNearestFirst(t *testing.T) {
	origin := func(radius float64) *Near { return &Near{Latitude: originLat, Longitude: originLong, Radius: radius} }
	type hit struct {
		name     string
		distance float64
	}
	yoga, walking, carers, money := hit{"Chair yoga", 603.17}, hit{"Walking group", 1111.95}, hit{"Young carers club", 2223.90}, hit{"Money advice", 12063.36}
	tests := []struct {
		name   string
		filter Filter
		near   *Near
		page   Page
		want   []hit
		total  int
	}{
		{"any distance", Filter{}, origin(0), Page{}, []hit{yoga, walking, carers, money}, 4},
		{"within 2 km", Filter{}, origin(2000), Page{}, []hit{yoga, walking}, 2},
		{"within 2.5 km", Filter{}, origin(2500), Page{}, []hit{yoga, walking, carers}, 3},
		{"third page of one", Filter{}, origin(0), Page{Number: 3, Size: 1}, []hit{carers}, 4},
		{"fourth page of one, beyond the first reach", Filter{}, origin(0), Page{Number: 4, Size: 1}, []hit{money}, 4},
		{"past the last page", Filter{}, origin(0), Page{Number: 3, Size: 2}, nil, 4},
		{"with a category", Filter{TaxonomyTermID: uid(31)}, origin(0), Page{}, []hit{yoga, walking}, 2},
		{"with words", Filter{Search: "money"}, origin(20000), Page{}, []hit{money}, 1},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		fiveActivities(t, d)
		for _, tt := range tests {
			res, err := d.ListServiceAtLocations(t.Context(), Public, tt.filter, tt.near, tt.page)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if res.Total != tt.total || len(res.Items) != len(tt.want) {
				t.Errorf("%s: %d items of %d, want %d of %d", tt.name, len(res.Items), res.Total, len(tt.want), tt.total)
				continue
			}
			for i, sl := range res.Items {
				if sl.Service.Name != tt.want[i].name || sl.Distance == nil || math.Abs(*sl.Distance-tt.want[i].distance) > 0.5 {
					t.Errorf("%s: item %d is %s at %v m, want %s at %.2f m", tt.name, i, sl.Service.Name, deref(sl.Distance), tt.want[i].name, tt.want[i].distance)
				}
				if sl.Location == nil || sl.LocationID != sl.Location.ID || sl.ServiceID != sl.Service.ID {
					t.Errorf("%s: item %d is not linked to its location and service: %+v", tt.name, i, sl)
				}
			}
		}
	})
}

func deref(f *float64) float64 {
	if f == nil {
		return math.NaN()
	}
	return *f
}

func TestDistanceMatchesHandWorkedFigures(t *testing.T) {
	for _, tt := range []struct {
		lat, long, want float64
	}{
		{57.16, -2.10, 1111.95}, {57.15, -2.09, 603.17}, {57.15, -2.10, 0},
		{-33.8688, 151.2093, 16_737_810}, // Aberdeen to Sydney: the formula holds far away too
	} {
		got := Distance(originLat, originLong, tt.lat, tt.long)
		if tolerance := math.Max(0.5, tt.want*0.001); math.Abs(got-tt.want) > tolerance {
			t.Errorf("Distance to (%v, %v) = %.2f m, want %.2f m", tt.lat, tt.long, got, tt.want)
		}
	}
}

func TestBoxAroundHoldsEveryPointWithinReach(t *testing.T) {
	for _, tt := range []struct{ lat, long float64 }{{57.15, -2.10}, {0, 179.99}, {-89.95, 0}, {51.5, -0.12}} {
		b := boxAround(tt.lat, tt.long, 10_000)
		for bearing := 0.0; bearing < 360; bearing += 15 {
			lat, long := destination(tt.lat, tt.long, bearing, 9_999)
			inLong := long >= b.west && long <= b.east
			if b.west > b.east { // across the 180th meridian
				inLong = long >= b.west || long <= b.east
			}
			if lat < b.south || lat > b.north || !inLong {
				t.Errorf("box around (%v, %v) %+v misses the point (%v, %v) 9999 m away", tt.lat, tt.long, b, lat, long)
			}
		}
	}
}

// destination is the point dist metres from (lat, long) on a bearing in degrees.
func destination(lat, long, bearing, dist float64) (float64, float64) {
	φ1, λ1, θ, δ := lat*math.Pi/180, long*math.Pi/180, bearing*math.Pi/180, dist/earthRadius
	φ2 := math.Asin(math.Sin(φ1)*math.Cos(δ) + math.Cos(φ1)*math.Sin(δ)*math.Cos(θ))
	λ2 := λ1 + math.Atan2(math.Sin(θ)*math.Sin(δ)*math.Cos(φ1), math.Cos(δ)-math.Sin(φ1)*math.Sin(φ2))
	long2 := math.Mod(λ2*180/math.Pi+540, 360) - 180
	return φ2 * 180 / math.Pi, long2
}

func TestSearchRanksNameAboveCategoryAboveDescription(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		describe := func(text string) func(*Service) { return func(s *Service) { s.Description = text } }
		for _, s := range []Service{
			activity(1, "Park run", describe("A weekly walk round the park, at your own pace, for all abilities.")),
			activity(2, "Nature club", describe("Bird spotting and pond dipping."), classified(21, 31, 41, "Walking")),
			activity(3, "Walking football", describe("Gentle football for older players.")),
			activity(4, "Book group", describe("We read a novel a month.")),
		} {
			mustUpsert(t, d, feed, s, Created)
		}
		for _, tt := range []struct {
			words string
			want  []string
		}{
			{"walking", []string{"Walking football", "Nature club", "Park run"}},
			{"WALKS", []string{"Walking football", "Nature club", "Park run"}},
			{"gentle football", []string{"Walking football"}},
			{"football novel", nil},
			{`walk" * (`, []string{"Walking football", "Nature club", "Park run"}},
			{"the", []string{"Park run", "Nature club", "Walking football", "Book group"}},       // nothing to search for: no filter, the order stored
			{"Riverside", []string{"Book group", "Nature club", "Park run", "Walking football"}}, // ties: compared in order of name
		} {
			res, err := d.ListServices(t.Context(), Public, Filter{Search: tt.words}, Page{})
			if err != nil {
				t.Fatalf("search %q: %v", tt.words, err)
			}
			got := names(res.Items)
			if tt.words == "Riverside" {
				got = sorted(got)
			}
			if !slices.Equal(got, tt.want) || res.Total != len(tt.want) {
				t.Errorf("search %q: %v (total %d), want %v", tt.words, got, res.Total, tt.want)
			}
		}
	})
}

func TestOpenFeedNeverShowsPrivateData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		walking := activity(1, "Walking group", at(57.16, -2.10), func(s *Service) {
			s.VerifiedBy = "Sam Link-Worker"
			s.LastVerifiedAt = "2025-09-01T10:00:00Z"
			s.Contacts = []Contact{{ID: uid(51), Name: "Reception"}, {ID: uid(52), Name: "Pat Private", InternalOnly: true}}
		})
		staff := activity(2, "Staff wellbeing line", at(57.16, -2.10), func(s *Service) {
			s.InternalOnly = true
			s.Organization = &Organization{ID: uid(902), Name: "Practice team"}
		})
		mustUpsert(t, d, feed, walking, Created)
		mustUpsert(t, d, feed, staff, Created)

		got, err := d.GetService(t.Context(), Public, walking.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Contacts) != 1 || got.Contacts[0].Name != "Reception" || got.VerifiedBy != "" || got.LastVerifiedAt == "" {
			t.Errorf("the open feed's walking group: contacts %+v, verified by %q at %q", got.Contacts, got.VerifiedBy, got.LastVerifiedAt)
		}
		if b := string(marshal(t, got)); strings.Contains(b, "Pat Private") || strings.Contains(b, "Sam Link-Worker") {
			t.Errorf("the open feed's JSON shows private data: %s", b)
		}
		if _, err := d.GetService(t.Context(), Public, staff.ID); err == nil {
			t.Error("the open feed shows an internal-only service")
		}
		if _, err := d.GetServiceAtLocation(t.Context(), Public, staff.ServiceAtLocations[0].ID); err == nil {
			t.Error("the open feed shows an internal-only service at its location")
		}
		if _, err := d.GetOrganization(t.Context(), Public, uid(902)); err == nil {
			t.Error("the open feed shows an organisation whose only service is internal-only")
		}
		checkCounts := func(aud Audience, services, sals, orgs int) {
			t.Helper()
			list, _ := d.ListServices(t.Context(), aud, Filter{Search: "group line"}, Page{})
			all, _ := d.ListServices(t.Context(), aud, Filter{}, Page{})
			near, _ := d.ListServiceAtLocations(t.Context(), aud, Filter{}, &Near{Latitude: originLat, Longitude: originLong}, Page{})
			organizations, _ := d.ListOrganizations(t.Context(), aud, Page{})
			if all.Total != services || near.Total != sals || organizations.Total != orgs || list.Total != 0 {
				t.Errorf("audience %d: %d services, %d at locations, %d organisations; want %d, %d, %d",
					aud, all.Total, near.Total, organizations.Total, services, sals, orgs)
			}
		}
		checkCounts(Public, 1, 1, 1)
		checkCounts(Practitioners, 2, 2, 2)
		for aud, want := range map[Audience]string{Public: "", Practitioners: "Staff wellbeing line"} {
			res, err := d.ListServices(t.Context(), aud, Filter{Search: "wellbeing"}, Page{})
			if got := strings.Join(names(res.Items), ","); err != nil || got != want || res.Total != len(res.Items) {
				t.Errorf("audience %d searching for words: %q of %d (%v), want %q", aud, got, res.Total, err, want)
			}
		}
		full, err := d.GetServiceAtLocation(t.Context(), Practitioners, staff.ServiceAtLocations[0].ID)
		if err != nil || full.Service == nil || full.Service.Name != "Staff wellbeing line" || full.Location == nil {
			t.Errorf("practitioners' service at location: %+v, %v", full, err)
		}
		mine, _ := d.GetService(t.Context(), Practitioners, walking.ID)
		if len(mine.Contacts) != 2 || mine.VerifiedBy != "Sam Link-Worker" {
			t.Errorf("practitioners do not see the staff contact and verifier: %+v", mine)
		}
	})
}

// TestGetServicesReadsSeveralAtOnce: the services named come back whole, keyed by id; the
// open feed's audience does not get an internal-only one, and an unknown id is simply absent.
func TestGetServicesReadsSeveralAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		open := activity(1, "Choir", func(s *Service) { s.Description = "Sing together" })
		private := activity(2, "Staff drop-in", func(s *Service) { s.InternalOnly = true })
		for _, s := range []Service{open, private} {
			if _, err := d.Upsert(t.Context(), "test", marshal(t, s)); err != nil {
				t.Fatal(err)
			}
		}
		ids := []string{open.ID, private.ID, uid(99)}
		got, err := d.GetServices(t.Context(), Practitioners, ids)
		if err != nil || len(got) != 2 || got[open.ID].Description != "Sing together" || got[private.ID].Name != "Staff drop-in" {
			t.Errorf("practitioners: %v %v, want both services whole", got, err)
		}
		got, err = d.GetServices(t.Context(), Public, ids)
		if _, leaked := got[private.ID]; err != nil || len(got) != 1 || leaked {
			t.Errorf("the open feed: %v %v, want the choir only", got, err)
		}
	})
}

// Distance searches read where services are from dir_positions, which the writer keeps in
// step: a service at another source's location is where that source puts it, and when the
// owner moves the location, every service there moves with it; a service that changes loses
// its old places.
func TestPositionsFollowTheirLocations(t *testing.T) {
	const other = "https://other.example.org/oruk"
	aberdeen, manchester := &Near{Latitude: 57.15, Longitude: -2.10, Radius: 5000}, &Near{Latitude: 53.48, Longitude: -2.24, Radius: 5000}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		hall := activity(1, "Walking group", at(57.15, -2.10))
		mustUpsert(t, d, feed, hall, Created)
		// Another source's choir names the same location, placed wrongly: the owner's place holds.
		choir := activity(2, "Choir", at(51.5, -0.1), func(s *Service) {
			s.Organization = &Organization{ID: uid(902), Name: "Choir trust", Description: ""}
			s.ServiceAtLocations[0].Location = hall.ServiceAtLocations[0].Location
		})
		mustUpsert(t, d, other, choir, Created)
		near := func(n *Near) string {
			res, err := d.ListServiceAtLocations(t.Context(), Practitioners, Filter{}, n, Page{})
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(sorted(names(serviceSummaries(res.Items))), ",")
		}
		if got := near(aberdeen); got != "Choir,Walking group" {
			t.Errorf("near Aberdeen: %q, want both at the owner's hall", got)
		}
		moved := hall
		moved.ServiceAtLocations = []ServiceAtLocation{hall.ServiceAtLocations[0]}
		loc := *moved.ServiceAtLocations[0].Location
		lat, long := 53.48, -2.24
		loc.Latitude, loc.Longitude = &lat, &long
		moved.ServiceAtLocations[0].Location = &loc
		mustUpsert(t, d, feed, moved, Updated)
		if got := near(manchester); got != "Choir,Walking group" {
			t.Errorf("near Manchester after the hall moved: %q, want both", got)
		}
		if got := near(aberdeen); got != "" {
			t.Errorf("near Aberdeen after the hall moved: %q, want none", got)
		}
		choir.ServiceAtLocations = nil
		mustUpsert(t, d, other, choir, Updated)
		if got := near(manchester); got != "Walking group" {
			t.Errorf("after the choir left the hall: %q", got)
		}
	})
}

func serviceSummaries(items []ServiceAtLocation) []Service {
	out := make([]Service, len(items))
	for i, sl := range items {
		out[i] = *sl.Service
	}
	return out
}
