package client_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/server"
)

// A caller over its rate is told when to call again; the client waits
// that long instead of failing, as a CLI run in a loop needs.
func TestRefusedCallsWaitAndSucceed(t *testing.T) {
	env := testutil.Start(t, testutil.WithLimits(server.Limits{RatePerSecond: 20, Burst: 1}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dial := func(opts ...client.Option) *client.Client {
		c, err := client.Dial(testutil.Addr, append(env.DialOptions(), opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}

	patient := dial()
	for i := range 5 {
		if _, err := patient.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{}); err != nil {
			t.Fatalf("call %d of a burst of 5 at a rate of 20/s, burst 1: %v", i+1, err)
		}
	}

	counting := dial(client.WithRetries(0))
	var refused error
	for range 5 {
		if _, err := counting.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{}); err != nil {
			refused = err
			break
		}
	}
	if status.Code(refused) != codes.ResourceExhausted {
		t.Errorf("without retries, a burst over the rate got %v; want RESOURCE_EXHAUSTED", refused)
	}
}

// A wait that would outlast the call's deadline is not waited.
func TestRetryKeepsTheDeadline(t *testing.T) {
	env := testutil.Start(t, testutil.WithLimits(server.Limits{RatePerSecond: 0.01, Burst: 1}))
	c, err := client.Dial(testutil.Addr, env.DialOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{})
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("a call asked to wait 100 s within a 30 s deadline: %v; want RESOURCE_EXHAUSTED at once", err)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("the client waited %v before giving up", time.Since(start))
	}
}
