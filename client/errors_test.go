package client_test

import (
	"errors"
	"fmt"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/client"
)

func invalidOffer(t *testing.T) error {
	t.Helper()
	st, err := status.New(codes.InvalidArgument, "the offer is not valid").WithDetails(
		&errdetails.ErrorInfo{Reason: "INVALID_LISTING"},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: "offer.title", Description: "must not be empty"},
			{Field: "offer.price.max_yuan", Description: "must be at least min_yuan"},
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return st.Err()
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	violations := "invalid argument: the offer is not valid\n" +
		"  offer.title: must not be empty\n" +
		"  offer.price.max_yuan: must be at least min_yuan"
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"field violations", invalidOffer(t), violations},
		{"wrapped", fmt.Errorf("create: %w", invalidOffer(t)), violations},
		{"code only", status.Error(codes.Unauthenticated, ""), "unauthenticated"},
		{"permission denied", status.Error(codes.PermissionDenied, "agencies post offers, not demands"), "permission denied: agencies post offers, not demands"},
		{"code words in the message", status.Error(codes.PermissionDenied, "permission denied: offers/x is not yours"), "permission denied: offers/x is not yours"},
		{"not a status", errors.New("open x.jsonl: no such file"), "open x.jsonl: no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := client.Describe(tc.err); got != tc.want {
				t.Errorf("Describe:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestFieldViolations(t *testing.T) {
	t.Parallel()
	got := client.FieldViolations(fmt.Errorf("wrapped: %w", invalidOffer(t)))
	if len(got) != 2 || got[0].GetField() != "offer.title" || got[1].GetField() != "offer.price.max_yuan" {
		t.Errorf("FieldViolations = %v, want offer.title and offer.price.max_yuan", got)
	}
	if got := client.FieldViolations(status.Error(codes.NotFound, "no such offer")); got != nil {
		t.Errorf("FieldViolations without details = %v, want nil", got)
	}
	if got := client.FieldViolations(errors.New("plain")); got != nil {
		t.Errorf("FieldViolations of a plain error = %v, want nil", got)
	}
}
