package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// This file holds the pages about a person: finding them, and their record with everyone
// involved in their care. Every page here asks the access policy for the signed-in user's
// relationship with the person first, and audits the read with that relationship as its basis.

func personPath(id int64) string { return "/people/" + itoa(id) }

// dayOf shows a moment as the day it fell on in England.
func dayOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(london).Format("2 January 2006")
}

// dayOfISO shows a stored YYYY-MM-DD date as people read it.
func dayOfISO(s string) string {
	t, err := time.Parse(person.DateLayout, s)
	if err != nil {
		return s
	}
	return t.Format("2 January 2006")
}

var relationshipLabels = map[casework.Relationship]string{
	casework.CareTeam:        "You are on their care team",
	casework.TeamHolds:       "Your team holds their case or referral",
	casework.Referrer:        "You referred them",
	casework.EmergencyAccess: "Emergency access: time-limited, with the reason you gave, and reviewed by supervisors",
	casework.SupervisorOf:    "You supervise someone on their care team",
}

// banner is what heads every page about a person: who they are, told apart from anyone else
// with the same name.
type banner struct {
	ID        int64
	Name      string
	NHSNumber string
	Born      string
	Age       int
}

func newBanner(p person.Person) banner {
	return banner{ID: p.ID, Name: p.Name(), NHSNumber: p.NHSNumber.String(), Born: dayOfISO(p.DateOfBirth),
		Age: p.Age(time.Now().In(london))}
}

// searchResult is one person found whom the user has a relationship with.
type searchResult struct {
	ID           int64
	Name         string
	Reason       string
	Relationship string
}

type searchPage struct {
	Searched bool
	Results  []searchResult
}

// handlePersonSearch finds a person by NHS number or name, always with their date of birth.
// It lists only people the user has a relationship with, and says nothing of anyone else.
func (s *Server) handlePersonSearch(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.UseCaseload, access.Resource{}) {
		return
	}
	q := r.URL.Query()
	var p searchPage
	var err error
	if hasSearch(q) {
		var query person.Query
		if query, err = readPersonQuery(q, time.Now().In(london)); err == nil {
			p.Results, err = s.findPeople(r, query)
			p.Searched = err == nil
		}
	}
	if err != nil && !onForm(err) {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Find a person", p)
	v.Form = newForm(q, err)
	s.render(w, r, pageStatus(err), "person_search", v)
}

var searchFields = []string{"nhs_number", "family_name", "given_name", "dob-day", "dob-month", "dob-year"}

func hasSearch(q url.Values) bool {
	for _, f := range searchFields {
		if _, ok := q[f]; ok {
			return true
		}
	}
	return false
}

// readPersonQuery reads the search form: a date of birth, and an NHS number or a last name.
func readPersonQuery(q url.Values, now time.Time) (person.Query, error) {
	var errs apperr.Fields
	query := person.Query{GivenName: strings.TrimSpace(q.Get("given_name")), FamilyName: strings.TrimSpace(q.Get("family_name"))}
	if raw := strings.TrimSpace(q.Get("nhs_number")); raw != "" {
		n, msg := person.ParseNHSNumber(raw)
		if msg != "" {
			errs.Add("nhs_number", msg)
		}
		query.NHSNumber = n
	} else if query.FamilyName == "" {
		errs.Add("nhs_number", "Enter their NHS number, or their last name")
	}
	if len(query.FamilyName) > 100 || len(query.GivenName) > 100 {
		errs.Add("family_name", "Names must be 100 characters or fewer")
	}
	var msg string
	if query.DateOfBirth, msg = readBirthDate(q, "dob", now); msg != "" {
		errs.Add("dob", msg)
	}
	return query, errs.Err()
}

// readBirthDate reads a date of birth typed into the boxes name-day, name-month and name-year.
func readBirthDate(q url.Values, name string, now time.Time) (string, string) {
	d := organisation.DateParts{Day: q.Get(name + "-day"), Month: q.Get(name + "-month"), Year: q.Get(name + "-year")}
	if d.Empty() {
		return "", "Enter their date of birth"
	}
	day, msg := d.Parse("Date of birth")
	if msg != "" {
		return "", msg
	}
	if day > now.Format(person.DateLayout) {
		return "", "Date of birth must be in the past"
	}
	return day, ""
}

