// Package organisation holds the bodies that take part in a social prescribing service: GP
// practices, Primary Care Networks, voluntary and community organisations, NHS trusts, local
// authorities and ambulance services; their teams; and the data-sharing agreements between
// them that allow their staff to work on one case.
package organisation

import (
	"regexp"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
)

// Type is the kind of organisation.
type Type string

const (
	GPPractice       Type = "gp_practice"
	PCN              Type = "pcn"
	VCSE             Type = "vcse"
	NHSTrust         Type = "nhs_trust"
	LocalAuthority   Type = "local_authority"
	AmbulanceService Type = "ambulance_service"
)

// Types lists every organisation type in the order they are shown.
var Types = []Type{GPPractice, PCN, VCSE, NHSTrust, LocalAuthority, AmbulanceService}

var typeLabels = map[Type]string{
	GPPractice:       "GP practice",
	PCN:              "Primary Care Network",
	VCSE:             "Voluntary and community organisation",
	NHSTrust:         "NHS trust",
	LocalAuthority:   "Local authority",
	AmbulanceService: "Ambulance service",
}

// Label is the type's name for people.
func (t Type) Label() string {
	if l, ok := typeLabels[t]; ok {
		return l
	}
	return string(t)
}

// Valid reports whether t is a known type.
func (t Type) Valid() bool { _, ok := typeLabels[t]; return ok }

// Organisation is one body. ODSCode is empty for bodies without one (many charities).
type Organisation struct {
	ID        int64
	Name      string
	Type      Type
	ODSCode   string
	Teams     []Team
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Team is a group of staff within an organisation.
type Team struct {
	ID             int64
	OrganisationID int64
	Name           string
}

// Input is what creating or editing an organisation takes.
type Input struct {
	Name    string
	Type    Type
	ODSCode string
	Version int64
}

// ODS codes are 3 to 6 upper-case letters and digits (practices such as A81001, PCNs such as
// U12345, trusts such as RX1); charities registered with ODS have codes such as 8JK12.
var odsPattern = regexp.MustCompile(`^[A-Z0-9]{3,6}$`)

// Validate explains every problem with the input.
func (in *Input) Validate() error {
	var errs apperr.Fields
	in.Name = strings.TrimSpace(in.Name)
	in.ODSCode = strings.ToUpper(strings.TrimSpace(in.ODSCode))
	switch {
	case in.Name == "":
		errs.Add("name", "Enter the organisation's name")
	case len(in.Name) > 200:
		errs.Add("name", "Organisation name must be 200 characters or fewer")
	}
	if !in.Type.Valid() {
		errs.Add("type", "Select the type of organisation")
	}
	if in.ODSCode != "" && !odsPattern.MatchString(in.ODSCode) {
		errs.Add("ods_code", "ODS code must be 3 to 6 letters and numbers, like A81001")
	}
	if in.ODSCode == "" && (in.Type == GPPractice || in.Type == PCN || in.Type == NHSTrust) {
		errs.Add("ods_code", "Enter the ODS code: every "+in.Type.Label()+" has one")
	}
	return errs.Err()
}

// ValidateTeamName explains what is wrong with a team name, or returns nil.
func ValidateTeamName(name string) error {
	var errs apperr.Fields
	switch name = strings.TrimSpace(name); {
	case name == "":
		errs.Add("team_name", "Enter the team's name")
	case len(name) > 120:
		errs.Add("team_name", "Team name must be 120 characters or fewer")
	}
	return errs.Err()
}
