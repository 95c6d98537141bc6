package web

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/fhir"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// referralRoutes lists the pages for making referrals, the triage inbox, one referral with its
// triage and decisions, and the receiving services whose criteria referrers see first.
func (s *Server) referralRoutes() {
	m := s.mux
	m.HandleFunc("GET /referrals", s.handleReferrals)
	m.HandleFunc("GET /referrals/new", s.handleReferralNew)
	m.HandleFunc("POST /referrals/new", s.handleReferralCreate)
	m.HandleFunc("GET /referrals/{id}", s.handleReferral)
	m.HandleFunc("POST /referrals/{id}/triage", s.handleReferralTriage)
	m.HandleFunc("POST /referrals/{id}/decline", s.handleReferralDecline)
	m.HandleFunc("POST /referrals/{id}/withdraw", s.handleReferralWithdraw)
	m.HandleFunc("POST /referrals/{id}/accept", s.handleReferralAccept)

	m.HandleFunc("GET /services", s.handleServices)
	m.HandleFunc("GET /services/new", s.handleServiceNew)
	m.HandleFunc("POST /services/new", s.handleServiceCreate)
	m.HandleFunc("GET /services/{id}", s.handleService)
}

func referralPath(id int64) string { return "/referrals/" + itoa(id) }

var referralNotices = map[string]string{
	"triaged":   "Triage recorded",
	"declined":  "Referral declined: a message has gone back to the referrer",
	"withdrawn": "Referral withdrawn",
}

// triageRoles are the roles that triage referrals for a service their organisation or team runs.
var triageRoles = []account.Role{account.OccupationalTherapist, account.LinkWorker, account.Supervisor, account.ServiceLead}

// canRefer reports whether u may make referrals. It asks the policy's MakeReferral rule
// (referrers, occupational therapists, link workers, supervisors and service leads).
func (s *Server) canRefer(u account.User) bool {
	return s.Policy.Can(context.Background(), u, access.MakeReferral, access.Resource{})
}

// canTriage reports whether u may triage, decline and accept referrals to svc: an occupational
// therapist, link worker, supervisor or service lead in the organisation that runs it or in
// the team that takes its referrals.
func (s *Server) canTriage(u account.User, svc referral.ReceivingService) bool {
	if u.ID == 0 || u.Disabled() || !u.HasAny(triageRoles...) {
		return false
	}
	ownOrg := u.OrganisationID != 0 && u.OrganisationID == svc.OrganisationID
	return ownOrg || svc.TeamID != 0 && slices.Contains(u.TeamIDs, svc.TeamID)
}

var errNotTriager = apperr.New(apperr.Forbidden,
	"Only occupational therapists, link workers, supervisors and service leads in the team that runs this service can triage, decline or accept its referrals")

// inboxRow is one referral in a list, with the names it is shown by.
type inboxRow struct {
	referral.Referral
	PersonName  string
	ServiceName string
	Overdue     bool
	Tag         string // the status tag's colour class
}

type referralsPage struct {
	Triager  bool // holds a triage role: sees the inbox
	CanRefer bool
	Overdue  []inboxRow
	Inbox    []inboxRow
	Made     []inboxRow
	Services []option // the services the user triages, for the filter
	Statuses []option
}

