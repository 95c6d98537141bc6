// Package apperr is Linkwell's one error model: a small set of kinds, a message that is safe to
// show to a user, per-field details for forms, and the internal cause kept apart from both.
package apperr

import (
	"errors"
	"fmt"
)

// Kind says what went wrong in terms a caller can act on.
type Kind int

const (
	Internal Kind = iota
	Invalid
	NotFound
	Conflict
	Unauthorised
	Forbidden
	TooMany
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case Conflict:
		return "conflict"
	case Unauthorised:
		return "unauthorised"
	case Forbidden:
		return "forbidden"
	case TooMany:
		return "too many requests"
	}
	return "internal"
}

// FieldError explains what is wrong with one form field, in the NHS service manual's words.
type FieldError struct {
	Field   string
	Message string
}

// Error is a failure with a kind, a message safe to show, optional field errors and a cause
// that is logged but never shown.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
	Op      string
	Cause   error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.String()
	}
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Cause }

// New makes an error of a kind with a message safe to show.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap records an unexpected failure as internal, keeping the cause for the log only.
// An *Error already in the chain keeps its kind and message.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	return &Error{Kind: Internal, Op: op, Cause: err}
}

// Fields collects per-field problems into an Invalid error, or returns nil when there are none.
type Fields []FieldError

// Add records a problem with a field.
func (f *Fields) Add(field, message string) {
	*f = append(*f, FieldError{Field: field, Message: message})
}

// Err turns the collected problems into an error, or nil when there were none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Message: "There is a problem", Fields: f}
}

// KindOf reports the kind of err: Internal for anything that is not an *Error.
func KindOf(err error) Kind {
	var ae *Error
	if errors.As(err, &ae) {
		return ae.Kind
	}
	return Internal
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var ae *Error
	ok := errors.As(err, &ae)
	return ae, ok
}

// Is reports whether err is an *Error of the kind.
func Is(err error, kind Kind) bool {
	ae, ok := As(err)
	return ok && ae.Kind == kind
}

// FieldMessage returns the message on a field of an Invalid error, or "" when there is none.
func FieldMessage(err error, field string) string {
	if ae, ok := As(err); ok && ae.Kind == Invalid {
		for _, f := range ae.Fields {
			if f.Field == field {
				return f.Message
			}
		}
	}
	return ""
}
