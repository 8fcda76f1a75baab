package main

import (
	"context"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/corpus"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// result is what one size measured.
type result struct {
	Size int `json:"listings_per_side"`

	CorpusSeconds  float64 `json:"corpus_seconds"`
	ImportSeconds  float64 `json:"import_seconds"`
	ImportPerSec   float64 `json:"import_listings_per_second"`
	AlertSeconds   float64 `json:"alerts_after_import_seconds"`
	SettleSeconds  float64 `json:"index_settled_after_alerts_seconds"`
	Segments       int     `json:"index_segments_when_settled"`
	MatchOffers    phases  `json:"match_offers"`  // demand → offers
	MatchDemands   phases  `json:"match_demands"` // offer → demands
	Search         latency `json:"search"`
	Throughput     float64 `json:"matches_per_second"`
	Clients        int     `json:"clients"`
	PeakRSS        uint64  `json:"peak_rss_bytes"`
	PeakAnon       uint64  `json:"peak_anonymous_rss_bytes"`
	DiskBytes      int64   `json:"disk_bytes"`
	StartSeconds   float64 `json:"start_to_serving_seconds"`
	InProcess      phases  `json:"in_process"` // warm, both directions together
	ServiceRatio   float64 `json:"service_over_in_process_p50"`
	RebuildSeconds float64 `json:"rebuild_seconds"`
	RebuildPerSec  float64 `json:"rebuild_listings_per_second"`
	// ReferencePerSec is the plain bleve import of the same corpus
	// (referenceImport), listings/s.
	ReferencePerSec float64 `json:"reference_import_listings_per_second"`
}

type phases struct {
	Cold latency `json:"cold"`
	Warm latency `json:"warm"`
}

type latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
}

