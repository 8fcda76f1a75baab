// Package testutil runs a real Techmarket in process for tests: a bbolt
// file in t.TempDir(), the market over it and the gRPC server on an
// in-memory bufconn listener, reached through the public client package,
// so tests exercise exactly what a portal would.
package testutil

import (
	"context"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/match"
	"github.com/wuhai-techmarket/techmarket/matchmaking"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/server"
	"github.com/wuhai-techmarket/techmarket/stats"
	"github.com/wuhai-techmarket/techmarket/store"
)

// Env is one running marketplace.
type Env struct {
	t      testing.TB
	Dir    string
	Now    func() time.Time
	Market *market.Market
	Index  *index.Index
	Alerts *alert.Alerter
	Stats  *stats.Stats
	opts   config // as Start was given them, for Restart
	srv    *server.Server
	lis    *bufconn.Listener
	done   chan struct{}
}

// Option changes how Start builds the market.
type Option func(*config)

type config struct {
	market market.Options
	limits server.Limits
}

// WithClock makes the market read the time from now.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.market.Now = now }
}

// WithReview makes posts wait for an operator's review.
func WithReview() Option {
	return func(c *config) { c.market.Review = true }
}

// WithLimits sets the server's overload limits. Without it a test market
// has rate limits too high to reach, so that a fast machine running a
// busy test is never mistaken for an abusive caller.
func WithLimits(l server.Limits) Option {
	return func(c *config) { c.limits = l }
}

// Start runs a marketplace over a fresh data folder until the test ends.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	e := &Env{t: t, Dir: t.TempDir()}
	cfg := config{limits: server.Limits{RatePerSecond: 1e9, Burst: 1 << 30}}
	for _, o := range opts {
		o(&cfg)
	}
	e.Now = cfg.market.Now
	e.opts = cfg
	e.start(cfg)
	t.Cleanup(e.stop)
	return e
}

// StorePath is the bbolt file of the marketplace.
func (e *Env) StorePath() string { return filepath.Join(e.Dir, "techmarket.db") }

func (e *Env) start(cfg config) {
	mo := cfg.market
	e.t.Helper()
	st, err := store.Open(e.StorePath(), store.Options{LockTimeout: time.Second})
	if err != nil {
		e.t.Fatalf("open store: %v", err)
	}
	idx, err := index.Open(context.Background(), filepath.Join(e.Dir, "index"), st, index.Options{})
	if err != nil {
		e.t.Fatalf("open index: %v", err)
	}
	e.Index = idx
	mo.Index = idx
	m, err := market.New(st, mo)
	if err != nil {
		e.t.Fatalf("new market: %v", err)
	}
	e.Market = m
	mt := match.New(idx, st, mo.Now)
	// Tests sweep for expiry reminders themselves, with RemindExpiring.
	if e.Alerts, err = alert.Start(st, idx, mt, alert.Options{Now: mo.Now, RemindEvery: -1}); err != nil {
		e.t.Fatalf("start alerts: %v", err)
	}
	e.Stats = stats.Start(st, m, e.Alerts, mo.Now)
	events := matchmaking.New(m, mt, mo.Now)
	e.Stats.CountEvents(events.Counts)
	e.srv = server.New(m, mt, server.Options{Alerts: e.Alerts, Stats: e.Stats, Limits: cfg.limits, Events: events})
	e.lis = bufconn.Listen(1 << 20)
	e.done = make(chan struct{})
	go func() {
		defer close(e.done)
		_ = e.srv.Serve(e.lis) // returns when stopped
	}()
}

func (e *Env) stop() {
	if e.srv == nil {
		return
	}
	e.srv.Stop()
	<-e.done
	e.Alerts.Close()
	if err := e.Stats.Close(); err != nil {
		e.t.Errorf("close stats: %v", err)
	}
	if err := e.Index.Close(); err != nil {
		e.t.Errorf("close index: %v", err)
	}
	if err := e.Market.Store().Close(); err != nil {
		e.t.Errorf("close store: %v", err)
	}
	e.srv = nil
}

// Restart stops the server and opens the same data folder again, as a
// process restart would.
func (e *Env) Restart() {
	e.t.Helper()
	e.stop()
	e.start(e.opts)
}

// Addr is the address to dial with DialOptions.
const Addr = "passthrough:///bufnet"

// DialOptions make client.Dial(Addr, …) reach this marketplace, as long as
// it runs (a Restart needs new options).
func (e *Env) DialOptions() []client.Option {
	lis := e.lis
	return []client.Option{client.WithDialOptions(
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
	)}
}

// Client returns a client calling with token ("" for anonymous), closed
// when the test ends.
func (e *Env) Client(token string) *client.Client {
	e.t.Helper()
	c, err := client.Dial(Addr, append(e.DialOptions(), client.WithToken(token))...)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	e.t.Cleanup(func() { _ = c.Close() })
	return c
}

// Token issues a token for org in role and returns its secret.
func (e *Env) Token(role, org string) string {
	e.t.Helper()
	r, ok := auth.ParseRole(role)
	if !ok {
		e.t.Fatalf("unknown role %q", role)
	}
	_, secret, err := e.Market.IssueToken(context.Background(), org, r, "test", nil)
	if err != nil {
		e.t.Fatalf("issue token: %v", err)
	}
	return secret
}

// PeerToken issues a token for another market, org, pulling the feed
// within scope (nil: everything), and returns its secret.
func (e *Env) PeerToken(org string, scope *techmarketv1.PeerScope) string {
	e.t.Helper()
	_, secret, err := e.Market.IssueToken(context.Background(), org, techmarketv1.Role_ROLE_PEER, "test", scope)
	if err != nil {
		e.t.Fatalf("issue peer token: %v", err)
	}
	return secret
}

// Clock is a settable clock safe to read from server goroutines.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// GRPCServer is the marketplace's gRPC server, for tests that serve it
// another way (the browser gateway).
func (e *Env) GRPCServer() *server.Server { return e.srv }
