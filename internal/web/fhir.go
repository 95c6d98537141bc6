package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/linkwell/linkwell/internal/fhir"
)

// The FHIR R4 referral exchange lives under /fhir: the fhir package routes and answers it,
// authenticating API clients by their bearer tokens; sessions play no part.

func (s *Server) fhirRoutes() {
	h := fhir.NewHandler(s.FHIR, s.Clients, s.Log, s.Version, s.fhirBase, clientAddress)
	s.mux.Handle("/fhir", h)
	s.mux.Handle("/fhir/", h)
}

// isFHIR reports whether a path is in the FHIR interface.
func isFHIR(path string) bool { return path == "/fhir" || strings.HasPrefix(path, "/fhir/") }

// fhirBase is the FHIR base URL as the client reached it.
func (s *Server) fhirBase(r *http.Request) string { return s.ownURL(r, "/fhir") }

// ownURL is the address of a path on this server as the client reached it.
func (s *Server) ownURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || s.Config.TLS() {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: r.Host, Path: path}).String()
}

// fhirIssueCode is the OperationOutcome issue type for a failure met before the FHIR handler.
func fhirIssueCode(status int) string {
	switch status {
	case http.StatusRequestEntityTooLarge:
		return "too-costly"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not-found"
	}
	return "processing"
}
