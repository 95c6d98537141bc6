package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/linkwell/linkwell/internal/directory"
)

// NationalDirectoryServices is DESIGN §6's directory: 150,000 services.
const NationalDirectoryServices = 150_000

// NationalDirectorySource is the source generated services belong to.
const NationalDirectorySource = "linkwell-generated"

// town is a place in England the generated directory spreads its services around, with its
// centre, how widely its services spread (degrees of latitude, one standard deviation) and a
// postcode district to give their addresses.
type town struct {
	name     string
	lat, lng float64
	spread   float64
	outward  string
}

// towns are 40 English towns and cities; bigger places get a wider spread, not more services,
// so that a search near any of them finds a few thousand services within 20 km.
var towns = []town{
	{"London", 51.507, -0.128, 0.12, "EC1"}, {"Birmingham", 52.486, -1.890, 0.07, "B1"}, {"Manchester", 53.480, -2.242, 0.07, "M1"},
	{"Leeds", 53.800, -1.549, 0.06, "LS1"}, {"Liverpool", 53.408, -2.992, 0.05, "L1"}, {"Sheffield", 53.381, -1.470, 0.05, "S1"},
	{"Bristol", 51.455, -2.588, 0.05, "BS1"}, {"Newcastle", 54.978, -1.618, 0.05, "NE1"}, {"Nottingham", 52.955, -1.150, 0.04, "NG1"},
	{"Leicester", 52.637, -1.134, 0.04, "LE1"}, {"Coventry", 52.406, -1.512, 0.04, "CV1"}, {"Bradford", 53.796, -1.759, 0.04, "BD1"},
	{"Hull", 53.745, -0.336, 0.04, "HU1"}, {"Plymouth", 50.376, -4.143, 0.04, "PL1"}, {"Stoke-on-Trent", 53.003, -2.180, 0.04, "ST1"},
	{"Wolverhampton", 52.587, -2.129, 0.03, "WV1"}, {"Derby", 52.922, -1.477, 0.03, "DE1"}, {"Southampton", 50.910, -1.404, 0.03, "SO14"},
	{"Portsmouth", 50.805, -1.087, 0.03, "PO1"}, {"Brighton", 50.822, -0.137, 0.03, "BN1"}, {"Reading", 51.454, -0.978, 0.03, "RG1"},
	{"Northampton", 52.240, -0.902, 0.03, "NN1"}, {"Luton", 51.878, -0.420, 0.03, "LU1"}, {"Milton Keynes", 52.041, -0.759, 0.03, "MK9"},
	{"Norwich", 52.630, 1.297, 0.03, "NR1"}, {"Exeter", 50.718, -3.534, 0.03, "EX1"}, {"York", 53.960, -1.082, 0.03, "YO1"},
	{"Cambridge", 52.205, 0.119, 0.03, "CB1"}, {"Oxford", 51.752, -1.258, 0.03, "OX1"}, {"Ipswich", 52.057, 1.148, 0.03, "IP1"},
	{"Preston", 53.763, -2.703, 0.03, "PR1"}, {"Blackpool", 53.817, -3.036, 0.03, "FY1"}, {"Sunderland", 54.906, -1.381, 0.03, "SR1"},
	{"Middlesbrough", 54.574, -1.235, 0.03, "TS1"}, {"Bournemouth", 50.720, -1.880, 0.03, "BH1"}, {"Swindon", 51.558, -1.782, 0.03, "SN1"},
	{"Gloucester", 51.864, -2.244, 0.03, "GL1"}, {"Lincoln", 53.230, -0.540, 0.03, "LN1"}, {"Carlisle", 54.893, -2.936, 0.03, "CA1"},
	{"Truro", 50.263, -5.051, 0.03, "TR1"},
}

// areaNames make the names of generated services as varied as a real directory's.
var areaNames = []string{"Central", "North", "South", "East", "West", "Riverside", "Park", "Hill", "Green", "Old Town",
	"Meadows", "Bridge", "Valley", "Heath", "Cross", "Common", "Fields", "Harbour", "Market", "Abbey", "Castle", "Mill",
	"Grange", "Moor", "Lane End", "Westfield", "Eastgate", "Northgate", "St Mary's", "St John's", "Victoria", "Albert",
	"Woodlands", "Brookside", "Hillside", "Parkside", "Southside", "Lakeside", "Fairfield", "Newtown"}

const (
	kindNationalOrg = iota + 110
	kindNationalService
	kindNationalSAL
	kindNationalLocation
	kindNationalAddress
	kindNationalSchedule
	kindNationalCost
	kindNationalAttribute
	kindNationalPhone
	kindNationalAccessibility
)

