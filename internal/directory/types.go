package directory

// The types below mirror the Open Referral UK 3.0 / HSDS 3.0 JSON: field names and nesting are
// the schemata's (../shared/fixtures/oruk-3.0/schemata), and a field the schemata require is
// always written, even when empty. A few HSDS 3.0 fields that the ORUK profile leaves out
// (phones, contact email, language names) are kept, because feeds send them and the schemata
// allow extra properties.

// Service is a service an organisation provides, fully nested as ORUK's /services/{id}.
type Service struct {
	ID                 string              `json:"id"`
	OrganizationID     string              `json:"organization_id,omitempty"`
	Name               string              `json:"name"`
	Description        string              `json:"description,omitempty"`
	URL                string              `json:"url,omitempty"`
	Email              string              `json:"email,omitempty"`
	Status             Status              `json:"status"`
	Fees               string              `json:"fees,omitempty"`
	Accreditations     string              `json:"accreditations,omitempty"`
	MinimumAge         *float64            `json:"minimum_age,omitempty"`
	MaximumAge         *float64            `json:"maximum_age,omitempty"`
	AssuredDate        string              `json:"assured_date,omitempty"`
	AssurerEmail       string              `json:"assurer_email,omitempty"`
	Alert              string              `json:"alert,omitempty"`
	LastModified       string              `json:"last_modified,omitempty"`
	Schedules          []Schedule          `json:"schedules,omitempty"`
	ServiceAreas       []ServiceArea       `json:"service_areas,omitempty"`
	ServiceAtLocations []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages          []Language          `json:"languages,omitempty"`
	Organization       *Organization       `json:"organization,omitempty"`
	Funding            []Funding           `json:"funding,omitempty"`
	CostOptions        []CostOption        `json:"cost_options,omitempty"`
	Contacts           []Contact           `json:"contacts,omitempty"`
	Phones             []Phone             `json:"phones,omitempty"`
	Attributes         []Attribute         `json:"attributes,omitempty"`
	SocialPrescribing
}

// SocialPrescribing is Linkwell's extension of a service with what social prescribing needs.
// Its fields are written beside the HSDS ones with the prefix x_linkwell_, which no HSDS field
// uses; the ORUK schemata do not forbid extra properties, so a record carrying them still
// validates.
type SocialPrescribing struct {
	Capacity            Capacity      `json:"x_linkwell_capacity,omitempty"`
	TypicalWaitDays     *int          `json:"x_linkwell_typical_wait_days,omitempty"`
	ReferralRoute       ReferralRoute `json:"x_linkwell_referral_route,omitempty"`
	FirstSessionSupport string        `json:"x_linkwell_first_session_support,omitempty"` // what help is offered to come the first time; empty for none
	LastVerifiedAt      string        `json:"x_linkwell_last_verified_at,omitempty"`      // RFC 3339 date-time
	VerifiedBy          string        `json:"x_linkwell_verified_by,omitempty"`           // who verified it; never in the open feed
	InternalOnly        bool          `json:"x_linkwell_internal_only,omitempty"`         // practitioners only; never in the open feed
}

// Status is a service's HSDS status.
type Status string

const (
	StatusActive            Status = "active"
	StatusInactive          Status = "inactive"
	StatusDefunct           Status = "defunct"
	StatusTemporarilyClosed Status = "temporarily closed"
)

// Capacity says whether a service can take someone now (x_linkwell_capacity).
type Capacity string

const (
	CapacityAccepting   Capacity = "accepting"
	CapacityWaitingList Capacity = "waiting_list"
	CapacityFull        Capacity = "full"
)

// ReferralRoute says how a person gets to a service (x_linkwell_referral_route).
type ReferralRoute string

const (
	RouteDropIn        ReferralRoute = "drop_in"
	RouteSelfReferral  ReferralRoute = "self_referral"
	RouteNeedsReferral ReferralRoute = "needs_referral"
)

// LocationType is the HSDS kind of a location or an address.
type LocationType string

const (
	LocationPhysical LocationType = "physical"
	LocationPostal   LocationType = "postal"
	LocationVirtual  LocationType = "virtual"
)

