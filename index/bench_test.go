//go:build unix

package index_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// BenchmarkRebuild measures a full rebuild of both sides from the store,
// as a start without an index does (techmarketd reindex): 5,000 corpus
// offers and 5,000 demands, read, analysed, indexed and merged into one
// segment per side. It reports listings/s, and the CPU time a listing
// took over all cores (cpu-µs/listing), which a busy shared machine
// disturbs less than the wall clock; -cpuprofile shows where it goes.
// The corpus draws on the embedded demo market and on the interchange
// files listed in TECHMARKET_BENCH_VOCAB (separated as in PATH), as
// techmarket-bench --vocab does:
//
//	TECHMARKET_BENCH_VOCAB=../../shared/data/dev/offers.jsonl:../../shared/data/background/csl-offers.jsonl \
//	  go test -run '^$' -bench Rebuild -benchtime 2x ./index
func BenchmarkRebuild(b *testing.B) {
	const perSide = 5000
	st, dir := testutil.BenchStore(b)
	fill(b, st, perSide)
	indexDir := filepath.Join(dir, "index")
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if err := os.RemoveAll(indexDir); err != nil {
			b.Fatal(err)
		}
		begin := cpuTime(b)
		b.StartTimer()
		idx, err := index.Open(context.Background(), indexDir, st, index.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime(b) - begin
		if err := idx.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	listings := float64(b.N * 2 * perSide)
	b.ReportMetric(listings/b.Elapsed().Seconds(), "listings/s")
	b.ReportMetric(float64(cpu.Microseconds())/listings, "cpu-µs/listing")
}

// cpuTime is the CPU time this process has used so far, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fill imports perSide corpus offers and as many demands into st, with
// an index open meanwhile as the market requires, and closes the index.
func fill(b *testing.B, st *store.Store, perSide int) {
	b.Helper()
	m, closeIndex := testutil.BenchMarket(b, st, filepath.Join(b.TempDir(), "index"))
	defer closeIndex()
	g := testutil.BenchCorpus(b)
	for _, demand := range []bool{false, true} {
		for start := 0; start < perSide; start += market.MaxImportBatch {
			var lines []*techmarketv1.ImportLine
			for i := start; i < min(start+market.MaxImportBatch, perSide); i++ {
				lines = append(lines, &techmarketv1.ImportLine{Number: int64(i + 1), Text: string(g.Line(demand, i))})
			}
			testutil.ImportAll(b, m, lines)
		}
	}
}
