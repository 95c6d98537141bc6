package fhir

import "encoding/json"

// The FHIR R4 JSON that Linkwell reads and writes: only the elements it uses. Elements a
// sender includes that are not here are ignored on input.

// Meta is a resource's version and when it last changed.
type Meta struct {
	VersionID   string   `json:"versionId,omitempty"`
	LastUpdated string   `json:"lastUpdated,omitempty"`
	Profile     []string `json:"profile,omitempty"`
}

// Identifier is a business identifier: a system and a value.
type Identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Coding is a code from a code system.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is codings and text for one idea.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// codeIn returns the code of the first coding from system, or "".
func (c *CodeableConcept) codeIn(system string) string {
	if c == nil {
		return ""
	}
	for _, cd := range c.Coding {
		if cd.System == system {
			return cd.Code
		}
	}
	return ""
}

// Reference points at another resource, by literal reference, by identifier, or both.
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// HumanName is a person's name.
type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

// Address is a postal address.
type Address struct {
	Use        string   `json:"use,omitempty"`
	Text       string   `json:"text,omitempty"`
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	District   string   `json:"district,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
}

// ContactPoint is a phone number, email address and so on.
type ContactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
	Use    string `json:"use,omitempty"`
}

// Annotation is a note with its author and time.
type Annotation struct {
	AuthorString string `json:"authorString,omitempty"`
	Time         string `json:"time,omitempty"`
	Text         string `json:"text"`
}

// Patient is the person a referral is about (UK Core identifiers).
type Patient struct {
	ResourceType        string         `json:"resourceType"`
	ID                  string         `json:"id,omitempty"`
	Meta                *Meta          `json:"meta,omitempty"`
	Identifier          []Identifier   `json:"identifier,omitempty"`
	Name                []HumanName    `json:"name,omitempty"`
	Telecom             []ContactPoint `json:"telecom,omitempty"`
	Gender              string         `json:"gender,omitempty"`
	BirthDate           string         `json:"birthDate,omitempty"`
	Address             []Address      `json:"address,omitempty"`
	GeneralPractitioner []Reference    `json:"generalPractitioner,omitempty"`
}

// ServiceRequest is a referral.
type ServiceRequest struct {
	ResourceType   string            `json:"resourceType"`
	ID             string            `json:"id,omitempty"`
	Meta           *Meta             `json:"meta,omitempty"`
	Identifier     []Identifier      `json:"identifier,omitempty"`
	Status         string            `json:"status,omitempty"`
	Intent         string            `json:"intent,omitempty"`
	Category       []CodeableConcept `json:"category,omitempty"`
	Priority       string            `json:"priority,omitempty"`
	Code           *CodeableConcept  `json:"code,omitempty"`
	Subject        *Reference        `json:"subject,omitempty"`
	AuthoredOn     string            `json:"authoredOn,omitempty"`
	Requester      *Reference        `json:"requester,omitempty"`
	Performer      []Reference       `json:"performer,omitempty"`
	ReasonCode     []CodeableConcept `json:"reasonCode,omitempty"`
	SupportingInfo []Reference       `json:"supportingInfo,omitempty"`
	Note           []Annotation      `json:"note,omitempty"`
}

// Consent is the person's agreement to the referral and to sharing with their GP.
type Consent struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *Meta             `json:"meta,omitempty"`
	Status       string            `json:"status,omitempty"`
	Scope        *CodeableConcept  `json:"scope,omitempty"`
	Category     []CodeableConcept `json:"category,omitempty"`
	Patient      *Reference        `json:"patient,omitempty"`
	DateTime     string            `json:"dateTime,omitempty"`
	Provision    *ConsentProvision `json:"provision,omitempty"`
}

// ConsentProvision says what is permitted or denied.
type ConsentProvision struct {
	Type string            `json:"type,omitempty"`
	Code []CodeableConcept `json:"code,omitempty"`
}

// Task tracks a referral's progress: the closed loop between referrer and service.
type Task struct {
	ResourceType   string           `json:"resourceType"`
	ID             string           `json:"id,omitempty"`
	Meta           *Meta            `json:"meta,omitempty"`
	Status         string           `json:"status,omitempty"`
	StatusReason   *CodeableConcept `json:"statusReason,omitempty"`
	BusinessStatus *CodeableConcept `json:"businessStatus,omitempty"`
	Intent         string           `json:"intent,omitempty"`
	Code           *CodeableConcept `json:"code,omitempty"`
	Focus          *Reference       `json:"focus,omitempty"`
	For            *Reference       `json:"for,omitempty"`
	AuthoredOn     string           `json:"authoredOn,omitempty"`
	LastModified   string           `json:"lastModified,omitempty"`
	Requester      *Reference       `json:"requester,omitempty"`
	Owner          *Reference       `json:"owner,omitempty"`
	Note           []Annotation     `json:"note,omitempty"`
	Output         []TaskOutput     `json:"output,omitempty"`
}

// TaskOutput is something the Task produced: here, the messages back.
type TaskOutput struct {
	Type           CodeableConcept `json:"type"`
	ValueReference Reference       `json:"valueReference"`
}

// Communication is a message back to the GP and the referrer.
type Communication struct {
	ResourceType string                 `json:"resourceType"`
	ID           string                 `json:"id,omitempty"`
	Meta         *Meta                  `json:"meta,omitempty"`
	BasedOn      []Reference            `json:"basedOn,omitempty"`
	Status       string                 `json:"status"`
	Category     []CodeableConcept      `json:"category,omitempty"`
	Subject      *Reference             `json:"subject,omitempty"`
	Sent         string                 `json:"sent,omitempty"`
	Recipient    []Reference            `json:"recipient,omitempty"`
	Sender       *Reference             `json:"sender,omitempty"`
	ReasonCode   []CodeableConcept      `json:"reasonCode,omitempty"`
	Payload      []CommunicationPayload `json:"payload,omitempty"`
}

// CommunicationPayload is the text of a message.
type CommunicationPayload struct {
	ContentString string `json:"contentString"`
}

// HealthcareService is a service that takes referrals.
type HealthcareService struct {
	ResourceType   string            `json:"resourceType"`
	ID             string            `json:"id,omitempty"`
	Meta           *Meta             `json:"meta,omitempty"`
	Active         bool              `json:"active"`
	ProvidedBy     *Reference        `json:"providedBy,omitempty"`
	Category       []CodeableConcept `json:"category,omitempty"`
	Name           string            `json:"name"`
	Comment        string            `json:"comment,omitempty"`
	Eligibility    []Eligibility     `json:"eligibility,omitempty"`
	ReferralMethod []CodeableConcept `json:"referralMethod,omitempty"`
}

// Eligibility is who a service is, or is not, for.
type Eligibility struct {
	Code    *CodeableConcept `json:"code,omitempty"`
	Comment string           `json:"comment,omitempty"`
}

// Organization is a body taking part: a GP practice, PCN, charity and so on.
type Organization struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *Meta             `json:"meta,omitempty"`
	Identifier   []Identifier      `json:"identifier,omitempty"`
	Active       bool              `json:"active"`
	Type         []CodeableConcept `json:"type,omitempty"`
	Name         string            `json:"name"`
}

// Bundle is a set of resources: a transaction and its response, a search result, a message.
type Bundle struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id,omitempty"`
	Meta         *Meta         `json:"meta,omitempty"`
	Type         string        `json:"type"`
	Timestamp    string        `json:"timestamp,omitempty"`
	Total        *int          `json:"total,omitempty"`
	Link         []BundleLink  `json:"link,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// BundleLink is a link from a search page: self, next.
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// BundleEntry is one resource in a bundle, with what to do with it or what was done.
type BundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Search   *EntrySearch    `json:"search,omitempty"`
	Request  *EntryRequest   `json:"request,omitempty"`
	Response *EntryResponse  `json:"response,omitempty"`
}

// EntrySearch says why a resource is in a search result.
type EntrySearch struct {
	Mode string `json:"mode"`
}

// EntryRequest is what a transaction asks done with an entry.
type EntryRequest struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	IfNoneExist string `json:"ifNoneExist,omitempty"`
}

// EntryResponse is what a transaction did with an entry.
type EntryResponse struct {
	Status       string `json:"status"`
	Location     string `json:"location,omitempty"`
	Etag         string `json:"etag,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
}

