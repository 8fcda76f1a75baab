package match_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/interchange"
	mkt "github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// BenchmarkMatchOffers measures matching a demand against an offer index
// of TECHMARKET_BENCH_OFFERS listings (default 5,000): the development and
// background offers repeated under new external ids. It runs in process,
// without gRPC, so it measures retrieval and ranking alone.
//
//	TECHMARKET_BENCH_OFFERS=100000 go test -run x -bench MatchOffers -benchtime 200x ./match
//
// TECHMARKET_BENCH_DIR keeps the data folder between runs, so a large
// index is built once and profiles show matching alone.
func BenchmarkMatchOffers(b *testing.B) {
	mt, idx, sources := benchMarket(b)
	ctx := context.Background()
	// One pass over the demands first: the first match of a term decodes
	// its postings (see index.Postings), later ones reuse them, as a
	// serving market's matches do. Both are reported.
	var cold []time.Duration
	for _, src := range sources {
		t := time.Now()
		if _, err := mt.Match(ctx, src, 10, match.Filters{}); err != nil {
			b.Fatal(err)
		}
		cold = append(cold, time.Since(t))
	}
	b.Logf("first matches (cold): p50 %s, p99 %s", percentile(cold, 50), percentile(cold, 99))
	warm := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		if _, err := mt.Match(ctx, sources[i%len(sources)], 10, match.Filters{}); err != nil {
			b.Fatal(err)
		}
		warm = append(warm, time.Since(t))
	}
	b.ReportMetric(float64(percentile(warm, 50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(warm, 99).Microseconds())/1000, "p99-ms")
	if c := idx.PostingsCacheStats(); c.Hits+c.Misses > 0 {
		b.Logf("postings cache: %d terms in a segment, %.0f MB, %.0f%% hits", c.Entries, float64(c.Bytes)/(1<<20), 100*float64(c.Hits)/float64(c.Hits+c.Misses))
	}
}

// BenchmarkMatchThroughput matches from four goroutines per core at
// once, as a portal's concurrent page views do, and reports matches per
// second: what contention (locks, the postings cache, the collector)
// costs beyond BenchmarkMatchOffers's one match at a time.
func BenchmarkMatchThroughput(b *testing.B) {
	mt, _, sources := benchMarket(b)
	ctx := context.Background()
	for _, src := range sources { // warm, as in BenchmarkMatchOffers
		if _, err := mt.Match(ctx, src, 10, match.Filters{}); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			src := sources[int(next.Add(1))%len(sources)]
			if _, err := mt.Match(ctx, src, 10, match.Filters{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "matches/s")
}

// BenchmarkReverse measures the alerter's reverse match of a new demand
// against the same offer index as BenchmarkMatchOffers, as the alerter
// proposes candidates: each source is analysed every time (the alerter
// does not keep one-off sources' analysis) and more candidates are ranked
// than a portal's match ranks.
func BenchmarkReverse(b *testing.B) {
	mt, _, sources := benchMarket(b)
	ctx := context.Background()
	took := make([]time.Duration, 0, b.N)
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		if _, err := mt.Reverse(ctx, sources[i%len(sources)], match.DefaultLimit, match.Filters{}); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(t))
	}
	b.ReportMetric(float64(percentile(took, 50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(took, 99).Microseconds())/1000, "p99-ms")
}

// BenchmarkSearch measures a portal search of the same offer index: each
// development demand's first keyword, filtered to its first industry and
// TRL 4–9, with the facets a portal shows (techmarket-bench searches the
// same way over gRPC).
func BenchmarkSearch(b *testing.B) {
	mt, _, sources := benchMarket(b)
	ctx := context.Background()
	var searches []match.Search
	for _, d := range sources {
		if len(d.GetKeywords()) == 0 || len(d.GetIndustries()) == 0 {
			continue
		}
		searches = append(searches, match.Search{Kind: store.KindOffer, Text: d.GetKeywords()[0],
			Industries: d.GetIndustries()[:1], MinTRL: 4, MaxTRL: 9, Size: match.DefaultPageSize})
	}
	took := make([]time.Duration, 0, b.N)
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		if _, err := mt.Search(ctx, searches[i%len(searches)]); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(t))
	}
	b.ReportMetric(float64(percentile(took, 50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(took, 99).Microseconds())/1000, "p99-ms")
}

