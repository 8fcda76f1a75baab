// Package follower follows the feeds of the markets this one is linked to
// (docs/federation.md): one goroutine per link pulls the peer's feed
// (FederationService.PullListings) and applies each page, with the new
// cursor, in one transaction (market.ApplyFeed). A peer that is down, slow
// or sends bad data costs only its own goroutine: it backs off, and its
// errors and refused listings are logged and kept on the link for
// `techmarket links list`.
package follower

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// Options tune a Follower. The zero value is right for production.
type Options struct {
	Logger *slog.Logger
	// PollEvery is how long a caught-up link waits before it asks again;
	// 500 ms by default: the lag of a new listing on a quiet feed, for a
	// caught-up pull that costs the peer a read of its newest sequence.
	PollEvery time.Duration
	// MaxBackoff caps the wait after failed pulls; 1 min by default.
	MaxBackoff time.Duration
	// PageSize is the page pulled at a time; 500 by default.
	PageSize int32
	// Dial connects to a link's market; by default over the network with
	// the link's token and CA.
	Dial func(market.Link) (*client.Client, error)
	// Leading, when set, reports whether this node of a cluster leads:
	// only the leader follows the links (it writes what it pulls through
	// the log); call Wake when leadership changes. Nil: always.
	Leading func() bool
}

// Follower follows every link of a market that is not paused.
type Follower struct {
	m    *market.Market
	opts Options
	log  *slog.Logger
	wake chan struct{}

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	running map[string]*run // by link name
}

type run struct {
	link   market.Link // as it was dialled
	c      *client.Client
	cancel context.CancelFunc
	wake   chan struct{}
	sync   sync.Mutex // one pull at a time: Sync and the loop
}

// Start follows m's links until Close.
func Start(m *market.Market, opts Options) *Follower {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.PollEvery <= 0 {
		opts.PollEvery = 500 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = time.Minute
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 500
	}
	if opts.Dial == nil {
		opts.Dial = dial
	}
	f := &Follower{m: m, opts: opts, log: opts.Logger, wake: make(chan struct{}, 1), running: map[string]*run{}}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	f.wg.Go(f.manage)
	return f
}

// Close stops following and waits for the pulls in flight; each loop
// closes its own connection.
func (f *Follower) Close() {
	f.cancel()
	f.wg.Wait()
}

// Wake makes the follower read the links again at once: call it after a
// link is added, paused, resumed or removed.
func (f *Follower) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// manage keeps one loop running per followed link.
func (f *Follower) manage() {
	tick := time.NewTicker(30 * time.Second) // links changed by another process, such as a restore
	defer tick.Stop()
	for {
		f.reconcile()
		select {
		case <-f.ctx.Done():
			return
		case <-f.wake:
		case <-tick.C:
		}
	}
}