// NationalDirectory makes n services spread over 40 English towns, in the demo directory's
// categories and activities, with schedules, costs, capacity and a mix of freshness, and
// passes each as ORUK JSON to put. The same n gives the same services every time. Each
// service nests its category's taxonomy term, so the records import on their own.
func NationalDirectory(ctx context.Context, n int, now time.Time, put func([]byte) error) error {
	rng := rand.New(rand.NewPCG(150, 2026))
	for i := range n {
		if i%1000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b, err := json.Marshal(nationalService(rng, i, now))
		if err != nil {
			return fmt.Errorf("generated service %d: %w", i, err)
		}
		if err := put(b); err != nil {
			return err
		}
	}
	return nil
}

func nationalService(rng *rand.Rand, i int, now time.Time) directory.Service {
	ci := rng.IntN(len(categories))
	c := categories[ci]
	a := c.activities[rng.IntN(len(c.activities))]
	t := towns[i%len(towns)]
	area := areaNames[rng.IntN(len(areaNames))]
	orgIndex := i / 4 // four services an organisation
	org := fmt.Sprintf("%s %s %s", t.name, area, c.orgs[orgIndex%2])
	s := directory.Service{
		ID: demoUUID(kindNationalService, i), Name: fmt.Sprintf("%s %s %s", t.name, area, a.name),
		Description: a.description, Status: directory.StatusActive,
		Email:        fmt.Sprintf("hello%d@%s.example.org", orgIndex, slug(c.orgs[orgIndex%2])),
		Organization: &directory.Organization{ID: demoUUID(kindNationalOrg, orgIndex), Name: org, Description: org + " is a local charity."},
		Attributes: []directory.Attribute{{ID: demoUUID(kindNationalAttribute, i), TaxonomyTermID: demoUUID(kindTerm, ci),
			TaxonomyTerm: ptrTo(categoryTerm(ci, c)), LinkType: "service_type"}},
		Phones: []directory.Phone{{ID: demoUUID(kindNationalPhone, i), Number: fmt.Sprintf("01632 %06d", i%1_000_000)}},
	}
	if a.minAge > 0 {
		s.MinimumAge = &a.minAge
	}
	if a.maxAge > 0 {
		s.MaximumAge = &a.maxAge
	}
	s.ServiceAtLocations = []directory.ServiceAtLocation{nationalLocation(rng, i, t, area)}
	sc := demoSchedule(rng, i, a)
	sc.ID = demoUUID(kindNationalSchedule, i)
	s.Schedules = []directory.Schedule{sc}
	cost := demoCost(rng, i, a.cost)
	cost.ID = demoUUID(kindNationalCost, i)
	s.CostOptions = []directory.CostOption{cost}
	s.Fees = cost.AmountDescription
	s.SocialPrescribing = demoSocial(rng, a, now)
	return s
}

func nationalLocation(rng *rand.Rand, i int, t town, area string) directory.ServiceAtLocation {
	lat := t.lat + rng.NormFloat64()*t.spread
	lng := t.lng + rng.NormFloat64()*t.spread*1.6 // a degree of longitude is shorter in England
	l := &directory.Location{ID: demoUUID(kindNationalLocation, i), LocationType: directory.LocationPhysical,
		Name: area + " " + venues[rng.IntN(len(venues))], Latitude: &lat, Longitude: &lng,
		Addresses: []directory.Address{{ID: demoUUID(kindNationalAddress, i),
			Address1: fmt.Sprintf("%d %s", 1+rng.IntN(180), streets[rng.IntN(len(streets))]), City: t.name,
			PostalCode: fmt.Sprintf("%s %d%c%c", t.outward, 1+rng.IntN(9), 'A'+rune(rng.IntN(26)), 'A'+rune(rng.IntN(26))),
			Country:    "GB", AddressType: directory.LocationPhysical}}}
	if rng.IntN(10) < 6 {
		l.Accessibility = []directory.Accessibility{{ID: demoUUID(kindNationalAccessibility, i), Description: accessNotes[rng.IntN(len(accessNotes))]}}
	}
	return directory.ServiceAtLocation{ID: demoUUID(kindNationalSAL, i), Location: l}
}

func ptrTo[T any](v T) *T { return &v }

// NationalDirectoryCentres are the towns the generated directory is spread around, as
// latitude and longitude, for benchmarks to search near.
func NationalDirectoryCentres() [][2]float64 {
	out := make([][2]float64, len(towns))
	for i, t := range towns {
		out[i] = [2]float64{t.lat, t.lng}
	}
	return out
}