// Organization is the organisation that provides services.
type Organization struct {
	ID                      string                   `json:"id"`
	Name                    string                   `json:"name"`
	Description             string                   `json:"description"`
	Email                   string                   `json:"email,omitempty"`
	Website                 string                   `json:"website,omitempty"`
	Logo                    string                   `json:"logo,omitempty"`
	URI                     string                   `json:"uri,omitempty"`
	ParentOrganizationID    string                   `json:"parent_organization_id,omitempty"`
	OrganizationIdentifiers []OrganizationIdentifier `json:"organization_identifiers,omitempty"`
	Phones                  []Phone                  `json:"phones,omitempty"`
	Attributes              []Attribute              `json:"attributes,omitempty"`
	Services                []Service                `json:"services,omitempty"` // only in ORUK's fully nested organisation
}

// OrganizationIdentifier is a registered number of an organisation, such as a charity number.
type OrganizationIdentifier struct {
	ID               string      `json:"id"`
	OrganizationID   string      `json:"organization_id,omitempty"`
	IdentifierScheme string      `json:"identifier_scheme,omitempty"`
	IdentifierType   string      `json:"identifier_type"`
	Identifier       string      `json:"identifier"`
	Attributes       []Attribute `json:"attributes,omitempty"`
}

// Funding is where a service's money comes from.
type Funding struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organization_id,omitempty"`
	ServiceID      string `json:"service_id,omitempty"`
	Source         string `json:"source,omitempty"`
}

// ServiceAtLocation links a service to a location where it is delivered. In lists with a
// point of origin Distance gives how far away it is.
type ServiceAtLocation struct {
	ID         string    `json:"id"`
	ServiceID  string    `json:"service_id,omitempty"`
	LocationID string    `json:"location_id,omitempty"`
	Location   *Location `json:"location,omitempty"`
	Service    *Service  `json:"service,omitempty"`
	Distance   *float64  `json:"x_linkwell_distance,omitempty"` // metres from the point searched from
}

// Location is a place services are delivered from, or a virtual or postal one.
type Location struct {
	ID                     string          `json:"id"`
	LocationType           LocationType    `json:"location_type"`
	Name                   string          `json:"name,omitempty"`
	Description            string          `json:"description,omitempty"`
	Latitude               *float64        `json:"latitude,omitempty"`
	Longitude              *float64        `json:"longitude,omitempty"`
	ExternalIdentifier     string          `json:"external_identifier,omitempty"`
	ExternalIdentifierType string          `json:"external_identifier_type,omitempty"`
	Addresses              []Address       `json:"addresses,omitempty"`
	Accessibility          []Accessibility `json:"accessibility,omitempty"`
	Phones                 []Phone         `json:"phones,omitempty"`
	Attributes             []Attribute     `json:"attributes,omitempty"`
}

// Address is a location's physical or postal address.
type Address struct {
	ID            string       `json:"id"`
	LocationID    string       `json:"location_id,omitempty"`
	Attention     string       `json:"attention,omitempty"`
	Address1      string       `json:"address_1"`
	Address2      string       `json:"address_2,omitempty"`
	City          string       `json:"city"`
	Region        string       `json:"region,omitempty"`
	StateProvince string       `json:"state_province"`
	PostalCode    string       `json:"postal_code"`
	Country       string       `json:"country"`
	AddressType   LocationType `json:"address_type"`
	Attributes    []Attribute  `json:"attributes,omitempty"`
}

// Accessibility describes how accessible a location is.
type Accessibility struct {
	ID            string      `json:"id"`
	LocationID    string      `json:"location_id,omitempty"`
	Description   string      `json:"description,omitempty"`
	Details       string      `json:"details,omitempty"`
	URL           string      `json:"url,omitempty"`
	Accessibility string      `json:"accessibility,omitempty"`
	Attributes    []Attribute `json:"attributes,omitempty"`
}

// Contact is a named contact for a service. An InternalOnly contact is for practitioners, such
// as a member of staff's direct line, and never appears in the open feed.
type Contact struct {
	ID           string      `json:"id"`
	ServiceID    string      `json:"service_id,omitempty"`
	Name         string      `json:"name,omitempty"`
	Title        string      `json:"title,omitempty"`
	Department   string      `json:"department,omitempty"`
	Email        string      `json:"email,omitempty"`
	Phones       []Phone     `json:"phones,omitempty"`
	Attributes   []Attribute `json:"attributes,omitempty"`
	InternalOnly bool        `json:"x_linkwell_internal_only,omitempty"`
}

