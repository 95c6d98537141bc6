package directory

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/linkwell/linkwell/internal/apperr"
)

// ListingEdit is what a provider or service lead may change in a listing, as a form holds it:
// the details people read, the public contact, the main weekly session, the cost, and what
// social prescribing needs. Each field's form name is its key in Values and in the errors
// Validate returns. A listing with several schedules, contacts or cost options is edited in
// its first public one; the rest are kept as published.
type ListingEdit struct {
	Name, Description, Email, URL, Phone    string
	ContactName, ContactEmail, ContactPhone string
	Days                                    []string // MO, TU, ... SU
	OpensAt, ClosesAt, When                 string   // HH:MM, HH:MM, and the schedule in words
	Cost                                    string   // free, paid or "" for not known
	Amount, CostNote                        string   // pounds a session, and the cost in words
	Capacity, WaitWeeks, Route              string
	FirstSession                            string // support to come the first time; "" for none
}

// ListingDays are the weekdays a session can run on, as BYDAY codes, Monday first.
var ListingDays = []Weekday{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// EditOf is the edit that would leave s as it is, to start the form from.
func EditOf(s Service) ListingEdit {
	e := ListingEdit{Name: s.Name, Description: s.Description, Email: s.Email, URL: s.URL,
		Capacity: string(s.Capacity), Route: string(s.ReferralRoute), FirstSession: s.FirstSessionSupport}
	if len(s.Phones) > 0 {
		e.Phone = s.Phones[0].Number
	}
	if k := publicContact(s); k != nil {
		e.ContactName, e.ContactEmail = k.Name, k.Email
		if len(k.Phones) > 0 {
			e.ContactPhone = k.Phones[0].Number
		}
	}
	if len(s.Schedules) > 0 {
		sc := s.Schedules[0]
		for d := range strings.SplitSeq(sc.ByDay, ",") {
			if d = strings.TrimSpace(d); len(d) == 2 {
				e.Days = append(e.Days, d)
			}
		}
		e.OpensAt, e.ClosesAt, e.When = hhmm(sc.OpensAt), hhmm(sc.ClosesAt), sc.Description
	}
	if len(s.CostOptions) > 0 {
		o := s.CostOptions[0]
		e.CostNote = o.AmountDescription
		switch {
		case o.Amount != nil && *o.Amount == 0:
			e.Cost = "free"
		case o.Amount != nil:
			e.Cost, e.Amount = "paid", strconv.FormatFloat(*o.Amount, 'f', 2, 64)
		}
	}
	if s.TypicalWaitDays != nil {
		e.WaitWeeks = strconv.Itoa((*s.TypicalWaitDays + 6) / 7)
	}
	return e
}

func hhmm(v string) string { return v[:min(5, len(v))] }

// publicContact is the first contact the open feed shows, which the form edits.
func publicContact(s Service) *Contact {
	for i := range s.Contacts {
		if !s.Contacts[i].InternalOnly {
			return &s.Contacts[i]
		}
	}
	return nil
}

// Values is the edit as form values, by field name.
func (e ListingEdit) Values() map[string][]string {
	one := func(v string) []string { return []string{v} }
	return map[string][]string{
		"name": one(e.Name), "description": one(e.Description), "email": one(e.Email), "url": one(e.URL),
		"phone": one(e.Phone), "contact_name": one(e.ContactName), "contact_email": one(e.ContactEmail),
		"contact_phone": one(e.ContactPhone), "days": slices.Clone(e.Days), "opens_at": one(e.OpensAt),
		"closes_at": one(e.ClosesAt), "when": one(e.When), "cost": one(e.Cost), "amount": one(e.Amount),
		"cost_note": one(e.CostNote), "capacity": one(e.Capacity), "wait_weeks": one(e.WaitWeeks),
		"route": one(e.Route), "first_session": one(e.FirstSession),
	}
}

// ListingEditFrom reads an edit from form values named as Values names them.
func ListingEditFrom(v map[string][]string) ListingEdit {
	get := func(name string) string {
		if len(v[name]) == 0 {
			return ""
		}
		return strings.TrimSpace(v[name][0])
	}
	return ListingEdit{Name: get("name"), Description: get("description"), Email: get("email"), URL: get("url"),
		Phone: get("phone"), ContactName: get("contact_name"), ContactEmail: get("contact_email"),
		ContactPhone: get("contact_phone"), Days: slices.Clone(v["days"]), OpensAt: get("opens_at"),
		ClosesAt: get("closes_at"), When: get("when"), Cost: get("cost"), Amount: strings.TrimPrefix(get("amount"), "£"),
		CostNote: get("cost_note"), Capacity: get("capacity"), WaitWeeks: get("wait_weeks"), Route: get("route"),
		FirstSession: get("first_session")}
}

var (
	clockHHMM   = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
	phoneNumber = regexp.MustCompile(`^\+?[0-9 ()-]{6,30}$`)
)

// Validate explains every problem with the edit, by form field, in words for the person
// filling the form in.
func (e ListingEdit) Validate() error {
	var errs apperr.Fields
	required(&errs, "name", e.Name, "Enter the name of the service")
	within(&errs, "name", e.Name, "Name", 200)
	within(&errs, "description", e.Description, "Description", 4000)
	checkEmail(&errs, "email", e.Email)
	if e.URL != "" && !strings.HasPrefix(e.URL, "https://") && !strings.HasPrefix(e.URL, "http://") || len(e.URL) > maxURL {
		errs.Add("url", "Enter the website's full address, like https://example.org")
	}
	checkPhone(&errs, "phone", e.Phone)
	within(&errs, "contact_name", e.ContactName, "Contact name", 200)
	checkEmail(&errs, "contact_email", e.ContactEmail)
	checkPhone(&errs, "contact_phone", e.ContactPhone)
	e.checkSession(&errs)
	e.checkCost(&errs)
	if !slices.Contains([]string{string(CapacityAccepting), string(CapacityWaitingList), string(CapacityFull)}, e.Capacity) {
		errs.Add("capacity", "Select whether the service can take people now")
	}
	if e.WaitWeeks != "" {
		if n, err := strconv.Atoi(e.WaitWeeks); err != nil || n < 0 || n > 520 {
			errs.Add("wait_weeks", "Typical wait must be a whole number of weeks from 0 to 520")
		}
	}
	if !slices.Contains([]string{string(RouteDropIn), string(RouteSelfReferral), string(RouteNeedsReferral)}, e.Route) {
		errs.Add("route", "Select how people get to the service")
	}
	within(&errs, "first_session", e.FirstSession, "Support for the first session", 1000)
	return errs.Err()
}

func (e ListingEdit) checkSession(errs *apperr.Fields) {
	for _, d := range e.Days {
		if !slices.Contains(ListingDays, Weekday(d)) {
			errs.Add("days", "Select the days from the list")
			break
		}
	}
	for _, t := range []struct{ field, v, label string }{{"opens_at", e.OpensAt, "start"}, {"closes_at", e.ClosesAt, "finish"}} {
		if t.v != "" && !clockHHMM.MatchString(t.v) {
			errs.Add(t.field, "Enter the "+t.label+" time in hours and minutes on the 24-hour clock, like 14:30")
		}
	}
	switch {
	case (e.OpensAt == "") != (e.ClosesAt == ""):
		errs.Add(map[bool]string{true: "opens_at", false: "closes_at"}[e.OpensAt == ""], "Enter both the start and the finish time, or neither")
	case e.OpensAt != "" && clockHHMM.MatchString(e.OpensAt) && clockHHMM.MatchString(e.ClosesAt) && e.ClosesAt <= e.OpensAt:
		errs.Add("closes_at", "Finish time must be after the start time")
	case e.OpensAt != "" && len(e.Days) == 0:
		errs.Add("days", "Select the days the session runs on")
	}
	within(errs, "when", e.When, "When it runs", 500)
}

func (e ListingEdit) checkCost(errs *apperr.Fields) {
	switch e.Cost {
	case "", "free":
	case "paid":
		amount, err := strconv.ParseFloat(e.Amount, 64)
		if err != nil || amount <= 0 || amount > 10000 || math.IsNaN(amount) {
			errs.Add("amount", "Enter the cost of a session in pounds, like 3.50")
		}
	default:
		errs.Add("cost", "Select whether the service is free or paid for")
	}
	within(errs, "cost_note", e.CostNote, "Cost in words", 500)
}

func required(errs *apperr.Fields, field, v, msg string) {
	if v == "" {
		errs.Add(field, msg)
	}
}

func within(errs *apperr.Fields, field, v, label string, max int) {
	if utf8.RuneCountInString(v) > max {
		errs.Add(field, fmt.Sprintf("%s must be %d characters or fewer", label, max))
	}
}

func checkEmail(errs *apperr.Fields, field, v string) {
	c := newChecker()
	if c.email(field, v); c.err() != nil {
		errs.Add(field, "Enter an email address in the correct format, like name@example.org")
	}
}

func checkPhone(errs *apperr.Fields, field, v string) {
	if v != "" && !phoneNumber.MatchString(v) {
		errs.Add(field, "Enter a phone number, like 01632 960 001")
	}
}

// changedFrom names the fields of e that differ from old, for the audit log.
func (e ListingEdit) changedFrom(old ListingEdit) []string {
	a, b := e.Values(), old.Values()
	var out []string
	for name, v := range a {
		if !slices.Equal(v, b[name]) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// apply writes a valid edit into s.
func (e ListingEdit) apply(s *Service) {
	s.Name, s.Description, s.Email, s.URL = e.Name, e.Description, e.Email, e.URL
	s.Phones = setPhone(s.Phones, e.Phone)
	e.applyContact(s)
	e.applySchedule(s)
	e.applyCost(s)
	s.Capacity, s.ReferralRoute, s.FirstSessionSupport = Capacity(e.Capacity), ReferralRoute(e.Route), e.FirstSession
	s.TypicalWaitDays = nil
	if n, err := strconv.Atoi(e.WaitWeeks); err == nil && e.Capacity == string(CapacityWaitingList) {
		days := n * 7
		s.TypicalWaitDays = &days
	}
}

// setPhone puts number first in phones, or takes the first away when number is blank.
func setPhone(phones []Phone, number string) []Phone {
	switch {
	case number == "" && len(phones) > 0:
		return phones[1:]
	case number == "":
		return phones
	case len(phones) > 0:
		phones = slices.Clone(phones)
		phones[0].Number = number
		return phones
	}
	return []Phone{{ID: newID(), Number: number}}
}

func (e ListingEdit) applyContact(s *Service) {
	blank := e.ContactName == "" && e.ContactEmail == "" && e.ContactPhone == ""
	s.Contacts = slices.Clone(s.Contacts)
	k := publicContact(*s)
	switch {
	case k == nil && blank:
		return
	case k == nil:
		s.Contacts = append(s.Contacts, Contact{ID: newID()})
		k = &s.Contacts[len(s.Contacts)-1]
	case blank:
		id := k.ID
		s.Contacts = slices.DeleteFunc(s.Contacts, func(c Contact) bool { return c.ID == id && !c.InternalOnly })
		return
	}
	k.Name, k.Email = e.ContactName, e.ContactEmail
	k.Phones = setPhone(k.Phones, e.ContactPhone)
}

func (e ListingEdit) applySchedule(s *Service) {
	blank := len(e.Days) == 0 && e.OpensAt == "" && e.When == ""
	switch {
	case blank && len(s.Schedules) > 0:
		s.Schedules = s.Schedules[1:]
		return
	case blank:
		return
	case len(s.Schedules) == 0:
		s.Schedules = []Schedule{{ID: newID()}}
	default:
		s.Schedules = slices.Clone(s.Schedules)
	}
	sc := &s.Schedules[0]
	sc.ByDay, sc.Description, sc.Freq = strings.Join(e.Days, ","), e.When, ""
	if sc.ByDay != "" {
		sc.Freq = "WEEKLY"
	}
	sc.OpensAt, sc.ClosesAt = e.OpensAt, e.ClosesAt
}

func (e ListingEdit) applyCost(s *Service) {
	if e.Cost == "" && e.CostNote == "" {
		if len(s.CostOptions) > 0 {
			s.CostOptions = s.CostOptions[1:]
		}
		return
	}
	if len(s.CostOptions) == 0 {
		s.CostOptions = []CostOption{{ID: newID(), Currency: "GBP"}}
	} else {
		s.CostOptions = slices.Clone(s.CostOptions)
	}
	o := &s.CostOptions[0]
	o.AmountDescription, o.Amount = e.CostNote, nil
	switch e.Cost {
	case "free":
		zero := 0.0
		o.Amount = &zero
	case "paid":
		amount, _ := strconv.ParseFloat(e.Amount, 64)
		amount = math.Round(amount*100) / 100
		o.Amount = &amount
	}
	s.Fees = e.CostNote
}
