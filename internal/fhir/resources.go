package fhir

import (
	"strings"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// patient is the Patient resource for a person, as a party may see it: the performer sees
// the demographics and contact details Linkwell holds; the requester sees only what a
// referral identifies them by (DESIGN §4: a referrer sees status and feedback).
func patient(k ids, p person.Person, party access.ClientParty) Patient {
	out := Patient{ResourceType: "Patient", ID: k.seal(kindPatient, p.ID), Meta: meta(p.Version, p.UpdatedAt),
		Name:   []HumanName{{Use: "official", Family: p.FamilyName, Given: strings.Fields(p.GivenName)}},
		Gender: sexGenders[p.Sex], BirthDate: p.DateOfBirth}
	if p.NHSNumber != "" {
		out.Identifier = []Identifier{{System: SystemNHSNumber, Value: string(p.NHSNumber)}}
	}
	if party != access.Performer {
		return out
	}
	if p.Address != "" || p.Postcode != "" {
		a := Address{Use: "home", Text: p.Address, PostalCode: p.Postcode}
		out.Address = []Address{a}
	}
	if p.Phone != "" {
		out.Telecom = append(out.Telecom, ContactPoint{System: "phone", Value: p.Phone})
	}
	if p.Email != "" {
		out.Telecom = append(out.Telecom, ContactPoint{System: "email", Value: p.Email})
	}
	if p.PracticeODS != "" {
		out.GeneralPractitioner = []Reference{{Type: "Organization", Identifier: &Identifier{System: SystemODS, Value: p.PracticeODS}}}
	}
	return out
}

// serviceRequest is the ServiceRequest for a referral.
func (x referralRow) serviceRequest(k ids, answers []int64) ServiceRequest {
	sr := ServiceRequest{ResourceType: "ServiceRequest", ID: k.seal(kindServiceRequest, x.ID),
		Meta: meta(x.requestVersion(), x.requestUpdated()), Status: x.requestStatus(), Intent: "order",
		Category:   []CodeableConcept{*coding(SystemSource, string(x.Source), x.Source.Label())},
		Priority:   urgencyPriorities[x.Urgency],
		Subject:    &Reference{Reference: k.ref(kindPatient, x.PersonID)},
		AuthoredOn: x.AuthoredOn, Requester: x.requesterRef(),
		Performer: []Reference{{Reference: k.ref(kindHealthcareService, x.ServiceID), Display: x.ServiceName}}}
	code := snomedReferral()
	sr.Code = &code
	if x.IdentifierValue != "" {
		sr.Identifier = []Identifier{{System: x.IdentifierSystem, Value: x.IdentifierValue}}
	}
	if sr.AuthoredOn == "" {
		sr.AuthoredOn = instant(x.CreatedAt)
	}
	for _, n := range referral.ParseNeedsList(x.Needs) {
		sr.ReasonCode = append(sr.ReasonCode, *coding(SystemNeed, string(n), n.Label()))
	}
	for _, id := range answers {
		sr.SupportingInfo = append(sr.SupportingInfo, Reference{Reference: k.ref(kindQuestionnaireResponse, id)})
	}
	if x.Details != "" {
		sr.Note = []Annotation{{Text: x.Details}}
	}
	return sr
}

// communication is a message back about a referral: to the GP and the referrer, or the
// referrer alone when the person shares nothing with their GP. What it says was limited by
// the person's consent when it was written.
func (x referralRow) communication(k ids, m referral.Message, practiceODS string) Communication {
	out := Communication{ResourceType: "Communication", ID: k.seal(kindCommunication, m.ID), Meta: meta(1, m.CreatedAt),
		BasedOn:  []Reference{{Reference: k.ref(kindServiceRequest, x.ID)}},
		Status:   "completed",
		Category: []CodeableConcept{*coding(SystemMessageKind, string(m.Kind), "Message back: "+string(m.Kind))},
		Subject:  &Reference{Reference: k.ref(kindPatient, x.PersonID)}, Sent: instant(m.CreatedAt),
		Recipient: []Reference{*x.requesterRef()},
		Sender:    &Reference{Reference: k.ref(kindHealthcareService, x.ServiceID), Display: x.ServiceName},
		Payload:   []CommunicationPayload{{ContentString: m.Body}}}
	if m.Recipient == "gp_and_referrer" && practiceODS != "" {
		out.Recipient = append(out.Recipient, Reference{Type: "Organization", Identifier: &Identifier{System: SystemODS, Value: practiceODS},
			Display: "The person's GP practice"})
	}
	for _, c := range m.Codes {
		out.ReasonCode = append(out.ReasonCode, *coding(SystemSNOMED, c.Code, c.Display))
	}
	return out
}

// healthcareService is a service that takes referrals, with its criteria up front.
func healthcareService(k ids, svc referral.ReceivingService, org organisation.Organisation) HealthcareService {
	out := HealthcareService{ResourceType: "HealthcareService", ID: k.seal(kindHealthcareService, svc.ID),
		Meta: meta(svc.Version, svc.UpdatedAt), Active: true, Name: svc.Name, Comment: svc.Description,
		ProvidedBy:     organisationRef(k, org),
		Category:       []CodeableConcept{snomedReferral()},
		ReferralMethod: []CodeableConcept{*coding(systemReferralMethod, "elec", "Secure Messaging")},
		Eligibility:    []Eligibility{{Code: &CodeableConcept{Text: "Who the service is for"}, Comment: svc.Inclusion}}}
	if svc.Exclusion != "" {
		out.Eligibility = append(out.Eligibility, Eligibility{Code: &CodeableConcept{Text: "Who the service is not for"}, Comment: svc.Exclusion})
	}
	return out
}

func organisationRef(k ids, o organisation.Organisation) *Reference {
	ref := &Reference{Reference: k.ref(kindOrganization, o.ID), Display: o.Name}
	if o.ODSCode != "" {
		ref.Identifier = &Identifier{System: SystemODS, Value: o.ODSCode}
	}
	return ref
}

func organization(k ids, o organisation.Organisation) Organization {
	out := Organization{ResourceType: "Organization", ID: k.seal(kindOrganization, o.ID), Meta: meta(o.Version, o.UpdatedAt),
		Active: true, Name: o.Name, Type: []CodeableConcept{{Text: o.Type.Label()}}}
	if o.ODSCode != "" {
		out.Identifier = []Identifier{{System: SystemODS, Value: o.ODSCode}}
	}
	return out
}
