package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/cluster"
	"github.com/wuhai-techmarket/techmarket/demo"
	"github.com/wuhai-techmarket/techmarket/federation/follower"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/match"
	"github.com/wuhai-techmarket/techmarket/matchmaking"
	"github.com/wuhai-techmarket/techmarket/metrics"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/server"
	"github.com/wuhai-techmarket/techmarket/stats"
	"github.com/wuhai-techmarket/techmarket/store"
)

// DefaultAddr is where the server listens and the CLI calls by default.
const DefaultAddr = "127.0.0.1:7733"

// drainTime is how long a stopping server lets calls in flight finish.
const drainTime = 10 * time.Second

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	addr := fs.String("addr", DefaultAddr, "address to listen on, HOST:PORT")
	dir := fs.String("data", "", "data folder of the marketplace (created if missing)")
	withDemo := fs.Bool("demo", false, "load sample listings on first start and write sample tokens to DIR/demo-tokens.txt")
	logFormat := fs.String("log-format", "text", "request log format: text or json")
	review := fs.Bool("review", false, "send agencies' and enterprises' posts to operators for review before they are published")
	metricsAddr := fs.String("metrics-addr", "", "serve Prometheus metrics over HTTP at `HOST:PORT`/metrics (off when empty)")
	withPprof := fs.Bool("pprof", false, "also serve Go's profiles at the metrics address, /debug/pprof/ (needs --metrics-addr)")
	var limits server.Limits
	fs.Float64Var(&limits.RatePerSecond, "rate", server.DefaultRatePerSecond, "calls a second each caller (a token, or an anonymous address) may make; calls over it are refused with RESOURCE_EXHAUSTED and a retry delay")
	fs.IntVar(&limits.Burst, "burst", server.DefaultBurst, "calls a caller may make at once above --rate")
	fs.DurationVar(&limits.MaxCallTime, "max-call-time", server.DefaultMaxCallTime, "the longest any unary call runs, whatever deadline it brings")
	maxStreams := fs.Uint("max-streams", server.DefaultMaxConcurrentStreams, "calls in flight on one connection")
	fs.IntVar(&limits.MaxWatchers, "max-watchers", server.DefaultMaxWatchers, "open alert streams (WatchMatches) per organisation")
	cacheMiB := fs.Int64("postings-cache", index.DefaultPostingsCacheBytes>>20, "`MiB` of decoded postings matching keeps in memory; watch techmarket_postings_cache_misses_total (docs/performance.md)")
	var tuned []string
	fs.Func("tune", "`knob=value`: set a matching knob (match.Tuning) for this server, such as BodyTerms=32 (docs/matching.md); repeatable", func(pair string) error {
		if err := match.SetTuningFlag(pair); err != nil {
			return err
		}
		tuned = append(tuned, pair)
		return nil
	})
	httpAddr := fs.String("http-addr", "", "serve browsers and HTTP clients (Connect, gRPC-Web, REST, the portal) on this `HOST:PORT` instead of --addr; needed under TLS")
	var corsOrigins []string
	fs.Func("cors-origin", "let pages of this `ORIGIN` (such as https://portal.example.cn) call the API from a browser; repeatable, none by default", func(o string) error {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return fmt.Errorf("an origin is scheme://host[:port], such as https://portal.example.cn, not %q", o)
		}
		corsOrigins = append(corsOrigins, u.Scheme+"://"+u.Host)
		return nil
	})
	var transport transportFlags
	transport.register(fs)
	var clustered clusterFlags
	clustered.register(fs)
	configFile := fs.String(configFlag, "", "read any of these flags from `FILE`, a \"name = value\" a line (docs/deployment.md); the command line wins")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if err := applyConfig(fs, *configFile); err != nil {
		return err
	}
	tlsConfig, err := transport.config(*addr)
	if err != nil {
		return err
	}
	if err := clustered.check(); err != nil {
		return err
	}
	switch {
	case *withPprof && *metricsAddr == "":
		return fmt.Errorf("%w: --pprof serves on the metrics address; give --metrics-addr too", errUsage)
	case limits.RatePerSecond <= 0 || limits.Burst < 1:
		return fmt.Errorf("%w: --rate must be above 0 and --burst at least 1", errUsage)
	case limits.MaxCallTime < time.Second:
		return fmt.Errorf("%w: --max-call-time must be at least 1s", errUsage)
	case *maxStreams < 1 || *maxStreams > 1<<16:
		return fmt.Errorf("%w: --max-streams must be between 1 and 65536", errUsage)
	case limits.MaxWatchers < 1:
		return fmt.Errorf("%w: --max-watchers must be at least 1", errUsage)
	case *cacheMiB < 1 || *cacheMiB > 1<<20:
		return fmt.Errorf("%w: --postings-cache must be between 1 and 1048576 MiB", errUsage)
	}
	limits.MaxConcurrentStreams = uint32(*maxStreams)
	var log *slog.Logger
	switch *logFormat {
	case "text":
		log = slog.New(slog.NewTextHandler(stderr, nil))
	case "json":
		log = slog.New(slog.NewJSONHandler(stderr, nil))
	default:
		return fmt.Errorf("%w: --log-format must be text or json", errUsage)
	}

	// Load the dictionaries now, so the first request does not pay for
	// it, and open the store and index meanwhile: the load is seconds of
	// CPU, opening mostly waits on the disk. Indexing that opening needs
	// (catching up with the store) waits for the load.
	dictionaries := analysis.LoadInBackground(analysis.Config{})
	st, err := openStore(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	var (
		lis   listeners
		node  *cluster.Node
		woken followers
	)
	if clustered.on {
		// A node listens first: the others learn its address when it
		// joins, and send it writes once it leads.
		if lis, err = listen(*addr, *httpAddr, tlsConfig, log); err != nil {
			return err
		}
		if node, err = startNode(ctx, clustered, st, *dir, lis.grpc.Addr().String(), tlsConfig, &woken, log); err != nil {
			return err
		}
		defer func() {
			if err := node.Close(); err != nil {
				log.Error("cluster: leaving", "err", err)
			}
		}()
	}
	idx, err := index.Open(ctx, filepath.Join(*dir, indexDir), st, index.Options{Logger: log, PostingsCacheBytes: *cacheMiB << 20})
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("stopped while opening the index (%w); the store is intact, and the index is built again, or caught up, on the next start", err)
	} else if err != nil {
		return fmt.Errorf("opening the index: %w; `techmarketd reindex --data %s` rebuilds it from the store", err, *dir)
	}
	defer idx.Close()
	woken.idx.Store(idx)
	info, err := dictionaries()
	if err != nil {
		return fmt.Errorf("loading the analysis dictionaries: %w", err)
	}
	log.Info("dictionaries loaded", "took", info.LoadTime.Round(time.Millisecond))
	if len(tuned) > 0 {
		log.Info("matching tuned", "knobs", strings.Join(tuned, " "))
	}
	m, err := newMarket(ctx, st, market.Options{Index: idx, Review: *review}, node)
	if err != nil {
		return err
	}
	if *withDemo && (node == nil || node.Leading()) {
		if err := loadDemo(ctx, m, *dir, log); err != nil {
			return err
		}
	}

	if node == nil {
		if lis, err = listen(*addr, *httpAddr, tlsConfig, log); err != nil {
			return err
		}
	}
	mt := match.New(idx, st, nil)
	alertOpts := alert.Options{Logger: log}
	followOpts := follower.Options{Logger: log}
	if node != nil {
		alertOpts.Leading, alertOpts.LeadingChanged = node.Leading, node.LeadingChanged
		followOpts.Leading = node.Leading
	}
	alerts, err := alert.Start(st, idx, mt, alertOpts)
	if err != nil {
		return err
	}
	defer alerts.Close()
	woken.alerts.Store(alerts)
	counts := stats.Start(st, m, alerts, nil)
	defer func() {
		// A follower's counts are refused: it counts for the leader to
		// write only while it leads (docs/cluster.md).
		if err := counts.Close(); err != nil && !errors.Is(err, store.ErrNotLeader) {
			log.Error("writing the last match counts", "err", err)
		}
	}()
	events := matchmaking.New(m, mt, nil)
	counts.CountEvents(events.Counts)
	links := follower.Start(m, followOpts)
	defer links.Close()
	opts := server.Options{Logger: log, Alerts: alerts, Stats: counts, Events: events, Limits: limits, Links: links}
	if node != nil {
		dial, err := nodeDial(tlsConfig, clustered.ca)
		if err != nil {
			return err
		}
		opts.Cluster = &server.Cluster{Node: node, IndexApplied: idx.Applied, Dial: dial}
		stopWaking := make(chan struct{})
		defer close(stopWaking)
		go wakeOnLeadership(node, links.Wake, stopWaking)
	}
	if *metricsAddr != "" {
		sources := metrics.Sources{
			LastSeq: st.LastSeq, IndexApplied: idx.Applied, AlertsFollowed: alerts.Followed,
			StoreBytes: st.Size, IndexDir: filepath.Join(*dir, indexDir),
			Cache: func() metrics.CacheFigures {
				c := idx.PostingsCacheStats()
				return metrics.CacheFigures{Bytes: c.Bytes, Hits: c.Hits, Misses: c.Misses, Evictions: c.Evictions}
			},
			IndexShape: func() (int, int, bool) { sh := idx.Shape(); return sh.Segments, sh.Merging, sh.Compacting },
			Links:      func() []metrics.LinkFigures { return linkFigures(m, log) },
		}
		if node != nil {
			sources.Cluster = func() metrics.ClusterFigures { return clusterFigures(node) }
		}
		opts.Metrics = metrics.New(sources)
		stop, err := serveMetrics(*metricsAddr, opts.Metrics, *withPprof, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	switch {
	case tlsConfig != nil:
		opts.GRPCOptions = append(opts.GRPCOptions, grpc.Creds(credentials.NewTLS(tlsConfig)))
		log.Info("transport: TLS", "mutual", tlsConfig.ClientCAs != nil)
	case !loopback(*addr):
		log.Warn("transport: plain text on a non-loopback address (--insecure)", "addr", *addr)
	}
	srv := server.New(m, mt, opts)
	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(lis.grpc) }()
	var web *http.Server
	if lis.http != nil {
		if web, err = webServer(srv, corsOrigins); err != nil {
			return err
		}
		go func() {
			if err := web.Serve(lis.http); !errors.Is(err, http.ErrServerClosed) {
				serveErr <- err
			}
		}()
		log.Info("serving browsers and HTTP clients", "addr", lis.http.Addr().String(), "cors_origins", len(corsOrigins))
	}
	if node != nil {
		log.Info("serving", "addr", lis.grpc.Addr().String(), "data", *dir, "node", clustered.id, "raft_addr", node.RaftAddr(), "leading", node.Leading())
	} else {
		log.Info("serving", "addr", lis.grpc.Addr().String(), "data", *dir)
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Info("stopping: finishing calls in flight", "grace", drainTime)
	drainCtx, cancel := context.WithTimeout(context.Background(), drainTime)
	defer cancel()
	var stopping sync.WaitGroup
	if web != nil {
		// Both at once: each waits for its own calls in flight.
		stopping.Go(func() { shutdownWeb(drainCtx, web, log) })
	}
	srv.Shutdown(drainCtx)
	stopping.Wait()
	log.Info("stopped")
	return nil
}

// demoTokensFile holds the sample tokens of a demo market.
const demoTokensFile = "demo-tokens.txt"

// loadDemo fills an empty market with the bundled sample listings and
// issues one sample token per role, so a newcomer can read, post and
// import at once. A market that already has listings is left alone.
func loadDemo(ctx context.Context, m *market.Market, dir string, log *slog.Logger) error {
	nOffers, err := m.Store().Count(store.KindOffer)
	if err != nil {
		return err
	}
	nDemands, err := m.Store().Count(store.KindDemand)
	if err != nil {
		return err
	}
	if nOffers+nDemands > 0 {
		log.Info("demo: the market already has listings; not loading the samples again", "offers", nOffers, "demands", nDemands)
		return nil
	}
	operator := auth.Principal{Org: demo.Organization, Role: techmarketv1.Role_ROLE_OPERATOR}
	results, err := m.Import(ctx, operator, false, demo.Lines())
	if err != nil {
		return fmt.Errorf("loading demo listings: %w", err)
	}
	for _, r := range results {
		if r.GetName() == "" {
			return fmt.Errorf("demo listing on line %d was rejected: %s: %s", r.GetNumber(), r.GetField(), r.GetReason())
		}
	}
	var tokens strings.Builder
	tokens.WriteString("# Sample tokens of the demo market. Use one with: export TECHMARKET_TOKEN=…\n")
	for _, t := range []struct{ role, org string }{
		{"operator", demo.Organization},
		{"agency", "示例技术转移中心（演示）"},
		{"enterprise", "乌海市示例化工有限公司（演示）"},
	} {
		role, _ := auth.ParseRole(t.role)
		_, secret, err := m.IssueToken(ctx, t.org, role, "demo", nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(&tokens, "%s\t%s\t%s\n", t.role, secret, t.org)
	}
	if err := os.WriteFile(filepath.Join(dir, demoTokensFile), []byte(tokens.String()), 0o600); err != nil {
		return fmt.Errorf("writing demo tokens: %w", err)
	}
	log.Info("demo: loaded sample listings", "listings", len(results), "tokens", filepath.Join(dir, demoTokensFile))
	return nil
}

// linkFigures are the links' health for the metrics.
func linkFigures(m *market.Market, log *slog.Logger) []metrics.LinkFigures {
	links, err := m.AllLinks()
	if err != nil {
		log.Error("metrics: reading the links", "err", err)
		return nil
	}
	out := make([]metrics.LinkFigures, 0, len(links))
	for _, l := range links {
		out = append(out, metrics.LinkFigures{
			Name: l.Name, Paused: l.Paused, Failing: l.LastError != "", CaughtUp: l.CaughtUp,
			LastContact: l.LastContact, Newest: l.Newest, Applied: l.Applied, Refused: l.Rejected,
		})
	}
	return out
}
