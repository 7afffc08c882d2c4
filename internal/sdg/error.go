package sdg

import (
	"errors"
	"fmt"
)

// Error codes, mapped to HTTP statuses and exit codes in exactly one place
// per adapter.
const (
	EInvalid      = "invalid"      // the caller sent something wrong
	ENotFound     = "not_found"    // the thing asked for does not exist
	EConflict     = "conflict"     // the request clashes with the current state
	EUnauthorized = "unauthorized" // the caller is not signed in (or no longer)
	EForbidden    = "forbidden"    // the caller is signed in but may not do this
	ETooLarge     = "too_large"    // the request is bigger than the configured limit
	EUnsupported  = "unsupported"  // the content is of a kind we do not read
	EInternal     = "internal"     // our fault; logged, never shown in detail
)

// Error is a domain error whose Message is safe to show to a user.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf builds an *Error with a formatted, user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// EInternal for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of the first *Error in err's
// chain, or a generic message for internal errors.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
