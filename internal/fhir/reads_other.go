package fhir

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// personParty decides how the client's organisation stands to a person, from the referrals
// for them it is party to.
func (s *Service) personParty(ctx context.Context, who Caller, personID int64) (access.ClientParty, error) {
	rows, err := listReferralRows(ctx, s.db.Reader(), referralQuery{org: who.org(), limit: maxCount,
		conds: []string{`r.person_id = ?`}, args: []any{personID}})
	if err != nil {
		return access.NoParty, apperr.Wrap("person access", err)
	}
	parties := make([]access.ReferralParties, len(rows))
	for i, x := range rows {
		parties[i] = x.parties(s.now())
	}
	return s.policy.ClientPerson(who.Principal, parties)
}

// ReadPatient returns a person the client's organisation refers or supports.
func (s *Service) ReadPatient(ctx context.Context, who Caller, id string) (Patient, error) {
	k, err := s.begin(ctx, who, apiclient.ReferralRead)
	if err != nil {
		return Patient{}, err
	}
	pid, ok := k.open(kindPatient, id)
	if !ok {
		return Patient{}, errNoReferral
	}
	party, err := s.personParty(ctx, who, pid)
	if err != nil {
		return Patient{}, asProblem(err, nil)
	}
	p, err := s.people.Get(ctx, pid)
	if err != nil {
		return Patient{}, err
	}
	return patient(k, p, party), s.audit(ctx, who, "fhir.read", "person", pid, "resource=Patient")
}

// SearchPatients finds people by NHS number, among those the client's organisation refers or
// supports: anyone else reads as not there.
func (s *Service) SearchPatients(ctx context.Context, who Caller, q Query) (Bundle, error) {
	k, err := s.begin(ctx, who, apiclient.ReferralRead)
	if err != nil {
		return Bundle{}, err
	}
	p, err := readParams("Patient", q, "identifier")
	if err != nil {
		return Bundle{}, err
	}
	system, value, ok := strings.Cut(p.get("identifier"), "|")
	if !ok || system != SystemNHSNumber {
		return Bundle{}, badRequest("required", "Patient.identifier", "Search patients by identifier=%s|<NHS number>", SystemNHSNumber)
	}
	nhs, msg := person.ParseNHSNumber(value)
	if msg != "" {
		return Bundle{}, unprocessable("value", "Patient.identifier", "%s", msg)
	}
	asOf := s.now()
	ids, err := peopleWithNHSNumber(ctx, s, string(nhs))
	if err != nil {
		return Bundle{}, apperr.Wrap("search patients", err)
	}
	var entries []BundleEntry
	for _, pid := range ids {
		party, err := s.personParty(ctx, who, pid)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return Bundle{}, err
		}
		per, err := s.people.Get(ctx, pid)
		if err != nil {
			return Bundle{}, err
		}
		pt := patient(k, per, party)
		e, err := entry(q, "Patient", pt.ID, "match", pt)
		if err != nil {
			return Bundle{}, err
		}
		entries = append(entries, e)
	}
	return searchset(q, p, entries, "", asOf), s.audit(ctx, who, "fhir.search", "person", 0, fmt.Sprintf("resource=Patient by=nhs_number results=%d", len(entries)))
}