func measure(d []time.Duration) latency {
	if len(d) == 0 {
		return latency{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(q float64) float64 {
		return float64(s[min(len(s)-1, int(q*float64(len(s))))]) / 1e6
	}
	return latency{N: len(s), P50: at(0.50), P99: at(0.99)}
}

// benchSize runs every phase at n listings a side. The result holds what
// was measured before a failure.
func benchSize(ctx context.Context, cfg config, bin string, n int, progress io.Writer) (*result, error) {
	r := &result{Size: n, Clients: cfg.clients}
	say := func(format string, args ...any) {
		fmt.Fprintf(progress, "[%d] %s\n", n, fmt.Sprintf(format, args...))
	}
	dir, cleanup, err := dataDir(cfg.data, n)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	// The corpus, written first so that generating it is not timed as import.
	begin := time.Now()
	v, err := corpus.Load(cfg.vocab...)
	if err != nil {
		return nil, err
	}
	corpusFile := filepath.Join(dir, "corpus.jsonl")
	if err := writeCorpus(corpusFile, corpus.New(v, cfg.seed, time.Now()), n); err != nil {
		return nil, err
	}
	r.CorpusSeconds = time.Since(begin).Seconds()
	say("corpus of %d offers and %d demands from %d real listings in %.1fs", n, n, v.Listings(), r.CorpusSeconds)

	market := filepath.Join(dir, "market")
	token, err := operatorToken(bin, market)
	if err != nil {
		return r, err
	}
	// The listings matched later are spread over the whole corpus: k of
	// each side, by line number (gRPC import) or by place in the listing
	// order (offline, where no names come back).
	k := min(cfg.matches, n)
	if cfg.offline {
		begin = time.Now()
		if err := offlineImport(bin, market, corpusFile, say); err != nil {
			return r, err
		}
		r.ImportSeconds = time.Since(begin).Seconds()
		r.ImportPerSec = float64(2*n) / r.ImportSeconds
		say("offline import: %d listings stored and indexed in %.1fs, %.0f/s", 2*n, r.ImportSeconds, r.ImportPerSec)
	}
	srv, err := startServer(bin, market, cfg.profile != "")
	if err != nil {
		return r, err
	}
	defer srv.stop()
	c, err := client.Dial(srv.addr, client.WithToken(token))
	if err != nil {
		return r, err
	}
	defer c.Close()

	var demands []*techmarketv1.Demand
	var offers []*techmarketv1.Offer
	if cfg.offline {
		if demands, offers, err = spreadOut(ctx, c, n, k); err != nil {
			return r, err
		}
	} else {
		if demands, offers, err = importOnline(ctx, c, r, corpusFile, n, k, say); err != nil {
			return r, err
		}
	}

	begin = time.Now()
	if err := srv.awaitAlerts(ctx, say); err != nil {
		return r, err
	}
	r.AlertSeconds = time.Since(begin).Seconds()
	say("alerts for the imported listings raised in %.1fs more", r.AlertSeconds)
	begin = time.Now()
	if err := srv.awaitSettled(ctx, say); err != nil {
		return r, err
	}
	r.SettleSeconds = time.Since(begin).Seconds()
	segments, err := srv.gauge("techmarket_index_segments")
	if err != nil {
		return r, err
	}
	r.Segments = int(segments)
	say("index settled (no merge for %s) in %.1fs more, %d segments", settleFor, r.SettleSeconds, r.Segments)
	profilePath := func(what string) string {
		return filepath.Join(cfg.profile, fmt.Sprintf("server-%d-%s.pprof", n, what))
	}
	if cfg.profile != "" {
		if err := os.MkdirAll(cfg.profile, 0o755); err != nil {
			return r, err
		}
		if err := srv.profile("heap", 0, profilePath("heap")); err != nil {
			return r, err
		}
		say("server heap profile written to %s", profilePath("heap"))
	}

	matchDemand := func(d *techmarketv1.Demand) error {
		_, err := c.Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: d.GetName()})
		return err
	}
	matchOffer := func(o *techmarketv1.Offer) error {
		_, err := c.Match.MatchDemands(ctx, &techmarketv1.MatchDemandsRequest{Offer: o.GetName()})
		return err
	}
	if r.MatchOffers, err = timePasses(demands, matchDemand); err != nil {
		return r, fmt.Errorf("MatchOffers: %w", err)
	}
	if r.MatchDemands, err = timePasses(offers, matchOffer); err != nil {
		return r, fmt.Errorf("MatchDemands: %w", err)
	}
	say("match offers p50 %.1f ms p99 %.1f ms (warm); match demands p50 %.1f ms p99 %.1f ms (warm)",
		r.MatchOffers.Warm.P50, r.MatchOffers.Warm.P99, r.MatchDemands.Warm.P50, r.MatchDemands.Warm.P99)

	if r.Search, err = timeSearches(ctx, c, demands); err != nil {
		return r, fmt.Errorf("search: %w", err)
	}
	say("search p50 %.1f ms p99 %.1f ms", r.Search.P50, r.Search.P99)

	var cpuProfile chan error // the server's CPU profile over the throughput phase
	if cfg.profile != "" {
		cpuProfile = make(chan error, 1)
		go func() {
			cpuProfile <- srv.profile("profile", max(1, int(cfg.throughputTime.Seconds())), profilePath("cpu"))
		}()
	}
	r.Throughput, err = throughput(ctx, cfg, demands, offers, matchDemand, matchOffer)
	if err != nil {
		return r, fmt.Errorf("throughput: %w", err)
	}
	if cpuProfile != nil {
		if err := <-cpuProfile; err != nil {
			return r, fmt.Errorf("CPU profile: %w", err)
		}
		say("server CPU profile of the throughput phase written to %s", profilePath("cpu"))
	}
	say("%.0f matches/s with %d clients", r.Throughput, cfg.clients)

	r.PeakRSS, r.PeakAnon = srv.peakRSS(), srv.peakAnon.Load()
	if err := srv.stop(); err != nil {
		return r, err
	}
	r.DiskBytes = diskSize(market)

	// Start to serving on the folder just written.
	again, err := startServer(bin, market, false)
	if err != nil {
		return r, err
	}
	r.StartSeconds = again.started.Seconds()
	if err := again.stop(); err != nil {
		return r, err
	}
	say("peak RSS %s (anonymous %s), %s on disk, start to serving %.2fs", mib(r.PeakRSS), mib(r.PeakAnon), mib(uint64(r.DiskBytes)), r.StartSeconds)

	// The same matches in this process.
	if r.InProcess, err = inProcess(ctx, market, demands, offers); err != nil {
		return r, fmt.Errorf("in process: %w", err)
	}
	if r.InProcess.Warm.P50 > 0 {
		r.ServiceRatio = (r.MatchOffers.Warm.P50 + r.MatchDemands.Warm.P50) / 2 / r.InProcess.Warm.P50
	}
	say("in process p50 %.1f ms; service/in-process %.2f", r.InProcess.Warm.P50, r.ServiceRatio)

	if !cfg.offline {
		begin = time.Now()
		if _, err := runTool(bin, "reindex", "--data", market); err != nil {
			return r, err
		}
		r.RebuildSeconds = time.Since(begin).Seconds()
		r.RebuildPerSec = float64(2*n) / r.RebuildSeconds
		say("rebuild %.1fs, %.0f listings/s", r.RebuildSeconds, r.RebuildPerSec)
	}

	if r.ReferencePerSec, err = referenceImport(ctx, corpusFile, filepath.Join(dir, "reference.bleve")); err != nil {
		return r, err
	}
	say("plain bleve reference import %.0f listings/s; the service's import is %.2f× it", r.ReferencePerSec, r.ImportPerSec/r.ReferencePerSec)
	return r, nil
}

