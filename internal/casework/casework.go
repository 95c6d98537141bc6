// Package casework holds cases (episodes of support) from the moment a referral is accepted:
// the care team with its named lead, caseloads, and who has a legitimate relationship with a
// person.
package casework

import (
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/referral"
)

// Status is where a case is.
type Status string

const (
	Active Status = "active"
	OnHold Status = "on_hold"
	Closed Status = "closed"
)

// Statuses lists the statuses in order.
var Statuses = []Status{Active, OnHold, Closed}

var statusLabels = map[Status]string{Active: "Active", OnHold: "On hold", Closed: "Closed"}

// Label names the status for people.
func (s Status) Label() string { return statusLabels[s] }

// Engagement is how an occupational therapist engages with social prescribing on a case
// (DESIGN F2); it is recorded on every OT-held case.
type Engagement string

// Engagements lists the ways in order.
var Engagements = []Engagement{"signpost", "refer_to_link_worker", "ot_social_prescriber", "developing"}

var engagementLabels = map[Engagement]string{
	"signpost": "Active signposting", "refer_to_link_worker": "Referring to a link worker",
	"ot_social_prescriber": "OT as the social prescriber", "developing": "Developing social prescribing",
}

// Label names the way for people.
func (e Engagement) Label() string { return engagementLabels[e] }

// Valid reports whether e is a known way, or empty.
func (e Engagement) Valid() bool { _, ok := engagementLabels[e]; return ok || e == "" }

// Case is one episode of support for a person.
type Case struct {
	ID             int64
	PersonID       int64
	ReferralID     int64
	ServiceID      int64
	Pathway        referral.Pathway
	Tier           referral.Tier
	Engagement     Engagement
	Status         Status
	OpenedAt       time.Time
	NextReviewOn   string
	ClosedAt       *time.Time
	ClosureReason  string
	ClosureSummary string
	HoldReason     HoldReason // why the case is on hold, while it is
	Version        int64
	Team           []Worker
}

// Lead returns the case's current lead worker, if any.
func (c Case) Lead() (Worker, bool) {
	for _, w := range c.Team {
		if w.Lead && w.Current() {
			return w, true
		}
	}
	return Worker{}, false
}

// Worker is a member of a case's care team.
type Worker struct {
	ID               int64
	CaseID           int64
	UserID           int64
	Name             string
	Email            string
	OrganisationID   int64
	OrganisationName string
	Role             account.Role
	Lead             bool
	From             string
	To               string // empty while they are on the team
}

// Current reports whether the worker is still on the team.
func (w Worker) Current() bool { return w.To == "" }
