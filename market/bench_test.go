package market_test

import (
	"path/filepath"
	"testing"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// BenchmarkImport is the write path of a bulk import without the network:
// each iteration imports one batch of 1,000 corpus listings, parsed,
// validated, committed in one transaction and waited for until
// searchable. A batch is of one kind, as a poster's file usually is
// (offers and demands batch by batch). It reports listings/s;
// -cpuprofile shows where an import's time goes. The corpus draws on the
// embedded demo market and on the interchange files listed in
// TECHMARKET_BENCH_VOCAB, as BenchmarkRebuild in ./index does.
func BenchmarkImport(b *testing.B) {
	st, dir := testutil.BenchStore(b)
	m, closeIndex := testutil.BenchMarket(b, st, filepath.Join(dir, "index"))
	defer closeIndex()
	g := testutil.BenchCorpus(b)
	const batch = market.MaxImportBatch
	batches := make([][]*techmarketv1.ImportLine, b.N)
	for i := range batches {
		for j := range batch {
			n := i/2*batch + j
			batches[i] = append(batches[i], &techmarketv1.ImportLine{Number: int64(j + 1), Text: string(g.Line(i%2 == 1, n))})
		}
	}
	b.ResetTimer()
	for i := range b.N {
		testutil.ImportAll(b, m, batches[i])
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "listings/s")
}
