// Command techmarket-load puts a realistic load on a Techmarket server and
// reports throughput, latency percentiles, errors by gRPC code and, for a
// server it runs itself, how the process's memory moved.
//
//	techmarket-load [--addr HOST:PORT --token OPERATOR_TOKEN] [--clients N] [--duration D]
//	                [--data DIR] [--seed S] [--vocab DIR] [--heap-profile PREFIX] [--json]
//
// Without --addr it starts a whole Techmarket in process on 127.0.0.1 (a
// free port) over a fresh data folder (--data, or a temporary folder
// removed at the end), imports the 70 demo listings, and issues every
// client its own token on the folder, so that the server's default
// per-caller rate limits apply to each client as they would to real
// users. With --addr it drives that server, creating the clients' tokens
// with the operator token through TokenService and revoking them at the
// end.
//
// Clients alternate between agencies (post and import offers) and
// enterprises (post and import demands, and keep a WatchMatches stream
// open). Each makes one call at a time from a shuffled deck of 40: 16
// match (MatchOffers/MatchDemands on stored listings), 10 search
// (SearchOffers/SearchDemands with a query and a filter), 6 get/list, 4
// create, 2 update (title and keywords, with the etag) and 2 imports of 20
// lines over the bidirectional ImportListings stream. Text is varied from
// the demo listings (and the *.jsonl files of --vocab); created listings
// have unique external ids, imports re-send ids from a pool of 100 per
// client so that they mix taken, updated and unchanged lines. Before the
// deck every client makes one call of each of its kinds (the warm-up
// round, counted like the rest); --duration runs from when all have, so
// that every call type runs even in a short run on a slow machine. A
// client refused by rate limiting waits as long as the server's RetryInfo
// asks (at most 2 s), as a well-behaved portal would.
//
// A progress line goes to stderr every 10 s. At the end a table gives,
// per call type, the calls served, throughput, p50, p99 and max latency,
// refusals by rate limiting (ResourceExhausted: deliberate, not errors)
// and errors by gRPC code. For an in-process server it also gives the
// heap in use (after a collection) and the RSS after the first minute (or
// a fifth of the run when shorter) and at the end, with their ratio: the
// project asks that memory at the end be within 10% of memory after the
// first minute. --json prints the same as one JSON object, and
// --heap-profile PREFIX writes a heap profile with each memory sample, to
// see what grew: go tool pprof -base PREFIX-first.pprof PREFIX-end.pprof.
//
// The exit status is 0 when no call failed other than by rate limiting,
// 1 otherwise, 2 for bad flags. Ctrl-C ends the run at once with a
// report of what ran.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first Ctrl-C a second one kills the process as usual.
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is what the flags say.
type config struct {
	addr     string
	token    string
	clients  int
	duration time.Duration
	dataDir  string
	seed     uint64
	vocabDir string
	json     bool
	// heapProfile, when set, is the prefix of two heap profiles written
	// with the memory samples: PREFIX-first.pprof and PREFIX-end.pprof.
	heapProfile string
	// cpuProfile, when set, is the file of a CPU profile of the whole
	// run (with the in-process server, the server's work is in it).
	cpuProfile string

	// progressEvery is the interval of progress lines; tests shorten it.
	progressEvery time.Duration
}

// poolSize bounds the shared pools of listing names.
const poolSize = 4096

// run is the whole program minus the process, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "techmarket-load:", err)
		return 2
	}
	if cfg.cpuProfile != "" {
		stopProfile, err := startCPUProfile(cfg.cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "techmarket-load:", err)
			return 1
		}
		defer func() {
			if err := stopProfile(); err != nil {
				fmt.Fprintln(stderr, "techmarket-load: writing the CPU profile:", err)
			}
		}()
	}
	rep, err := execute(ctx, cfg, stderr)
	if rep != nil {
		if cfg.json {
			err = errors.Join(err, rep.writeJSON(stdout))
		} else {
			rep.writeText(stdout)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "techmarket-load:", err)
		return 1
	}
	if !rep.OK {
		return 1
	}
	return 0
}

