package fhir

import (
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// Identifier and code systems (DESIGN §5): UK Core's NHS number and ODS code, SNOMED CT, HL7's
// own, and Linkwell's code systems for its coded lists, under one base.
const (
	SystemNHSNumber = "https://fhir.nhs.uk/Id/nhs-number"
	SystemODS       = "https://fhir.nhs.uk/Id/ods-organization-code"
	SystemSNOMED    = "http://snomed.info/sct"

	systemTaskCode       = "http://hl7.org/fhir/CodeSystem/task-code"
	systemReferralMethod = "http://terminology.hl7.org/CodeSystem/service-referral-method"
	systemConsentScope   = "http://terminology.hl7.org/CodeSystem/consentscope"
	systemBaRSEvent      = "https://fhir.nhs.uk/CodeSystem/message-events-bars"
	systemBaRSReason     = "https://fhir.nhs.uk/CodeSystem/message-reason-bars"

	// CodeSystemBase is where Linkwell's code systems are named.
	CodeSystemBase      = "https://linkwell.github.io/fhir/CodeSystem/"
	SystemNeed          = CodeSystemBase + "need"
	SystemSource        = CodeSystemBase + "referral-source"
	SystemRejectReason  = CodeSystemBase + "reject-reason"
	SystemHoldReason    = CodeSystemBase + "hold-reason"
	SystemClosureReason = CodeSystemBase + "closure-reason"
	SystemConsentKind   = CodeSystemBase + "consent-kind"
	SystemGPSharing     = CodeSystemBase + "gp-sharing"
	SystemMessageKind   = CodeSystemBase + "message-kind"
	SystemCriteriaMet   = CodeSystemBase + "criteria-met"
)

// Consent kinds a referral's Consent resources are categorised by.
const (
	consentSocialPrescribing = "social-prescribing"
	consentGPSharing         = "gp-sharing"
)

func snomedReferral() CodeableConcept {
	return CodeableConcept{Coding: []Coding{{System: SystemSNOMED, Code: referral.SNOMEDReferralToSocialPrescribing,
		Display: referral.SNOMEDReferralToSocialPrescribingDisplay}}}
}

// priorities maps FHIR request priority to a referral's urgency: FHIR's "urgent" is Linkwell's
// "soon" (within two weeks); "asap" and "stat" are Linkwell's "urgent" (two working days).
var priorities = map[string]referral.Urgency{
	"routine": referral.UrgencyRoutine, "urgent": referral.UrgencySoon,
	"asap": referral.UrgencyUrgent, "stat": referral.UrgencyUrgent,
}

var urgencyPriorities = map[referral.Urgency]string{
	referral.UrgencyRoutine: "routine", referral.UrgencySoon: "urgent", referral.UrgencyUrgent: "asap",
}

// sourceByOrgType is who a referral comes from when the ServiceRequest does not say: what
// the sending organisation usually is.
var sourceByOrgType = map[organisation.Type]referral.Source{
	organisation.GPPractice: referral.SourceGP, organisation.PCN: referral.SourceGP,
	organisation.NHSTrust: referral.SourceSecondaryCare, organisation.LocalAuthority: referral.SourceSocialCare,
	organisation.VCSE: referral.SourceCommunityGroup, organisation.AmbulanceService: referral.SourceAmbulanceOrED,
}

var genders = map[string]person.Sex{"female": person.Female, "male": person.Male, "other": person.OtherSex, "unknown": person.SexUnknown}

var sexGenders = map[person.Sex]string{person.Female: "female", person.Male: "male", person.OtherSex: "other", person.SexUnknown: "unknown"}

// gpSharingCodes are the FHIR codes for what a person agrees to share with their GP.
var gpSharingCodes = map[string]string{"full": "full", "codes-only": "codes_only", "none": "none"}

func coding(system, code, display string) *CodeableConcept {
	return &CodeableConcept{Coding: []Coding{{System: system, Code: code, Display: display}}}
}

// rejectReasonConcept codes why a referral was declined: Linkwell's reason, and SNOMED CT's
// "social prescribing declined" when it was the person's own choice.
func rejectReasonConcept(code string) *CodeableConcept {
	r := referral.RejectReason(code)
	cc := coding(SystemRejectReason, code, r.Label())
	if s := r.SNOMED(); s != "" {
		cc.Coding = append(cc.Coding, Coding{System: SystemSNOMED, Code: s, Display: referral.SNOMEDSocialPrescribingDeclinedDisplay})
	}
	return cc
}

// rejectReasonFrom reads a decline reason from a statusReason: Linkwell's code, or SNOMED CT's
// "declined" for the person's own refusal.
func rejectReasonFrom(cc *CodeableConcept) (referral.RejectReason, bool) {
	if code := cc.codeIn(SystemRejectReason); code != "" {
		r := referral.RejectReason(code)
		return r, r.Valid()
	}
	if cc.codeIn(SystemSNOMED) == referral.SNOMEDSocialPrescribingDeclined {
		return referral.RejectPersonDeclined, true
	}
	return "", false
}

func holdReasonConcept(h casework.HoldReason) *CodeableConcept {
	return coding(SystemHoldReason, string(h), h.Label())
}

func closureReasonConcept(r casework.ClosureReason) *CodeableConcept {
	return coding(SystemClosureReason, string(r), r.Label())
}
