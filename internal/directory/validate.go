package directory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/linkwell/linkwell/internal/apperr"
)

// Limits on one record, so that a broken or hostile feed cannot fill the database.
const (
	MaxRecordBytes = 1 << 20 // one service as JSON
	maxItems       = 500     // entries in any one list of a record
	maxName        = 500     // characters in a name, title or other short text
	maxLongText    = 20000   // characters in a description or note
	maxURL         = 2000    // characters in a web address
)

// ParseService reads one fully nested service as JSON and checks it with Validate. When the
// record is not valid the Service still holds what could be read, so that its ID can be
// reported with the reasons.
func ParseService(record []byte) (Service, error) {
	var s Service
	if len(record) > MaxRecordBytes {
		return s, invalid("record", fmt.Sprintf("is %d bytes; a service may be at most %d", len(record), MaxRecordBytes))
	}
	if err := json.Unmarshal(record, &s); err != nil {
		// A wrong type stops decoding part way: read the id on its own so it can be reported.
		var head struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(record, &head) == nil {
			s.ID = head.ID
		}
		return s, decodeError(err)
	}
	return s, s.Validate()
}

func invalid(field, message string) error {
	return problems(apperr.Fields{{Field: field, Message: message}})
}

// problems is an Invalid error whose message lists every problem, "field: message; ...", so
// that one line reports why a record was rejected; Fields keeps them apart for forms.
func problems(fields apperr.Fields) error {
	if len(fields) == 0 {
		return nil
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + " " + f.Message
	}
	return &apperr.Error{Kind: apperr.Invalid, Message: "There is a problem: " + strings.Join(parts, "; "), Fields: fields}
}

// decodeError says what was wrong with JSON that would not decode, naming the field when the
// problem is a value of the wrong type.
func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || err.Error() == "unexpected end of JSON input":
		return invalid("record", "is cut short: the JSON ends before the record does")
	case errors.As(err, &syntax):
		return invalid("record", fmt.Sprintf("is not valid JSON at byte %d: %s", syntax.Offset, syntax.Error()))
	case errors.As(err, &typ) && typ.Field == "":
		return invalid("record", "must be a JSON object")
	case errors.As(err, &typ):
		return invalid(typ.Field, "must be "+jsonKind(typ.Type.Kind().String())+", not "+typ.Value)
	}
	return invalid("record", err.Error())
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "text"
	case "float64", "int":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	}
	return "an object"
}

// Validate explains every way s breaks the ORUK 3.0 schemata or Linkwell's limits, naming each
// field by its path in the JSON, such as service_at_locations[0].location.latitude.
func (s Service) Validate() error {
	c := newChecker()
	s.check(c)
	return c.err()
}

func (s Service) check(c *checker) {
	c.uuid("id", s.ID, true)
	c.uuid("organization_id", s.OrganizationID, false)
	c.text("name", s.Name, maxName, true)
	c.text("description", s.Description, maxLongText, false)
	c.uri("url", s.URL)
	c.email("email", s.Email)
	c.oneOf("status", string(s.Status), true, StatusActive, StatusInactive, StatusDefunct, StatusTemporarilyClosed)
	c.text("fees", s.Fees, maxLongText, false)
	c.text("accreditations", s.Accreditations, maxLongText, false)
	c.age("minimum_age", s.MinimumAge)
	c.age("maximum_age", s.MaximumAge)
	if s.MinimumAge != nil && s.MaximumAge != nil && *s.MinimumAge > *s.MaximumAge {
		c.add("maximum_age", "must not be less than minimum_age")
	}
	c.date("assured_date", s.AssuredDate)
	c.email("assurer_email", s.AssurerEmail)
	c.text("alert", s.Alert, maxLongText, false)
	c.dateTime("last_modified", s.LastModified)
	if s.Organization != nil {
		s.Organization.check(c.in("organization"))
		if s.OrganizationID != "" && s.OrganizationID != s.Organization.ID {
			c.add("organization_id", "must be the id of the nested organization")
		}
	}
	each(c, "schedules", s.Schedules, Schedule.check)
	each(c, "service_areas", s.ServiceAreas, ServiceArea.check)
	each(c, "service_at_locations", s.ServiceAtLocations, ServiceAtLocation.check)
	each(c, "languages", s.Languages, Language.check)
	each(c, "funding", s.Funding, Funding.check)
	each(c, "cost_options", s.CostOptions, CostOption.check)
	each(c, "contacts", s.Contacts, Contact.check)
	each(c, "phones", s.Phones, Phone.check)
	each(c, "attributes", s.Attributes, Attribute.check)
	s.SocialPrescribing.check(c)
}

