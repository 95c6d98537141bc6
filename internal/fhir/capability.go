package fhir

import (
	"context"
	"net/http"

	"github.com/linkwell/linkwell/internal/apiclient"
)

// interaction is one thing the FHIR interface does. The routes are made from this table and
// so is the CapabilityStatement, so that what the server says it supports is what it serves.
type interaction struct {
	Resource string // empty for the whole system
	Code     string // FHIR interaction code: read, search-type, update, patch, transaction; or an operation's name
	Method   string
	Path     string
	Scope    apiclient.Scope
	Params   []searchParam
	Doc      string
	serve    func(h *Handler, w http.ResponseWriter, r *http.Request, who Caller)
}

type searchParam struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Doc  string `json:"documentation,omitempty"`
}

var pagingParams = []searchParam{
	{"_count", "number", "Page size, 1 to 200 (default 50)"},
	{"_after", "string", "Paging cursor: follow Bundle.link next rather than making one"},
}

var interactions = []interaction{
	{Code: "transaction", Method: "POST", Path: "/fhir", Scope: apiclient.ReferralWrite,
		Doc:   "A referral: Patient, ServiceRequest (SNOMED CT 871731000000106), Consent, optionally QuestionnaireResponses and a Task; all or nothing. Honours Idempotency-Key and ifNoneExist on the ServiceRequest's identifier.",
		serve: (*Handler).transaction},
	{Code: "process-message", Method: "POST", Path: "/fhir/$process-message", Scope: apiclient.ReferralWrite,
		Doc:   "BaRS-style referral messages: MessageHeader event servicerequest-request, reason new (a referral) or update (ServiceRequest revoked: withdraw it). Honours Idempotency-Key.",
		serve: (*Handler).processMessage},
	{Resource: "Patient", Code: "read", Method: "GET", Path: "/fhir/Patient/{id}", Scope: apiclient.ReferralRead, serve: read((*Service).ReadPatient)},
	{Resource: "Patient", Code: "search-type", Method: "GET", Path: "/fhir/Patient", Scope: apiclient.ReferralRead,
		Params: []searchParam{{"identifier", "token", "https://fhir.nhs.uk/Id/nhs-number|<NHS number>: required"}},
		serve:  search((*Service).SearchPatients)},
	{Resource: "ServiceRequest", Code: "read", Method: "GET", Path: "/fhir/ServiceRequest/{id}", Scope: apiclient.ReferralRead, serve: read((*Service).ReadServiceRequest)},
	{Resource: "ServiceRequest", Code: "search-type", Method: "GET", Path: "/fhir/ServiceRequest", Scope: apiclient.ReferralRead,
		Params: append([]searchParam{{"patient", "reference", "Patient/<id>"}, {"status", "token", "draft, active, revoked, completed, entered-in-error; comma-separated"},
			{"identifier", "token", "system|value: the sender's identifier"}}, pagingParams...),
		serve: search((*Service).SearchServiceRequests)},
	{Resource: "Task", Code: "read", Method: "GET", Path: "/fhir/Task/{id}", Scope: apiclient.TaskRead, serve: read((*Service).ReadTask)},
	{Resource: "Task", Code: "search-type", Method: "GET", Path: "/fhir/Task", Scope: apiclient.TaskRead,
		Params: append([]searchParam{{"owner", "reference", "HealthcareService/<id> or Organization/<id>"},
			{"status", "token", "Task status; comma-separated"}, {"patient", "reference", "Patient/<id>"},
			{"focus", "reference", "ServiceRequest/<id>"},
			{"_lastUpdated", "date", "gt or ge an instant, for polling: use the previous page's meta.lastUpdated"}}, pagingParams...),
		serve: search((*Service).SearchTasks)},
	{Resource: "Task", Code: "update", Method: "PUT", Path: "/fhir/Task/{id}", Scope: apiclient.TaskWrite,
		Doc: "Changes status, statusReason, businessStatus and note only, and owner as the Task is accepted (the Practitioner, by user-email or HCPC number identifier, who leads the case; the triager when the owner is left as the service); requires If-Match with the current version.", serve: (*Handler).updateTask},
	{Resource: "Task", Code: "patch", Method: "PATCH", Path: "/fhir/Task/{id}", Scope: apiclient.TaskWrite,
		Doc: "JSON Patch (application/json-patch+json) of /status, /statusReason, /businessStatus and /note, and /owner as the Task is accepted; requires If-Match.", serve: (*Handler).patchTask},
	{Resource: "Communication", Code: "read", Method: "GET", Path: "/fhir/Communication/{id}", Scope: apiclient.ReferralRead, serve: read((*Service).ReadCommunication)},
	{Resource: "Communication", Code: "search-type", Method: "GET", Path: "/fhir/Communication", Scope: apiclient.ReferralRead,
		Params: []searchParam{{"based-on", "reference", "ServiceRequest/<id>: required"}},
		serve:  search((*Service).SearchCommunications)},
	{Resource: "QuestionnaireResponse", Code: "read", Method: "GET", Path: "/fhir/QuestionnaireResponse/{id}", Scope: apiclient.ReferralRead, serve: (*Handler).readQuestionnaireResponse},
	{Resource: "HealthcareService", Code: "read", Method: "GET", Path: "/fhir/HealthcareService/{id}", Scope: apiclient.DirectoryRead, serve: read((*Service).ReadHealthcareService)},
	{Resource: "HealthcareService", Code: "search-type", Method: "GET", Path: "/fhir/HealthcareService", Scope: apiclient.DirectoryRead,
		Params: []searchParam{{"name", "string", "Starts with, ignoring case (name:contains for anywhere)"},
			{"organization", "reference", "Organization/<id> (organization:identifier=https://fhir.nhs.uk/Id/ods-organization-code|<code> by ODS code)"}},
		serve: search((*Service).SearchHealthcareServices)},
	{Resource: "Organization", Code: "read", Method: "GET", Path: "/fhir/Organization/{id}", Scope: apiclient.DirectoryRead, serve: read((*Service).ReadOrganization)},
}

