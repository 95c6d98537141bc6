package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/directory"
)

// DirectorySource is the source the demo directory's records belong to.
const DirectorySource = "linkwell-demo"

// DirectoryTaxonomyID is the demo taxonomy of social prescribing activities.
const DirectoryTaxonomyID = "5ca1ab1e-0000-4000-8000-000000000001"

// demoUUID is a fixed UUID for the demo record of a kind (a small number) and index.
func demoUUID(kind, n int) string { return fmt.Sprintf("5ca1ab1e-%04d-4000-8000-%012d", kind, n) }

const (
	kindTerm = iota + 10
	kindOrg
	kindService
	kindSAL
	kindLocation
	kindAddress
	kindAccessibility
	kindSchedule
	kindCost
	kindAttribute
	kindPhone
	kindContact
)

// neighbourhood is a part of Aberdeen the demo people live in, with a point near its middle.
type neighbourhood struct {
	name, outward, inward string
	lat, long             float64
}

var neighbourhoods = []neighbourhood{
	{"City Centre", "AB10", "1AN", 57.1452, -2.0990}, {"Ferryhill", "AB11", "6UG", 57.1370, -2.1010},
	{"Torry", "AB11", "9QA", 57.1335, -2.0820}, {"Kincorth", "AB12", "5AY", 57.1195, -2.0990},
	{"Cove Bay", "AB12", "3PQ", 57.1010, -2.0860}, {"Garthdee", "AB10", "7AF", 57.1225, -2.1340},
	{"Mannofield", "AB10", "6RN", 57.1335, -2.1310}, {"Hazlehead", "AB15", "8BE", 57.1400, -2.1760},
	{"Cults", "AB15", "9PB", 57.1185, -2.1660}, {"Northfield", "AB16", "6RY", 57.1630, -2.1490},
	{"Mastrick", "AB16", "5ST", 57.1565, -2.1600}, {"Rosemount", "AB25", "2XJ", 57.1500, -2.1160},
	{"Woodside", "AB24", "2NE", 57.1700, -2.1260}, {"Old Aberdeen", "AB24", "3FX", 57.1650, -2.1010},
	{"Tillydrone", "AB24", "2TA", 57.1720, -2.1110}, {"Bucksburn", "AB21", "9AB", 57.1770, -2.1750},
	{"Dyce", "AB21", "7PE", 57.2030, -2.1700}, {"Bridge of Don", "AB22", "8WT", 57.1850, -2.0900},
}

var venues = []string{"Community Centre", "Church Hall", "Library", "Parish Hall", "Family Centre", "Sports Centre",
	"Community Flat", "Resource Centre"}

var streets = []string{"King Street", "Union Grove", "Victoria Road", "Great Northern Road", "Holburn Street",
	"Clifton Road", "School Road", "Bedford Road", "Menzies Road", "Station Road", "Provost Fraser Drive", "Abbotswell Crescent"}

// costKind is how much an activity usually costs.
type costKind int

const (
	free costKind = iota
	lowCost
	paid
)

// activitySpec is a kind of activity a category offers.
type activitySpec struct {
	name, description string
	cost              costKind
	route             directory.ReferralRoute
	minAge, maxAge    float64 // 0 for no limit
	evening           bool    // runs after work
	weekdays          bool    // an office service open on weekdays
}

// category is one term of the demo taxonomy, with the organisations and activities in it.
type category struct {
	name, description string
	orgs              []string
	activities        []activitySpec
}