func (x SocialPrescribing) check(c *checker) {
	c.oneOf("x_linkwell_capacity", string(x.Capacity), false, CapacityAccepting, CapacityWaitingList, CapacityFull)
	c.oneOf("x_linkwell_referral_route", string(x.ReferralRoute), false, RouteDropIn, RouteSelfReferral, RouteNeedsReferral)
	if x.TypicalWaitDays != nil && (*x.TypicalWaitDays < 0 || *x.TypicalWaitDays > 3650) {
		c.add("x_linkwell_typical_wait_days", "must be a number of days from 0 to 3650")
	}
	c.text("x_linkwell_first_session_support", x.FirstSessionSupport, maxLongText, false)
	c.dateTime("x_linkwell_last_verified_at", x.LastVerifiedAt)
	c.text("x_linkwell_verified_by", x.VerifiedBy, maxName, false)
}

func (o Organization) check(c *checker) {
	c.uuid("id", o.ID, true)
	c.text("name", o.Name, maxName, true)
	c.text("description", o.Description, maxLongText, false)
	c.email("email", o.Email)
	c.uri("website", o.Website)
	c.text("logo", o.Logo, maxURL, false)
	c.uri("uri", o.URI)
	c.uuid("parent_organization_id", o.ParentOrganizationID, false)
	each(c, "organization_identifiers", o.OrganizationIdentifiers, OrganizationIdentifier.check)
	each(c, "phones", o.Phones, Phone.check)
	each(c, "attributes", o.Attributes, Attribute.check)
	if len(o.Services) > 0 {
		c.add("services", "must not be nested in a service's organization")
	}
}

func (o OrganizationIdentifier) check(c *checker) {
	c.uuid("id", o.ID, true)
	c.uuid("organization_id", o.OrganizationID, false)
	c.text("identifier_scheme", o.IdentifierScheme, maxName, false)
	c.text("identifier_type", o.IdentifierType, maxName, true)
	c.text("identifier", o.Identifier, maxName, true)
	each(c, "attributes", o.Attributes, Attribute.check)
}

func (f Funding) check(c *checker) {
	c.uuid("id", f.ID, true)
	c.uuid("organization_id", f.OrganizationID, false)
	c.uuid("service_id", f.ServiceID, false)
	c.text("source", f.Source, maxLongText, false)
}

func (sl ServiceAtLocation) check(c *checker) {
	c.uuid("id", sl.ID, true)
	c.uuid("service_id", sl.ServiceID, false)
	c.uuid("location_id", sl.LocationID, false)
	switch {
	case sl.Location == nil:
		c.add("location", "is required: give the location nested in the service_at_location")
	case sl.LocationID != "" && sl.LocationID != sl.Location.ID:
		c.add("location_id", "must be the id of the nested location")
	default:
		sl.Location.check(c.in("location"))
	}
	if sl.Service != nil {
		c.add("service", "must not be nested inside a service")
	}
}

