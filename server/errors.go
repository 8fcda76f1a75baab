package server

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/store"
)

// errorCodes is the one table from domain errors to gRPC codes (AIP-193).
// Anything not listed is a fault of the service: it is logged and reaches
// the client as Internal without details.
var errorCodes = []struct {
	err  error
	code codes.Code
}{
	{market.ErrInvalidArgument, codes.InvalidArgument},
	{market.ErrUnauthenticated, codes.Unauthenticated},
	{market.ErrPermissionDenied, codes.PermissionDenied},
	{market.ErrNotFound, codes.NotFound},
	{market.ErrAlreadyExists, codes.AlreadyExists},
	{market.ErrConflict, codes.Aborted},
	{market.ErrFailedPrecondition, codes.FailedPrecondition},
	{store.ErrNotLeader, codes.Unavailable},
	{store.ErrOutcomeUnknown, codes.Unavailable},
	{context.Canceled, codes.Canceled},
	{context.DeadlineExceeded, codes.DeadlineExceeded},
}

// toStatus converts a domain error into a gRPC status error. Invalid
// requests carry an errdetails.BadRequest with one field violation per
// problem, so a portal can point at each field.
func toStatus(log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	for _, e := range errorCodes {
		if !errors.Is(err, e.err) {
			continue
		}
		// The code already says what the sentinel says; the message keeps
		// only the sentence that names the thing and what to do.
		st := status.New(e.code, strings.TrimPrefix(err.Error(), e.err.Error()+": "))
		var inv *market.InvalidError
		if errors.As(err, &inv) {
			br := &errdetails.BadRequest{}
			for _, v := range inv.Violations {
				br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
			}
			if withDetails, derr := st.WithDetails(br); derr == nil {
				st = withDetails
			}
		}
		if errors.Is(err, store.ErrNotLeader) {
			// The cluster's interceptor sends it on, or names the leader.
			if withDetails, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: ReasonNotLeader, Domain: errorDomain}); derr == nil {
				st = withDetails
			}
		}
		return st.Err()
	}
	log.Error("internal error", "err", err)
	return status.Error(codes.Internal, "internal error; the server log has the details")
}

// respond returns the response, or nil and the error, so handlers stay one
// line of logic each. The error is converted to a status by the
// interceptor that calls toStatus, in one place for every service.
func respond[R any](resp *R, err error) (*R, error) {
	if err != nil {
		return nil, err
	}
	return resp, nil
}
