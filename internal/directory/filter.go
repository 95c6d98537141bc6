package directory

import (
	"math"
	"strings"
	"time"
)

// Filter narrows a list of services, or of services at locations. Every field that is set must
// hold; the zero Filter lists everything the audience may see.
type Filter struct {
	Search         string // words, all of which must appear; results are ranked by relevance
	TaxonomyTermID string // services classified with this term
	TaxonomyID     string // services classified with any term of this taxonomy
	OrganizationID string
	// MinimumAge and MaximumAge are ORUK's: services whose minimum age is at least the value,
	// and services whose maximum age is at most it. A service with no minimum counts as 0,
	// one with no maximum as unlimited.
	MinimumAge *float64
	MaximumAge *float64
	// Age is services open to a person of this age, for practitioners' search.
	Age *float64
	// Day, StartTime and EndTime must all hold for one schedule of the service: it runs on Day,
	// opens at or after StartTime and closes at or before EndTime (HH:MM or HH:MM:SS).
	Day           Weekday
	StartTime     string
	EndTime       string
	ModifiedAfter time.Time // services modified at or after this time
	Capacity      Capacity
	ReferralRoute ReferralRoute
	// LowCost is services that are free or low cost: none of their cost options is more than
	// LowCostLimit.
	LowCost bool
	// Accessible is services delivered in at least one place that describes its accessibility.
	Accessible bool
}

// LowCostLimit is the most, in pounds, a session of a low-cost service costs.
const LowCostLimit = 5.0

// Validate explains what is wrong with a filter, naming the ORUK query parameters.
func (f Filter) Validate() error {
	c := newChecker()
	c.uuid("taxonomy_term_id", f.TaxonomyTermID, false)
	c.uuid("taxonomy_id", f.TaxonomyID, false)
	c.uuid("organization_id", f.OrganizationID, false)
	c.age("minimum_age", f.MinimumAge)
	c.age("maximum_age", f.MaximumAge)
	c.age("age", f.Age)
	if f.Day != "" && f.Day.bit() == 0 {
		c.add("day", "must be a day of the week, such as MO or Monday")
	}
	c.clock("start_time", f.StartTime)
	c.clock("end_time", f.EndTime)
	c.oneOf("capacity", string(f.Capacity), false, CapacityAccepting, CapacityWaitingList, CapacityFull)
	c.oneOf("referral_route", string(f.ReferralRoute), false, RouteDropIn, RouteSelfReferral, RouteNeedsReferral)
	if len(f.Search) > 500 {
		c.add("search", "must be 500 characters or fewer")
	}
	return c.err()
}

// Weekday is a day of the week as RFC 5545 writes it: MO, TU, WE, TH, FR, SA or SU.
type Weekday string

var weekdays = []Weekday{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// ParseWeekday reads a day given as MO, Mon or Monday, in any case.
func ParseWeekday(s string) (Weekday, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	for i, d := range weekdays {
		full := strings.ToUpper(time.Weekday((i + 1) % 7).String())
		if len(s) >= 2 && strings.HasPrefix(full, s) {
			return d, true
		}
	}
	return "", false
}

// bit is the day's place in dir_schedules.days: Monday 1, Tuesday 2, ... Sunday 64; 0 when
// the day is not one.
func (d Weekday) bit() int {
	for i, w := range weekdays {
		if d == w {
			return 1 << i
		}
	}
	return 0
}

// parseByDay reads an RFC 5545 BYDAY list such as "MO,TH" or "1MO,-1FR" into a set of day
// bits. The empty list is no days.
func parseByDay(v string) (int, bool) {
	days := 0
	if strings.TrimSpace(v) == "" {
		return 0, true
	}
	for part := range strings.SplitSeq(v, ",") {
		part = strings.TrimSpace(strings.ToUpper(part))
		if len(part) < 2 {
			return 0, false
		}
		bit := Weekday(part[len(part)-2:]).bit()
		if bit == 0 || !ordinal(part[:len(part)-2]) {
			return 0, false
		}
		days |= bit
	}
	return days, true
}

// ordinal reports whether s is an optional signed week number of BYDAY, such as "", "1", "-1".
func ordinal(s string) bool {
	s = strings.TrimLeft(s, "+-")
	if len(s) > 2 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// clockKey turns a valid time of day into HH:MM:SS, which sorts as text.
func clockKey(v string) string {
	switch {
	case v == "":
		return ""
	case len(v) == 5 || v[5] != ':':
		return v[:5] + ":00"
	}
	return v[:8]
}

// Near is a point to measure distance from, with an optional radius.
type Near struct {
	Latitude  float64
	Longitude float64
	Radius    float64 // metres; 0 for any distance
}

// Validate explains what is wrong with a point and radius.
func (n Near) Validate() error {
	c := newChecker()
	if math.IsNaN(n.Latitude) || n.Latitude < -90 || n.Latitude > 90 {
		c.add("latitude", "must be from -90 to 90")
	}
	if math.IsNaN(n.Longitude) || n.Longitude < -180 || n.Longitude > 180 {
		c.add("longitude", "must be from -180 to 180")
	}
	if math.IsNaN(n.Radius) || n.Radius < 0 || n.Radius > maxRadius {
		c.add("proximity", "must be a distance in metres from 0 to 1000000")
	}
	return c.err()
}
