package fhir

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
)

// Issue is one problem in an OperationOutcome: its type (FHIR issue-type codes such as
// required, value, not-found), what went wrong in words, and the FHIRPath of the element.
type Issue struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Diagnostics string   `json:"diagnostics,omitempty"`
	Expression  []string `json:"expression,omitempty"`
}

// OperationOutcome is how every FHIR error is answered.
type OperationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []Issue `json:"issue"`
}

// Problem is a FHIR error: the HTTP status and the issues that explain it. Every error the
// FHIR interface answers becomes one (see asProblem).
type Problem struct {
	Status int
	Issues []Issue
}

func (p *Problem) Error() string {
	parts := make([]string, len(p.Issues))
	for i, is := range p.Issues {
		parts[i] = is.Code + ": " + is.Diagnostics
		if len(is.Expression) > 0 {
			parts[i] += " (" + strings.Join(is.Expression, ", ") + ")"
		}
	}
	return fmt.Sprintf("%d %s", p.Status, strings.Join(parts, "; "))
}

// Outcome is the OperationOutcome the problem is answered with.
func (p *Problem) Outcome() OperationOutcome {
	return OperationOutcome{ResourceType: "OperationOutcome", Issue: p.Issues}
}

func problem(status int, code, expression, format string, args ...any) *Problem {
	is := Issue{Severity: "error", Code: code, Diagnostics: fmt.Sprintf(format, args...)}
	if expression != "" {
		is.Expression = []string{expression}
	}
	return &Problem{Status: status, Issues: []Issue{is}}
}

// The statuses the FHIR interface answers errors with, by what went wrong:
//   - 400: the request cannot be read, or lacks what it must have (structure, required);
//   - 401: no usable bearer token; 403: the client may not do this;
//   - 404: the resource, or a service it names, does not exist (or is not the client's to see);
//   - 409: it conflicts with what is recorded (a duplicate, a move the referral cannot make);
//   - 412: If-Match names a version that is no longer current;
//   - 422: it is well-formed but breaks a rule: an invalid NHS number, an unknown code, a
//     reused idempotency key.
func badRequest(code, expression, format string, args ...any) *Problem {
	return problem(http.StatusBadRequest, code, expression, format, args...)
}

func unprocessable(code, expression, format string, args ...any) *Problem {
	return problem(http.StatusUnprocessableEntity, code, expression, format, args...)
}

func notFound(expression, format string, args ...any) *Problem {
	return problem(http.StatusNotFound, "not-found", expression, format, args...)
}

func conflict(code, expression, format string, args ...any) *Problem {
	return problem(http.StatusConflict, code, expression, format, args...)
}

func forbidden(format string, args ...any) *Problem {
	return problem(http.StatusForbidden, "forbidden", "", format, args...)
}

// fieldPaths maps the fields of Linkwell's own validation errors to the FHIRPath of the
// element they came from.
type fieldPaths map[string]string

// asProblem turns any error into a Problem. Linkwell's validation errors become 422 issues on
// the elements paths names; other kinds map to their statuses; anything unexpected is a 500
// that says nothing of its cause.
func asProblem(err error, paths fieldPaths) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	ae, ok := apperr.As(err)
	if !ok || ae.Kind == apperr.Internal {
		return problem(http.StatusInternalServerError, "exception", "", "Sorry, there is a problem with the service. Try again later.")
	}
	switch ae.Kind {
	case apperr.Invalid:
		if len(ae.Fields) == 0 {
			return unprocessable("invalid", "", "%s", ae.Message)
		}
		out := &Problem{Status: http.StatusUnprocessableEntity}
		for _, f := range ae.Fields {
			is := Issue{Severity: "error", Code: "value", Diagnostics: f.Message}
			if path := paths[f.Field]; path != "" {
				is.Expression = []string{path}
			}
			out.Issues = append(out.Issues, is)
		}
		return out
	case apperr.NotFound:
		return notFound("", "%s", ae.Message)
	case apperr.Conflict:
		return conflict("conflict", "", "%s", ae.Message)
	case apperr.Forbidden:
		return forbidden("%s", ae.Message)
	case apperr.Unauthorised:
		return problem(http.StatusUnauthorized, "login", "", "%s", ae.Message)
	case apperr.TooMany:
		return problem(http.StatusTooManyRequests, "throttled", "", "%s", ae.Message)
	}
	return problem(http.StatusInternalServerError, "exception", "", "Sorry, there is a problem with the service. Try again later.")
}