// stockCorpus makes the data folder of one size and writes its corpus of
// n listings a side there, for the modes that time nothing of it.
func stockCorpus(cfg config, n int) (dir, corpusFile string, cleanup func(), err error) {
	if dir, cleanup, err = dataDir(cfg.data, n); err != nil {
		return "", "", nil, err
	}
	v, err := corpus.Load(cfg.vocab...)
	if err == nil {
		corpusFile = filepath.Join(dir, "corpus.jsonl")
		err = writeCorpus(corpusFile, corpus.New(v, cfg.seed, time.Now()), n)
	}
	if err != nil {
		cleanup()
		return "", "", nil, err
	}
	return dir, corpusFile, cleanup, nil
}

func dataDir(parent string, n int) (string, func(), error) {
	if parent == "" {
		dir, err := os.MkdirTemp("", "techmarket-bench-")
		return dir, func() { os.RemoveAll(dir) }, err
	}
	dir := filepath.Join(parent, strconv.Itoa(n))
	if _, err := os.Stat(dir); err == nil {
		return "", nil, fmt.Errorf("%s exists; remove it or choose another --data", dir)
	}
	return dir, func() {}, os.MkdirAll(dir, 0o755)
}

func writeCorpus(path string, g *corpus.Generator, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := g.Write(f, n, n); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fetch reads the listings named in wanted (by line number), in line
// order.
func fetch(ctx context.Context, c *client.Client, wanted map[int64]string) ([]*techmarketv1.Demand, []*techmarketv1.Offer, error) {
	var demands []*techmarketv1.Demand
	var offers []*techmarketv1.Offer
	for _, line := range slices.Sorted(maps.Keys(wanted)) {
		name := wanted[line]
		switch {
		case strings.HasPrefix(name, "offers/"):
			o, err := c.GetOffer(ctx, name)
			if err != nil {
				return nil, nil, err
			}
			offers = append(offers, o)
		case strings.HasPrefix(name, "demands/"):
			d, err := c.GetDemand(ctx, name)
			if err != nil {
				return nil, nil, err
			}
			demands = append(demands, d)
		default:
			return nil, nil, fmt.Errorf("the import named no listing for line %d", line)
		}
	}
	return demands, offers, nil
}

// importOnline imports the corpus over gRPC, timing it into r, and
// fetches the k listings of each side to match.
func importOnline(ctx context.Context, c *client.Client, r *result, corpusFile string, n, k int, say func(string, ...any)) ([]*techmarketv1.Demand, []*techmarketv1.Offer, error) {
	f, err := os.Open(corpusFile)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	wanted := map[int64]string{}
	for i := range k {
		at := int64(i * n / k)
		wanted[1+at] = ""          // an offer
		wanted[1+int64(n)+at] = "" // a demand
	}
	begin := time.Now()
	last := begin
	sum, err := c.Import(ctx, f, client.ImportOptions{
		BatchSize: client.MaxBatchSize,
		Progress: func(p client.ImportProgress) {
			if time.Since(last) >= 5*time.Second {
				last = time.Now()
				say("import: %d of %d lines, %.0f/s", p.Answered, 2*n, float64(p.Answered)/time.Since(begin).Seconds())
			}
		},
		Result: func(res *techmarketv1.ImportResult) {
			if _, ok := wanted[res.GetNumber()]; ok {
				wanted[res.GetNumber()] = res.GetName()
			}
		},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("import: %w", err)
	}
	if sum.Rejected > 0 {
		return nil, nil, fmt.Errorf("import rejected %d lines, first: %v", sum.Rejected, sum.RejectedLines[0])
	}
	r.ImportSeconds = time.Since(begin).Seconds()
	r.ImportPerSec = float64(sum.Taken) / r.ImportSeconds
	say("import: %d listings in %.1fs, %.0f/s", sum.Taken, r.ImportSeconds, r.ImportPerSec)
	return fetch(ctx, c, wanted)
}

// spreadOut returns k listings of each side spread evenly over the n a
// side the market lists.
func spreadOut(ctx context.Context, c *client.Client, n, k int) ([]*techmarketv1.Demand, []*techmarketv1.Offer, error) {
	offers, err := spread(c.ListOffers(ctx, &techmarketv1.ListOffersRequest{PageSize: 1000}), n, k)
	if err != nil {
		return nil, nil, err
	}
	demands, err := spread(c.ListDemands(ctx, &techmarketv1.ListDemandsRequest{PageSize: 1000}), n, k)
	if err != nil {
		return nil, nil, err
	}
	if len(offers) != k || len(demands) != k {
		return nil, nil, fmt.Errorf("the market lists %d offers and %d demands to match, want %d of each", len(offers), len(demands), k)
	}
	return demands, offers, nil
}

// spread keeps k of every n items, evenly.
func spread[T any](items iter.Seq2[T, error], n, k int) ([]T, error) {
	var out []T
	i := 0
	for item, err := range items {
		if err != nil {
			return nil, err
		}
		if i*k%n < k {
			out = append(out, item)
		}
		i++
	}
	return out, nil
}

// timePasses matches every listing twice: the first pass is cold, the
// second warm.
func timePasses[T any](items []T, call func(T) error) (phases, error) {
	var p phases
	for pass := range 2 {
		var ds []time.Duration
		for _, it := range items {
			begin := time.Now()
			if err := call(it); err != nil {
				return p, err
			}
			ds = append(ds, time.Since(begin))
		}
		if pass == 0 {
			p.Cold = measure(ds)
		} else {
			p.Warm = measure(ds)
		}
	}
	return p, nil
}

// timeSearches searches with each demand's first keyword, filtered to its
// first industry and a TRL range, as a portal's search page does.
func timeSearches(ctx context.Context, c *client.Client, demands []*techmarketv1.Demand) (latency, error) {
	var ds []time.Duration
	for _, d := range demands {
		req := &techmarketv1.SearchOffersRequest{
			Query:   firstOr(d.GetKeywords(), d.GetTitle()),
			Filters: &techmarketv1.SearchFilters{Industries: d.GetIndustries()[:1], MinTrl: 4, MaxTrl: 9},
		}
		begin := time.Now()
		resp, err := c.Match.SearchOffers(ctx, req)
		if err != nil {
			return latency{}, err
		}
		ds = append(ds, time.Since(begin))
		if len(resp.GetFacets()) == 0 && resp.GetTotalSize() > 0 {
			return latency{}, fmt.Errorf("search %q found %d offers but no facets", req.Query, resp.GetTotalSize())
		}
	}
	return measure(ds), nil
}

func firstOr(s []string, otherwise string) string {
	if len(s) > 0 {
		return s[0]
	}
	return otherwise
}

// throughput runs clients matching in both directions for the configured
// time and returns matches per second.
func throughput(ctx context.Context, cfg config, demands []*techmarketv1.Demand, offers []*techmarketv1.Offer,
	matchDemand func(*techmarketv1.Demand) error, matchOffer func(*techmarketv1.Offer) error) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.throughputTime)
	defer cancel()
	var done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, cfg.clients)
	begin := time.Now()
	for w := range cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ctx.Err() == nil; i += cfg.clients {
				var err error
				if i%2 == 0 {
					err = matchDemand(demands[(i/2)%len(demands)])
				} else {
					err = matchOffer(offers[(i/2)%len(offers)])
				}
				if err != nil {
					if ctx.Err() == nil {
						errs <- err
					}
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return float64(done.Load()) / time.Since(begin).Seconds(), nil
}