func peopleWithNHSNumber(ctx context.Context, s *Service, nhs string) ([]int64, error) {
	rows, err := s.db.Reader().Query(ctx, `SELECT id FROM people WHERE nhs_number = ? ORDER BY id LIMIT 20`, nhs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ReadCommunication returns a message back about a referral the client's organisation is
// party to.
func (s *Service) ReadCommunication(ctx context.Context, who Caller, id string) (Communication, error) {
	k, err := s.begin(ctx, who, apiclient.ReferralRead)
	if err != nil {
		return Communication{}, err
	}
	mid, ok := k.open(kindCommunication, id)
	if !ok {
		return Communication{}, errNoReferral
	}
	var rid int64
	err = s.db.Reader().QueryRow(ctx, `SELECT referral_id FROM messages WHERE id = ?`, mid).Scan(&rid)
	if errors.Is(err, sql.ErrNoRows) {
		return Communication{}, errNoReferral
	}
	if err != nil {
		return Communication{}, apperr.Wrap("read communication", err)
	}
	comms, err := s.communications(ctx, who, k, rid)
	if err != nil {
		return Communication{}, err
	}
	for _, c := range comms {
		if c.ID == id {
			return c, s.audit(ctx, who, "fhir.read", "referral", rid, "resource=Communication")
		}
	}
	return Communication{}, errNoReferral
}

// communications lists the messages back about a referral the client may see.
func (s *Service) communications(ctx context.Context, who Caller, k ids, rid int64) ([]Communication, error) {
	x, _, err := s.visibleReferral(ctx, who, rid)
	if err != nil {
		return nil, err
	}
	msgs, err := s.referrals.Messages(ctx, rid)
	if err != nil {
		return nil, apperr.Wrap("read communications", err)
	}
	var ods string
	if len(msgs) > 0 {
		p, err := s.people.Get(ctx, x.PersonID)
		if err != nil {
			return nil, err
		}
		ods = p.PracticeODS
	}
	out := make([]Communication, len(msgs))
	for i, m := range msgs {
		out[i] = x.communication(k, m, ods)
	}
	return out, nil
}

// SearchCommunications lists the messages back about one referral: based-on=ServiceRequest/id.
func (s *Service) SearchCommunications(ctx context.Context, who Caller, q Query) (Bundle, error) {
	k, err := s.begin(ctx, who, apiclient.ReferralRead)
	if err != nil {
		return Bundle{}, err
	}
	p, err := readParams("Communication", q, "based-on")
	if err != nil {
		return Bundle{}, err
	}
	if p.get("based-on") == "" {
		return Bundle{}, badRequest("required", "Communication.basedOn", "Search messages by based-on=ServiceRequest/<id>")
	}
	asOf := s.now()
	var entries []BundleEntry
	if rid, ok := k.openRef(kindServiceRequest, p.get("based-on")); ok {
		comms, err := s.communications(ctx, who, k, rid)
		if err != nil && !errors.Is(err, errNoReferral) {
			return Bundle{}, err
		}
		for _, c := range comms {
			e, err := entry(q, "Communication", c.ID, "match", c)
			if err != nil {
				return Bundle{}, err
			}
			entries = append(entries, e)
		}
	}
	return searchset(q, p, entries, "", asOf), s.audit(ctx, who, "fhir.search", "referral", 0, fmt.Sprintf("resource=Communication results=%d", len(entries)))
}

// ReadQuestionnaireResponse returns answers sent with a referral, as they were sent.
func (s *Service) ReadQuestionnaireResponse(ctx context.Context, who Caller, id string) (json.RawMessage, error) {
	k, err := s.begin(ctx, who, apiclient.ReferralRead)
	if err != nil {
		return nil, err
	}
	qid, ok := k.open(kindQuestionnaireResponse, id)
	if !ok {
		return nil, errNoReferral
	}
	var rid int64
	var body string
	var created time.Time
	err = s.db.Reader().QueryRow(ctx, `SELECT referral_id, body, created_at FROM fhir_questionnaire_responses WHERE id = ?`, qid).Scan(&rid, &body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoReferral
	}
	if err != nil {
		return nil, apperr.Wrap("read questionnaire response", err)
	}
	if _, _, err := s.visibleReferral(ctx, who, rid); err != nil {
		return nil, err
	}
	var qr map[string]any
	if err := json.Unmarshal([]byte(body), &qr); err != nil {
		return nil, apperr.Wrap("read questionnaire response", err)
	}
	qr["id"] = id
	qr["meta"] = meta(1, created)
	out, err := marshal(qr)
	if err != nil {
		return nil, err
	}
	return out, s.audit(ctx, who, "fhir.read", "referral", rid, "resource=QuestionnaireResponse")
}

// SearchHealthcareServices lists the services that take referrals, by name (starts with, or
// :contains) and organization (Organization/id, or :identifier=ODS system|code), so that a
// referrer's system can name the right performer.
func (s *Service) SearchHealthcareServices(ctx context.Context, who Caller, q Query) (Bundle, error) {
	k, err := s.begin(ctx, who, apiclient.DirectoryRead)
	if err != nil {
		return Bundle{}, err
	}
	p, err := readParams("HealthcareService", q, "name", "name:contains", "organization", "organization:identifier")
	if err != nil {
		return Bundle{}, err
	}
	asOf := s.now()
	svcs, err := s.referrals.Services(ctx)
	if err != nil {
		return Bundle{}, err
	}
	orgs, err := s.orgsByID(ctx)
	if err != nil {
		return Bundle{}, err
	}
	keep, err := serviceFilter(k, p)
	if err != nil {
		return Bundle{}, err
	}
	var entries []BundleEntry
	for _, svc := range svcs {
		o := orgs[svc.OrganisationID]
		if !keep(svc, o) {
			continue
		}
		hs := healthcareService(k, svc, o)
		e, err := entry(q, "HealthcareService", hs.ID, "match", hs)
		if err != nil {
			return Bundle{}, err
		}
		entries = append(entries, e)
	}
	total := len(entries)
	b := searchset(q, p, entries, "", asOf)
	b.Total = &total
	return b, s.audit(ctx, who, "fhir.search", "service", 0, fmt.Sprintf("resource=HealthcareService results=%d", total))
}

func serviceFilter(k ids, p params) (func(referral.ReceivingService, organisation.Organisation) bool, error) {
	name, contains := strings.ToLower(p.get("name")), strings.ToLower(p.get("name:contains"))
	orgID := int64(-1)
	if v := p.get("organization"); v != "" {
		id, ok := k.openRef(kindOrganization, v)
		if !ok {
			id = 0 // names nothing: matches nothing
		}
		orgID = id
	}
	var ods string
	if v := p.get("organization:identifier"); v != "" {
		system, code, ok := strings.Cut(v, "|")
		if !ok || system != SystemODS {
			return nil, badRequest("value", "HealthcareService.providedBy", "organization:identifier takes %s|<ODS code>", SystemODS)
		}
		ods = strings.ToUpper(code)
	}
	return func(svc referral.ReceivingService, o organisation.Organisation) bool {
		n := strings.ToLower(svc.Name)
		return strings.HasPrefix(n, name) && strings.Contains(n, contains) &&
			(orgID < 0 || svc.OrganisationID == orgID) && (ods == "" || o.ODSCode == ods)
	}, nil
}

func (s *Service) orgsByID(ctx context.Context) (map[int64]organisation.Organisation, error) {
	list, err := s.orgs.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]organisation.Organisation, len(list))
	for _, o := range list {
		out[o.ID] = o
	}
	return out, nil
}