// Phone is a telephone number for a service, contact or location.
type Phone struct {
	ID          string      `json:"id"`
	ContactID   string      `json:"contact_id,omitempty"`
	Number      string      `json:"number"`
	Extension   *float64    `json:"extension,omitempty"`
	Type        string      `json:"type,omitempty"`
	Description string      `json:"description,omitempty"`
	Languages   []Language  `json:"languages,omitempty"`
	Attributes  []Attribute `json:"attributes,omitempty"`
}

// Language is a language a service is delivered in, or spoken on a phone line.
type Language struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	PhoneID   string `json:"phone_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Code      string `json:"code,omitempty"` // ISO 639
	Note      string `json:"note,omitempty"`
}

// Schedule says when a service runs, as an RFC 5545 recurrence.
type Schedule struct {
	ID                  string   `json:"id"`
	ServiceID           string   `json:"service_id,omitempty"`
	ServiceAtLocationID string   `json:"service_at_location_id,omitempty"`
	ValidFrom           string   `json:"valid_from,omitempty"`
	ValidTo             string   `json:"valid_to,omitempty"`
	DTStart             string   `json:"dtstart,omitempty"`
	Freq                string   `json:"freq,omitempty"`
	Interval            *float64 `json:"interval,omitempty"`
	ByDay               string   `json:"byday,omitempty"`
	ByMonthDay          string   `json:"bymonthday,omitempty"`
	Description         string   `json:"description,omitempty"`
	OpensAt             string   `json:"opens_at,omitempty"`
	ClosesAt            string   `json:"closes_at,omitempty"`
	ScheduleLink        string   `json:"schedule_link,omitempty"`
	AttendingType       string   `json:"attending_type,omitempty"`
	Notes               string   `json:"notes,omitempty"`
}

// CostOption is what a service costs, for whom and when.
type CostOption struct {
	ID                string      `json:"id"`
	ServiceID         string      `json:"service_id,omitempty"`
	ValidFrom         string      `json:"valid_from,omitempty"`
	ValidTo           string      `json:"valid_to,omitempty"`
	Option            string      `json:"option,omitempty"`
	Currency          string      `json:"currency,omitempty"`
	Amount            *float64    `json:"amount,omitempty"`
	AmountDescription string      `json:"amount_description,omitempty"`
	Attributes        []Attribute `json:"attributes,omitempty"`
}

// ServiceArea is the area a service is available to.
type ServiceArea struct {
	ID          string      `json:"id"`
	ServiceID   string      `json:"service_id,omitempty"`
	Name        string      `json:"name,omitempty"`
	Description string      `json:"description,omitempty"`
	Extent      string      `json:"extent,omitempty"`
	ExtentType  string      `json:"extent_type,omitempty"`
	URI         string      `json:"uri,omitempty"`
	ServiceArea string      `json:"service_area,omitempty"`
	Attributes  []Attribute `json:"attributes,omitempty"`
}

// Attribute classifies a service (or another entity) with a taxonomy term, given nested or by
// its id.
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id,omitempty"`
	LinkType       string        `json:"link_type,omitempty"`
	LinkEntity     string        `json:"link_entity,omitempty"`
	TaxonomyTermID string        `json:"taxonomy_term_id,omitempty"`
	Value          string        `json:"value,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
}

// Taxonomy is a published list of categories, such as the LGA service types.
type Taxonomy struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Description   string         `json:"description"`
	URI           string         `json:"uri,omitempty"`
	Version       string         `json:"version,omitempty"`
	TaxonomyTerms []TaxonomyTerm `json:"taxonomy_terms,omitempty"`
}

// TaxonomyTerm is one category of a taxonomy.
type TaxonomyTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description"`
	ParentID    string `json:"parent_id,omitempty"`
	Taxonomy    string `json:"taxonomy,omitempty"`
	TaxonomyID  string `json:"taxonomy_id,omitempty"`
	TermURI     string `json:"term_uri,omitempty"`
	Term        string `json:"term,omitempty"`
	Language    string `json:"language,omitempty"`
}