func (l Location) check(c *checker) {
	c.uuid("id", l.ID, true)
	c.oneOf("location_type", string(l.LocationType), true, LocationPhysical, LocationPostal, LocationVirtual)
	c.text("name", l.Name, maxName, false)
	c.text("description", l.Description, maxLongText, false)
	c.finite("latitude", l.Latitude)
	c.finite("longitude", l.Longitude)
	if (l.Latitude == nil) != (l.Longitude == nil) {
		c.add("longitude", "must be given with latitude, or neither")
	}
	c.text("external_identifier", l.ExternalIdentifier, maxName, false)
	c.text("external_identifier_type", l.ExternalIdentifierType, maxName, false)
	each(c, "addresses", l.Addresses, Address.check)
	each(c, "accessibility", l.Accessibility, Accessibility.check)
	each(c, "phones", l.Phones, Phone.check)
	each(c, "attributes", l.Attributes, Attribute.check)
}

func (a Address) check(c *checker) {
	c.uuid("id", a.ID, true)
	c.uuid("location_id", a.LocationID, false)
	c.text("attention", a.Attention, maxName, false)
	c.text("address_1", a.Address1, maxName, true)
	c.text("address_2", a.Address2, maxName, false)
	c.text("city", a.City, maxName, true)
	c.text("region", a.Region, maxName, false)
	// state_province and country are required by the schema but often blank in UK feeds: the
	// key is always written, so an empty one still validates.
	c.text("state_province", a.StateProvince, maxName, false)
	c.text("postal_code", a.PostalCode, 20, true)
	if a.Country != "" && !countryCode.MatchString(a.Country) {
		c.add("country", "must be a two-letter ISO 3166-1 country code, such as GB")
	}
	c.oneOf("address_type", string(a.AddressType), true, LocationPhysical, LocationPostal, LocationVirtual)
	each(c, "attributes", a.Attributes, Attribute.check)
}

func (a Accessibility) check(c *checker) {
	c.uuid("id", a.ID, true)
	c.uuid("location_id", a.LocationID, false)
	c.text("description", a.Description, maxLongText, false)
	c.text("details", a.Details, maxLongText, false)
	c.uri("url", a.URL)
	c.text("accessibility", a.Accessibility, maxLongText, false)
	each(c, "attributes", a.Attributes, Attribute.check)
}

func (k Contact) check(c *checker) {
	c.uuid("id", k.ID, true)
	c.uuid("service_id", k.ServiceID, false)
	c.text("name", k.Name, maxName, false)
	c.text("title", k.Title, maxName, false)
	c.text("department", k.Department, maxName, false)
	c.email("email", k.Email)
	each(c, "phones", k.Phones, Phone.check)
	each(c, "attributes", k.Attributes, Attribute.check)
}

func (p Phone) check(c *checker) {
	c.uuid("id", p.ID, true)
	c.uuid("contact_id", p.ContactID, false)
	c.text("number", p.Number, 50, true)
	c.finite("extension", p.Extension)
	c.text("type", p.Type, maxName, false)
	c.text("description", p.Description, maxLongText, false)
	each(c, "languages", p.Languages, Language.check)
	each(c, "attributes", p.Attributes, Attribute.check)
}

func (l Language) check(c *checker) {
	c.uuid("id", l.ID, true)
	c.uuid("service_id", l.ServiceID, false)
	c.uuid("phone_id", l.PhoneID, false)
	c.text("name", l.Name, maxName, false)
	c.text("code", l.Code, 20, false)
	c.text("note", l.Note, maxLongText, false)
}

func (s Schedule) check(c *checker) {
	c.uuid("id", s.ID, true)
	c.uuid("service_id", s.ServiceID, false)
	c.uuid("service_at_location_id", s.ServiceAtLocationID, false)
	c.date("valid_from", s.ValidFrom)
	c.date("valid_to", s.ValidTo)
	c.date("dtstart", s.DTStart)
	c.oneOf("freq", s.Freq, false, "WEEKLY", "MONTHLY")
	if s.Interval != nil && (*s.Interval < 1 || *s.Interval != math.Trunc(*s.Interval)) {
		c.add("interval", "must be a whole number of 1 or more")
	}
	if _, ok := parseByDay(s.ByDay); !ok {
		c.add("byday", "must be days such as MO,TU or 1MO,-1FR, separated by commas")
	}
	if !validByMonthDay(s.ByMonthDay) {
		c.add("bymonthday", "must be days of the month from -31 to 31, separated by commas")
	}
	c.text("description", s.Description, maxLongText, false)
	c.clock("opens_at", s.OpensAt)
	c.clock("closes_at", s.ClosesAt)
	c.uri("schedule_link", s.ScheduleLink)
	c.text("attending_type", s.AttendingType, maxName, false)
	c.text("notes", s.Notes, maxLongText, false)
}