// findPeople runs the audited search and keeps the matches the user has a relationship with.
// A number that matches with a different date of birth is never a match here.
func (s *Server) findPeople(r *http.Request, q person.Query) ([]searchResult, error) {
	ctx, u := r.Context(), state(r).user
	found, err := s.People.Find(ctx, actor(r), q)
	if err != nil {
		return nil, err
	}
	var out []searchResult
	for _, m := range found {
		if m.Conflict {
			continue
		}
		rel, err := s.Policy.PersonAccess(ctx, u, m.Person.ID)
		if err != nil {
			continue
		}
		out = append(out, searchResult{ID: m.Person.ID, Name: m.Person.Name(), Reason: m.Reason,
			Relationship: relationshipLabels[rel]})
	}
	return out, nil
}

// personPage is a person's record. A referrer's view (Limited) holds only the banner's name
// and their own referrals with the messages sent back about them.
type personPage struct {
	Banner       banner
	Limited      bool
	Relationship string
	Details      personDetails
	Consents     []consentRow
	Referrals    []referralRow
	Cases        []caseRow
	Team         []teamRow
	Risk         riskFlags
}

type personDetails struct {
	person.Person
	Sex, Ethnic, Carer, Contact string
}

type consentRow struct {
	Kind, Value, By, When string
}

type referralRow struct {
	ID                    int64
	Service, Status, Tag  string
	Received, Needs, Note string
	Messages              []messageRow
}

type messageRow struct {
	Kind, Sent, Codes string
	Lines             []string
}

type caseRow struct {
	ID                                  int64
	Service, Pathway, Tier, Status, Tag string
	Opened                              string
}

type teamRow struct {
	Name, Role, Organisation, Service, Email, Since string
	Lead                                            bool
}

func (s *Server) handlePerson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rel, err := s.Policy.PersonAccess(r.Context(), state(r).user, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showPerson(w, r, id, rel)
}

// showPerson renders a person's record as far as rel allows, auditing the read once.
func (s *Server) showPerson(w http.ResponseWriter, r *http.Request, id int64, rel casework.Relationship) {
	ctx := r.Context()
	p, err := s.People.View(ctx, actor(r), id, string(rel))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := personPage{Banner: newBanner(p), Relationship: relationshipLabels[rel]}
	if rel == casework.Referrer {
		page.Banner = banner{ID: p.ID, Name: p.Name()}
		page.Limited = true
		page.Referrals, err = s.referralRows(ctx, referral.Filter{PersonID: id, ReferrerID: state(r).user.ID}, true)
	} else {
		err = s.fillRecord(ctx, &page, p)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "person", s.newView(r, p.Name(), page))
}

