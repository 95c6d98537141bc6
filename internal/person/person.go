package person

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/postcode"
)

// Person is someone referred for social prescribing. NHSNumber may be empty on a
// self-referral, which is flagged until it is traced.
type Person struct {
	ID                 int64
	NHSNumber          NHSNumber
	GivenName          string
	FamilyName         string
	DateOfBirth        string // YYYY-MM-DD
	Sex                Sex
	Gender             string // in the person's own words
	EthnicCategory     EthnicCategory
	Postcode           string
	Address            string
	Phone              string
	Email              string
	ContactMethods     []ContactMethod
	DoNotContact       bool
	PreferredLanguage  string
	InterpreterNeeded  bool
	AccessibilityNeeds string
	PracticeODS        string
	CarerStatus        CarerStatus
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int64
}

// Name is the person's full name.
func (p Person) Name() string { return strings.TrimSpace(p.GivenName + " " + p.FamilyName) }

// Age is the person's age in whole years on a day.
func (p Person) Age(on time.Time) int {
	dob, err := time.Parse(DateLayout, p.DateOfBirth)
	if err != nil {
		return 0
	}
	age := on.Year() - dob.Year()
	if on.YearDay() < dob.YearDay() {
		age--
	}
	return age
}

// DateLayout is how dates of birth are stored.
const DateLayout = "2006-01-02"

// Sex as recorded in NHS systems.
type Sex string

const (
	Female     Sex = "female"
	Male       Sex = "male"
	OtherSex   Sex = "other"
	SexUnknown Sex = "not_known"
)

// Sexes lists the choices in order.
var Sexes = []Sex{Female, Male, OtherSex, SexUnknown}

var sexLabels = map[Sex]string{Female: "Female", Male: "Male", OtherSex: "Other", SexUnknown: "Not known"}

// Label names the value for people.
func (s Sex) Label() string { return sexLabels[s] }

// EthnicCategory is the NHS Data Dictionary's ethnic category code.
type EthnicCategory string

