package market_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/corpus"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
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
	if _, err := analysis.Load(analysis.Config{}); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	st, err := store.Open(filepath.Join(dir, "techmarket.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	idx, err := index.Open(filepath.Join(dir, "index"), st, index.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	m, err := market.New(st, market.Options{Index: idx})
	if err != nil {
		b.Fatal(err)
	}
	v, err := corpus.Load(filepath.SplitList(os.Getenv("TECHMARKET_BENCH_VOCAB"))...)
	if err != nil {
		b.Fatal(err)
	}
	g := corpus.New(v, 1, time.Now())
	const batch = market.MaxImportBatch
	batches := make([][]*techmarketv1.ImportLine, b.N)
	for i := range batches {
		for j := range batch {
			n := i/2*batch + j
			batches[i] = append(batches[i], &techmarketv1.ImportLine{Number: int64(j + 1), Text: string(g.Line(i%2 == 1, n))})
		}
	}
	op := auth.Principal{Org: "乌海科技大市场", Role: techmarketv1.Role_ROLE_OPERATOR}
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		results, err := m.Import(ctx, op, false, batches[i])
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range results {
			if r.GetOutcome() != techmarketv1.ImportOutcome_IMPORT_OUTCOME_TAKEN {
				b.Fatalf("line %d: %v %s", r.GetNumber(), r.GetOutcome(), r.GetReason())
			}
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "listings/s")
}