// ReadHealthcareService returns one service that takes referrals.
func (s *Service) ReadHealthcareService(ctx context.Context, who Caller, id string) (HealthcareService, error) {
	k, err := s.begin(ctx, who, apiclient.DirectoryRead)
	if err != nil {
		return HealthcareService{}, err
	}
	sid, ok := k.open(kindHealthcareService, id)
	if !ok {
		return HealthcareService{}, notFound("", "No such HealthcareService")
	}
	svc, err := s.referrals.ReceivingService(ctx, sid)
	if err != nil {
		return HealthcareService{}, err
	}
	o, err := s.orgs.Get(ctx, svc.OrganisationID)
	if err != nil {
		return HealthcareService{}, err
	}
	return healthcareService(k, svc, o), s.audit(ctx, who, "fhir.read", "service", sid, "resource=HealthcareService")
}

// ReadOrganization returns an organisation taking part, which services and references name.
func (s *Service) ReadOrganization(ctx context.Context, who Caller, id string) (Organization, error) {
	k, err := s.begin(ctx, who, apiclient.DirectoryRead)
	if err != nil {
		return Organization{}, err
	}
	oid, ok := k.open(kindOrganization, id)
	if !ok {
		return Organization{}, notFound("", "No such Organization")
	}
	o, err := s.orgs.Get(ctx, oid)
	if err != nil {
		return Organization{}, err
	}
	return organization(k, o), s.audit(ctx, who, "fhir.read", "organisation", oid, "resource=Organization")
}
