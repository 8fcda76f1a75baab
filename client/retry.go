package client

import (
	"context"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DefaultRetries is how many times a unary call refused for the caller's
// rate is tried again by default (WithRetries).
const DefaultRetries = 4

// maxRetryWait bounds one wait: a server asking for more is better
// answered with its error than with a client that seems to hang.
const maxRetryWait = 10 * time.Second

// WithRetries sets how many times a unary call the server refused with a
// RetryInfo delay is tried again, after the delay it asked for: a caller
// over its rate (RESOURCE_EXHAUSTED), or a cluster electing its leader or
// catching up with the caller's last write (UNAVAILABLE). Such a refusal
// comes before the call does anything, so trying again is safe. 0 turns retrying off, for callers that count the
// refusals themselves. A wait longer than 10 s, or past the call's
// deadline, is not waited: the call fails with the server's error.
// Streams are not retried.
func WithRetries(n int) Option {
	return func(c *config) { c.retries = max(0, n) }
}

// retryUnary retries the calls refused with a delay to wait, up to
// retries times.
func retryUnary(retries int) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		for attempt := 0; ; attempt++ {
			err := invoker(ctx, method, req, reply, cc, opts...)
			wait, ok := RetryDelay(err)
			if !ok || attempt == retries || wait > maxRetryWait {
				return err
			}
			if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
				return err
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return err
			case <-t.C:
			}
		}
	}
}

// RetryDelay is the delay a RESOURCE_EXHAUSTED or UNAVAILABLE error asks
// the caller to wait before trying again, if it asks: for callers that
// retry on their own terms (WithRetries(0)). The server asks only when
// the call changed nothing.
func RetryDelay(err error) (time.Duration, bool) {
	st, ok := status.FromError(err)
	if !ok || (st.Code() != codes.ResourceExhausted && st.Code() != codes.Unavailable) {
		return 0, false
	}
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay().IsValid() {
			return ri.GetRetryDelay().AsDuration(), true
		}
	}
	return 0, false
}
