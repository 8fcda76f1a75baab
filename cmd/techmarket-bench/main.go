// Command techmarket-bench measures Techmarket at market scale, over gRPC,
// against a fresh techmarketd on loopback, and prints a table per size.
//
//	techmarket-bench [--sizes 10000,100000] [--seed S] [--vocab FILE]... [--server PATH]
//	                 [--data DIR] [--matches N] [--clients N] [--throughput-time D]
//	                 [--offline] [--profile DIR] [--json]
//
// For each size N it writes a corpus of N offers and N demands (package
// corpus: deterministic, from the market's own text), starts techmarketd
// on an empty folder and measures, in this order:
//
//   - import: listings per second through the streaming import, each
//     batch answered once durable and searchable;
//   - how long the alerter then needs to match every imported listing
//     for alerts, and then for bleve's background segment merges to end;
//     the phases below wait for both, so that they time matching alone,
//     on a settled index;
//   - match latency, p50/p99, both directions, over gRPC, for --matches
//     stored listings of each side: the first pass (cold: each term's
//     postings are read the first time) and a second (warm);
//   - search latency, p50/p99, with words, an industry filter, a TRL
//     range, and the facets every search returns;
//   - matches per second with --clients concurrent clients;
//   - the server's peak RSS and the folder's size on disk;
//   - start to serving on the existing folder (techmarketd restarted);
//   - the same warm matches in this process, on the same folder, through
//     the matcher the service uses: the service's overhead as a ratio;
//   - a full rebuild of the index (techmarketd reindex), listings/s;
//   - the same corpus imported into a plain bleve index (cjk analyzer,
//     one text field, batches of 1,000), the floor the service's import
//     is held to.
//
// The server runs with the per-caller rate limit lifted (--rate): the
// benchmark measures what the machine can serve, not the policy that
// protects it. Progress goes to stderr. --data keeps the folders (one per
// size); by default they are temporary and removed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is what the flags say.
type config struct {
	sizes          []int
	seed           uint64
	vocab          []string
	server         string
	data           string
	matches        int
	clients        int
	throughputTime time.Duration
	json           bool
	offline        bool
	profile        string // folder for the server's pprof profiles; "" for none
	feed           bool   // measure a follower of a linked market instead
	cluster        int    // nodes of a replicated market to measure instead; 0 for none
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "techmarket-bench:", err)
		return 2
	}
	bin, err := findServer(cfg.server)
	if err != nil {
		fmt.Fprintln(stderr, "techmarket-bench:", err)
		return 2
	}
	if cfg.feed {
		return eachSize(ctx, cfg, bin, stdout, stderr, benchFeed, writeFeedReport)
	}
	if cfg.cluster > 0 {
		return eachSize(ctx, cfg, bin, stdout, stderr, benchCluster, writeClusterReport)
	}
	return eachSize(ctx, cfg, bin, stdout, stderr, benchSize, writeReport)
}

// eachSize runs bench for each size and reports what it measured, what
// a failing size measured before it failed included.
func eachSize[R any](ctx context.Context, cfg config, bin string, stdout, stderr io.Writer,
	bench func(context.Context, config, string, int, io.Writer) (*R, error),
	report func(io.Writer, config, []*R)) int {
	var results []*R
	for _, n := range cfg.sizes {
		r, err := bench(ctx, cfg, bin, n, stderr)
		if r != nil {
			results = append(results, r)
		}
		if err != nil {
			fmt.Fprintf(stderr, "techmarket-bench: %d listings a side: %v\n", n, err)
			report(stdout, cfg, results)
			return 1
		}
	}
	report(stdout, cfg, results)
	return 0
}

func parseArgs(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("techmarket-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{}
	sizes := fs.String("sizes", "10000,100000", "listings per side (offers and as many demands), comma-separated")
	fs.Uint64Var(&cfg.seed, "seed", 1, "corpus `seed`")
	fs.Func("vocab", "interchange `FILE` whose listings the corpus draws text from, besides the embedded demo market (repeatable)", func(s string) error {
		cfg.vocab = append(cfg.vocab, s)
		return nil
	})
	fs.StringVar(&cfg.server, "server", "", "techmarketd binary to run (default: beside this command, or on PATH)")
	fs.StringVar(&cfg.data, "data", "", "keep the data folders under `DIR` (one per size); default temporary, removed")
	fs.IntVar(&cfg.matches, "matches", 200, "stored listings of each side to match, for latency")
	fs.IntVar(&cfg.clients, "clients", 4*runtime.GOMAXPROCS(0), "concurrent clients for the throughput phase")
	fs.DurationVar(&cfg.throughputTime, "throughput-time", 20*time.Second, "how long the throughput phase runs")
	fs.BoolVar(&cfg.json, "json", false, "print the results as JSON")
	fs.BoolVar(&cfg.offline, "offline", false, "stock each folder with `techmarketd import` before serving it, instead of importing over gRPC: no alerts, and the import's time includes building the index, so no rebuild is timed apart")
	fs.BoolVar(&cfg.feed, "feed", false, "measure linked markets instead: a second market links to one stocked with each size, and the bench times how fast the link applies it and, under steady writes at home, the lag of a new listing (--throughput-time long)")
	fs.StringVar(&cfg.profile, "profile", "", "write the server's heap profile once the index has settled, and a CPU profile of its throughput phase, under `DIR` (go tool pprof reads them)")
	fs.IntVar(&cfg.cluster, "cluster", 0, "measure a replicated market of `N` nodes on this machine instead: matches per second against one node and spread over all, the CPU per match on each node, and writes through the leader and through a follower")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 10 {
			return cfg, fmt.Errorf("--sizes: %q is not a number of listings (at least 10)", s)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	switch {
	case cfg.matches < 1:
		return cfg, errors.New("--matches must be at least 1")
	case cfg.clients < 1:
		return cfg, errors.New("--clients must be at least 1")
	case cfg.throughputTime <= 0:
		return cfg, errors.New("--throughput-time must be positive")
	case cfg.cluster < 0 || cfg.cluster > 9 || cfg.cluster > 0 && cfg.feed:
		return cfg, errors.New("--cluster takes 1 to 9 nodes, and not with --feed")
	}
	return cfg, nil
}
