package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/referral"
)

// intake is a referral as a transaction Bundle or a BaRS message carries it: the resources
// found, read and checked for what Linkwell needs, before anything is recorded.
type intake struct {
	entries     []BundleEntry
	patientAt   int // index of each resource's entry, for expressions and the response
	requestAt   int
	consentAt   []int
	answersAt   []int
	taskAt      int // -1 when the sender sent no Task of its own
	patient     Patient
	request     ServiceRequest
	answers     []json.RawMessage
	nhsNumber   string
	serviceRef  string // the performer, as referenced
	identifier  Identifier
	conditional bool // create the ServiceRequest only if none has its identifier
	gpSharing   string
	needs       []string
	urgency     referral.Urgency
	source      referral.Source // empty: decided by the sender's organisation
	requester   Reference
	authoredOn  string
	details     string
	paths       fieldPaths
}

func entryPath(i int) string { return fmt.Sprintf("Bundle.entry[%d].resource", i) }

// readEntries finds the resources of a referral among entries (from index first on), which
// must be exactly one Patient and one ServiceRequest, a Consent to social prescribing, and
// optionally a Consent about sharing with the GP, QuestionnaireResponses and a Task.
// inTransaction says each entry must carry a POST request for its own type.
func readEntries(entries []BundleEntry, first int, inTransaction bool) (*intake, error) {
	in := &intake{entries: entries, patientAt: -1, requestAt: -1, taskAt: -1}
	for i := first; i < len(entries); i++ {
		e := entries[i]
		var head resourceHead
		if len(e.Resource) == 0 || json.Unmarshal(e.Resource, &head) != nil || head.ResourceType == "" {
			return nil, badRequest("required", entryPath(i), "Each entry needs a resource with a resourceType")
		}
		if inTransaction {
			if err := checkEntryRequest(i, e, head.ResourceType); err != nil {
				return nil, err
			}
		}
		if err := in.place(i, head.ResourceType); err != nil {
			return nil, err
		}
	}
	if in.patientAt < 0 {
		return nil, badRequest("required", "Bundle.entry", "The Bundle must hold the Patient being referred")
	}
	if in.requestAt < 0 {
		return nil, badRequest("required", "Bundle.entry", "The Bundle must hold the ServiceRequest: the referral itself")
	}
	if err := in.read(); err != nil {
		return nil, err
	}
	return in, nil
}

func checkEntryRequest(i int, e BundleEntry, resourceType string) error {
	path := fmt.Sprintf("Bundle.entry[%d].request", i)
	if e.Request == nil {
		return badRequest("required", path, "Each transaction entry needs a request")
	}
	if e.Request.Method != "POST" || strings.TrimPrefix(e.Request.URL, "/") != resourceType {
		return badRequest("not-supported", path, "This server accepts only POST %s in a referral transaction", resourceType)
	}
	if e.FullURL == "" {
		return badRequest("required", fmt.Sprintf("Bundle.entry[%d].fullUrl", i), "Each entry needs a fullUrl (urn:uuid:...) so that others can refer to it")
	}
	return nil
}

// place notes where each kind of resource is, refusing repeats and kinds not taken.
func (in *intake) place(i int, resourceType string) error {
	one := func(at *int) error {
		if *at >= 0 {
			return badRequest("invalid", entryPath(i), "The Bundle may hold only one %s", resourceType)
		}
		*at = i
		return nil
	}
	switch resourceType {
	case "Patient":
		return one(&in.patientAt)
	case "ServiceRequest":
		return one(&in.requestAt)
	case "Task":
		return one(&in.taskAt)
	case "Consent":
		in.consentAt = append(in.consentAt, i)
	case "QuestionnaireResponse":
		in.answersAt = append(in.answersAt, i)
	default:
		return badRequest("not-supported", entryPath(i)+".resourceType",
			"A referral holds Patient, ServiceRequest, Consent, QuestionnaireResponse and Task resources, not %s", resourceType)
	}
	return nil
}

// decode reads an entry's resource into v, reporting an element of the wrong JSON type by
// its path.
func (in *intake) decode(i int, v any) error {
	err := json.Unmarshal(in.entries[i].Resource, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return badRequest("structure", entryPath(i)+"."+te.Field, "This element has the wrong type: expected %s", te.Type)
	}
	if err != nil {
		return badRequest("structure", entryPath(i), "The resource could not be read: %v", err)
	}
	return nil
}

