package market

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wuhai-techmarket/techmarket/listing"
)

// Domain errors. Each is wrapped with a sentence that names the listing or
// token and says what to do; the server maps them to gRPC codes in one
// table.
var (
	// ErrUnauthenticated is returned when a call needs a signed-in caller
	// and none, or an unknown or revoked token, was presented.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrPermissionDenied is returned when the caller may not do the thing
	// asked, and also when the thing does not exist and the caller could
	// not have seen it anyway, so that names cannot be probed (AIP-211).
	ErrPermissionDenied = errors.New("permission denied")
	// ErrNotFound is returned to operators, who may see everything, when a
	// name does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists is returned when a create would duplicate the
	// poster's external id.
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict is returned when a request's etag no longer matches: the
	// listing changed since the caller read it.
	ErrConflict = errors.New("etag mismatch")
	// ErrFailedPrecondition is returned when the listing's state does not
	// allow the change, such as withdrawing a draft.
	ErrFailedPrecondition = errors.New("failed precondition")
	// ErrInvalidArgument is what an *InvalidError is.
	ErrInvalidArgument = errors.New("invalid argument")
)

// InvalidError lists every problem found in a request, each with the
// request field it concerns (`offer.title`, `page_token`), so a portal can
// show the user all of them at once.
type InvalidError struct {
	Violations []listing.Violation
}

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.String()
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalidArgument) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalidArgument }

// Invalid returns an InvalidError for one request field.
func Invalid(field, format string, args ...any) error {
	return invalid(field, format, args...)
}

func invalid(field, format string, args ...any) error {
	return &InvalidError{Violations: []listing.Violation{{Field: field, Description: fmt.Sprintf(format, args...)}}}
}

// prefixed puts a request field in front of each listing-relative path.
func prefixed(prefix string, vs []listing.Violation) error {
	out := make([]listing.Violation, len(vs))
	for i, v := range vs {
		out[i] = listing.Violation{Field: prefix + "." + v.Field, Description: v.Description}
	}
	return &InvalidError{Violations: out}
}
