// Command techmarket-figures turns the JSON of techmarket-bench runs into
// the Markdown tables of current figures that README.md and
// docs/performance.md include, so that no figure there is typed by hand.
//
//	techmarket-figures --record --command CMD [--date D] [--machine M] [--commit C] RUN.json... > docs/figures.json
//	techmarket-figures [--from docs/figures.json]                   # print the table
//	techmarket-figures [--from docs/figures.json] --update FILE...  # rewrite the tables in each FILE
//	techmarket-figures [--from docs/figures.json] --check FILE...   # exit 1 if a FILE's tables are stale
//
// A RUN.json is what `techmarket-bench --json` printed: one result per
// size, of the plain benchmark, of --cluster N or of --feed. --record
// keeps the runs as they are, with the date, the machine, the code and the
// command that made them, in one figures file (docs/figures.json is the
// committed one). A table is computed from a figures file: for each size,
// the median of each figure over the runs and the range it spanned.
//
// In a Markdown file a table goes between a line <!-- figures:begin -->
// and a line <!-- figures:end -->. The begin line may name the figures
// file, relative to the Markdown file's folder as a link would be:
// <!-- figures:begin figures-cluster.json -->. Without a name it is the
// --from file.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The lines that enclose a generated region of a file.
const (
	beginMarker = "<!-- figures:begin -->"
	endMarker   = "<!-- figures:end -->"
)

var beginRE = regexp.MustCompile(`^<!--\s*figures:begin(?:\s+(\S+))?\s*-->$`)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// record is a figures file: the runs as techmarket-bench printed them,
// and where they came from.
type record struct {
	Date    string            `json:"date"`    // YYYY-MM-DD
	Machine string            `json:"machine"` // in words: cores, processor, how shared
	Commit  string            `json:"commit,omitempty"`
	Command string            `json:"command"` // the techmarket-bench command of each run
	Runs    []json.RawMessage `json:"runs"`    // each exactly as --json printed it
}

// result is the part of one size's plain techmarket-bench result that
// the table shows. Fields the tables do not show are ignored.
type result struct {
	Size            int      `json:"listings_per_side"`
	ImportPerSec    *float64 `json:"import_listings_per_second"`
	AlertSeconds    float64  `json:"alerts_after_import_seconds"`
	Segments        float64  `json:"index_segments_when_settled"`
	MatchOffers     phases   `json:"match_offers"`
	MatchDemands    phases   `json:"match_demands"`
	Search          latency  `json:"search"`
	Throughput      float64  `json:"matches_per_second"`
	Clients         int      `json:"clients"`
	PeakRSS         float64  `json:"peak_rss_bytes"`
	PeakAnon        float64  `json:"peak_anonymous_rss_bytes"`
	DiskBytes       float64  `json:"disk_bytes"`
	StartSeconds    float64  `json:"start_to_serving_seconds"`
	InProcess       phases   `json:"in_process"`
	ServiceRatio    float64  `json:"service_over_in_process_p50"`
	RebuildPerSec   float64  `json:"rebuild_listings_per_second"`
	ReferencePerSec float64  `json:"reference_import_listings_per_second"`
}

// clusterResult is what techmarket-bench --cluster N measured at one size.
type clusterResult struct {
	Size        int       `json:"listings_per_side"`
	Nodes       *int      `json:"nodes"`
	JoinSeconds float64   `json:"join_seconds"`
	OneNode     float64   `json:"one_node_matches_per_second"`
	OneNodeCPU  []float64 `json:"one_node_cpu_ms_per_match"`
	Spread      float64   `json:"spread_matches_per_second"`
	SpreadCPU   []float64 `json:"spread_cpu_ms_per_match"`
	Clients     int       `json:"clients"`
	WriteLeader latency   `json:"create_through_leader"`
	WriteFollow latency   `json:"create_through_follower"`
}