func (o CostOption) check(c *checker) {
	c.uuid("id", o.ID, true)
	c.uuid("service_id", o.ServiceID, false)
	c.date("valid_from", o.ValidFrom)
	c.date("valid_to", o.ValidTo)
	c.text("option", o.Option, maxLongText, false)
	c.text("currency", o.Currency, 3, false)
	c.finite("amount", o.Amount)
	if o.Amount != nil && *o.Amount < 0 {
		c.add("amount", "must not be negative")
	}
	c.text("amount_description", o.AmountDescription, maxLongText, false)
	each(c, "attributes", o.Attributes, Attribute.check)
}

func (a ServiceArea) check(c *checker) {
	c.uuid("id", a.ID, true)
	c.uuid("service_id", a.ServiceID, false)
	c.text("name", a.Name, maxLongText, false)
	c.text("description", a.Description, maxLongText, false)
	c.text("extent", a.Extent, MaxRecordBytes, false)
	c.text("extent_type", a.ExtentType, maxName, false)
	c.text("uri", a.URI, maxURL, false)
	c.text("service_area", a.ServiceArea, maxLongText, false)
	each(c, "attributes", a.Attributes, Attribute.check)
}

func (a Attribute) check(c *checker) {
	c.uuid("id", a.ID, true)
	c.uuid("link_id", a.LinkID, false)
	c.text("link_type", a.LinkType, maxName, false)
	c.text("link_entity", a.LinkEntity, maxName, false)
	c.uuid("taxonomy_term_id", a.TaxonomyTermID, false)
	c.text("value", a.Value, maxLongText, false)
	switch {
	case a.TaxonomyTerm == nil && a.TaxonomyTermID == "":
		c.add("taxonomy_term_id", "is required: give the taxonomy term's id or the term nested")
	case a.TaxonomyTerm != nil && a.TaxonomyTermID != "" && a.TaxonomyTermID != a.TaxonomyTerm.ID:
		c.add("taxonomy_term_id", "must be the id of the nested taxonomy_term")
	case a.TaxonomyTerm != nil:
		a.TaxonomyTerm.check(c.in("taxonomy_term"))
	}
}

// Validate explains every way t breaks the ORUK 3.0 schemata, with its terms.
func (t Taxonomy) Validate() error {
	c := newChecker()
	c.uuid("id", t.ID, true)
	c.text("name", t.Name, maxName, true)
	c.text("description", t.Description, maxLongText, false)
	c.uri("uri", t.URI)
	c.text("version", t.Version, maxName, false)
	each(c, "taxonomy_terms", t.TaxonomyTerms, TaxonomyTerm.check)
	for i, term := range t.TaxonomyTerms {
		if term.TaxonomyID != "" && term.TaxonomyID != t.ID {
			c.add(fmt.Sprintf("taxonomy_terms[%d].taxonomy_id", i), "must be the id of the taxonomy it is nested in")
		}
	}
	return c.err()
}

func (t TaxonomyTerm) check(c *checker) {
	c.uuid("id", t.ID, true)
	c.text("code", t.Code, maxName, false)
	c.text("name", t.Name, maxName, true)
	c.text("description", t.Description, maxLongText, false)
	c.uuid("parent_id", t.ParentID, false)
	c.text("taxonomy", t.Taxonomy, maxName, false)
	c.uuid("taxonomy_id", t.TaxonomyID, false)
	c.uri("term_uri", t.TermURI)
	c.text("term", t.Term, maxName, false)
	c.text("language", t.Language, 20, false)
}

// checker collects problems under a path prefix; in() descends into a nested object.
type checker struct {
	prefix string
	errs   *apperr.Fields
}

