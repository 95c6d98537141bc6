package organisation

import (
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
)

// DateLayout is how dates are written in the database and in forms.
const DateLayout = "2006-01-02"

// Agreement is a recorded data-sharing agreement: staff of its parties may work on one case
// between its start and end dates (the end date inclusive; none means open-ended).
type Agreement struct {
	ID        int64
	Title     string
	Purpose   string
	StartsOn  string
	EndsOn    string
	PartyIDs  []int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// ActiveOn reports whether the agreement is in force on a day, given as YYYY-MM-DD.
func (a Agreement) ActiveOn(day string) bool {
	return a.StartsOn <= day && (a.EndsOn == "" || day <= a.EndsOn)
}

// Status describes the agreement on a day: "Active", "Not started" or "Ended".
func (a Agreement) Status(day string) string {
	switch {
	case day < a.StartsOn:
		return "Not started"
	case a.EndsOn != "" && day > a.EndsOn:
		return "Ended"
	}
	return "Active"
}

// AgreementInput is what creating or editing an agreement takes. Dates come from the NHS
// date-input pattern as separate day, month and year fields.
type AgreementInput struct {
	Title    string
	Purpose  string
	Starts   DateParts
	Ends     DateParts
	PartyIDs []int64
	Version  int64

	startsOn, endsOn string
}

// DateParts is a date as typed into three boxes.
type DateParts struct{ Day, Month, Year string }

// Empty reports whether nothing was typed.
func (d DateParts) Empty() bool {
	return strings.TrimSpace(d.Day+d.Month+d.Year) == ""
}

// Parse reads the date or explains what is wrong with it, naming the date as label.
func (d DateParts) Parse(label string) (string, string) {
	if strings.TrimSpace(d.Day) == "" || strings.TrimSpace(d.Month) == "" || strings.TrimSpace(d.Year) == "" {
		return "", label + " must include a day, month and year"
	}
	t, err := time.Parse("2-1-2006", strings.TrimSpace(d.Day)+"-"+strings.TrimSpace(d.Month)+"-"+strings.TrimSpace(d.Year))
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return "", label + " must be a real date"
	}
	return t.Format(DateLayout), ""
}

// SplitDate turns YYYY-MM-DD back into boxes for a form.
func SplitDate(s string) DateParts {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return DateParts{}
	}
	return DateParts{Day: t.Format("2"), Month: t.Format("1"), Year: t.Format("2006")}
}

// Validate explains every problem with the input.
func (in *AgreementInput) Validate() error {
	var errs apperr.Fields
	in.Title = strings.TrimSpace(in.Title)
	in.Purpose = strings.TrimSpace(in.Purpose)
	if in.Title == "" {
		errs.Add("title", "Enter a title for the agreement")
	} else if len(in.Title) > 200 {
		errs.Add("title", "Title must be 200 characters or fewer")
	}
	if in.Purpose == "" {
		errs.Add("purpose", "Enter the purpose of the agreement")
	} else if len(in.Purpose) > 2000 {
		errs.Add("purpose", "Purpose must be 2000 characters or fewer")
	}
	var msg string
	if in.startsOn, msg = in.Starts.Parse("Start date"); msg != "" {
		errs.Add("starts", msg)
	}
	if !in.Ends.Empty() {
		if in.endsOn, msg = in.Ends.Parse("End date"); msg != "" {
			errs.Add("ends", msg)
		} else if in.startsOn != "" && in.endsOn < in.startsOn {
			errs.Add("ends", "End date must be the same as or after the start date")
		}
	}
	slices.Sort(in.PartyIDs)
	in.PartyIDs = slices.Compact(in.PartyIDs)
	if len(in.PartyIDs) < 2 {
		errs.Add("parties", "Select at least two organisations that share data")
	}
	return errs.Err()
}
