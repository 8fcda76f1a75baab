package client

import (
	"errors"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// statusOf finds the gRPC status in err, also when err wraps it. Unlike
// status.FromError it keeps the status's own message rather than the
// wrapper's whole text, which would repeat "rpc error: code = …".
func statusOf(err error) (*status.Status, bool) {
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		return se.GRPCStatus(), true
	}
	return nil, false
}

// FieldViolations returns the field violations (errdetails.BadRequest) that
// the service attached to err, or nil when there are none. The service adds
// them to InvalidArgument errors, one per field that is wrong.
func FieldViolations(err error) []*errdetails.BadRequest_FieldViolation {
	st, ok := statusOf(err)
	if !ok {
		return nil
	}
	var violations []*errdetails.BadRequest_FieldViolation
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			violations = append(violations, br.GetFieldViolations()...)
		}
	}
	return violations
}

// codeWords names each status code as a person would say it.
var codeWords = map[codes.Code]string{
	codes.OK:                 "ok",
	codes.Canceled:           "canceled",
	codes.Unknown:            "unknown error",
	codes.InvalidArgument:    "invalid argument",
	codes.DeadlineExceeded:   "deadline exceeded",
	codes.NotFound:           "not found",
	codes.AlreadyExists:      "already exists",
	codes.PermissionDenied:   "permission denied",
	codes.ResourceExhausted:  "resource exhausted",
	codes.FailedPrecondition: "failed precondition",
	codes.Aborted:            "aborted",
	codes.OutOfRange:         "out of range",
	codes.Unimplemented:      "unimplemented",
	codes.Internal:           "internal error",
	codes.Unavailable:        "unavailable",
	codes.DataLoss:           "data loss",
	codes.Unauthenticated:    "unauthenticated",
}

// Describe renders err for a person: a gRPC status as its code in words and
// its message, then one indented line per field violation:
//
//	invalid argument: the offer is not valid
//	  offer.title: must not be empty
//
// Any other error is rendered as err.Error(); nil as "".
func Describe(err error) string {
	if err == nil {
		return ""
	}
	st, ok := statusOf(err)
	if !ok {
		return err.Error()
	}
	words, ok := codeWords[st.Code()]
	if !ok {
		words = st.Code().String()
	}
	var b strings.Builder
	msg := st.Message()
	// A server that already starts its message with the code's words
	// should not have them said twice.
	if !strings.HasPrefix(msg, words+":") {
		b.WriteString(words)
		if msg != "" {
			b.WriteString(": ")
		}
	}
	b.WriteString(msg)
	for _, v := range FieldViolations(err) {
		b.WriteString("\n  ")
		if f := v.GetField(); f != "" {
			b.WriteString(f)
			b.WriteString(": ")
		}
		b.WriteString(v.GetDescription())
	}
	return b.String()
}