// resolves reports whether a reference points at the entry at index at: by its fullUrl.
func (in *intake) resolves(ref *Reference, at int) bool {
	return ref != nil && ref.Reference != "" && at >= 0 && ref.Reference == in.entries[at].FullURL
}

func (in *intake) read() error {
	in.paths = fieldPaths{}
	for _, step := range []func() error{in.readPatient, in.readRequest, in.readConsents, in.readAnswers, in.readTask} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// readTask checks a Task the sender sent with the referral (the HL7 closed-loop pattern):
// Linkwell makes the Task itself, and answers this entry with it.
func (in *intake) readTask() error {
	if in.taskAt < 0 {
		return nil
	}
	var t Task
	if err := in.decode(in.taskAt, &t); err != nil {
		return err
	}
	if !in.resolves(t.Focus, in.requestAt) {
		return badRequest("invalid", entryPath(in.taskAt)+".focus", "The Task's focus must refer to the ServiceRequest in this Bundle by its fullUrl")
	}
	return nil
}

func (in *intake) readAnswers() error {
	for _, i := range in.answersAt {
		var qr struct {
			Status  string     `json:"status"`
			Subject *Reference `json:"subject"`
		}
		if err := in.decode(i, &qr); err != nil {
			return err
		}
		if qr.Status == "" {
			return badRequest("required", entryPath(i)+".status", "A QuestionnaireResponse needs a status")
		}
		if qr.Subject != nil && !in.resolves(qr.Subject, in.patientAt) {
			return badRequest("invalid", entryPath(i)+".subject", "The QuestionnaireResponse's subject must be the Patient in this Bundle")
		}
		in.answers = append(in.answers, in.entries[i].Resource)
	}
	return nil
}

// readConsents finds the consent to social prescribing, which must be given, and the consent
// about sharing with the GP, if sent.
func (in *intake) readConsents() error {
	given := false
	for _, i := range in.consentAt {
		var c Consent
		if err := in.decode(i, &c); err != nil {
			return err
		}
		p := entryPath(i)
		if !in.resolves(c.Patient, in.patientAt) {
			return badRequest("invalid", p+".patient", "The Consent's patient must be the Patient in this Bundle, by its fullUrl")
		}
		if c.Status != "active" {
			return unprocessable("business-rule", p+".status", "Only an active Consent can support a referral")
		}
		if c.Provision == nil || (c.Provision.Type != "permit" && c.Provision.Type != "deny") {
			return badRequest("required", p+".provision.type", "Say whether the Consent permits or denies: provision.type")
		}
		switch kind := consentKind(c); kind {
		case consentSocialPrescribing:
			if c.Provision.Type != "permit" {
				return unprocessable("business-rule", p+".provision.type", "Social prescribing needs the person's consent: this Consent denies it")
			}
			given = true
			in.paths["consent"] = p
		case consentGPSharing:
			if err := in.readGPSharing(p, c); err != nil {
				return err
			}
		default:
			return unprocessable("code-invalid", p+".category", "A Consent's category must be %s from %s", "social-prescribing or gp-sharing", SystemConsentKind)
		}
	}
	if !given {
		return badRequest("required", "Bundle.entry", "The Bundle must hold the person's Consent to social prescribing (category %s|%s)", SystemConsentKind, consentSocialPrescribing)
	}
	return nil
}

func consentKind(c Consent) string {
	for _, cat := range c.Category {
		if code := cat.codeIn(SystemConsentKind); code != "" {
			return code
		}
	}
	return ""
}

func (in *intake) readGPSharing(p string, c Consent) error {
	in.paths["gp_sharing"] = p + ".provision"
	if c.Provision.Type == "deny" {
		in.gpSharing = "none"
		return nil
	}
	for _, code := range c.Provision.Code {
		if v, ok := gpSharingCodes[code.codeIn(SystemGPSharing)]; ok {
			in.gpSharing = v
			return nil
		}
	}
	return unprocessable("code-invalid", p+".provision.code", "Say what the person agrees to share with their GP: full, codes-only or none from %s", SystemGPSharing)
}

// readRequest checks the ServiceRequest: the social prescribing referral code, the Patient,
// who asks, the service asked, the needs, and when.
func (in *intake) readRequest() error {
	i := in.requestAt
	sr := &in.request
	if err := in.decode(i, sr); err != nil {
		return err
	}
	p := entryPath(i)
	in.paths["service"], in.paths["needs"], in.paths["urgency"] = p+".performer[0]", p+".reasonCode", p+".priority"
	in.paths["source"], in.paths["details"] = p+".category", p+".note"
	switch {
	case sr.Status == "":
		return badRequest("required", p+".status", "ServiceRequest.status is required")
	case sr.Status != "active":
		return unprocessable("business-rule", p+".status", "A referral is sent active; this one is %q", sr.Status)
	case sr.Intent == "":
		return badRequest("required", p+".intent", "ServiceRequest.intent is required")
	case !slices.Contains([]string{"order", "plan", "proposal"}, sr.Intent):
		return unprocessable("code-invalid", p+".intent", "A referral's intent is order, plan or proposal, not %q", sr.Intent)
	case sr.Code == nil || len(sr.Code.Coding) == 0:
		return badRequest("required", p+".code", "ServiceRequest.code is required: SNOMED CT %s", referral.SNOMEDReferralToSocialPrescribing)
	case sr.Code.codeIn(SystemSNOMED) != referral.SNOMEDReferralToSocialPrescribing:
		return unprocessable("code-invalid", p+".code", "This service takes referrals coded SNOMED CT %s (%s)",
			referral.SNOMEDReferralToSocialPrescribing, referral.SNOMEDReferralToSocialPrescribingDisplay)
	case sr.Subject == nil:
		return badRequest("required", p+".subject", "ServiceRequest.subject is required")
	case !in.resolves(sr.Subject, in.patientAt):
		return badRequest("invalid", p+".subject", "ServiceRequest.subject must refer to the Patient in this Bundle by its fullUrl")
	case sr.Requester == nil || sr.Requester.Display == "" && sr.Requester.Identifier == nil:
		return badRequest("required", p+".requester", "ServiceRequest.requester is required, with a display name or an identifier")
	case len(sr.Performer) == 0 || sr.Performer[0].Reference == "":
		return badRequest("required", p+".performer", "ServiceRequest.performer is required: the HealthcareService referred to")
	case len(sr.Performer) > 1:
		return unprocessable("business-rule", p+".performer", "Refer to one service at a time")
	case sr.AuthoredOn == "":
		return badRequest("required", p+".authoredOn", "ServiceRequest.authoredOn is required")
	case !validDateTime(sr.AuthoredOn):
		return badRequest("value", p+".authoredOn", "authoredOn must be a FHIR dateTime, like 2026-03-02T09:30:00Z")
	}
	in.serviceRef, in.requester, in.authoredOn = sr.Performer[0].Reference, *sr.Requester, sr.AuthoredOn
	if err := in.readRequestCodes(p); err != nil {
		return err
	}
	for _, n := range sr.Note {
		in.details = strings.TrimSpace(in.details + "\n" + n.Text)
	}
	for _, id := range sr.Identifier {
		if id.System != "" && id.Value != "" {
			in.identifier = id
			break
		}
	}
	if cond := in.entries[i].Request; cond != nil && cond.IfNoneExist != "" {
		if cond.IfNoneExist != "identifier="+in.identifier.System+"|"+in.identifier.Value || in.identifier.Value == "" {
			return badRequest("not-supported", fmt.Sprintf("Bundle.entry[%d].request.ifNoneExist", i),
				"ifNoneExist on a ServiceRequest must be identifier=system|value, naming the ServiceRequest's own identifier")
		}
		in.conditional = true
	}
	return nil
}

// readRequestCodes reads the needs, priority and source.
func (in *intake) readRequestCodes(p string) error {
	sr := in.request
	if len(sr.ReasonCode) == 0 {
		return badRequest("required", p+".reasonCode", "ServiceRequest.reasonCode is required: what the person needs support with, from %s", SystemNeed)
	}
	for k, rc := range sr.ReasonCode {
		code := rc.codeIn(SystemNeed)
		if !referral.Need(code).Valid() {
			return unprocessable("code-invalid", fmt.Sprintf("%s.reasonCode[%d]", p, k), "reasonCode must be a need from %s", SystemNeed)
		}
		in.needs = append(in.needs, code)
	}
	in.urgency = referral.UrgencyRoutine
	if sr.Priority != "" {
		u, ok := priorities[sr.Priority]
		if !ok {
			return unprocessable("code-invalid", p+".priority", "priority must be routine, urgent, asap or stat")
		}
		in.urgency = u
	}
	for k, cat := range sr.Category {
		if code := cat.codeIn(SystemSource); code != "" {
			if !referral.Source(code).Valid() {
				return unprocessable("code-invalid", fmt.Sprintf("%s.category[%d]", p, k), "category must be a referral source from %s", SystemSource)
			}
			in.source = referral.Source(code)
		}
	}
	return nil
}

func validDateTime(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
