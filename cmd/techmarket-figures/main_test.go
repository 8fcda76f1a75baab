package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchRun is what techmarket-bench --json prints for one size, with the
// figures the tests look for filled in.
func benchRun(size int, importPerSec, referencePerSec, offersP50, rebuildPerSec, alerts float64) string {
	return fmt.Sprintf(`[
  {
    "listings_per_side": %d,
    "corpus_seconds": 0.5,
    "import_seconds": 15.6,
    "import_listings_per_second": %g,
    "alerts_after_import_seconds": %g,
    "index_settled_after_alerts_seconds": 3.1,
    "index_segments_when_settled": 2,
    "match_offers": {"cold": {"n": 200, "p50_ms": 2.5, "p99_ms": 20}, "warm": {"n": 200, "p50_ms": %g, "p99_ms": 12.6}},
    "match_demands": {"cold": {"n": 200, "p50_ms": 2.6, "p99_ms": 21}, "warm": {"n": 200, "p50_ms": 1.8, "p99_ms": 5.4}},
    "search": {"n": 200, "p50_ms": 1.1, "p99_ms": 9.2},
    "matches_per_second": 983,
    "clients": 8,
    "peak_rss_bytes": 871870464,
    "peak_anonymous_rss_bytes": 802160640,
    "disk_bytes": 146800640,
    "start_to_serving_seconds": 0.77,
    "in_process": {"cold": {"n": 0, "p50_ms": 0, "p99_ms": 0}, "warm": {"n": 400, "p50_ms": 1.3, "p99_ms": 2.5}},
    "service_over_in_process_p50": 1.3,
    "rebuild_seconds": 11.2,
    "rebuild_listings_per_second": %g,
    "reference_import_listings_per_second": %g,
    "a_figure_added_later": 1
  }
]
`, size, importPerSec, alerts, offersP50, rebuildPerSec, referencePerSec)
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runFigures(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	code = run(args, &out, &errs)
	return code, out.String(), errs.String()
}

// recordTestRuns writes a figures file made by --record from the given runs.
func recordTestRuns(t *testing.T, dir string, runs ...string) string {
	t.Helper()
	args := []string{"--record", "--date", "2026-12-07", "--machine", "a shared 2-core machine", "--commit", "abc1234",
		"--command", "bin/techmarket-bench --sizes 10000 --json"}
	for i, r := range runs {
		args = append(args, write(t, dir, fmt.Sprintf("run%d.json", i+1), r))
	}
	code, out, errs := runFigures(t, args...)
	if code != 0 {
		t.Fatalf("--record: exit %d: %s", code, errs)
	}
	return write(t, dir, "figures.json", out)
}

func TestTableShowsMediansOfTheRunsWithWhereTheyCameFrom(t *testing.T) {
	dir := t.TempDir()
	figures := recordTestRuns(t, dir,
		benchRun(10000, 1284, 2726, 1.7, 1786, 19.8),
		benchRun(10000, 1000, 1219, 2.3, 1085, 10.2),
		benchRun(10000, 1400, 2723, 1.8, 1764, 7.7),
	)
	code, table, errs := runFigures(t, "--from", figures)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"**10,000 listings a side**: medians of 3 runs on 2026-12-07, a shared 2-core machine, code at `abc1234`.",
		"Measured with `bin/techmarket-bench --sizes 10000 --json`.",
		"| | median | range over the runs |",
		"| import, durable and searchable | 1,284/s | 1,000–1,400/s |",
		"| plain bleve import of the same corpus | 2,723/s | 1,219–2,726/s |",
		// The ratio is taken within each run, then the median: 0.47, 0.82, 0.51.
		"| import ÷ plain bleve, same run | 0.51× | 0.47–0.82× |",
		"| match offers p50 / p99, warm | 1.8 / 12.6 ms | 1.7–2.3 / 12.6 ms |",
		"| alerts for the import, after it | 10.2 s | 7.7–19.8 s |",
		"| matches/s, 8 clients | 983/s | 983/s |",
		"| peak RSS, all / anonymous | 831 / 765 MiB |",
		"| rebuild of the index | 1,764/s |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
}

func TestOneTablePerSizeAndNoRowForWhatARunDidNotMeasure(t *testing.T) {
	dir := t.TempDir()
	// An --offline run: no alerts and no rebuild apart from the import.
	two := strings.Replace(benchRun(10000, 900, 2000, 1.5, 0, 0), "\n]", ","+strings.TrimPrefix(benchRun(100000, 500, 1000, 5.1, 0, 0), "["), 1)
	figures := recordTestRuns(t, dir, two)
	code, table, errs := runFigures(t, "--from", figures)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	first, second := strings.Index(table, "**10,000 listings a side**: one run"), strings.Index(table, "**100,000 listings a side**: one run")
	if first < 0 || second < first {
		t.Fatalf("want a table for 10,000 and then one for 100,000:\n%s", table)
	}
	if !strings.Contains(table, "| match offers p50 / p99, warm | 5.1 / 12.6 ms |") {
		t.Errorf("the 100,000 table lacks its own p50:\n%s", table)
	}
	for _, absent := range []string{"alerts for the import", "rebuild"} {
		if strings.Contains(table, absent) {
			t.Errorf("a row for %q, which the runs did not measure:\n%s", absent, table)
		}
	}
}

func TestUpdateRewritesOnlyTheRegionAndCheckTellsStaleFromCurrent(t *testing.T) {
	dir := t.TempDir()
	figures := recordTestRuns(t, dir, benchRun(10000, 1284, 2726, 1.7, 1786, 19.8))
	before := "# Performance\n\nText before.\n\n" + beginMarker + "\n| old | 1 |\n" + endMarker + "\n\nText after.\n"
	doc := write(t, dir, "performance.md", before)
	readme := write(t, dir, "README.md", "Intro.\n"+beginMarker+"\n"+endMarker+"\nEnd.\n")

	if code, _, errs := runFigures(t, "--from", figures, "--check", doc); code != 1 || !strings.Contains(errs, "--update") {
		t.Errorf("--check of a stale table: exit %d, %q; want 1 and how to fix it", code, errs)
	}
	if code, _, errs := runFigures(t, "--from", figures, "--update", doc, readme); code != 0 {
		t.Fatalf("--update: exit %d: %s", code, errs)
	}
	_, table, _ := runFigures(t, "--from", figures)
	// In the file the table names its figures file as a link from there would.
	table = strings.Replace(table, "from "+figures+":", "from figures.json:", 1)
	got, _ := os.ReadFile(doc)
	want := "# Performance\n\nText before.\n\n" + beginMarker + "\n" + table + endMarker + "\n\nText after.\n"
	if string(got) != want {
		t.Errorf("after --update:\n%s\nwant:\n%s", got, want)
	}
	if code, _, errs := runFigures(t, "--from", figures, "--check", doc, readme); code != 0 {
		t.Errorf("--check right after --update: exit %d: %s", code, errs)
	}
	// Run twice, the file stays the same.
	runFigures(t, "--from", figures, "--update", doc)
	if again, _ := os.ReadFile(doc); string(again) != want {
		t.Errorf("a second --update changed the file:\n%s", again)
	}
	// A figure typed by hand is caught.
	write(t, dir, "performance.md", strings.Replace(want, "1,284/s", "1,500/s", 1))
	if code, _, _ := runFigures(t, "--from", figures, "--check", doc); code != 1 {
		t.Errorf("--check of a hand-edited table: exit %d, want 1", code)
	}
}

func TestUpdateRefusesAFileWithoutItsRegion(t *testing.T) {
	dir := t.TempDir()
	figures := recordTestRuns(t, dir, benchRun(10000, 1284, 2726, 1.7, 1786, 19.8))
	for name, content := range map[string]string{
		"none.md":     "No markers here.\n",
		"no-end.md":   beginMarker + "\n",
		"reversed.md": endMarker + "\n" + beginMarker + "\n",
		"nested.md":   beginMarker + "\n" + beginMarker + "\n" + endMarker + "\n" + endMarker + "\n",
		"missing.md":  "<!-- figures:begin no-such-figures.json -->\n" + endMarker + "\n",
	} {
		path := write(t, dir, name, content)
		code, _, errs := runFigures(t, "--from", figures, "--update", path)
		if code != 1 || !strings.Contains(errs, name) {
			t.Errorf("%s: exit %d, %q; want 1 and the file named", name, code, errs)
		}
		if got, _ := os.ReadFile(path); string(got) != content {
			t.Errorf("%s was changed:\n%s", name, got)
		}
	}
}

func TestRecordRefusesWhatIsNotABenchRun(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"other.json": `[{"listings_per_side": 10000, "some_other_figure": 3}]`,
		"text.txt":   "listings a side   10000\n",
		"empty.json": `[]`,
	} {
		path := write(t, dir, name, content)
		code, out, errs := runFigures(t, "--record", "--command", "techmarket-bench --json", path)
		if code != 1 || out != "" || !strings.Contains(errs, name) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 1, nothing written and the file named", name, code, out, errs)
		}
	}
	plain, cluster := write(t, dir, "plain.json", benchRun(10, 1, 1, 1, 1, 1)), write(t, dir, "cluster.json", clusterRun(10, 400))
	if code, out, errs := runFigures(t, "--record", "--command", "techmarket-bench --json", plain, cluster); code != 1 || out != "" || !strings.Contains(errs, "cluster.json") {
		t.Errorf("runs of two kinds: exit %d, stdout %q, stderr %q; want 1, nothing written and the odd file named", code, out, errs)
	}
	if code, _, errs := runFigures(t, "--record", plain); code != 2 || !strings.Contains(errs, "--command") {
		t.Errorf("--record without --command: exit %d, %q; want 2 and a word on --command", code, errs)
	}
}

