package server

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/tap"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Limits protect the service from overload and abuse. The zero value
// takes the defaults below.
type Limits struct {
	// RatePerSecond and Burst bound each caller's calls: a bearer token is
	// one caller, and anonymous calls from one address are one caller.
	RatePerSecond float64
	Burst         int
	// MaxCallTime caps the deadline of every unary call, including calls
	// with none or an absurd one; streams (import, watch, backup) run as
	// long as their caller keeps them.
	MaxCallTime time.Duration
	// MaxConcurrentStreams bounds the calls in flight on one connection,
	// which also bounds HTTP/2 rapid-reset floods.
	MaxConcurrentStreams uint32
	// MaxWatchers bounds the open WatchMatches streams per organisation.
	MaxWatchers int
}

// Default limits.
const (
	DefaultRatePerSecond        = 100
	DefaultBurst                = 200
	DefaultMaxCallTime          = 30 * time.Second
	DefaultMaxConcurrentStreams = 128
	DefaultMaxWatchers          = 16
)

func (l Limits) withDefaults() Limits {
	if l.RatePerSecond <= 0 {
		l.RatePerSecond = DefaultRatePerSecond
	}
	if l.Burst <= 0 {
		l.Burst = DefaultBurst
	}
	if l.MaxCallTime <= 0 {
		l.MaxCallTime = DefaultMaxCallTime
	}
	if l.MaxConcurrentStreams == 0 {
		l.MaxConcurrentStreams = DefaultMaxConcurrentStreams
	}
	if l.MaxWatchers <= 0 {
		l.MaxWatchers = DefaultMaxWatchers
	}
	return l
}

// serverOptions are the transport-level protections.
func (l Limits) serverOptions(shed *shedder) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxConcurrentStreams(l.MaxConcurrentStreams),
		grpc.InTapHandle(shed.tap),
		// Clients may ping to keep connections alive, but not more often
		// than every 10 s; idle connections close after 15 minutes.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: 15 * time.Minute, Time: 2 * time.Minute, Timeout: 20 * time.Second}),
	}
}

// shedder refuses calls over a caller's rate before any work is done: it
// runs as the transport's tap, before the call has a goroutine.
type shedder struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	callers map[[32]byte]*callerLimit
	swept   time.Time
}

type callerLimit struct {
	lim  *rate.Limiter
	seen time.Time
}

func newShedder(l Limits) *shedder {
	return &shedder{rate: rate.Limit(l.RatePerSecond), burst: l.Burst, callers: map[[32]byte]*callerLimit{}}
}

// tapped marks the context of a call the tap admitted.
type tapped struct{}

func (s *shedder) tap(ctx context.Context, info *tap.Info) (context.Context, error) {
	if err := s.admit(ctx, info.Header); err != nil {
		return nil, err
	}
	return context.WithValue(ctx, tapped{}, true), nil
}

// The tap runs only in grpc-go's own HTTP/2 transport. Calls served
// through ServeHTTP, as every call of the browser gateway is, reach the
// interceptors untapped: these admit them by the same rule.

func (s *shedder) unary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := s.admitUntapped(ctx); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (s *shedder) stream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := s.admitUntapped(ss.Context()); err != nil {
		return err
	}
	return handler(srv, ss)
}

func (s *shedder) admitUntapped(ctx context.Context) error {
	if ctx.Value(tapped{}) != nil {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	return s.admit(ctx, md)
}

// admit refuses a call over its caller's rate with RESOURCE_EXHAUSTED and
// the delay after which the caller may call again.
func (s *shedder) admit(ctx context.Context, header metadata.MD) error {
	key := callerKey(ctx, header)
	now := time.Now()
	s.mu.Lock()
	c, ok := s.callers[key]
	if !ok {
		c = &callerLimit{lim: rate.NewLimiter(s.rate, s.burst)}
		s.callers[key] = c
	}
	c.seen = now
	r := c.lim.ReserveN(now, 1)
	delay := r.DelayFrom(now)
	if delay > 0 {
		r.CancelAt(now) // refused calls do not use up the budget
	}
	s.sweep(now)
	s.mu.Unlock()
	if delay > 0 {
		st := status.New(codes.ResourceExhausted, fmt.Sprintf("more than %.0f calls a second; retry after %s", float64(s.rate), delay.Round(time.Millisecond)))
		if d, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(delay)}); err == nil {
			st = d
		}
		return st.Err()
	}
	return nil
}

// sweep forgets callers idle for ten minutes, at most once a minute, so
// that the table does not grow with every token ever seen.
func (s *shedder) sweep(now time.Time) {
	if now.Sub(s.swept) < time.Minute {
		return
	}
	s.swept = now
	for k, c := range s.callers {
		if now.Sub(c.seen) > 10*time.Minute {
			delete(s.callers, k)
		}
	}
}

// callerKey names the caller: the bearer token (hashed: the table must not
// hold secrets), or the address of an anonymous one.
func callerKey(ctx context.Context, md metadata.MD) [32]byte {
	if auth := md.Get("authorization"); len(auth) > 0 {
		return sha256.Sum256([]byte("token\x00" + auth[0]))
	}
	host := "unknown"
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		host = p.Addr.String()
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
	}
	return sha256.Sum256([]byte("anonymous\x00" + strings.ToLower(host)))
}

// deadlineUnary caps every unary call's deadline at max.
func deadlineUnary(max time.Duration) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if d, ok := ctx.Deadline(); !ok || time.Until(d) > max {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, max)
			defer cancel()
		}
		return handler(ctx, req)
	}
}

// watchers counts open watch streams per organisation.
type watchers struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

// enter admits one more watcher of org, or says why not; leave when done.
func (w *watchers) enter(org string) (leave func(), err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == nil {
		w.n = map[string]int{}
	}
	if w.n[org] >= w.max {
		return nil, status.Errorf(codes.ResourceExhausted, "%s already has %d alert streams open; close one, or watch several listings in one stream", org, w.max)
	}
	w.n[org]++
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.n[org]--; w.n[org] == 0 {
			delete(w.n, org)
		}
	}, nil
}