var categories = []category{
	{"Arts and creativity", "Making things, music, writing and drama with others.",
		[]string{"Granite City Arts Collective", "Northshire Community Music"},
		[]activitySpec{
			{"Art Club", "A relaxed painting and drawing group for all abilities. Materials provided.", lowCost, directory.RouteDropIn, 18, 0, false, false},
			{"Community Choir", "Sing together for fun: no auditions and no need to read music.", free, directory.RouteDropIn, 16, 0, true, false},
			{"Creative Writing Circle", "Share stories and poems in a friendly, supportive group.", free, directory.RouteSelfReferral, 18, 0, false, false},
			{"Pottery for Wellbeing", "Six-week clay and pottery course for people with low mood or anxiety.", paid, directory.RouteNeedsReferral, 18, 0, false, false},
			{"Knit and Natter", "Knitting, crochet and a cup of tea.", free, directory.RouteDropIn, 0, 0, false, false},
		}},
	{"Nature and green spaces", "Gardening, conservation and time outdoors.",
		[]string{"Dee Valley Green Gym", "Aberdeen Community Growers"},
		[]activitySpec{
			{"Community Garden", "Grow fruit and vegetables with neighbours; tools and gloves provided.", free, directory.RouteDropIn, 0, 0, false, false},
			{"Green Gym", "Practical conservation work in local parks: fresh air and good company.", free, directory.RouteSelfReferral, 16, 0, false, false},
			{"Nature Walk and Talk", "Gentle guided walks spotting birds and wildflowers.", free, directory.RouteDropIn, 0, 0, false, false},
			{"Therapeutic Horticulture", "Small-group gardening sessions for people recovering from illness.", lowCost, directory.RouteNeedsReferral, 18, 0, false, false},
		}},
	{"Physical activity", "Walking, gentle exercise and sport for all abilities.",
		[]string{WalkingGroup, "Aberdeen Active Communities"},
		[]activitySpec{
			{"Walking Group", "Short, sociable health walks at an easy pace, led by trained volunteers.", free, directory.RouteDropIn, 0, 0, false, false},
			{"Chair-based Exercise", "Seated exercise to improve strength and balance.", lowCost, directory.RouteSelfReferral, 50, 0, false, false},
			{"Strength and Balance Class", "Falls prevention classes run by a qualified instructor.", lowCost, directory.RouteNeedsReferral, 60, 0, false, false},
			{"Walking Football", "Football at walking pace for people who want to stay active.", lowCost, directory.RouteDropIn, 50, 0, true, false},
			{"Gentle Yoga", "Slow, gentle yoga suitable for beginners.", paid, directory.RouteSelfReferral, 16, 0, true, false},
		}},
	{"Befriending", "Regular company for people who feel lonely.",
		[]string{"Friends of the Elderly Aberdeen", "Northshire Befriending Service"},
		[]activitySpec{
			{"Telephone Befriending", "A weekly friendly phone call from the same trained volunteer.", free, directory.RouteNeedsReferral, 60, 0, false, true},
			{"Home Visiting Befriending", "A volunteer visits you at home each week for a chat.", free, directory.RouteNeedsReferral, 18, 0, false, false},
			{"Lunch Club", "A hot two-course lunch and good company.", lowCost, directory.RouteSelfReferral, 60, 0, false, false},
			{"Men's Shed", "A workshop where men share skills, make things and talk.", free, directory.RouteDropIn, 18, 0, false, false},
		}},
	{"Peer support", "Groups run by people with shared experience.",
		[]string{"Aberdeen Peer Support Network", "Northshire Mental Health Alliance"},
		[]activitySpec{
			{"Mental Health Peer Support Group", "Meet others who understand, in a safe, confidential space.", free, directory.RouteSelfReferral, 18, 0, true, false},
			{"Long Covid Support Group", "Share what helps with others living with long Covid.", free, directory.RouteDropIn, 18, 0, false, false},
			{"Chronic Pain Café", "Informal peer support for people living with pain.", free, directory.RouteDropIn, 18, 0, false, false},
			{"New Parents Group", "Support and friendship for parents of babies under one.", free, directory.RouteDropIn, 16, 0, false, false},
		}},
	{"Money and debt advice", "Free, confidential help with money worries.",
		[]string{"Aberdeen Money Advice Centre", "Citizens Advice Northshire"},
		[]activitySpec{
			{"Debt Advice Drop-in", "Free, confidential help with debts, arrears and creditors.", free, directory.RouteDropIn, 16, 0, false, true},
			{"Budgeting Support", "One-to-one help to plan a budget and cut bills.", free, directory.RouteSelfReferral, 16, 0, false, true},
			{"Energy Advice Clinic", "Help with energy bills, meters and grants to heat your home.", free, directory.RouteSelfReferral, 18, 0, false, true},
		}},
	{"Housing", "Advice on tenancies, homelessness and repairs.",
		[]string{"Shelter Northshire", "Aberdeen Tenants Forum"},
		[]activitySpec{
			{"Housing Advice Surgery", "Advice on renting, repairs, eviction and homelessness.", free, directory.RouteDropIn, 16, 0, false, true},
			{"Tenancy Sustainment Support", "Practical support to keep your home.", free, directory.RouteNeedsReferral, 16, 0, false, true},
		}},
	{"Benefits", "Help to claim what you are entitled to.",
		[]string{"Aberdeen Benefits Advice Project", "Welfare Rights Aberdeen"},
		[]activitySpec{
			{"Benefits Check", "Find out which benefits you could claim and get help to apply.", free, directory.RouteSelfReferral, 16, 0, false, true},
			{"PIP and ADP Form Help", "Help to fill in disability benefit forms and prepare for assessments.", free, directory.RouteNeedsReferral, 16, 0, false, true},
		}},
	{"Employment and volunteering", "Finding work, training and volunteering.",
		[]string{"Volunteer Northshire", "Aberdeen Works"},
		[]activitySpec{
			{"Volunteering Drop-in", "Find a volunteering role that suits you, with support to get started.", free, directory.RouteDropIn, 16, 0, false, true},
			{"Job Club", "Help with CVs, applications and interviews.", free, directory.RouteDropIn, 16, 0, false, true},
			{"Return to Work Coaching", "One-to-one coaching for people who have been out of work through ill health.", free, directory.RouteNeedsReferral, 18, 66, false, true},
		}},
	{"Learning", "Courses and classes for adults.",
		[]string{"Northshire Adult Learning", "Aberdeen WEA"},
		[]activitySpec{
			{"English Conversation Class", "Practise speaking English in a friendly group.", free, directory.RouteDropIn, 16, 0, true, false},
			{"Cooking on a Budget", "Learn to cook healthy meals for less.", lowCost, directory.RouteSelfReferral, 16, 0, true, false},
			{"Local History Group", "Talks, visits and research into Aberdeen's past.", lowCost, directory.RouteDropIn, 0, 0, false, false},
		}},
	{"Carers' support", "Support and breaks for unpaid carers.",
		[]string{"Northshire Carers Centre", "Young Carers Aberdeen"},
		[]activitySpec{
			{"Carers' Café", "Time out, a cuppa and advice for people caring for someone.", free, directory.RouteDropIn, 18, 0, false, false},
			{"Young Carers Club", "Fun activities and a break for young carers.", free, directory.RouteNeedsReferral, 8, 17, true, false},
			{"Carers' Assessment Help", "Help to get a carer's support plan and short breaks.", free, directory.RouteSelfReferral, 16, 0, false, true},
		}},
	{"Faith and culture", "Community groups for faiths and cultures.",
		[]string{"Aberdeen Interfaith Group", "Northshire African Women's Network"},
		[]activitySpec{
			{"Friendship Group", "A welcoming group for people of all faiths and none.", free, directory.RouteDropIn, 0, 0, false, false},
			{"Women's Social Group", "A space for women to meet, share food and make friends.", free, directory.RouteDropIn, 16, 0, false, false},
			{"Polish Community Club", "Conversation, events and support in Polish and English.", free, directory.RouteDropIn, 0, 0, true, false},
		}},
	{"Bereavement", "Support after someone has died.",
		[]string{"Cruse Bereavement Northshire", "Aberdeen Bereavement Network"},
		[]activitySpec{
			{"Bereavement Support Group", "Meet others who have lost someone, with a trained facilitator.", free, directory.RouteSelfReferral, 18, 0, false, false},
			{"One-to-one Bereavement Support", "Six sessions with a trained bereavement volunteer.", free, directory.RouteNeedsReferral, 18, 0, false, true},
		}},
	{"Digital skills", "Help to get online safely.",
		[]string{"Get Online Aberdeen", "Northshire Libraries"},
		[]activitySpec{
			{"Digital Drop-in", "Bring your phone, tablet or laptop and get help with anything.", free, directory.RouteDropIn, 0, 0, false, false},
			{"Staying Safe Online", "A short course on scams, passwords and online banking.", free, directory.RouteSelfReferral, 18, 0, false, false},
			{"Tablet Lending Scheme", "Borrow a tablet with data and get help to use it.", free, directory.RouteNeedsReferral, 18, 0, false, true},
		}},
}

