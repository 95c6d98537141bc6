package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/fhir"
)

// statusOf maps an error kind to its HTTP status.
func statusOf(err error) int {
	ae, _ := apperr.As(err)
	switch {
	case ae == nil:
		return http.StatusInternalServerError
	case ae.Op == "method":
		return http.StatusMethodNotAllowed
	case ae == errTooLarge || ae.Op == "body":
		return http.StatusRequestEntityTooLarge
	}
	switch ae.Kind {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthorised:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// errorPage holds what the error template shows.
type errorPage struct {
	Heading string
	Message string
}

// fail is the one place an error becomes a response: a JSON body for the API, an NHS.UK error
// page otherwise. Internal causes are logged with the request ID and never shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	msg := "Sorry, there is a problem with the service. Try again later."
	if ae, ok := apperr.As(err); ok && ae.Kind != apperr.Internal {
		msg = ae.Message
	}
	if status >= 500 {
		s.Log.Error("request failed", "request_id", state(r).id, "route", state(r).route, "err", err)
	}
	if isFHIR(r.URL.Path) {
		fhir.WriteProblem(w, status, fhirIssueCode(status), msg)
		return
	}
	if isAPI(r) {
		writeJSONError(w, status, err, msg)
		return
	}
	heading := map[int]string{
		http.StatusNotFound:              "Page not found",
		http.StatusForbidden:             "You do not have permission to see this page",
		http.StatusMethodNotAllowed:      "This page cannot do that",
		http.StatusRequestEntityTooLarge: "What you sent is too large",
		http.StatusTooManyRequests:       "Too many requests",
		http.StatusConflict:              "Someone else changed this",
		http.StatusBadRequest:            "There is a problem with your request",
		http.StatusUnauthorized:          "You need to sign in",
	}[status]
	if heading == "" {
		heading = "Sorry, there is a problem with the service"
	}
	if status == http.StatusNotFound {
		msg = "If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address."
	}
	v := s.newView(r, heading, errorPage{Heading: heading, Message: msg})
	s.render(w, r, status, "error", v)
}

type jsonFieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type jsonError struct {
	Error struct {
		Status  int              `json:"status"`
		Code    string           `json:"code"`
		Message string           `json:"message"`
		Fields  []jsonFieldError `json:"fields,omitempty"`
	} `json:"error"`
}

func writeJSONError(w http.ResponseWriter, status int, err error, msg string) {
	var body jsonError
	body.Error.Status = status
	body.Error.Code = apperr.KindOf(err).String()
	body.Error.Message = msg
	if ae, ok := apperr.As(err); ok {
		for _, f := range ae.Fields {
			body.Error.Fields = append(body.Error.Fields, jsonFieldError{Field: f.Field, Message: f.Message})
		}
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func asMaxBytes(err error, target **http.MaxBytesError) bool { return errors.As(err, target) }