// MessageHeader heads a message bundle: what event it is about, from whom, and its focus.
type MessageHeader struct {
	ResourceType string           `json:"resourceType"`
	ID           string           `json:"id,omitempty"`
	Meta         *Meta            `json:"meta,omitempty"`
	EventCoding  *Coding          `json:"eventCoding,omitempty"`
	Destination  []MessageDest    `json:"destination,omitempty"`
	Sender       *Reference       `json:"sender,omitempty"`
	Source       *MessageSource   `json:"source,omitempty"`
	Reason       *CodeableConcept `json:"reason,omitempty"`
	Response     *MessageResponse `json:"response,omitempty"`
	Focus        []Reference      `json:"focus,omitempty"`
	Definition   string           `json:"definition,omitempty"`
}

// MessageDest is where a message goes.
type MessageDest struct {
	Endpoint string     `json:"endpoint"`
	Receiver *Reference `json:"receiver,omitempty"`
}

// MessageSource is where a message came from.
type MessageSource struct {
	Name     string `json:"name,omitempty"`
	Endpoint string `json:"endpoint"`
}

// MessageResponse says which message this one answers and how it went.
type MessageResponse struct {
	Identifier string     `json:"identifier"`
	Code       string     `json:"code"`
	Details    *Reference `json:"details,omitempty"`
}

// resourceHead is what every resource starts with.
type resourceHead struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id,omitempty"`
}

// versioned is a resource with a version, which reads answer as their ETag.
type versioned interface{ meta() *Meta }

func (r Patient) meta() *Meta           { return r.Meta }
func (r ServiceRequest) meta() *Meta    { return r.Meta }
func (r Task) meta() *Meta              { return r.Meta }
func (r Communication) meta() *Meta     { return r.Meta }
func (r HealthcareService) meta() *Meta { return r.Meta }
func (r Organization) meta() *Meta      { return r.Meta }