// DirectoryServiceCount is how many services the demo directory holds.
const DirectoryServiceCount = 300

var firstSessionHelp = []string{
	"A volunteer will meet you at the door and introduce you to the group",
	"Your link worker is welcome to come with you the first time",
	"Phone beforehand and we will talk you through what to expect",
	"Your first session is a free taster",
}

var accessNotes = []string{"Step-free access and an accessible toilet", "Hearing loop and step-free access",
	"Ground floor room with level access and parking for blue badge holders"}

// LoadDirectory loads the demo directory: a taxonomy of the categories social prescribing
// uses, and DirectoryServiceCount services around the demo postcodes, the same each time.
func LoadDirectory(ctx context.Context, d *directory.Directory) error {
	if _, err := d.UpsertTaxonomy(ctx, DirectorySource, demoTaxonomy()); err != nil {
		return fmt.Errorf("demo taxonomy: %w", err)
	}
	records, err := DirectoryRecords(time.Now())
	if err != nil {
		return err
	}
	results, err := d.UpsertMany(ctx, DirectorySource, records)
	if err != nil {
		return fmt.Errorf("demo directory: %w", err)
	}
	for _, r := range results {
		if r.Outcome == directory.Rejected {
			return fmt.Errorf("demo directory: service %s rejected: %w", r.ID, r.Err)
		}
	}
	return nil
}