// fillRecord adds everything a care team sees to a person's page.
func (s *Server) fillRecord(ctx context.Context, page *personPage, p person.Person) error {
	page.Details = describePerson(p)
	var err error
	if page.Risk, err = s.Safety.Flags(ctx, p.ID); err != nil {
		return err
	}
	if page.Consents, err = s.consentRows(ctx, p.ID); err != nil {
		return err
	}
	if page.Referrals, err = s.referralRows(ctx, referral.Filter{PersonID: p.ID}, false); err != nil {
		return err
	}
	team, err := s.Cases.CareTeam(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, m := range team {
		page.Team = append(page.Team, teamRow{Name: m.Name, Role: m.Role.Label(), Organisation: m.OrganisationName,
			Service: m.ServiceName, Email: m.Email, Since: dayOfISO(m.From), Lead: m.Lead})
	}
	page.Cases, err = s.personCases(ctx, p.ID)
	return err
}

func describePerson(p person.Person) personDetails {
	d := personDetails{Person: p, Sex: p.Sex.Label(), Ethnic: p.EthnicCategory.Label(), Carer: p.CarerStatus.Label()}
	var methods []string
	for _, m := range p.ContactMethods {
		methods = append(methods, m.Label())
	}
	d.Contact = strings.Join(methods, ", ")
	return d
}

// consentRows lists the consents in force, in the order they are always shown.
func (s *Server) consentRows(ctx context.Context, personID int64) ([]consentRow, error) {
	current, _, err := s.People.Consents(ctx, personID)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	var out []consentRow
	for _, kind := range person.ConsentKinds {
		c, ok := current[kind]
		if !ok {
			out = append(out, consentRow{Kind: person.ConsentLabel(string(kind)), Value: "Not asked yet"})
			continue
		}
		out = append(out, consentRow{Kind: person.ConsentLabel(string(kind)), Value: person.ConsentLabel(c.Value),
			By: s.userName(ctx, names, c.RecordedBy), When: dayOf(c.RecordedAt)})
	}
	return out, nil
}

// userName names who recorded something, remembering names already looked up.
func (s *Server) userName(ctx context.Context, names map[int64]string, id int64) string {
	if id == 0 {
		return "The person themselves"
	}
	if n, ok := names[id]; ok {
		return n
	}
	n := "A former user"
	if u, err := s.Accounts.User(ctx, id); err == nil {
		n = u.Name
	}
	names[id] = n
	return n
}

// referralRows lists referrals with their services' names, and with the messages sent back
// about each when withMessages is set (the referrer's view).
func (s *Server) referralRows(ctx context.Context, f referral.Filter, withMessages bool) ([]referralRow, error) {
	list, err := s.Referrals.List(ctx, f)
	if err != nil {
		return nil, err
	}
	services, err := s.serviceNames(ctx)
	if err != nil {
		return nil, err
	}
	var out []referralRow
	for _, x := range list {
		row := referralRow{ID: x.ID, Service: services[x.ServiceID], Status: x.Status.Label(), Tag: referralTag(x.Status),
			Received: dayOf(x.CreatedAt), Needs: needLabels(x.Needs)}
		if withMessages {
			if row.Messages, err = s.messageRows(ctx, x.ID); err != nil {
				return nil, err
			}
		}
		out = append(out, row)
	}
	return out, nil
}

func (s *Server) messageRows(ctx context.Context, referralID int64) ([]messageRow, error) {
	msgs, err := s.Referrals.Messages(ctx, referralID)
	if err != nil {
		return nil, apperr.Wrap("messages", err)
	}
	out := make([]messageRow, len(msgs))
	for i, m := range msgs {
		var codes []string
		for _, c := range m.Codes {
			codes = append(codes, c.Display+" ("+c.Code+")")
		}
		out[i] = messageRow{Kind: messageKindLabels[m.Kind], Sent: dayOf(m.CreatedAt), Codes: strings.Join(codes, "; "),
			Lines: strings.Split(strings.TrimSpace(m.Body), "\n")}
	}
	return out, nil
}

var messageKindLabels = map[referral.MessageKind]string{
	referral.MessageAccepted: "Referral accepted",
	referral.MessageDeclined: "Referral declined",
	referral.MessageClosed:   "Support ended",
}

func needLabels(needs []referral.Need) string {
	out := make([]string, len(needs))
	for i, n := range needs {
		out[i] = n.Label()
	}
	return strings.Join(out, ", ")
}

func (s *Server) serviceNames(ctx context.Context) (map[int64]string, error) {
	list, err := s.Referrals.Services(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(list))
	for _, x := range list {
		names[x.ID] = x.Name
	}
	return names, nil
}

// personCases lists every case the person has had, open ones first, then newest first.
func (s *Server) personCases(ctx context.Context, personID int64) ([]caseRow, error) {
	services, err := s.serviceNames(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.Cases.PersonCases(ctx, personID)
	if err != nil {
		return nil, err
	}
	out := make([]caseRow, 0, len(list))
	for _, k := range list {
		out = append(out, caseRow{ID: k.ID, Service: services[k.ServiceID], Pathway: k.Pathway.Label(), Tier: k.Tier.Label(),
			Status: k.Status.Label(), Tag: caseTag(k.Status), Opened: dayOf(k.OpenedAt)})
	}
	return out, nil
}

// referralTag is the colour of a referral's status tag.
func referralTag(st referral.Status) string {
	switch st {
	case referral.StatusRequested:
		return "nhsuk-tag--blue"
	case referral.StatusAccepted:
		return "nhsuk-tag--green"
	case referral.StatusRejected:
		return "nhsuk-tag--orange"
	case referral.StatusDraft:
		return "nhsuk-tag--white"
	}
	return "nhsuk-tag--grey"
}

// caseTag is the colour of a case's status tag.
func caseTag(st casework.Status) string {
	switch st {
	case casework.Active:
		return "nhsuk-tag--green"
	case casework.OnHold:
		return "nhsuk-tag--yellow"
	}
	return "nhsuk-tag--grey"
}