// EthnicCategories lists the codes in the Data Dictionary's order, with "not stated" last.
var EthnicCategories = []EthnicCategory{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z"}

var ethnicLabels = map[EthnicCategory]string{
	"A": "White: British", "B": "White: Irish", "C": "White: any other White background",
	"D": "Mixed: White and Black Caribbean", "E": "Mixed: White and Black African", "F": "Mixed: White and Asian",
	"G": "Mixed: any other mixed background", "H": "Asian or Asian British: Indian", "J": "Asian or Asian British: Pakistani",
	"K": "Asian or Asian British: Bangladeshi", "L": "Asian or Asian British: any other Asian background",
	"M": "Black or Black British: Caribbean", "N": "Black or Black British: African",
	"P": "Black or Black British: any other Black background", "R": "Other ethnic groups: Chinese",
	"S": "Other ethnic groups: any other ethnic group", "Z": "Not stated",
}

// Label names the category for people.
func (e EthnicCategory) Label() string { return ethnicLabels[e] }

// ContactMethod is a way the person is happy to be contacted.
type ContactMethod string

const (
	ByPhone  ContactMethod = "phone"
	BySMS    ContactMethod = "sms"
	ByEmail  ContactMethod = "email"
	ByLetter ContactMethod = "letter"
)

// ContactMethods lists the choices in order.
var ContactMethods = []ContactMethod{ByPhone, BySMS, ByEmail, ByLetter}

var contactLabels = map[ContactMethod]string{ByPhone: "Phone call", BySMS: "Text message", ByEmail: "Email", ByLetter: "Letter"}

// Label names the method for people.
func (c ContactMethod) Label() string { return contactLabels[c] }

// CarerStatus says whether the person cares for someone, or is cared for.
type CarerStatus string

// CarerStatuses lists the choices in order.
var CarerStatuses = []CarerStatus{"is_carer", "has_carer", "both", "neither", "not_known"}

var carerLabels = map[CarerStatus]string{
	"is_carer": "Is a carer", "has_carer": "Has a carer", "both": "Is a carer and has a carer",
	"neither": "Neither", "not_known": "Not known",
}

// Label names the status for people.
func (c CarerStatus) Label() string { return carerLabels[c] }

var odsPattern = regexp.MustCompile(`^[A-Z0-9]{3,6}$`)

// normalisePostcode puts a typed postcode in its printed form, or reports that it is not a
// full UK postcode; an empty one is allowed.
func normalisePostcode(s string) (string, bool) {
	if strings.TrimSpace(s) == "" {
		return "", true
	}
	n, err := postcode.Normalise(s)
	return n, err == nil
}

// Input is what recording or editing a person takes. NHSNumber is as typed.
type Input struct {
	NHSNumber          string
	NHSNumberOptional  bool // self-referral: the number may be traced later
	GivenName          string
	FamilyName         string
	DateOfBirth        DateParts
	Sex                Sex
	Gender             string
	EthnicCategory     EthnicCategory
	Postcode           string
	Address            string
	Phone              string
	Email              string
	ContactMethods     []ContactMethod
	DoNotContact       bool
	PreferredLanguage  string
	InterpreterNeeded  bool
	AccessibilityNeeds string
	PracticeODS        string
	CarerStatus        CarerStatus
	Version            int64
}

// DateParts is a date typed into day, month and year boxes.
type DateParts struct{ Day, Month, Year string }

// Validate checks the input and returns the person it describes, or every problem by field.
func (in Input) Validate(now time.Time) (Person, error) {
	var errs apperr.Fields
	p := Person{
		GivenName: strings.TrimSpace(in.GivenName), FamilyName: strings.TrimSpace(in.FamilyName),
		Sex: in.Sex, Gender: strings.TrimSpace(in.Gender), EthnicCategory: in.EthnicCategory,
		Address: strings.TrimSpace(in.Address), Phone: strings.TrimSpace(in.Phone),
		Email:          strings.ToLower(strings.TrimSpace(in.Email)),
		ContactMethods: in.ContactMethods, DoNotContact: in.DoNotContact,
		PreferredLanguage: strings.TrimSpace(in.PreferredLanguage), InterpreterNeeded: in.InterpreterNeeded,
		AccessibilityNeeds: strings.TrimSpace(in.AccessibilityNeeds), PracticeODS: strings.ToUpper(strings.TrimSpace(in.PracticeODS)),
		CarerStatus: in.CarerStatus, Version: in.Version,
	}
	if strings.TrimSpace(in.NHSNumber) != "" || !in.NHSNumberOptional {
		n, msg := ParseNHSNumber(in.NHSNumber)
		if msg != "" {
			errs.Add("nhs_number", msg)
		}
		p.NHSNumber = n
	}
	required(&errs, "given_name", p.GivenName, "Enter their first name", 100)
	required(&errs, "family_name", p.FamilyName, "Enter their last name", 100)
	var msg string
	if p.DateOfBirth, msg = in.DateOfBirth.birthDate(now); msg != "" {
		errs.Add("date_of_birth", msg)
	}
	validateChoices(&errs, &p)
	validateContact(&errs, &p, in.Postcode)
	if p.PracticeODS != "" && !odsPattern.MatchString(p.PracticeODS) {
		errs.Add("practice_ods", "GP practice code must be 3 to 6 letters and numbers, like Y90001")
	}
	limit(&errs, "address", p.Address, "Address", 500)
	limit(&errs, "accessibility_needs", p.AccessibilityNeeds, "Accessibility needs", 2000)
	limit(&errs, "gender", p.Gender, "Gender", 100)
	limit(&errs, "preferred_language", p.PreferredLanguage, "Preferred language", 100)
	return p, errs.Err()
}

func validateChoices(errs *apperr.Fields, p *Person) {
	if p.Sex == "" {
		p.Sex = SexUnknown
	}
	if !slices.Contains(Sexes, p.Sex) {
		errs.Add("sex", "Select their sex from the list")
	}
	if p.EthnicCategory == "" {
		p.EthnicCategory = "Z"
	}
	if !slices.Contains(EthnicCategories, p.EthnicCategory) {
		errs.Add("ethnic_category", "Select an ethnic category from the list")
	}
	if p.CarerStatus == "" {
		p.CarerStatus = "not_known"
	}
	if !slices.Contains(CarerStatuses, p.CarerStatus) {
		errs.Add("carer_status", "Select whether they are a carer from the list")
	}
	for _, m := range p.ContactMethods {
		if !slices.Contains(ContactMethods, m) {
			errs.Add("contact_methods", "Select contact methods from the list")
			break
		}
	}
	slices.Sort(p.ContactMethods)
	p.ContactMethods = slices.Compact(p.ContactMethods)
}

func validateContact(errs *apperr.Fields, p *Person, typedPostcode string) {
	var ok bool
	if p.Postcode, ok = normalisePostcode(typedPostcode); !ok {
		p.Postcode = strings.TrimSpace(typedPostcode)
		errs.Add("postcode", "Enter a real postcode, like LS1 4AP")
	}
	if p.Email != "" {
		if !ValidEmail(p.Email) {
			errs.Add("email", "Enter an email address in the correct format, like name@example.com")
		}
	}
	if p.Phone != "" && strings.Trim(p.Phone, "0123456789 +()-") != "" {
		errs.Add("phone", "Phone number must only include numbers, spaces, brackets, dashes and +")
	}
	wants := func(m ContactMethod) bool { return slices.Contains(p.ContactMethods, m) }
	if (wants(ByPhone) || wants(BySMS)) && p.Phone == "" {
		errs.Add("phone", "Enter a phone number, or untick phone and text message")
	}
	if wants(ByEmail) && p.Email == "" {
		errs.Add("email", "Enter an email address, or untick email")
	}
	if wants(ByLetter) && p.Address == "" {
		errs.Add("address", "Enter an address, or untick letter")
	}
}

func required(errs *apperr.Fields, field, v, missing string, max int) {
	if v == "" {
		errs.Add(field, missing)
		return
	}
	if len(v) > max {
		errs.Add(field, "This must be "+strconv.Itoa(max)+" characters or fewer")
	}
}

func limit(errs *apperr.Fields, field, v, label string, max int) {
	if len(v) > max {
		errs.Add(field, label+" must be "+strconv.Itoa(max)+" characters or fewer")
	}
}

// birthDate reads a date of birth, which must be real and in the past.
func (d DateParts) birthDate(now time.Time) (string, string) {
	day, month, year := strings.TrimSpace(d.Day), strings.TrimSpace(d.Month), strings.TrimSpace(d.Year)
	if day == "" && month == "" && year == "" {
		return "", "Enter their date of birth"
	}
	if day == "" || month == "" || year == "" {
		return "", "Date of birth must include a day, month and year"
	}
	t, err := time.Parse("2-1-2006", day+"-"+month+"-"+year)
	if err != nil || len(year) != 4 {
		return "", "Date of birth must be a real date"
	}
	if !t.Before(now) {
		return "", "Date of birth must be in the past"
	}
	if now.Year()-t.Year() > 125 {
		return "", "Date of birth must be within the last 125 years"
	}
	return t.Format(DateLayout), ""
}