func parseArgs(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("techmarket-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{progressEvery: 10 * time.Second}
	fs.StringVar(&cfg.addr, "addr", "", "drive the server at `HOST:PORT` (plain text) instead of one started in process")
	fs.StringVar(&cfg.token, "token", "", "operator `token` of the --addr server, to create the clients' tokens")
	fs.IntVar(&cfg.clients, "clients", 2*runtime.GOMAXPROCS(0), "concurrent clients, each with its own organisation and token")
	fs.DurationVar(&cfg.duration, "duration", time.Minute, "how long to put load on the server")
	fs.StringVar(&cfg.dataDir, "data", "", "data `folder` of the in-process server (kept); default a temporary folder, removed at the end")
	seed := fs.String("seed", "", "random `seed`, for a repeatable sequence of calls; default from the clock")
	fs.StringVar(&cfg.vocabDir, "vocab", "", "`folder` of interchange *.jsonl files whose listings vary the generated text (and are imported into an in-process server), such as the development set")
	fs.BoolVar(&cfg.json, "json", false, "print the report as one JSON object")
	fs.StringVar(&cfg.heapProfile, "heap-profile", "", "with the in-process server, write heap profiles `PREFIX`-first.pprof and PREFIX-end.pprof with the memory samples (compare with go tool pprof -base)")
	fs.StringVar(&cfg.cpuProfile, "cpu-profile", "", "write a CPU profile of the run to `FILE` (go tool pprof FILE)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: techmarket-load [--addr HOST:PORT --token OPERATOR_TOKEN] [--clients N] [--duration D] [--data DIR] [--seed S] [--vocab DIR] [--heap-profile PREFIX] [--cpu-profile FILE] [--json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case cfg.clients < 1:
		return cfg, errors.New("--clients must be at least 1")
	case cfg.duration <= 0:
		return cfg, errors.New("--duration must be positive")
	case cfg.addr != "" && cfg.token == "":
		return cfg, errors.New("--addr needs --token with an operator token, to create the clients' tokens")
	case cfg.addr == "" && cfg.token != "":
		return cfg, errors.New("--token goes with --addr; the in-process server issues its own tokens")
	case cfg.addr != "" && cfg.dataDir != "":
		return cfg, errors.New("--data is for the in-process server; it cannot go with --addr")
	case cfg.addr != "" && cfg.heapProfile != "":
		return cfg, errors.New("--heap-profile is for the in-process server; it cannot go with --addr")
	}
	if *seed == "" {
		cfg.seed = uint64(time.Now().UnixNano())
	} else {
		s, err := strconv.ParseUint(*seed, 10, 64)
		if err != nil {
			return cfg, fmt.Errorf("--seed must be a whole number: %v", err)
		}
		cfg.seed = s
	}
	return cfg, nil
}

// execute runs the load and returns its report. The report is nil only
// when the load could not start.
func execute(ctx context.Context, cfg config, progress io.Writer) (*report, error) {
	v, err := loadVocab(cfg.vocabDir)
	if err != nil {
		return nil, err
	}
	runID := strconv.FormatInt(time.Now().UnixMilli(), 36)
	sh := &shared{
		vocab:   v,
		rec:     newRecorder(),
		offers:  newNames(poolSize, cfg.seed),
		demands: newNames(poolSize, cfg.seed+1),
		runID:   runID,
	}

	// The server and a token per client.
	var (
		addr     = cfg.addr
		secrets  = make([]string, cfg.clients)
		local    *inProcess
		operator *client.Client
		issued   []string // token names issued through the API
	)
	orgOf := func(i int) (string, techmarketv1.Role) {
		if roleOf(i) == roleEnterprise {
			return fmt.Sprintf("负载测试企业%02d（%s）", i, runID), techmarketv1.Role_ROLE_ENTERPRISE
		}
		return fmt.Sprintf("负载测试技术转移中心%02d（%s）", i, runID), techmarketv1.Role_ROLE_AGENCY
	}
	defer func() {
		// Revoke what was issued through the API, then stop a local server.
		if operator != nil {
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			for _, name := range issued {
				if _, rerr := operator.RevokeToken(rctx, name); rerr != nil {
					fmt.Fprintf(progress, "techmarket-load: revoking %s: %s\n", name, client.Describe(rerr))
				}
			}
			cancel()
			operator.Close()
		}
		if local != nil {
			if cerr := local.close(); cerr != nil {
				fmt.Fprintln(progress, "techmarket-load: stopping the in-process server:", cerr)
			}
		}
	}()
	if addr == "" {
		log := slog.New(slog.NewTextHandler(progress, &slog.HandlerOptions{Level: slog.LevelError}))
		if local, err = startInProcess(ctx, cfg.dataDir, v.extra, log); err != nil {
			return nil, err
		}
		addr = local.Addr
		for i := range secrets {
			org, role := orgOf(i)
			if secrets[i], err = local.issueToken(ctx, org, role); err != nil {
				return nil, err
			}
		}
	} else {
		if operator, err = client.Dial(addr, client.WithToken(cfg.token)); err != nil {
			return nil, err
		}
		for i := range secrets {
			org, role := orgOf(i)
			resp, err := operator.CreateToken(ctx, org, role, "techmarket-load "+runID)
			if err != nil {
				return nil, fmt.Errorf("creating a token for client %d: %s", i, client.Describe(err))
			}
			issued = append(issued, resp.GetToken().GetName())
			secrets[i] = resp.GetSecret()
		}
	}

	// The clients, and the listings already on the market.
	workers := make([]*worker, cfg.clients)
	for i := range workers {
		// Refusals are part of what the load measures: no retries.
		c, err := client.Dial(addr, client.WithToken(secrets[i]), client.WithRetries(0))
		if err != nil {
			return nil, err
		}
		defer c.Close()
		workers[i] = &worker{id: i, role: roleOf(i), c: c, sh: sh, rng: rand.New(rand.NewPCG(cfg.seed, uint64(i)+1))}
	}
	if err := seedNames(ctx, workers[0].c, sh); err != nil {
		return nil, err
	}

	rep := &report{
		Target:    "server at " + addr,
		InProcess: local != nil,
		Clients:   cfg.clients,
		Seed:      cfg.seed,
		Requested: cfg.duration.String(),
		Mix:       mixDescription,
	}
	if local != nil {
		rep.Target = "in-process server on " + addr
		if cfg.dataDir != "" {
			rep.Target += " over " + cfg.dataDir
		}
	}
	for _, w := range workers {
		if w.role == roleEnterprise {
			rep.Enterprises++
		} else {
			rep.Agencies++
		}
	}
	rep.StartOffers, rep.StartDemands = sh.offers.len(), sh.demands.len()

	// The load: a warm-up round per client, then --duration of the deck.
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var (
		wg      sync.WaitGroup
		warming atomic.Int64
		warm    = make(chan struct{})
	)
	warming.Store(int64(len(workers)))
	warmedUp := func() {
		if warming.Add(-1) == 0 {
			close(warm)
		}
	}
	start := time.Now()
	for _, w := range workers {
		wg.Go(func() { w.run(loadCtx, warmedUp) })
		if w.role == roleEnterprise {
			wg.Go(func() { w.watch(loadCtx) })
		}
	}
	var (
		first, last *memSample
		sampling    bool
		sampled     = make(chan memSample, 1)
		memC, endC  <-chan time.Time
		lastCalls   int64
		lastTick    = start
	)
	ticker := time.NewTicker(cfg.progressEvery)
	defer ticker.Stop()
wait:
	for {
		select {
		case <-warm:
			warm = nil
			rep.Warmup = time.Since(start).Seconds()
			// The first memory sample after the first minute, or a fifth of
			// a shorter run; sampled aside, so that a slow collection does
			// not hold up the end of the run.
			memTimer := time.NewTimer(min(time.Minute, cfg.duration/5))
			endTimer := time.NewTimer(cfg.duration)
			defer memTimer.Stop()
			defer endTimer.Stop()
			memC, endC = memTimer.C, endTimer.C
			if local == nil {
				memC = nil
			}
		case now := <-ticker.C:
			calls, errs, refused := sh.rec.totals()
			rate := float64(calls-lastCalls) / now.Sub(lastTick).Seconds()
			lastCalls, lastTick = calls, now
			fmt.Fprintf(progress, "[%6s] calls %d, errors %d, rate-limited %d, %.1f calls/s, alerts %d\n",
				now.Sub(start).Round(time.Second), calls, errs, refused, rate, sh.rec.alerts.Load())
		case <-memC:
			sampling = true
			go func() { sampled <- sampleMemory(time.Since(start), profilePath(cfg.heapProfile, "first")) }()
		case s := <-sampled:
			first, sampling = &s, false
			fmt.Fprintf(progress, "[%6s] memory: heap in use %s, RSS %s\n", s.At.Round(time.Second), mib(s.HeapInuse), mib(s.RSS))
		case <-endC:
			break wait
		case <-ctx.Done():
			rep.Interrupted = true
			fmt.Fprintln(progress, "techmarket-load: interrupted; stopping the clients")
			break wait
		}
	}
	elapsed := time.Since(start)
	stopLoad()
	wg.Wait()
	if sampling {
		s := <-sampled
		first = &s
	}
	if first != nil && first.ProfileErr != nil {
		fmt.Fprintln(progress, "techmarket-load: writing the heap profile:", first.ProfileErr)
	}
	if local != nil {
		// After the last call, with the server still up: what the run
		// left behind. Calls in flight, a few requests' worth, are over.
		s := sampleMemory(elapsed, profilePath(cfg.heapProfile, "end"))
		last = &s
		if s.ProfileErr != nil {
			fmt.Fprintln(progress, "techmarket-load: writing the heap profile:", s.ProfileErr)
		}
	}
	rep.fill(sh.rec, elapsed, first, last, sh)
	return rep, nil
}

// profilePath is where the heap profile of a sample goes; "" for none.
func profilePath(prefix, sample string) string {
	if prefix == "" {
		return ""
	}
	return prefix + "-" + sample + ".pprof"
}

// seedNames fills the pools with the published listings on the market, a
// few pages of each side, so that the first matches have something to
// match.
func seedNames(ctx context.Context, c *client.Client, sh *shared) error {
	n := 0
	for o, err := range c.ListOffers(ctx, &techmarketv1.ListOffersRequest{PageSize: 500, State: techmarketv1.ListingState_LISTING_STATE_PUBLISHED}) {
		if err != nil {
			return fmt.Errorf("listing the offers: %s", client.Describe(err))
		}
		sh.offers.add(o.GetName())
		if n++; n >= poolSize {
			break
		}
	}
	n = 0
	for d, err := range c.ListDemands(ctx, &techmarketv1.ListDemandsRequest{PageSize: 500, State: techmarketv1.ListingState_LISTING_STATE_PUBLISHED}) {
		if err != nil {
			return fmt.Errorf("listing the demands: %s", client.Describe(err))
		}
		sh.demands.add(d.GetName())
		if n++; n >= poolSize {
			break
		}
	}
	return nil
}