func clusterRun(size int, spread float64) string {
	return fmt.Sprintf(`[{"listings_per_side": %d, "nodes": 3, "join_seconds": 49.7,
  "one_node_matches_per_second": 477.7, "one_node_cpu_ms_per_match": [2.2, 0.004, 0.005],
  "spread_matches_per_second": %g, "spread_cpu_ms_per_match": [2.33, 2.49, 2.51], "clients": 8,
  "create_through_leader": {"n": 200, "p50_ms": 8.1, "p99_ms": 50.7},
  "create_through_follower": {"n": 200, "p50_ms": 10.3, "p99_ms": 36.4}}]`, size, spread)
}

func feedRun(size int, apply float64) string {
	return fmt.Sprintf(`[{"listings_per_side": %d, "apply_seconds": 8.2, "apply_listings_per_second": %g,
  "lag": {"n": 400, "p50_ms": 302.4, "p99_ms": 883.1}, "writes_per_second": 20}]`, size, apply)
}

// A file may hold several tables, each from the figures file its begin
// line names beside it: the cluster's and the linked market's too.
func TestRegionsNameTheirFiguresFile(t *testing.T) {
	dir := t.TempDir()
	plain := recordTestRuns(t, dir, benchRun(10000, 1284, 2726, 1.7, 1786, 19.8))
	docs := filepath.Join(dir, "docs")
	if err := os.Mkdir(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, runs := range map[string][]string{
		"figures-cluster.json": {clusterRun(10000, 376), clusterRun(10000, 390), clusterRun(10000, 350)},
		"figures-feed.json":    {feedRun(10000, 2499)},
	} {
		args := []string{"--record", "--date", "2026-12-07", "--machine", "a shared 2-core machine", "--command", "techmarket-bench --json"}
		for i, r := range runs {
			args = append(args, write(t, dir, fmt.Sprintf("%s-%d", name, i), r))
		}
		code, out, errs := runFigures(t, args...)
		if code != 0 {
			t.Fatalf("--record %s: exit %d: %s", name, code, errs)
		}
		write(t, docs, name, out)
	}
	doc := write(t, docs, "performance.md", "# Performance\n\n"+beginMarker+"\n"+endMarker+"\n\nA cluster:\n\n"+
		"<!-- figures:begin figures-cluster.json -->\n"+endMarker+"\n\nA link:\n\n<!-- figures:begin figures-feed.json -->\n"+endMarker+"\n")
	if code, _, errs := runFigures(t, "--from", plain, "--update", doc); code != 0 {
		t.Fatalf("--update: exit %d: %s", code, errs)
	}
	got, _ := os.ReadFile(doc)
	for _, want := range []string{
		"| import, durable and searchable | 1,284/s |",
		"Generated by techmarket-figures from figures-cluster.json",
		"**3 nodes on one machine, 10,000 listings a side**: medians of 3 runs",
		"| matches/s, clients spread over the nodes, 8 clients | 376/s | 350–390/s |",
		"| CPU per match on nodes 1 (the leader) / 2 / 3, clients spread | 2.33 / 2.49 / 2.51 ms | 2.33 / 2.49 / 2.51 ms |",
		"**a link to a market of 10,000 listings a side**: one run",
		"| a new link applies | 2,499/s |",
		"| lag of a new listing p50 / p99, 20 writes/s at home | 302 / 883 ms |",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the file lacks %q:\n%s", want, got)
		}
	}
	if code, _, errs := runFigures(t, "--from", plain, "--check", doc); code != 0 {
		t.Errorf("--check right after --update: exit %d: %s", code, errs)
	}
}

// The committed figures are the ones README.md and docs/performance.md
// show: nobody typed them.
func TestCommittedDocsHoldTheGeneratedTable(t *testing.T) {
	root := filepath.Join("..", "..")
	code, _, errs := runFigures(t, "--from", filepath.Join(root, "docs", "figures.json"), "--check",
		filepath.Join(root, "README.md"), filepath.Join(root, "docs", "performance.md"))
	if code != 0 {
		t.Errorf("exit %d: %s\nregenerate with: go run ./cmd/techmarket-figures --update README.md docs/performance.md", code, errs)
	}
}