func (s *Server) handleReferrals(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.MakeReferral, access.Resource{}) {
		return
	}
	ctx, u := r.Context(), state(r).user
	services, err := s.Referrals.Services(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := referralsPage{Triager: u.HasAny(triageRoles...), CanRefer: s.canRefer(u), Statuses: statusOptions()}
	names := map[int64]string{}
	var mine []int64
	for _, svc := range services {
		names[svc.ID] = svc.Name
		if s.canTriage(u, svc) {
			mine = append(mine, svc.ID)
			p.Services = append(p.Services, option{Value: itoa(svc.ID), Label: svc.Name})
		}
	}
	vals := values(r.URL.Query())
	var ferr error
	if p.Triager {
		if _, chosen := vals["status"]; !chosen {
			vals["status"] = []string{string(referral.StatusRequested)}
		}
		ferr = s.fillInbox(ctx, &p, vals, mine, names)
	}
	if ferr != nil && !onForm(ferr) {
		s.fail(w, r, ferr)
		return
	}
	made, err := s.Referrals.List(ctx, referral.Filter{ReferrerID: u.ID})
	if err == nil {
		p.Made, err = s.inboxRows(ctx, made, names)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Referrals", p)
	v.Form = newForm(vals, ferr)
	s.render(w, r, pageStatus(ferr), "referrals", v)
}

// fillInbox lists the referrals to the services the user triages, filtered by the GET form,
// with those past their response time also listed on their own.
func (s *Server) fillInbox(ctx context.Context, p *referralsPage, q values, mine []int64, names map[int64]string) error {
	var errs apperr.Fields
	f := referral.Filter{ServiceIDs: mine}
	if id, ok := formID(q.Get("service")); !ok || id != 0 && !slices.Contains(mine, id) {
		errs.Add("service", "Select a service from the list")
	} else if id != 0 {
		f.ServiceIDs = []int64{id}
	}
	if st := referral.Status(q.Get("status")); st != "" && !st.Valid() {
		errs.Add("status", "Select a status from the list")
	} else if st != "" {
		f.Statuses = []referral.Status{st}
	}
	if err := errs.Err(); err != nil || len(mine) == 0 {
		return err
	}
	list, err := s.Referrals.List(ctx, f)
	if err != nil {
		return err
	}
	if p.Inbox, err = s.inboxRows(ctx, list, names); err != nil {
		return err
	}
	for _, row := range p.Inbox {
		if row.Overdue {
			p.Overdue = append(p.Overdue, row)
		}
	}
	return nil
}

// inboxRows names the person and service of each referral. Lists show names only, so they
// read people without auditing; opening a referral audits the view of the person.
func (s *Server) inboxRows(ctx context.Context, list []referral.Referral, services map[int64]string) ([]inboxRow, error) {
	now := time.Now()
	out := make([]inboxRow, 0, len(list))
	for _, ref := range list {
		p, err := s.People.Get(ctx, ref.PersonID)
		if err != nil {
			return nil, err
		}
		out = append(out, inboxRow{Referral: ref, PersonName: p.Name(), ServiceName: services[ref.ServiceID],
			Overdue: ref.Overdue(now), Tag: referralTag(ref.Status)})
	}
	return out, nil
}

func statusOptions() []option {
	out := make([]option, len(referral.Statuses))
	for i, st := range referral.Statuses {
		out[i] = option{Value: string(st), Label: st.Label()}
	}
	return out
}

// referralNewPage is step 1 (choose a service, seeing its criteria) or step 2 (the referral
// form for the chosen Service).
type referralNewPage struct {
	Services       []referral.ReceivingService
	Service        *referral.ReceivingService
	Sources        []option
	Needs          []option
	Urgencies      []option
	ContactMethods []option
	Criteria       []option
	GPSharing      []option
}

func newReferralPage() referralNewPage {
	p := referralNewPage{Criteria: []option{{"yes", "Yes"}, {"no", "No"}, {"unsure", "Not sure"}},
		GPSharing: []option{{"full", "A full summary, including what was talked about"},
			{"codes_only", "Coded information only (what happened, not what was said)"}, {"none", "Nothing"}}}
	for _, x := range referral.Sources {
		p.Sources = append(p.Sources, option{string(x), x.Label()})
	}
	for _, x := range referral.Needs {
		p.Needs = append(p.Needs, option{string(x), x.Label()})
	}
	for _, x := range referral.Urgencies {
		p.Urgencies = append(p.Urgencies, option{string(x), x.Label()})
	}
	for _, x := range person.ContactMethods {
		p.ContactMethods = append(p.ContactMethods, option{string(x), x.Label()})
	}
	return p
}

var errChooseService = apperr.Fields{{Field: "service", Message: "Select the service you are referring to"}}.Err()

func (s *Server) handleReferralNew(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.MakeReferral, access.Resource{}) {
		return
	}
	q := r.URL.Query()
	if !q.Has("service") {
		s.showReferralNew(w, r, http.StatusOK, 0, newForm(nil, nil))
		return
	}
	id, ok := formID(q.Get("service"))
	if !ok || id == 0 {
		s.showReferralNew(w, r, http.StatusBadRequest, 0, newForm(q, errChooseService))
		return
	}
	s.showReferralNew(w, r, http.StatusOK, id, newForm(values{"service": {itoa(id)}, "urgency": {string(referral.UrgencyRoutine)}}, nil))
}