func newChecker() *checker { return &checker{errs: &apperr.Fields{}} }

func (c *checker) in(field string) *checker {
	return &checker{prefix: c.path(field), errs: c.errs}
}

func (c *checker) path(field string) string {
	if c.prefix == "" {
		return field
	}
	return c.prefix + "." + field
}

func (c *checker) add(field, message string) {
	c.errs.Add(c.path(field), message)
}

func (c *checker) err() error { return problems(*c.errs) }

// each checks every item of a list, naming them field[0], field[1], ..., and refuses lists
// too long to be real and ids given twice.
func each[T any](c *checker, field string, items []T, check func(T, *checker)) {
	if len(items) > maxItems {
		c.add(field, fmt.Sprintf("has %d entries; at most %d are allowed", len(items), maxItems))
		return
	}
	seen := map[string]bool{}
	for i, item := range items {
		sub := c.in(fmt.Sprintf("%s[%d]", field, i))
		check(item, sub)
		if id := idOf(item); id != "" && seen[id] {
			sub.add("id", "is given twice in "+field)
		} else {
			seen[id] = true
		}
	}
}

// idOf reads the ID field that every record type has.
func idOf(v any) string {
	return reflect.ValueOf(v).FieldByName("ID").String()
}

var (
	uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	countryCode = regexp.MustCompile(`^[A-Za-z]{2}$`)
	clockTime   = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$`)
)

func (c *checker) uuid(field, v string, required bool) {
	switch {
	case v == "" && required:
		c.add(field, "is required")
	case v != "" && !uuidPattern.MatchString(v):
		c.add(field, "must be a UUID, such as ac148810-d857-441c-9679-408f346de14b")
	}
}

func (c *checker) text(field, v string, max int, required bool) {
	switch {
	case strings.TrimSpace(v) == "" && required:
		c.add(field, "is required")
	case !utf8.ValidString(v):
		c.add(field, "must be UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		c.add(field, fmt.Sprintf("must be %d characters or fewer", max))
	}
}

func (c *checker) oneOf(field, v string, required bool, allowed ...any) {
	if v == "" && !required {
		return
	}
	var names []string
	for _, a := range allowed {
		name := fmt.Sprint(a)
		if v == name {
			return
		}
		names = append(names, name)
	}
	if v == "" {
		c.add(field, "is required: one of "+strings.Join(names, ", "))
		return
	}
	c.add(field, "must be one of "+strings.Join(names, ", "))
}

// uri accepts an absolute web address, as the schemata's format uri asks.
func (c *checker) uri(field, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || len(v) > maxURL {
		c.add(field, "must be a full web address, such as https://example.org/activity")
	}
}

func (c *checker) email(field, v string) {
	if v == "" {
		return
	}
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(v, " \t\r\n<>,;") || len(v) > 254 {
		c.add(field, "must be an email address, such as name@example.org")
	}
}

func (c *checker) date(field, v string) {
	if v == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		c.add(field, "must be a date as YYYY-MM-DD")
	}
}

func (c *checker) dateTime(field, v string) {
	if v == "" {
		return
	}
	if _, err := time.Parse(time.RFC3339, v); err != nil {
		c.add(field, "must be a date and time such as 2023-03-15T10:30:45.123Z")
	}
}

func (c *checker) clock(field, v string) {
	if v != "" && !clockTime.MatchString(v) {
		c.add(field, "must be a time of day as HH:MM:SS")
	}
}

func (c *checker) age(field string, v *float64) {
	if v != nil && (*v < 0 || *v > 150 || math.IsNaN(*v)) {
		c.add(field, "must be an age from 0 to 150")
	}
}

func (c *checker) finite(field string, v *float64) {
	if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
		c.add(field, "must be a number")
	}
}

func validByMonthDay(v string) bool {
	if v == "" {
		return true
	}
	for part := range strings.SplitSeq(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n == 0 || n < -31 || n > 31 {
			return false
		}
	}
	return true
}
