// Package referral is how people reach a social prescribing service: receiving services that
// state their criteria up front, referrals with coded needs, their states, and triage.
package referral

import (
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/person"
)

// ReceivingService is a service that takes referrals, run by an organisation, with the
// criteria a referrer sees before they start and the time within which someone must act.
type ReceivingService struct {
	ID                  int64
	OrganisationID      int64
	TeamID              int64
	Name                string
	Description         string
	Inclusion           string
	Exclusion           string
	ResponseDays        int
	AcceptsSelfReferral bool
	Version             int64
	UpdatedAt           time.Time
}

// ServiceInput is what setting up or editing a receiving service takes.
type ServiceInput struct {
	OrganisationID      int64
	TeamID              int64
	Name                string
	Description         string
	Inclusion           string
	Exclusion           string
	ResponseDays        int
	AcceptsSelfReferral bool
	Version             int64
}

// Validate explains every problem with the input.
func (in *ServiceInput) Validate() error {
	var errs apperr.Fields
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	in.Inclusion, in.Exclusion = strings.TrimSpace(in.Inclusion), strings.TrimSpace(in.Exclusion)
	if in.Name == "" {
		errs.Add("name", "Enter the service's name")
	}
	if in.Inclusion == "" {
		errs.Add("inclusion", "Enter who the service is for, so referrers know before they start")
	}
	if in.ResponseDays < 1 || in.ResponseDays > 60 {
		errs.Add("response_days", "Response time must be between 1 and 60 working days")
	}
	if in.OrganisationID == 0 {
		errs.Add("organisation", "Select the organisation that runs the service")
	}
	return errs.Err()
}

// CriteriaAnswer records whether the referrer says the person meets the service's criteria.
type CriteriaAnswer string

const (
	CriteriaMet    CriteriaAnswer = "yes"
	CriteriaNotMet CriteriaAnswer = "no"
	CriteriaUnsure CriteriaAnswer = "unsure"
)

// Referral asks a receiving service to support a person.
type Referral struct {
	ID              int64
	PersonID        int64
	ServiceID       int64
	Source          Source
	ReferrerID      int64 // zero for a self-referral
	ReferrerName    string
	ReferrerContact string
	Needs           []Need
	Details         string
	Urgency         Urgency
	KnownRisks      string
	ConsentGiven    bool
	CriteriaMet     CriteriaAnswer
	Status          Status
	ReasonCode      string
	StatusNote      string
	DueBy           time.Time
	EscalatedAt     *time.Time
	AddsToCaseID    int64 // the open case this referral adds to, rather than opening another
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int64
}

// Overdue reports whether nobody has acted on the referral within its service's response time.
func (r Referral) Overdue(now time.Time) bool {
	return r.Status == StatusRequested && now.After(r.DueBy)
}

// Input is a referral as a referrer submits it, with the person it is about: an existing
// person by id, or a new one.
type Input struct {
	ServiceID        int64
	Source           Source
	Needs            []string
	Details          string
	Urgency          Urgency
	KnownRisks       string
	ConsentGiven     bool
	GPSharing        string // what the person agrees to share with their GP: full, codes_only or none
	CriteriaMet      CriteriaAnswer
	ReferrerName     string
	ReferrerContact  string
	ExistingPersonID int64
	// AddsToCaseID adds the referral to the existing person's open case, so that accepting it
	// attaches it there instead of opening a second case.
	AddsToCaseID int64
	Person       person.Input
	// NotADuplicate is set when the referrer has seen the possible matches and says this is
	// someone else.
	NotADuplicate bool
}

// validate checks the referral's own fields, returning the parsed needs.
func (in *Input) validate(errs *apperr.Fields) []Need {
	in.Details, in.KnownRisks = strings.TrimSpace(in.Details), strings.TrimSpace(in.KnownRisks)
	if in.ServiceID == 0 {
		errs.Add("service", "Select the service you are referring to")
	}
	if !in.Source.Valid() {
		errs.Add("source", "Select who is making the referral")
	}
	needs, err := ParseNeeds(in.Needs)
	if err != nil {
		errs.Add("needs", "Select needs from the list")
	} else if len(needs) == 0 {
		errs.Add("needs", "Select at least one thing the person needs support with")
	}
	if in.Urgency == "" {
		in.Urgency = UrgencyRoutine
	}
	if !in.Urgency.Valid() {
		errs.Add("urgency", "Select how urgent the referral is")
	}
	if !in.ConsentGiven {
		errs.Add("consent", "Confirm the person has agreed to be referred: social prescribing needs their consent")
	}
	if in.GPSharing != "" && person.ValidateConsent(person.ConsentGPSharing, in.GPSharing) != "" {
		errs.Add("gp_sharing", "Select what the person agrees to share with their GP")
	}
	switch in.CriteriaMet {
	case CriteriaMet, CriteriaNotMet, CriteriaUnsure:
	default:
		errs.Add("criteria_met", "Select whether the person meets the service's criteria")
	}
	if len(in.Details) > 4000 {
		errs.Add("details", "Details must be 4000 characters or fewer")
	}
	if len(in.KnownRisks) > 2000 {
		errs.Add("known_risks", "Known risks must be 2000 characters or fewer")
	}
	return needs
}
