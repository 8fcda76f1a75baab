package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// The layout of a data folder, as techmarketd keeps it.
const (
	storeFile = "techmarket.db"
	indexDir  = "index"
)

// inProcess opens the stopped folder in this process and times the same
// matches through the matcher the service uses (two passes, as over
// gRPC), both directions together: what a match costs without the
// service around it.
func inProcess(ctx context.Context, dir string, demands []*techmarketv1.Demand, offers []*techmarketv1.Offer) (phases, error) {
	if _, err := analysis.Load(analysis.Config{}); err != nil {
		return phases{}, err
	}
	st, err := store.Open(filepath.Join(dir, storeFile), store.Options{})
	if err != nil {
		return phases{}, err
	}
	defer st.Close()
	idx, err := index.Open(ctx, filepath.Join(dir, indexDir), st, index.Options{})
	if err != nil {
		return phases{}, err
	}
	defer idx.Close()
	m := match.New(idx, st, nil)
	var all []func() error
	for _, d := range demands {
		all = append(all, func() error { _, err := m.Match(ctx, d, match.DefaultLimit, match.Filters{}); return err })
	}
	for _, o := range offers {
		all = append(all, func() error { _, err := m.Match(ctx, o, match.DefaultLimit, match.Filters{}); return err })
	}
	return timePasses(all, func(f func() error) error { return f() })
}

// writeJSON writes the results as indented JSON, for --json.
func writeJSON(w io.Writer, results any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(results)
}

func writeReport(w io.Writer, cfg config, results []*result) {
	if cfg.json {
		writeJSON(w, results)
		return
	}
	fmt.Fprintf(w, "techmarket-bench: seed %d, %d matches a side (two passes), %d clients for %s of throughput\n",
		cfg.seed, cfg.matches, cfg.clients, cfg.throughputTime)
	row := func(name string, f func(r *result) string) {
		fmt.Fprintf(w, "%-44s", name)
		for _, r := range results {
			fmt.Fprintf(w, " %16s", f(r))
		}
		fmt.Fprintln(w)
	}
	row("listings a side", func(r *result) string { return fmt.Sprint(r.Size) })
	row("import, listings/s (durable, searchable)", func(r *result) string { return fmt.Sprintf("%.0f", r.ImportPerSec) })
	row("plain bleve import (cjk, one field), /s", func(r *result) string { return fmt.Sprintf("%.0f", r.ReferencePerSec) })
	pq := func(l latency) string { return fmt.Sprintf("%.1f / %.1f", l.P50, l.P99) }
	row("alerts for the import, s after it", func(r *result) string { return fmt.Sprintf("%.1f", r.AlertSeconds) })
	row("index settled (merges done), s after", func(r *result) string { return fmt.Sprintf("%.1f", r.SettleSeconds) })
	row("index segments then, both sides", func(r *result) string { return fmt.Sprint(r.Segments) })
	row("match offers p50/p99 ms, cold", func(r *result) string { return pq(r.MatchOffers.Cold) })
	row("match offers p50/p99 ms, warm", func(r *result) string { return pq(r.MatchOffers.Warm) })
	row("match demands p50/p99 ms, cold", func(r *result) string { return pq(r.MatchDemands.Cold) })
	row("match demands p50/p99 ms, warm", func(r *result) string { return pq(r.MatchDemands.Warm) })
	row("in process p50/p99 ms, warm", func(r *result) string { return pq(r.InProcess.Warm) })
	row("service / in process, p50", func(r *result) string { return fmt.Sprintf("%.2f", r.ServiceRatio) })
	row("search p50/p99 ms (filters, facets)", func(r *result) string { return pq(r.Search) })
	row("matches/s, concurrent clients", func(r *result) string { return fmt.Sprintf("%.0f", r.Throughput) })
	row("peak RSS, all (file-backed pages too)", func(r *result) string { return mib(r.PeakRSS) })
	row("peak RSS, anonymous (sampled)", func(r *result) string { return mib(r.PeakAnon) })
	row("size on disk", func(r *result) string { return mib(uint64(r.DiskBytes)) })
	row("start to serving, s", func(r *result) string { return fmt.Sprintf("%.2f", r.StartSeconds) })
	row("rebuild, listings/s", func(r *result) string {
		if r.RebuildPerSec == 0 {
			return "– (in import)" // --offline: the import built the index
		}
		return fmt.Sprintf("%.0f", r.RebuildPerSec)
	})
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
