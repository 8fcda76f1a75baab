package server_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/server"
)

// TestRateLimitPerCaller: a caller over its rate is refused with
// RESOURCE_EXHAUSTED and a retry delay, before any work (nothing it sent
// is stored); another caller is still served.
func TestRateLimitPerCaller(t *testing.T) {
	env := testutil.Start(t, testutil.WithLimits(server.Limits{RatePerSecond: 0.001, Burst: 3}))
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	for i := range 3 {
		if _, err := agency.Tokens.GetCaller(ctx, &techmarketv1.GetCallerRequest{}); err != nil {
			t.Fatalf("call %d within the burst: %v", i+1, err)
		}
	}
	_, err := agency.Offers.CreateOffer(ctx, &techmarketv1.CreateOfferRequest{Offer: validOffer()})
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted {
		t.Fatalf("call over the rate: %v, want ResourceExhausted", err)
	}
	var retry *errdetails.RetryInfo
	for _, d := range st.Details() {
		if r, ok := d.(*errdetails.RetryInfo); ok {
			retry = r
		}
	}
	if retry == nil || retry.GetRetryDelay().AsDuration() <= 0 {
		t.Errorf("no retry delay in %v", st.Details())
	}
	other := env.Client(env.Token("agency", "乙技术转移中心"))
	if _, err := other.Tokens.GetCaller(ctx, &techmarketv1.GetCallerRequest{}); err != nil {
		t.Errorf("another caller is refused too: %v", err)
	}
	operator := env.Client(env.Token("operator", "乌海科技大市场"))
	list, err := operator.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{})
	if err != nil || len(list.GetOffers()) != 0 {
		t.Errorf("the refused create stored something: %v %v", list.GetOffers(), err)
	}
}

// TestDeadlines: no deadline, a ten-year one and a short one all work; an
// expired one is DEADLINE_EXCEEDED.
func TestDeadlines(t *testing.T) {
	env := testutil.Start(t)
	c := env.Client("")
	call := func(ctx context.Context) error {
		_, err := c.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{})
		return err
	}
	if err := call(context.Background()); err != nil {
		t.Errorf("no deadline: %v", err)
	}
	decade, cancel := context.WithTimeout(context.Background(), 10*365*24*time.Hour)
	defer cancel()
	if err := call(decade); err != nil {
		t.Errorf("ten-year deadline: %v", err)
	}
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	if err := call(expired); status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("expired deadline: %v, want DeadlineExceeded", err)
	}
}

// TestWatchersPerOrganisation: an organisation may keep only so many
// alert streams open; closing one makes room.
func TestWatchersPerOrganisation(t *testing.T) {
	env := testutil.Start(t, testutil.WithLimits(server.Limits{RatePerSecond: 1e6, Burst: 1e6, MaxWatchers: 2}))
	enterprise := env.Client(env.Token("enterprise", "乌海某焦化公司"))
	open := func() (techmarketv1.AlertService_WatchMatchesClient, context.CancelFunc, error) {
		ctx, cancel := context.WithCancel(context.Background())
		s, err := enterprise.Alerts.WatchMatches(ctx, &techmarketv1.WatchMatchesRequest{})
		if err != nil {
			cancel()
			return nil, nil, err
		}
		// The stream is admitted once the server has sent its headers.
		if _, err := s.Header(); err != nil {
			cancel()
			return nil, nil, err
		}
		return s, cancel, nil
	}
	_, cancel1, err := open()
	if err != nil {
		t.Fatal(err)
	}
	_, cancel2, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer cancel2()
	third, cancel3, err := open()
	if err == nil {
		_, err = third.Recv()
		cancel3()
	}
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("third stream: %v, want ResourceExhausted", err)
	}
	cancel1()
	// The server notices the closed stream asynchronously; a new stream
	// is admitted once it has.
	deadline := time.Now().Add(30 * time.Second)
	for {
		s, cancel, err := open()
		if err == nil {
			_ = s
			cancel()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after closing one: %v", err)
		}
	}
}