// feedResult is what techmarket-bench --feed measured at one size.
type feedResult struct {
	Size         int      `json:"listings_per_side"`
	ApplySeconds float64  `json:"apply_seconds"`
	ApplyPerSec  *float64 `json:"apply_listings_per_second"`
	Lag          latency  `json:"lag"`
	WritesPerSec float64  `json:"writes_per_second"`
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

// The kinds of run techmarket-bench makes.
const (
	kindPlain   = "techmarket-bench"
	kindCluster = "techmarket-bench --cluster"
	kindFeed    = "techmarket-bench --feed"
)

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("techmarket-figures", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage:
  techmarket-figures --record --command CMD [--date D] [--machine M] [--commit C] RUN.json... > FILE
      keep techmarket-bench --json runs, with where they came from, as one figures file
  techmarket-figures [--from FILE]
      print the figures file's tables, Markdown, one per size: medians over the runs
  techmarket-figures [--from FILE] --update FILE...
      rewrite the lines between `+beginMarker+` and `+endMarker+` in each FILE
  techmarket-figures [--from FILE] --check FILE...
      exit 1 if a FILE does not hold the tables its figures files make

A begin line may name its figures file, relative to the Markdown file:
<!-- figures:begin figures-cluster.json -->; without one it is --from.

Flags:
`)
		fs.PrintDefaults()
	}
	from := fs.String("from", filepath.Join("docs", "figures.json"), "the figures `FILE` of the tables without a file of their own")
	update := fs.Bool("update", false, "rewrite the figures regions of each FILE given")
	check := fs.Bool("check", false, "check that each FILE given holds the current tables")
	rec := fs.Bool("record", false, "write a figures file to standard output from the techmarket-bench --json outputs given")
	command := fs.String("command", "", "with --record: the techmarket-bench `command` that made the runs (required)")
	date := fs.String("date", time.Now().Format(time.DateOnly), "with --record: the `day` of the runs, YYYY-MM-DD")
	machine := fs.String("machine", describeMachine(), "with --record: the machine, in `words`")
	commit := fs.String("commit", "", "with --record: the `commit` of the code measured")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usage := func(msg string) int {
		fmt.Fprintln(stderr, "techmarket-figures:", msg)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "techmarket-figures:", err)
		return 1
	}
	modes := 0
	for _, on := range []bool{*update, *check, *rec} {
		if on {
			modes++
		}
	}
	switch {
	case modes > 1:
		return usage("give one of --record, --update and --check")
	case modes == 1 && fs.NArg() == 0:
		return usage("name the files (--record: the runs; --update, --check: the files holding the tables)")
	case modes == 0 && fs.NArg() > 0:
		return usage(fmt.Sprintf("unexpected argument %q (files are for --record, --update or --check)", fs.Arg(0)))
	}

	switch {
	case *rec:
		if *command == "" {
			return usage("--record needs --command, the techmarket-bench command of the runs")
		}
		if _, err := time.Parse(time.DateOnly, *date); err != nil {
			return usage(fmt.Sprintf("--date %q is not YYYY-MM-DD", *date))
		}
		out, err := recordRuns(record{Date: *date, Machine: *machine, Commit: *commit, Command: *command}, fs.Args())
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%s\n", out)
	case *update:
		for _, path := range fs.Args() {
			if err := updateFile(path, *from); err != nil {
				return fail(err)
			}
		}
	case *check:
		stale := false
		for _, path := range fs.Args() {
			ok, err := holds(path, *from)
			if err != nil {
				return fail(err)
			}
			if !ok {
				fmt.Fprintf(stderr, "techmarket-figures: %s does not hold the tables its figures files make; run techmarket-figures --update %s\n", path, path)
				stale = true
			}
		}
		if stale {
			return 1
		}
	default:
		table, err := tableFile(*from, filepath.ToSlash(*from))
		if err != nil {
			return fail(err)
		}
		fmt.Fprint(stdout, table)
	}
	return 0
}

// recordRuns makes a figures file of rec and the runs in paths.
func recordRuns(rec record, paths []string) ([]byte, error) {
	kind := ""
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		raw = bytes.TrimSpace(raw)
		k, err := kindOf(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if kind != "" && k != kind {
			return nil, fmt.Errorf("%s: a run of %s among runs of %s: record each kind in a figures file of its own", path, k, kind)
		}
		kind = k
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rec.Runs = append(rec.Runs, compact.Bytes())
	}
	return json.MarshalIndent(rec, "", "  ")
}

// describeMachine is the default of --machine: what Go can tell of it.
func describeMachine() string {
	s := fmt.Sprintf("%d cores", runtime.NumCPU())
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				s += " (" + strings.TrimSpace(strings.TrimLeft(name, " \t:")) + ")"
				break
			}
		}
	}
	return s + ", " + runtime.GOOS + "/" + runtime.GOARCH
}

// kindOf tells which techmarket-bench mode printed raw.
func kindOf(raw []byte) (string, error) {
	var rs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rs); err != nil {
		return "", fmt.Errorf("not the JSON of techmarket-bench --json: %w", err)
	}
	if len(rs) == 0 {
		return "", errors.New("the run measured no size")
	}
	kind := ""
	for _, r := range rs {
		k := ""
		switch {
		case r["listings_per_side"] == nil:
		case r["import_listings_per_second"] != nil:
			k = kindPlain
		case r["nodes"] != nil:
			k = kindCluster
		case r["apply_listings_per_second"] != nil:
			k = kindFeed
		}
		if k == "" || kind != "" && k != kind {
			return "", errors.New("not the output of techmarket-bench --json (plain, --cluster or --feed)")
		}
		kind = k
	}
	return kind, nil
}

// decode reads one run of kind into a slice of its results.
func decode[R any](raw []byte) ([]R, error) {
	var rs []R
	err := json.Unmarshal(raw, &rs)
	return rs, err
}

// tableFile makes the Markdown of the figures file at path, which the
// Markdown calls name.
func tableFile(path, name string) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	table, err := tableOf(raw, name)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return table, nil
}

// tableOf makes the Markdown of a figures file named name: per size, a
// line of where the figures come from and a table of medians and ranges.
func tableOf(raw []byte, name string) (string, error) {
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", fmt.Errorf("not a figures file: %w", err)
	}
	if rec.Command == "" || rec.Date == "" || len(rec.Runs) == 0 {
		return "", errors.New("a figures file needs a date, a command and at least one run (techmarket-figures --record writes one)")
	}
	kind := ""
	for i, run := range rec.Runs {
		k, err := kindOf(run)
		if err != nil {
			return "", fmt.Errorf("run %d: %w", i+1, err)
		}
		if kind != "" && k != kind {
			return "", fmt.Errorf("run %d is of %s, the others of %s", i+1, k, kind)
		}
		kind = k
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- Generated by techmarket-figures from %s: do not edit by hand. -->\n", name)
	var err error
	switch kind {
	case kindPlain:
		err = eachSize(&b, rec, func(r result) int { return r.Size }, writePlain)
	case kindCluster:
		err = eachSize(&b, rec, func(r clusterResult) int { return r.Size }, writeCluster)
	case kindFeed:
		err = eachSize(&b, rec, func(r feedResult) int { return r.Size }, writeFeed)
	}
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "\nMeasured with `%s`.\n", rec.Command)
	return b.String(), nil
}

// eachSize groups the runs' results by size and writes each size's table.
func eachSize[R any](b *strings.Builder, rec record, size func(R) int, write func(*strings.Builder, record, int, []R)) error {
	bySize := map[int][]R{}
	for i, run := range rec.Runs {
		rs, err := decode[R](run)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		for _, r := range rs {
			bySize[size(r)] = append(bySize[size(r)], r)
		}
	}
	for i, n := range slices.Sorted(maps.Keys(bySize)) {
		if i > 0 {
			b.WriteString("\n")
		}
		write(b, rec, n, bySize[n])
	}
	return nil
}

// figure is one figure of a result: its value, and whether the run
// measured it (an --offline run raises no alerts and times no rebuild).
type figure[R any] func(R) (float64, bool)

// table writes the rows of one size's results.
type table[R any] struct {
	b  *strings.Builder
	rs []R
}

// newTable writes the caption and the head of one size's table.
func newTable[R any](b *strings.Builder, rec record, what string, rs []R) table[R] {
	runs := "one run"
	if len(rs) > 1 {
		runs = fmt.Sprintf("medians of %d runs", len(rs))
	}
	code := ""
	if rec.Commit != "" {
		code = fmt.Sprintf(", code at `%s`", rec.Commit)
	}
	fmt.Fprintf(b, "**%s**: %s on %s, %s%s.\n\n", what, runs, rec.Date, rec.Machine, code)
	if len(rs) > 1 {
		b.WriteString("| | median | range over the runs |\n| --- | --- | --- |\n")
	} else {
		b.WriteString("| | figure |\n| --- | --- |\n")
	}
	return table[R]{b: b, rs: rs}
}

// row writes one line: each of figs formatted by format and joined by
// " / ", then unit. A figure no run measured leaves the row out.
func (t table[R]) row(name, unit string, format func(float64) string, figs ...figure[R]) {
	var medians, spreads []string
	for _, f := range figs {
		var vs []float64
		for _, r := range t.rs {
			if v, ok := f(r); ok {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			return
		}
		slices.Sort(vs)
		medians = append(medians, format(median(vs)))
		if lo, hi := format(vs[0]), format(vs[len(vs)-1]); lo == hi {
			spreads = append(spreads, lo)
		} else {
			spreads = append(spreads, lo+"–"+hi)
		}
	}
	value := strings.Join(medians, " / ") + unit
	if len(t.rs) == 1 {
		fmt.Fprintf(t.b, "| %s | %s |\n", name, value)
		return
	}
	fmt.Fprintf(t.b, "| %s | %s | %s |\n", name, value, strings.Join(spreads, " / ")+unit)
}

func always[R any](g func(R) float64) figure[R] {
	return func(r R) (float64, bool) { return g(r), true }
}

func positive[R any](g func(R) float64) figure[R] {
	return func(r R) (float64, bool) { v := g(r); return v, v > 0 }
}

func ratio[R any](num, den func(R) float64) figure[R] {
	return func(r R) (float64, bool) {
		if num(r) <= 0 || den(r) <= 0 {
			return 0, false
		}
		return num(r) / den(r), true
	}
}

func decimals(n int) func(float64) string {
	return func(v float64) string { return strconv.FormatFloat(v, 'f', n, 64) }
}

func mebibytes(v float64) string { return thousands(v / (1 << 20)) }

// sameClients is the clients every result had, or 0 when they differ.
func sameClients[R any](rs []R, clients func(R) int) int {
	n := clients(rs[0])
	for _, r := range rs {
		if clients(r) != n {
			return 0
		}
	}
	return n
}

func clientsName(prefix string, n int) string {
	if n == 0 {
		return prefix + ", concurrent clients"
	}
	return fmt.Sprintf("%s, %d clients", prefix, n)
}

// writePlain writes the table of the plain benchmark at one size.
func writePlain(b *strings.Builder, rec record, size int, rs []result) {
	t := newTable(b, rec, thousands(float64(size))+" listings a side", rs)
	importPerSec := func(r result) float64 { return *r.ImportPerSec }
	reference := func(r result) float64 { return r.ReferencePerSec }
	rebuild := func(r result) float64 { return r.RebuildPerSec }

	t.row("import, durable and searchable", "/s", thousands, positive(importPerSec))
	t.row("plain bleve import of the same corpus", "/s", thousands, positive(reference))
	t.row("import ÷ plain bleve, same run", "×", decimals(2), ratio(importPerSec, reference))
	t.row("alerts for the import, after it", " s", decimals(1), positive(func(r result) float64 { return r.AlertSeconds }))
	t.row("index segments when settled, both sides", "", thousands, always(func(r result) float64 { return r.Segments }))
	for _, l := range []struct {
		name string
		get  func(result) latency
	}{
		{"match offers p50 / p99, warm", func(r result) latency { return r.MatchOffers.Warm }},
		{"match demands p50 / p99, warm", func(r result) latency { return r.MatchDemands.Warm }},
		{"match offers p50 / p99, cold", func(r result) latency { return r.MatchOffers.Cold }},
		{"match demands p50 / p99, cold", func(r result) latency { return r.MatchDemands.Cold }},
		{"the same warm matches in process, p50 / p99", func(r result) latency { return r.InProcess.Warm }},
		{"search p50 / p99, filters and facets", func(r result) latency { return r.Search }},
	} {
		t.row(l.name, " ms", decimals(1),
			positive(func(r result) float64 { return l.get(r).P50 }), positive(func(r result) float64 { return l.get(r).P99 }))
	}
	t.row("served ÷ in process, p50", "×", decimals(2), positive(func(r result) float64 { return r.ServiceRatio }))
	t.row(clientsName("matches/s", sameClients(rs, func(r result) int { return r.Clients })), "/s", thousands,
		positive(func(r result) float64 { return r.Throughput }))
	t.row("peak RSS, all / anonymous", " MiB", mebibytes,
		positive(func(r result) float64 { return r.PeakRSS }), positive(func(r result) float64 { return r.PeakAnon }))
	t.row("size on disk", " MiB", mebibytes, positive(func(r result) float64 { return r.DiskBytes }))
	t.row("start to serving", " s", decimals(2), positive(func(r result) float64 { return r.StartSeconds }))
	t.row("rebuild of the index", "/s", thousands, positive(rebuild))
	t.row("rebuild ÷ plain bleve import, same run", "×", decimals(2), ratio(rebuild, reference))
}

// writeCluster writes the table of a replicated market at one size.
func writeCluster(b *strings.Builder, rec record, size int, rs []clusterResult) {
	nodes := 0
	for _, r := range rs {
		nodes = max(nodes, *r.Nodes)
	}
	t := newTable(b, rec, fmt.Sprintf("%d nodes on one machine, %s listings a side", nodes, thousands(float64(size))), rs)
	clients := sameClients(rs, func(r clusterResult) int { return r.Clients })
	perNode := func(get func(clusterResult) []float64) []figure[clusterResult] {
		var figs []figure[clusterResult]
		for i := range nodes {
			figs = append(figs, func(r clusterResult) (float64, bool) {
				cpu := get(r)
				if i >= len(cpu) {
					return 0, false
				}
				return cpu[i], true
			})
		}
		return figs
	}
	// The first node begins the cluster and leads it.
	names := []string{"1 (the leader)"}
	for i := 2; i <= nodes; i++ {
		names = append(names, strconv.Itoa(i))
	}
	onNodes := "CPU per match on nodes " + strings.Join(names, " / ")
	t.row("nodes joined and indexed, from the first serving", " s", decimals(1), positive(func(r clusterResult) float64 { return r.JoinSeconds }))
	t.row(clientsName("matches/s, every client on the leader", clients), "/s", thousands, positive(func(r clusterResult) float64 { return r.OneNode }))
	t.row(onNodes+", clients on the leader", " ms", decimals(2), perNode(func(r clusterResult) []float64 { return r.OneNodeCPU })...)
	t.row(clientsName("matches/s, clients spread over the nodes", clients), "/s", thousands, positive(func(r clusterResult) float64 { return r.Spread }))
	t.row(onNodes+", clients spread", " ms", decimals(2), perNode(func(r clusterResult) []float64 { return r.SpreadCPU })...)
	t.row("create p50 / p99 through the leader", " ms", decimals(1),
		positive(func(r clusterResult) float64 { return r.WriteLeader.P50 }), positive(func(r clusterResult) float64 { return r.WriteLeader.P99 }))
	t.row("create p50 / p99 through a follower", " ms", decimals(1),
		positive(func(r clusterResult) float64 { return r.WriteFollow.P50 }), positive(func(r clusterResult) float64 { return r.WriteFollow.P99 }))
}

// writeFeed writes the table of a linked market at one size.
func writeFeed(b *strings.Builder, rec record, size int, rs []feedResult) {
	t := newTable(b, rec, fmt.Sprintf("a link to a market of %s listings a side", thousands(float64(size))), rs)
	t.row("a new link applies", "/s", thousands, positive(func(r feedResult) float64 { return *r.ApplyPerSec }))
	t.row("a new link has applied every listing", " s", decimals(1), positive(func(r feedResult) float64 { return r.ApplySeconds }))
	writes := 0.0
	for _, r := range rs {
		writes = max(writes, r.WritesPerSec)
	}
	t.row(fmt.Sprintf("lag of a new listing p50 / p99, %s writes/s at home", thousands(writes)), " ms", thousands,
		positive(func(r feedResult) float64 { return r.Lag.P50 }), positive(func(r feedResult) float64 { return r.Lag.P99 }))
}

// median of sorted values; of an even count, the mean of the middle two.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// thousands rounds v to a whole number written with thousands separators.
func thousands(v float64) string {
	s := strconv.FormatFloat(v, 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// region is one generated region of a Markdown file.
type region struct {
	start, end int    // byte offsets: just after the begin line, at the start of the end line
	source     string // its figures file, as the begin line names it; "" for --from
}

// regions finds the generated regions of text.
func regions(text, path string) ([]region, error) {
	var rs []region
	open := -1
	at := 0
	line := 0
	for l := range strings.Lines(text) {
		line++
		trimmed := strings.TrimSpace(l)
		if m := beginRE.FindStringSubmatch(trimmed); m != nil {
			if open >= 0 {
				return nil, fmt.Errorf("%s:%d: %s inside a region begun at line %d", path, line, trimmed, open)
			}
			open = line
			rs = append(rs, region{start: at + len(l), source: m[1]})
		} else if trimmed == endMarker {
			if open < 0 {
				return nil, fmt.Errorf("%s:%d: %s with no %s before it", path, line, endMarker, beginMarker)
			}
			rs[len(rs)-1].end = at
			open = -1
		}
		at += len(l)
	}
	switch {
	case open >= 0:
		return nil, fmt.Errorf("%s:%d: the region begun here has no %s", path, open, endMarker)
	case len(rs) == 0:
		return nil, fmt.Errorf("%s: no region for the figures: put a line %s and a line %s where the table goes", path, beginMarker, endMarker)
	}
	return rs, nil
}

// generate returns path's text with every region holding its table.
func generate(path, from string) (old, updated string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	old = string(b)
	rs, err := regions(old, path)
	if err != nil {
		return "", "", err
	}
	var out strings.Builder
	last := 0
	for _, r := range rs {
		source := from
		if r.source != "" {
			source = filepath.Join(filepath.Dir(path), filepath.FromSlash(r.source))
		}
		// The table names its figures file as a link from path would.
		name, err := filepath.Rel(filepath.Dir(path), source)
		if err != nil {
			name = source
		}
		table, err := tableFile(source, filepath.ToSlash(name))
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", path, err)
		}
		out.WriteString(old[last:r.start])
		out.WriteString(table)
		last = r.end
	}
	out.WriteString(old[last:])
	return old, out.String(), nil
}

// updateFile puts into each region of path its table, replacing what was
// there.
func updateFile(path, from string) error {
	old, updated, err := generate(path, from)
	if err != nil || updated == old {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.WriteString(updated); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// holds says whether every region of path holds its table.
func holds(path, from string) (bool, error) {
	old, updated, err := generate(path, from)
	return err == nil && old == updated, err
}