// showReferralNew renders step 1 when serviceID is zero and step 2 for that service otherwise.
func (s *Server) showReferralNew(w http.ResponseWriter, r *http.Request, status int, serviceID int64, f form) {
	p := newReferralPage()
	title := "Choose the service you are referring to"
	if serviceID == 0 {
		list, err := s.Referrals.Services(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Services = list
	} else {
		svc, err := s.Referrals.ReceivingService(r.Context(), serviceID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Service, title = &svc, "Refer someone to "+svc.Name
	}
	v := s.newView(r, title, p)
	v.Form = f
	s.render(w, r, status, "referral_new", v)
}

func (s *Server) handleReferralCreate(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.MakeReferral, access.Resource{}) || !s.parseForm(w, r) {
		return
	}
	ctx, u := r.Context(), state(r).user
	in, err := readReferralInput(r.PostForm)
	if err == nil && in.ServiceID == 0 {
		s.showReferralNew(w, r, http.StatusBadRequest, 0, newForm(r.PostForm, errChooseService))
		return
	}
	if err == nil && in.ExistingPersonID != 0 {
		err = s.checkExistingPerson(ctx, r, in)
	}
	var created referral.Referral
	if err == nil {
		created, err = s.Referrals.Submit(ctx, actor(r), referral.Referrer{UserID: u.ID, Name: u.Name}, in)
	}
	var dup *referral.DuplicatesFound
	switch {
	case errors.As(err, &dup):
		s.showDuplicates(w, r, in.ServiceID, dup)
	case apperr.Is(err, apperr.Invalid):
		s.showReferralNew(w, r, http.StatusBadRequest, in.ServiceID, newForm(r.PostForm, formOrder(err)))
	case err != nil:
		s.fail(w, r, err)
	default:
		redirectSaved(w, r, referralPath(created.ID), "created")
	}
}

// readReferralInput reads the referral form. The person's date of birth is typed as "dob".
func readReferralInput(f url.Values) (referral.Input, error) {
	in := referral.Input{
		Source: referral.Source(f.Get("source")), Needs: f["needs"], Details: f.Get("details"),
		Urgency: referral.Urgency(f.Get("urgency")), KnownRisks: f.Get("known_risks"),
		ConsentGiven: f.Get("consent") == "yes", CriteriaMet: referral.CriteriaAnswer(f.Get("criteria_met")),
		GPSharing:     f.Get("gp_sharing"),
		NotADuplicate: f.Get("not_a_duplicate") == "yes",
		Person: person.Input{
			NHSNumber: f.Get("nhs_number"), GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"),
			DateOfBirth: person.DateParts{Day: f.Get("dob-day"), Month: f.Get("dob-month"), Year: f.Get("dob-year")},
			Postcode:    f.Get("postcode"), Phone: f.Get("phone"), Email: f.Get("email"), Address: f.Get("address"),
			PreferredLanguage: f.Get("preferred_language"), InterpreterNeeded: f.Get("interpreter_needed") == "yes",
		},
	}
	for _, m := range f["contact_methods"] {
		in.Person.ContactMethods = append(in.Person.ContactMethods, person.ContactMethod(m))
	}
	var errs apperr.Fields
	var ok bool
	if in.ServiceID, ok = formID(f.Get("service")); !ok {
		errs.Add("service", "Select a service from the list")
	}
	if in.ExistingPersonID, ok = formID(f.Get("existing_person")); !ok {
		errs.Add("existing_person", "Choose the person from the possible matches")
	}
	if in.AddsToCaseID, ok = formID(f.Get("adds_to_case")); !ok || (in.AddsToCaseID != 0 && in.ExistingPersonID == 0) {
		errs.Add("existing_person", "Choose the person and their case from the possible matches")
	}
	return in, errs.Err()
}

// checkExistingPerson makes sure that the person a referral is added to is one the typed
// details match, so that an altered form cannot attach a referral to anyone else.
func (s *Server) checkExistingPerson(ctx context.Context, r *http.Request, in referral.Input) error {
	p, err := in.Person.Validate(time.Now())
	if err != nil {
		return err
	}
	found, err := s.People.Find(ctx, actor(r), person.Query{NHSNumber: p.NHSNumber, GivenName: p.GivenName,
		FamilyName: p.FamilyName, DateOfBirth: p.DateOfBirth})
	if err != nil {
		return err
	}
	for _, m := range found {
		if m.Person.ID == in.ExistingPersonID && !m.Conflict {
			return nil
		}
	}
	return apperr.New(apperr.Invalid, "The person you chose does not match the details you typed. Check the details and try again.")
}

// referralFieldOrder is the order of the referral form's fields, which the error summary follows.
var referralFieldOrder = []string{"service", "nhs_number", "given_name", "family_name", "dob", "postcode",
	"phone", "email", "address", "contact_methods", "preferred_language", "source", "needs", "details",
	"urgency", "known_risks", "consent", "gp_sharing", "criteria_met"}

// formOrder puts the errors of a referral in the order of the form, naming the date of birth
// by its field on the page.
func formOrder(err error) error {
	return orderFields(err, referralFieldOrder, "date_of_birth", "dob")
}

// orderFields puts an error's field problems in the order the fields appear on the page, and
// renames the field from to to where the page calls it something else.
func orderFields(err error, order []string, from, to string) error {
	ae, ok := apperr.As(err)
	if !ok || len(ae.Fields) == 0 {
		return err
	}
	fields := slices.Clone(ae.Fields)
	for i := range fields {
		if fields[i].Field == from {
			fields[i].Field = to
		}
	}
	rank := func(f apperr.FieldError) int {
		if i := slices.Index(order, f.Field); i >= 0 {
			return i
		}
		return len(order)
	}
	sort.SliceStable(fields, func(i, j int) bool { return rank(fields[i]) < rank(fields[j]) })
	return apperr.Fields(fields).Err()
}

// duplicateMatch is a person who may be the one being referred, with what is open for them.
type duplicateMatch struct {
	person.Match
	Referrals []inboxRow
	CareTeam  []casework.TeamMember // everyone on their open cases, so the referrer can add to them
	OpenCases []casework.TeamMember // each open case, by its lead
}

type hiddenField struct{ Name, Value string }

type duplicatesPage struct {
	Service referral.ReceivingService
	Matches []duplicateMatch
	Hidden  []hiddenField // what was typed, sent again by either choice
}

// showDuplicates stops a referral for someone who may already be known, showing each possible
// match, their referrals and who is already working with them (DESIGN F7); seeing them is a
// read of their record, so each is audited.
func (s *Server) showDuplicates(w http.ResponseWriter, r *http.Request, serviceID int64, dup *referral.DuplicatesFound) {
	ctx := r.Context()
	services, err := s.Referrals.Services(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	p := duplicatesPage{}
	for _, svc := range services {
		names[svc.ID] = svc.Name
		if svc.ID == serviceID {
			p.Service = svc
		}
	}
	for _, m := range dup.Matches {
		if m.Person, err = s.People.View(ctx, actor(r), m.Person.ID, "duplicate check"); err != nil {
			s.fail(w, r, err)
			return
		}
		list, err := s.Referrals.List(ctx, referral.Filter{PersonID: m.Person.ID})
		var rows []inboxRow
		if err == nil {
			rows, err = s.inboxRows(ctx, list, names)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		team, err := s.Cases.CareTeam(ctx, m.Person.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		dm := duplicateMatch{Match: m, Referrals: rows, CareTeam: team}
		for _, tm := range team {
			if tm.Lead {
				dm.OpenCases = append(dm.OpenCases, tm)
			}
		}
		p.Matches = append(p.Matches, dm)
	}
	p.Hidden = hiddenFields(r.PostForm, "existing_person", "not_a_duplicate", "adds_to_case")
	s.render(w, r, http.StatusConflict, "referral_duplicates", s.newView(r, "This person may already be known", p))
}

// hiddenFields lists what a form sent, in a stable order, leaving out the named fields.
func hiddenFields(f url.Values, skip ...string) []hiddenField {
	keys := make([]string, 0, len(f))
	for k := range f {
		if !slices.Contains(skip, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []hiddenField
	for _, k := range keys {
		for _, v := range f[k] {
			out = append(out, hiddenField{k, v})
		}
	}
	return out
}

// referralPage is one referral. Full is false for a referrer, who sees what happened to their
// referral and the messages back, never what the service recorded.
type referralPage struct {
	Referral    referral.Referral
	Service     referral.ReceivingService
	Person      person.Person
	Full        bool
	Triager     bool
	CanWithdraw bool
	Created     bool
	Overdue     bool
	Tag         string
	CanDecide   bool // awaiting triage, and the user triages it
	SNOMED      referral.Code
	Triage      *referral.Triage
	Questions   []referral.TriageQuestion
	Suggestion  *referral.Suggestion
	Tiers       []option
	Pathways    []option
	Reasons     []option
	YesNo       []option
	Messages    []referral.Message
	Engagements []option
	// PossibleDuplicates counts other people with this self-referrer's details: the public
	// page never joins a request to an existing record, so the triager checks.
	PossibleDuplicates int
	// SentDetails are contact details a referrer's system sent for someone already known that
	// differ from their record: shown for the triager to check, never applied unseen.
	SentDetails []fhir.SentDetail
}

// arrivedUnchecked reports whether a referral awaiting triage came in with nobody answering
// the duplicate check: from the public self-referral form, or from a referrer's system over
// FHIR (no signed-in referrer), which joins a record only on NHS number and date of birth.
func arrivedUnchecked(ref referral.Referral) bool {
	return ref.Status == referral.StatusRequested && (ref.Source == referral.SourceSelf || ref.ReferrerID == 0)
}

// referralAccess is what the signed-in user may do with a referral.
type referralAccess struct {
	ref      referral.Referral
	svc      referral.ReceivingService
	triager  bool
	referrer bool
	full     bool
}

// referralFor finds the referral a request is about and decides what the user may do with it:
// triagers of its service act on it, its referrer follows it, and the care team reads it.
func (s *Server) referralFor(w http.ResponseWriter, r *http.Request) (referralAccess, bool) {
	if !s.allowed(w, r, access.MakeReferral, access.Resource{}) {
		return referralAccess{}, false
	}
	ctx, u := r.Context(), state(r).user
	id, err := pathID(r)
	var a referralAccess
	if err == nil {
		a.ref, err = s.Referrals.Get(ctx, id)
	}
	if err == nil {
		a.svc, err = s.Referrals.ReceivingService(ctx, a.ref.ServiceID)
	}
	if err != nil {
		s.fail(w, r, err)
		return a, false
	}
	a.triager = s.canTriage(u, a.svc)
	a.referrer = a.ref.ReferrerID != 0 && a.ref.ReferrerID == u.ID
	a.full = a.triager
	if !a.triager && !a.referrer {
		rel, err := s.Policy.PersonAccess(ctx, u, a.ref.PersonID)
		if err == nil && rel == casework.Referrer {
			// They referred the person before, but not this time: that gives them nothing here.
			err = apperr.New(apperr.Forbidden, "Only the service's team, the person's care team and whoever made this referral can see it")
		}
		if err != nil {
			s.fail(w, r, err)
			return a, false
		}
		a.full = true // the person's care team, or a team holding their case
	}
	return a, true
}

func (s *Server) handleReferral(w http.ResponseWriter, r *http.Request) {
	a, ok := s.referralFor(w, r)
	if !ok {
		return
	}
	f := newForm(nil, nil)
	if a.triager {
		f = newForm(s.triageValues(r.Context(), a.ref), nil)
	}
	s.showReferral(w, r, http.StatusOK, a, f)
}

// triageValues fills the triage form from the latest triage, if there is one.
func (s *Server) triageValues(ctx context.Context, ref referral.Referral) values {
	t, err := s.Referrals.LatestTriage(ctx, ref.ID)
	if err != nil {
		return values{}
	}
	v := values{"tier": {string(t.Decision.Tier)}, "pathway": {string(t.Decision.Pathway)}, "rationale": {t.Decision.Rationale}}
	for _, q := range t.Answers.Questions() {
		v[q.Name] = []string{yesNo(q.Answer)}
	}
	return v
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// showReferral renders the referral as a.ref's reader may see it, with the forms its triager
// may use. The person's record is read through View, which audits the access.
func (s *Server) showReferral(w http.ResponseWriter, r *http.Request, status int, a referralAccess, f form) {
	ctx := r.Context()
	basis := "referrer"
	if a.full {
		basis = "referral"
	}
	pers, err := s.People.View(ctx, actor(r), a.ref.PersonID, basis)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := referralPage{Referral: a.ref, Service: a.svc, Person: pers, Full: a.full, Triager: a.triager,
		CanWithdraw: (a.triager || a.referrer) && referral.CanTransition(a.ref.Status, referral.StatusCancelled),
		Created:     r.URL.Query().Get("saved") == "created", Overdue: a.ref.Overdue(time.Now()), Tag: referralTag(a.ref.Status),
		CanDecide: a.triager && a.ref.Status == referral.StatusRequested,
		SNOMED:    referral.Code{Code: referral.SNOMEDReferralToSocialPrescribing, Display: referral.SNOMEDReferralToSocialPrescribingDisplay},
	}
	if p.Messages, err = s.Referrals.Messages(ctx, a.ref.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if a.full {
		if t, err := s.Referrals.LatestTriage(ctx, a.ref.ID); err == nil {
			p.Triage = &t
		} else if !apperr.Is(err, apperr.NotFound) {
			s.fail(w, r, err)
			return
		}
	}
	if a.triager {
		fillTriageForm(&p, f)
		if arrivedUnchecked(a.ref) {
			found, err := s.People.Find(ctx, actor(r), person.Query{NHSNumber: pers.NHSNumber, GivenName: pers.GivenName,
				FamilyName: pers.FamilyName, DateOfBirth: pers.DateOfBirth})
			if err != nil {
				s.fail(w, r, err)
				return
			}
			for _, m := range found {
				if m.Person.ID != pers.ID {
					p.PossibleDuplicates++
				}
			}
		}
		if a.ref.Status == referral.StatusRequested {
			if p.SentDetails, err = s.FHIR.SentDetails(ctx, a.ref.ID); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	title := "Referral for " + pers.Name()
	if !a.full {
		title = "Your referral to " + a.svc.Name
	}
	v := s.newView(r, title, p)
	v.Form = f
	v.Notice = savedNotice(r, referralNotices)
	s.render(w, r, status, "referral", v)
}

// fillTriageForm adds the triage questions, and the suggestion once every question is answered.
func fillTriageForm(p *referralPage, f form) {
	p.YesNo = []option{{"yes", "Yes"}, {"no", "No"}}
	answers, err := readTriageAnswers(f.Values)
	p.Questions = answers.Questions()
	if err == nil {
		sug := referral.Suggest(answers, p.Referral.Needs)
		p.Suggestion = &sug
	}
	for _, t := range referral.Tiers {
		p.Tiers = append(p.Tiers, option{string(t), t.Label()})
	}
	for _, pw := range referral.Pathways {
		p.Pathways = append(p.Pathways, option{string(pw), pw.Label()})
	}
	for _, reason := range referral.RejectReasons {
		p.Reasons = append(p.Reasons, option{string(reason), reason.Label()})
	}
	for _, e := range casework.Engagements {
		p.Engagements = append(p.Engagements, option{string(e), e.Label()})
	}
	p.Engagements = append(p.Engagements, option{"", "Not applicable: I am not an occupational therapist"})
}

// readTriageAnswers reads the yes or no answer to every complexity question, asking for any
// left unanswered.
func readTriageAnswers(f values) (referral.TriageAnswers, error) {
	var errs apperr.Fields
	for _, q := range (referral.TriageAnswers{}).Questions() {
		if v := f.Get(q.Name); v != "yes" && v != "no" {
			errs.Add(q.Name, "Select yes or no: "+q.Text)
		}
	}
	return referral.ReadTriageAnswers(func(name string) bool { return f.Get(name) == "yes" }), errs.Err()
}

// handleReferralTriage shows the suggested tier and pathway for the answers (action=suggest),
// or records the triager's decision.
func (s *Server) handleReferralTriage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.referralFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	if !a.triager {
		s.fail(w, r, errNotTriager)
		return
	}
	vals := values(r.PostForm)
	answers, err := readTriageAnswers(vals)
	if r.PostForm.Get("action") == "suggest" {
		if err == nil {
			// A new suggestion resets the choice to it; the triager departs from it deliberately.
			sug := referral.Suggest(answers, a.ref.Needs)
			vals = values(maps.Clone(r.PostForm))
			vals["tier"], vals["pathway"] = []string{string(sug.Tier)}, []string{string(sug.Pathway)}
		}
		s.showReferral(w, r, pageStatus(err), a, newForm(vals, err))
		return
	}
	if err == nil {
		d := referral.Decision{Tier: referral.Tier(vals.Get("tier")), Pathway: referral.Pathway(vals.Get("pathway")), Rationale: vals.Get("rationale")}
		_, err = s.Referrals.RecordTriage(r.Context(), actor(r), a.ref.ID, answers, d)
	}
	if err != nil {
		s.showReferralProblem(w, r, a, err)
		return
	}
	redirectSaved(w, r, referralPath(a.ref.ID), "triaged")
}

// showReferralProblem shows the referral again with what was typed and what is wrong. After a
// conflict (someone else acted first, or the move is not allowed) it shows the referral as it
// is now with the message, so the triager sees what happened before trying again.
func (s *Server) showReferralProblem(w http.ResponseWriter, r *http.Request, a referralAccess, err error) {
	if !onForm(err) {
		s.fail(w, r, err)
		return
	}
	if apperr.Is(err, apperr.Conflict) {
		fresh, ferr := s.Referrals.Get(r.Context(), a.ref.ID)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		a.ref = fresh
	}
	s.showReferral(w, r, statusOf(err), a, newForm(r.PostForm, err))
}

func (s *Server) handleReferralDecline(w http.ResponseWriter, r *http.Request) {
	a, ok := s.referralFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	if !a.triager {
		s.fail(w, r, errNotTriager)
		return
	}
	f := r.PostForm
	_, err := s.Referrals.Decide(r.Context(), actor(r), a.ref.ID, formVersion(f), referral.StatusRejected,
		referral.RejectReason(f.Get("reason")), f.Get("note"))
	if err != nil {
		s.showReferralProblem(w, r, a, err)
		return
	}
	redirectSaved(w, r, referralPath(a.ref.ID), "declined")
}

func (s *Server) handleReferralWithdraw(w http.ResponseWriter, r *http.Request) {
	a, ok := s.referralFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	if !a.triager && !a.referrer {
		s.fail(w, r, apperr.New(apperr.Forbidden, "Only the person who made a referral, or the team that triages it, can withdraw it"))
		return
	}
	_, err := s.Referrals.Decide(r.Context(), actor(r), a.ref.ID, formVersion(r.PostForm), referral.StatusCancelled, "", "")
	if err != nil {
		s.showReferralProblem(w, r, a, err)
		return
	}
	redirectSaved(w, r, referralPath(a.ref.ID), "withdrawn")
}

// handleReferralAccept authorises acceptance; acceptReferral opens the case.
func (s *Server) handleReferralAccept(w http.ResponseWriter, r *http.Request) {
	a, ok := s.referralFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	if !a.triager {
		s.fail(w, r, errNotTriager)
		return
	}
	s.acceptReferral(w, r, a)
}
