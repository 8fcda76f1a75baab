package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// feedResult is what --feed measured for one size: a market following
// another of 2n listings (docs/federation.md).
type feedResult struct {
	Size int `json:"listings_per_side"`
	// ApplyPerSec is the listings a new link applied from the peer's feed
	// a second, from AddLink until caught up with all 2n.
	ApplySeconds float64 `json:"apply_seconds"`
	ApplyPerSec  float64 `json:"apply_listings_per_second"`
	// Lag is from a new listing's acknowledgement at home to its
	// application by the follower, under WritesPerSec steady writes.
	Lag          latency `json:"lag"`
	WritesPerSec float64 `json:"writes_per_second"`
}

// feedWrites is the steady write rate at home while the lag is measured.
const feedWrites = 20

// benchFeed stocks a home market with n listings a side, starts a second
// market that links to it, and times the follower.
func benchFeed(ctx context.Context, cfg config, bin string, n int, progress io.Writer) (*feedResult, error) {
	r := &feedResult{Size: n, WritesPerSec: feedWrites}
	say := func(format string, args ...any) {
		fmt.Fprintf(progress, "[feed %d] %s\n", n, fmt.Sprintf(format, args...))
	}
	dir, corpusFile, cleanup, err := stockCorpus(cfg, n)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	homeDir, followerDir := filepath.Join(dir, "home"), filepath.Join(dir, "follower")
	homeToken, err := operatorToken(bin, homeDir)
	if err != nil {
		return r, err
	}
	followerToken, err := operatorToken(bin, followerDir)
	if err != nil {
		return r, err
	}
	if err := offlineImport(bin, homeDir, corpusFile, say); err != nil {
		return r, err
	}
	home, err := startServer(bin, homeDir, false)
	if err != nil {
		return r, err
	}
	defer home.stop()
	follower, err := startServer(bin, followerDir, false)
	if err != nil {
		return r, err
	}
	defer follower.stop()
	hc, err := client.Dial(home.addr, client.WithToken(homeToken))
	if err != nil {
		return r, err
	}
	defer hc.Close()
	fc, err := client.Dial(follower.addr, client.WithToken(followerToken))
	if err != nil {
		return r, err
	}
	defer fc.Close()

	peer, err := hc.Tokens.CreateToken(ctx, &techmarketv1.CreateTokenRequest{Organization: "跟随市场", Role: techmarketv1.Role_ROLE_PEER, Description: "techmarket-bench"})
	if err != nil {
		return r, err
	}
	begin := time.Now()
	if _, err := fc.Links.AddLink(ctx, &techmarketv1.AddLinkRequest{LinkId: "home", Addr: home.addr, Token: peer.GetSecret()}); err != nil {
		return r, err
	}
	applied := func() (int64, bool, error) {
		resp, err := fc.Links.ListLinks(ctx, &techmarketv1.ListLinksRequest{})
		if err != nil || len(resp.GetLinks()) != 1 {
			return 0, false, fmt.Errorf("the follower's links: %v, %v", resp.GetLinks(), err)
		}
		l := resp.GetLinks()[0]
		if l.GetLastError() != "" {
			say("link error: %s", l.GetLastError())
		}
		return l.GetApplied(), l.GetCaughtUp(), nil
	}
	lastSaid := time.Now()
	for {
		got, caughtUp, err := applied()
		if err != nil {
			return r, err
		}
		if caughtUp && got >= int64(2*n) {
			break
		}
		if time.Since(lastSaid) > 10*time.Second {
			lastSaid = time.Now()
			say("%d of %d listings applied", got, 2*n)
		}
		if err := pause(ctx, 100*time.Millisecond); err != nil {
			return r, err
		}
	}
	r.ApplySeconds = time.Since(begin).Seconds()
	r.ApplyPerSec = float64(2*n) / r.ApplySeconds
	say("a new link applied %d listings in %.1fs, %.0f/s", 2*n, r.ApplySeconds, r.ApplyPerSec)

	// The lag: steady writes at home, each timed to the follower's
	// application of it. Applied counts events in order, so the i-th
	// write is in once the count passes base + i.
	base, _, err := applied()
	if err != nil {
		return r, err
	}
	writes := int(feedWrites * cfg.throughputTime.Seconds())
	acks := make(chan time.Time, writes) // the writer's acknowledgement times, in order
	done := make(chan error, 1)
	go func() {
		tick := time.NewTicker(time.Second / feedWrites)
		defer tick.Stop()
		for i := range writes {
			<-tick.C
			o := &techmarketv1.Offer{Title: fmt.Sprintf("电解水制氢装备 %d 型", i+1), Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_INNER_MONGOLIA}
			if _, err := hc.CreateOffer(ctx, o, true); err != nil {
				done <- err
				return
			}
			acks <- time.Now()
		}
		done <- nil
	}()
	// seen[i] is when the follower was first seen to have applied write i.
	var seen []time.Time
	for len(seen) < writes {
		got, _, err := applied()
		if err != nil {
			return r, err
		}
		now := time.Now()
		for int64(len(seen)) < got-base && len(seen) < writes {
			seen = append(seen, now)
		}
		if err := pause(ctx, 10*time.Millisecond); err != nil {
			return r, err
		}
	}
	if err := <-done; err != nil {
		return r, err
	}
	lags := make([]time.Duration, writes)
	for i := range lags {
		// Applied before its acknowledgement reached the writer: no lag.
		lags[i] = max(0, seen[i].Sub(<-acks))
	}
	r.Lag = measure(lags)
	say("lag of a new listing at %d writes/s: p50 %.0f ms, p99 %.0f ms", feedWrites, r.Lag.P50, r.Lag.P99)
	return r, nil
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func writeFeedReport(w io.Writer, cfg config, results []*feedResult) {
	if cfg.json {
		writeJSON(w, results)
		return
	}
	fmt.Fprintf(w, "techmarket-bench --feed: seed %d, lag over %s of %d writes/s\n", cfg.seed, cfg.throughputTime, feedWrites)
	row := func(name string, f func(r *feedResult) string) {
		fmt.Fprintf(w, "%-44s", name)
		for _, r := range results {
			fmt.Fprintf(w, " %16s", f(r))
		}
		fmt.Fprintln(w)
	}
	row("listings at home (both sides)", func(r *feedResult) string { return fmt.Sprint(2 * r.Size) })
	row("a new link applies, listings/s", func(r *feedResult) string { return fmt.Sprintf("%.0f", r.ApplyPerSec) })
	row("lag of a new listing p50/p99 ms", func(r *feedResult) string { return fmt.Sprintf("%.0f / %.0f", r.Lag.P50, r.Lag.P99) })
}