func (f *Follower) reconcile() {
	links, err := f.m.AllLinks()
	if err != nil {
		f.log.Error("links: reading the links", "err", err)
		return
	}
	want := map[string]market.Link{}
	for _, l := range links {
		if !l.Paused && (f.opts.Leading == nil || f.opts.Leading()) {
			want[l.Name] = l
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for name, r := range f.running {
		if l, ok := want[name]; !ok || l.Addr != r.link.Addr || l.Token != r.link.Token || l.TLSCA != r.link.TLSCA {
			r.cancel()
			delete(f.running, name)
		} else {
			select { // the link changed: look now
			case r.wake <- struct{}{}:
			default:
			}
		}
	}
	for name, l := range want {
		if _, ok := f.running[name]; ok {
			continue
		}
		c, err := f.opts.Dial(l)
		if err != nil {
			f.log.Error("links: cannot reach the market", "link", name, "addr", l.Addr, "err", err)
			_ = f.m.RecordLinkError(f.ctx, name, err)
			continue
		}
		ctx, cancel := context.WithCancel(f.ctx)
		r := &run{link: l, c: c, cancel: cancel, wake: make(chan struct{}, 1)}
		f.running[name] = r
		f.wg.Go(func() {
			defer c.Close()
			f.loop(ctx, name, r)
			f.mu.Lock()
			if f.running[name] == r { // ended on its own: paused or removed
				delete(f.running, name)
			}
			f.mu.Unlock()
		})
	}
}

// loop pulls link name until ctx ends: at once after new events, every
// PollEvery when caught up, with growing waits after failures.
func (f *Follower) loop(ctx context.Context, name string, r *run) {
	backoff := time.Second
	for {
		wait := f.opts.PollEvery
		switch err := f.pull(ctx, name, r); {
		case ctx.Err() != nil:
			return
		case errors.Is(err, market.ErrNotFound), errors.Is(err, market.ErrFailedPrecondition):
			return // removed or paused: reconcile starts it again if it comes back
		case err != nil:
			f.log.Warn("links: pulling the feed failed; trying again", "link", name, "in", backoff, "err", err)
			_ = f.m.RecordLinkError(ctx, name, err)
			wait, backoff = backoff, min(2*backoff, f.opts.MaxBackoff)
		default:
			backoff = time.Second
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-r.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// Sync pulls link name until its feed is caught up, now, in the caller's
// goroutine: for `techmarket links sync` and tests.
func (f *Follower) Sync(ctx context.Context, name string) error {
	f.mu.Lock()
	r, ok := f.running[name]
	f.mu.Unlock()
	if !ok { // added a moment ago, perhaps: read the links now
		f.reconcile()
		f.mu.Lock()
		r, ok = f.running[name]
		f.mu.Unlock()
	}
	if !ok {
		return fmt.Errorf("%w: the link %s is not followed (paused, removed or unreachable); `techmarket links list` says why", market.ErrFailedPrecondition, name)
	}
	return f.pull(ctx, name, r)
}

// pull applies pages of the feed from where the link stands until it
// is caught up.
func (f *Follower) pull(ctx context.Context, name string, r *run) error {
	r.sync.Lock()
	defer r.sync.Unlock()
	for {
		l, err := f.link(name)
		if err != nil {
			return err
		}
		page, err := r.c.Federation.PullListings(ctx, &techmarketv1.PullListingsRequest{Cursor: l.Cursor, PageSize: f.opts.PageSize})
		if err != nil {
			return fmt.Errorf("pulling from %s: %s", l.Addr, client.Describe(err))
		}
		rejected, err := f.m.ApplyFeed(ctx, name, l.Cursor, page)
		if err != nil {
			return err
		}
		for _, rj := range rejected {
			f.log.Warn("links: refused a listing of the feed", "link", name, "listing", rj.Name, "reason", rj.Reason)
		}
		if page.GetCaughtUp() {
			return f.carry(ctx, name, r)
		}
	}
}

// carry delivers the introductions asked here of the link's listings and
// brings back the answers given at home.
func (f *Follower) carry(ctx context.Context, name string, r *run) error {
	todo, err := f.m.IntroductionsToCarry(name)
	if err != nil {
		return err
	}
	byHome := map[string]string{} // home name → id here
	for _, in := range todo {
		if in.HomeName != "" {
			byHome[in.HomeName] = in.ID
			continue
		}
		resp, err := r.c.Federation.DeliverIntroduction(ctx, &techmarketv1.DeliverIntroductionRequest{
			PeerName: in.Shown.GetName(), Listing: in.HomeListing, Requester: in.Shown.GetRequester(), Message: in.Shown.GetMessage(),
		})
		if status.Code(err) == codes.InvalidArgument {
			// The listing left its home market meanwhile: nobody is left
			// to answer.
			gone := &techmarketv1.Introduction{State: techmarketv1.IntroductionState_INTRODUCTION_STATE_DECLINED, Answer: "the listing is no longer on its home market"}
			if err := f.m.IntroductionAnswered(ctx, in.ID, gone); err != nil {
				return err
			}
			continue
		} else if err != nil {
			return fmt.Errorf("delivering %s: %s", in.Shown.GetName(), client.Describe(err))
		}
		if err := f.m.IntroductionDelivered(ctx, in.ID, resp.GetName()); err != nil {
			return err
		}
		byHome[resp.GetName()] = in.ID
	}
	names := slices.Sorted(maps.Keys(byHome))
	for len(names) > 0 {
		batch := names[:min(100, len(names))]
		names = names[len(batch):]
		resp, err := r.c.Federation.GetIntroductionAnswers(ctx, &techmarketv1.GetIntroductionAnswersRequest{Names: batch})
		if err != nil {
			return fmt.Errorf("asking after introductions: %s", client.Describe(err))
		}
		for _, home := range resp.GetIntroductions() {
			if id, ok := byHome[home.GetName()]; ok {
				if err := f.m.IntroductionAnswered(ctx, id, home); err != nil {
					f.log.Warn("links: refused an introduction's answer", "link", name, "introduction", home.GetName(), "err", err)
				}
			}
		}
	}
	return nil
}

func (f *Follower) link(name string) (market.Link, error) {
	links, err := f.m.AllLinks()
	if err != nil {
		return market.Link{}, err
	}
	for _, l := range links {
		if l.Name == name {
			if l.Paused {
				return market.Link{}, fmt.Errorf("%w: the link %s is paused", market.ErrFailedPrecondition, name)
			}
			return l, nil
		}
	}
	return market.Link{}, fmt.Errorf("%w: no link named %s", market.ErrNotFound, name)
}

// dial connects to a link's market with its peer token, over TLS when
// the link names a CA.
func dial(l market.Link) (*client.Client, error) {
	opts := []client.Option{client.WithToken(l.Token)}
	if l.TLSCA != "" {
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM([]byte(l.TLSCA)) {
			return nil, errors.New("the link's CA holds no PEM certificate")
		}
		opts = append(opts, client.WithTLS(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}))
	}
	return client.Dial(l.Addr, opts...)
}
