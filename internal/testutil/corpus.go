package testutil

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

// BenchCorpus is the generator the write benchmarks draw listings from:
// the embedded demo market and the interchange files listed in
// TECHMARKET_BENCH_VOCAB (separated as in PATH), as techmarket-bench
// --vocab does, seeded alike on every run.
func BenchCorpus(tb testing.TB) *corpus.Generator {
	tb.Helper()
	v, err := corpus.Load(filepath.SplitList(os.Getenv("TECHMARKET_BENCH_VOCAB"))...)
	if err != nil {
		tb.Fatal(err)
	}
	return corpus.New(v, 1, time.Now())
}

// ImportAll imports lines as the market's operator and fails tb unless
// every line is taken.
func ImportAll(tb testing.TB, m *market.Market, lines []*techmarketv1.ImportLine) {
	tb.Helper()
	op := auth.Principal{Org: "乌海科技大市场", Role: techmarketv1.Role_ROLE_OPERATOR}
	results, err := m.Import(context.Background(), op, false, lines)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range results {
		if r.GetOutcome() != techmarketv1.ImportOutcome_IMPORT_OUTCOME_TAKEN {
			tb.Fatalf("line %d: %v %s", r.GetNumber(), r.GetOutcome(), r.GetReason())
		}
	}
}

// BenchStore loads the analysis dictionaries (outside any timer) and
// opens a store in a new folder, closed when tb ends; it returns the
// store and the folder.
func BenchStore(tb testing.TB) (*store.Store, string) {
	tb.Helper()
	if _, err := analysis.Load(analysis.Config{}); err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	st, err := store.Open(filepath.Join(dir, "techmarket.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st, dir
}

// BenchMarket opens an index in indexDir over st and a market over both,
// as a server would; closeIndex closes the index (a benchmark may need it
// closed before its timer starts).
func BenchMarket(tb testing.TB, st *store.Store, indexDir string) (m *market.Market, closeIndex func()) {
	tb.Helper()
	idx, err := index.Open(context.Background(), indexDir, st, index.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	m, err = market.New(st, market.Options{Index: idx})
	if err != nil {
		idx.Close()
		tb.Fatal(err)
	}
	return m, func() {
		if err := idx.Close(); err != nil {
			tb.Error(err)
		}
	}
}