func demoTaxonomy() directory.Taxonomy {
	t := directory.Taxonomy{ID: DirectoryTaxonomyID, Name: "Social prescribing activities",
		Description: "The kinds of community activity and support link workers connect people with."}
	for i, c := range categories {
		t.TaxonomyTerms = append(t.TaxonomyTerms, categoryTerm(i, c))
	}
	return t
}

func categoryTerm(i int, c category) directory.TaxonomyTerm {
	return directory.TaxonomyTerm{ID: demoUUID(kindTerm, i), Code: fmt.Sprintf("SP%02d", i+1), Name: c.name,
		Description: c.description, TaxonomyID: DirectoryTaxonomyID}
}

// DirectoryRecords returns the demo services as ORUK JSON records, with freshness counted back
// from now. The same seed gives the same services every time.
func DirectoryRecords(now time.Time) ([][]byte, error) {
	rng := rand.New(rand.NewPCG(4, 2026))
	out := make([][]byte, 0, DirectoryServiceCount)
	for n := range DirectoryServiceCount {
		ci := n % len(categories)
		b, err := json.Marshal(demoService(rng, n, ci, now))
		if err != nil {
			return nil, fmt.Errorf("demo service %d: %w", n, err)
		}
		out = append(out, b)
	}
	return out, nil
}

func demoService(rng *rand.Rand, n, ci int, now time.Time) directory.Service {
	c := categories[ci]
	k := n / len(categories)
	a := c.activities[k%len(c.activities)]
	place := neighbourhoods[(k*5+ci*3+k/len(neighbourhoods))%len(neighbourhoods)]
	orgIndex := ci*2 + rng.IntN(len(c.orgs))
	org := c.orgs[orgIndex%2]
	s := directory.Service{
		ID: demoUUID(kindService, n), Name: place.name + " " + a.name, Description: a.description,
		Status: directory.StatusActive, Email: "hello@" + slug(org) + ".example.org",
		URL:          "https://" + slug(org) + ".example.org/",
		Organization: &directory.Organization{ID: demoUUID(kindOrg, orgIndex), Name: org, Description: org + " is a local charity working across Aberdeen."},
		Attributes: []directory.Attribute{{ID: demoUUID(kindAttribute, n), TaxonomyTermID: demoUUID(kindTerm, ci),
			LinkType: "service_type"}},
		Phones: []directory.Phone{{ID: demoUUID(kindPhone, n), Number: fmt.Sprintf("01632 960%03d", n%1000)}},
	}
	if a.minAge > 0 {
		s.MinimumAge = &a.minAge
	}
	if a.maxAge > 0 {
		s.MaximumAge = &a.maxAge
	}
	s.ServiceAtLocations = []directory.ServiceAtLocation{demoLocation(rng, n, place)}
	s.Schedules = []directory.Schedule{demoSchedule(rng, n, a)}
	s.CostOptions = []directory.CostOption{demoCost(rng, n, a.cost)}
	s.Fees = s.CostOptions[0].AmountDescription
	s.SocialPrescribing = demoSocial(rng, a, now)
	return s
}