// benchMarket opens (building it when it is new) the offer index of the
// match benchmarks and returns a matcher over it and the development
// demands to match; the index is closed when the benchmark ends.
func benchMarket(b *testing.B) (*match.Matcher, *index.Index, []*techmarketv1.Demand) {
	b.Helper()
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("TECHMARKET_BENCH_OFFERS")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("TECHMARKET_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	st, err := store.Open(filepath.Join(dir, "techmarket.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	// TECHMARKET_BENCH_CACHE=off measures matching without the
	// decoded-postings cache, as every first match of a term runs.
	opts := index.Options{}
	if os.Getenv("TECHMARKET_BENCH_CACHE") == "off" {
		opts.PostingsCacheBytes = -1
	}
	idx, err := index.Open(context.Background(), filepath.Join(dir, "index"), st, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { idx.Close() })
	m, err := mkt.New(st, mkt.Options{Index: idx})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	op := auth.Principal{Org: "bench", Role: techmarketv1.Role_ROLE_OPERATOR}
	offers := readLines(b, "../../shared/data/dev/offers.jsonl", "../../shared/data/background/csl-offers.jsonl")
	demands := readLines(b, "../../shared/data/dev/demands.jsonl")
	extID := regexp.MustCompile(`"externalId": *"([^"]*)"`)
	have, err := st.Count(store.KindOffer)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var batch []*techmarketv1.ImportLine
	flush := func() {
		if _, err := m.Import(ctx, op, false, batch); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := have; i < n; i++ {
		line := offers[i%len(offers)]
		line = extID.ReplaceAllString(line, fmt.Sprintf(`"externalId": "bench-%d"`, i))
		batch = append(batch, &techmarketv1.ImportLine{Number: int64(i + 1), Text: line})
		if len(batch) == mkt.MaxImportBatch {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	if n > have {
		b.Logf("indexed %d offers in %s (%.0f/s)", n-have, time.Since(start).Round(time.Millisecond), float64(n-have)/time.Since(start).Seconds())
	}
	// A serving market merges each side into one segment once writes
	// pause (index.Compact); how many segments a bulk import leaves
	// differs from run to run, and every segment costs each term a
	// look-up, so the figures compare only when merged.
	if err := idx.Compact(ctx); err != nil {
		b.Fatal(err)
	}

	var sources []*techmarketv1.Demand
	for _, line := range demands {
		l, err := parseDemand(line)
		if err != nil {
			b.Fatal(err)
		}
		sources = append(sources, l)
	}
	// TECHMARKET_TUNE=Knob=value,Knob=value tries other matching knobs.
	if tune := os.Getenv("TECHMARKET_TUNE"); tune != "" {
		for _, kv := range strings.Split(tune, ",") {
			name, value, _ := strings.Cut(kv, "=")
			if err := match.SetTuning(name, value); err != nil {
				b.Fatal(err)
			}
		}
	}
	return match.New(idx, st, nil), idx, sources
}

// percentile is the p-th percentile of ds (nearest rank); ds is sorted.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[(len(ds)*p+99)/100-1]
}

func readLines(b *testing.B, paths ...string) []string {
	var out []string
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			b.Fatalf("%v (the shared data folder sits beside the repository)", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			out = append(out, sc.Text())
		}
		f.Close()
	}
	return out
}

func parseDemand(line string) (*techmarketv1.Demand, error) {
	msg, err := interchange.Parse([]byte(line))
	if err != nil {
		return nil, err
	}
	return msg.(*techmarketv1.Demand), nil
}