// read serves a read interaction: the resource with its version as the ETag.
func read[T versioned](get func(*Service, context.Context, Caller, string) (T, error)) func(*Handler, http.ResponseWriter, *http.Request, Caller) {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, who Caller) {
		v, err := get(h.fhir, r.Context(), who, r.PathValue("id"))
		h.answer(w, r, v, v.meta(), err)
	}
}

// search serves a search interaction.
func search(run func(*Service, context.Context, Caller, Query) (Bundle, error)) func(*Handler, http.ResponseWriter, *http.Request, Caller) {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, who Caller) {
		b, err := run(h.fhir, r.Context(), who, h.query(r))
		h.answer(w, r, b, nil, err)
	}
}

func (h *Handler) readQuestionnaireResponse(w http.ResponseWriter, r *http.Request, who Caller) {
	v, err := h.fhir.ReadQuestionnaireResponse(r.Context(), who, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeRaw(w, http.StatusOK, v)
}

// CapabilityStatement is what this server supports, made from the interactions table.
type CapabilityStatement struct {
	ResourceType   string            `json:"resourceType"`
	Status         string            `json:"status"`
	Date           string            `json:"date"`
	Kind           string            `json:"kind"`
	Software       map[string]string `json:"software"`
	Implementation map[string]string `json:"implementation"`
	FHIRVersion    string            `json:"fhirVersion"`
	Format         []string          `json:"format"`
	Rest           []capabilityRest  `json:"rest"`
}

type capabilityRest struct {
	Mode        string               `json:"mode"`
	Security    capabilitySecurity   `json:"security"`
	Resource    []capabilityResource `json:"resource"`
	Interaction []capabilityCode     `json:"interaction"`
	Operation   []capabilityOp       `json:"operation"`
}

type capabilitySecurity struct {
	Service     []CodeableConcept `json:"service"`
	Description string            `json:"description"`
}

type capabilityResource struct {
	Type              string           `json:"type"`
	Interaction       []capabilityCode `json:"interaction"`
	Versioning        string           `json:"versioning,omitempty"`
	ConditionalCreate bool             `json:"conditionalCreate,omitempty"`
	ConditionalUpdate bool             `json:"conditionalUpdate,omitempty"`
	SearchInclude     []string         `json:"searchInclude,omitempty"`
	SearchParam       []searchParam    `json:"searchParam,omitempty"`
}

type capabilityCode struct {
	Code string `json:"code"`
	Doc  string `json:"documentation,omitempty"`
}

type capabilityOp struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
	Doc        string `json:"documentation,omitempty"`
}

// capabilities describes the interactions table.
func capabilities(version, base string) CapabilityStatement {
	rest := capabilityRest{Mode: "server",
		Security: capabilitySecurity{
			Service: []CodeableConcept{*coding("http://terminology.hl7.org/CodeSystem/restful-security-service", "OAuth", "OAuth")},
			Description: "OAuth 2.0 client credentials: POST /oauth/token with the client's secret (HTTP Basic or form) or a signed JWT " +
				"assertion (RS256 or ES256); send the bearer token it returns. Scopes: referral.write, referral.read, task.read, task.write, " +
				"directory.read. A client sees only what its organisation may see."}}
	byType := map[string]int{}
	for _, in := range interactions {
		if in.Resource == "" {
			if in.Code == "transaction" {
				rest.Interaction = append(rest.Interaction, capabilityCode{Code: in.Code, Doc: in.Doc})
			} else {
				rest.Operation = append(rest.Operation, capabilityOp{Name: in.Code,
					Definition: "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message", Doc: in.Doc})
			}
			continue
		}
		i, ok := byType[in.Resource]
		if !ok {
			i = len(rest.Resource)
			byType[in.Resource] = i
			rest.Resource = append(rest.Resource, capabilityResource{Type: in.Resource})
		}
		res := &rest.Resource[i]
		res.Interaction = append(res.Interaction, capabilityCode{Code: in.Code, Doc: in.Doc})
		res.SearchParam = append(res.SearchParam, in.Params...)
		switch in.Resource {
		case "Task":
			res.Versioning, res.SearchInclude = "versioned-update", []string{"Task:focus"}
		case "ServiceRequest":
			res.ConditionalCreate = true // in a transaction, with ifNoneExist on its identifier
		}
	}
	return CapabilityStatement{ResourceType: "CapabilityStatement", Status: "active", Date: "2026-01-01", Kind: "instance",
		Software:       map[string]string{"name": "Linkwell", "version": version},
		Implementation: map[string]string{"description": "Linkwell social prescribing: FHIR R4 referral exchange", "url": base},
		FHIRVersion:    "4.0.1", Format: []string{"application/fhir+json", "json"}, Rest: []capabilityRest{rest}}
}

func (h *Handler) metadata(w http.ResponseWriter, r *http.Request) {
	writeResource(w, http.StatusOK, capabilities(h.version, h.base(r)))
}