func demoLocation(rng *rand.Rand, n int, place neighbourhood) directory.ServiceAtLocation {
	lat := place.lat + (rng.Float64()-0.5)*0.008
	long := place.long + (rng.Float64()-0.5)*0.012
	venue := place.name + " " + venues[rng.IntN(len(venues))]
	l := &directory.Location{ID: demoUUID(kindLocation, n), LocationType: directory.LocationPhysical, Name: venue,
		Latitude: &lat, Longitude: &long,
		Addresses: []directory.Address{{ID: demoUUID(kindAddress, n), Address1: fmt.Sprintf("%d %s", 1+rng.IntN(180), streets[rng.IntN(len(streets))]),
			City: "Aberdeen", StateProvince: "Aberdeen City", PostalCode: place.outward + " " + place.inward,
			Country: "GB", AddressType: directory.LocationPhysical}}}
	if rng.IntN(10) < 6 {
		l.Accessibility = []directory.Accessibility{{ID: demoUUID(kindAccessibility, n), Description: accessNotes[rng.IntN(len(accessNotes))]}}
	}
	return directory.ServiceAtLocation{ID: demoUUID(kindSAL, n), Location: l}
}

var startTimes = []string{"09:30", "10:00", "10:30", "13:00", "13:30", "14:00"}
var eveningStarts = []string{"18:00", "18:30", "19:00"}
var dayCodes = []string{"MO", "TU", "WE", "TH", "FR", "SA"}

func demoSchedule(rng *rand.Rand, n int, a activitySpec) directory.Schedule {
	sc := directory.Schedule{ID: demoUUID(kindSchedule, n), Freq: "WEEKLY"}
	switch {
	case a.weekdays:
		sc.ByDay, sc.OpensAt, sc.ClosesAt = "MO,TU,WE,TH,FR", "09:00", "17:00"
		sc.Description = "Monday to Friday, 9am to 5pm"
		return sc
	case a.evening:
		sc.OpensAt = eveningStarts[rng.IntN(len(eveningStarts))]
	default:
		sc.OpensAt = startTimes[rng.IntN(len(startTimes))]
	}
	day := dayCodes[rng.IntN(5)]
	if rng.IntN(6) == 0 {
		day = "SA"
	}
	sc.ByDay = day
	h, m := 0, 0
	fmt.Sscanf(sc.OpensAt, "%d:%d", &h, &m)
	h += 1 + rng.IntN(2)
	sc.ClosesAt = fmt.Sprintf("%02d:%02d", h, m)
	return sc
}

func demoCost(rng *rand.Rand, n int, kind costKind) directory.CostOption {
	o := directory.CostOption{ID: demoUUID(kindCost, n), Option: "Each session", Currency: "GBP"}
	amount := 0.0
	switch kind {
	case lowCost:
		amount = float64(2 + rng.IntN(4))
		o.AmountDescription = fmt.Sprintf("£%.0f a session", amount)
	case paid:
		amount = float64(6 + rng.IntN(8))
		o.AmountDescription = fmt.Sprintf("£%.0f a session; ask about concessions", amount)
	default:
		o.AmountDescription = "Free"
	}
	o.Amount = &amount
	return o
}

func demoSocial(rng *rand.Rand, a activitySpec, now time.Time) directory.SocialPrescribing {
	sp := directory.SocialPrescribing{Capacity: directory.CapacityAccepting, ReferralRoute: a.route, VerifiedBy: "Directory team"}
	switch r := rng.IntN(10); {
	case r == 0:
		sp.Capacity = directory.CapacityFull
	case r <= 2:
		sp.Capacity = directory.CapacityWaitingList
		wait := 7 * (1 + rng.IntN(8))
		sp.TypicalWaitDays = &wait
	}
	if rng.IntN(10) < 4 {
		sp.FirstSessionSupport = firstSessionHelp[rng.IntN(len(firstSessionHelp))]
	}
	days := rng.IntN(170)
	if rng.IntN(4) == 0 {
		days = 200 + rng.IntN(500) // a quarter have not been checked for over six months
	}
	sp.LastVerifiedAt = now.AddDate(0, 0, -days).UTC().Truncate(time.Second).Format(time.RFC3339)
	return sp
}

// slug is an organisation's name as a web address would write it.
func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}
