package account

import (
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
)

// User is someone who signs in to Linkwell.
type User struct {
	ID             int64
	Email          string
	Name           string
	OrganisationID int64 // zero for an administrator who belongs to no organisation
	Roles          []Role
	TeamIDs        []int64
	DisabledAt     *time.Time
	MFAEnabled     bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int64

	passwordHash string
	totpSecret   string
}

// Has reports whether the user holds the role.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// HasAny reports whether the user holds any of the roles.
func (u User) HasAny(rs ...Role) bool {
	return slices.ContainsFunc(rs, u.Has)
}

// Disabled reports whether the user may no longer sign in.
func (u User) Disabled() bool { return u.DisabledAt != nil }

// RoleLabels names the user's roles for people.
func (u User) RoleLabels() string {
	labels := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		labels[i] = r.Label()
	}
	return strings.Join(labels, ", ")
}

// UserInput is what creating or editing a user takes.
type UserInput struct {
	Email          string
	Name           string
	Password       string // required when creating; ignored when editing
	OrganisationID int64
	Roles          []Role
	TeamIDs        []int64
	Version        int64 // the version being edited, for optimistic locking
}

// NormaliseEmail lower-cases and trims an address so that one person has one account.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate explains every problem with the input; creating says whether a password is needed.
func (in *UserInput) Validate(creating bool) error {
	var errs apperr.Fields
	in.Email = NormaliseEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	switch addr, err := mail.ParseAddress(in.Email); {
	case in.Email == "":
		errs.Add("email", "Enter an email address")
	case err != nil || addr.Address != in.Email || !strings.Contains(in.Email, "."):
		errs.Add("email", "Enter an email address in the correct format, like name@example.nhs.uk")
	case len(in.Email) > 254:
		errs.Add("email", "Email address must be 254 characters or fewer")
	}
	switch {
	case in.Name == "":
		errs.Add("name", "Enter a full name")
	case len(in.Name) > 200:
		errs.Add("name", "Full name must be 200 characters or fewer")
	}
	if creating {
		if msg := ValidatePassword(in.Password); msg != "" {
			errs.Add("password", msg)
		}
	}
	if len(in.Roles) == 0 {
		errs.Add("roles", "Select at least one role")
	}
	for _, r := range in.Roles {
		if !r.Valid() {
			errs.Add("roles", "Select a role from the list")
			break
		}
	}
	slices.Sort(in.Roles)
	in.Roles = slices.Compact(in.Roles)
	if in.OrganisationID == 0 && !(len(in.Roles) == 1 && in.Roles[0] == Administrator) {
		errs.Add("organisation", "Select an organisation (only an administrator may have none)")
	}
	return errs.Err()
}
