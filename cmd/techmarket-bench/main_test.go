package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wuhai-techmarket/techmarket/corpus"
)

// buildServer builds techmarketd for a test to run.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "techmarketd")
	if out, err := exec.Command("go", "build", "-o", bin, "../techmarketd").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestBench runs every phase at a small size against a real techmarketd
// and checks that each figure was measured and is plausible.
func TestBench(t *testing.T) {
	bin := buildServer(t)
	data, profiles := t.TempDir(), filepath.Join(t.TempDir(), "profiles")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{
		"--sizes", "300", "--matches", "20", "--clients", "2", "--throughput-time", "1s",
		"--server", bin, "--data", data, "--profile", profiles, "--json",
	}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit status %d\nstderr:\n%s", code, stderr.String())
	}
	var results []result
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		t.Fatalf("output is not the JSON results: %v\n%s", err, stdout.String())
	}
	if len(results) != 1 {
		t.Fatalf("%d results for one size", len(results))
	}
	r := results[0]
	for name, l := range map[string]latency{
		"match offers cold": r.MatchOffers.Cold, "match offers warm": r.MatchOffers.Warm,
		"match demands cold": r.MatchDemands.Cold, "match demands warm": r.MatchDemands.Warm,
	} {
		if l.N != 20 || l.P50 <= 0 || l.P99 < l.P50 {
			t.Errorf("%s: %+v; want 20 timings, 0 < p50 ≤ p99", name, l)
		}
	}
	if l := r.InProcess.Warm; l.N != 40 || l.P50 <= 0 || l.P99 < l.P50 { // both directions
		t.Errorf("in process: %+v; want 40 timings, 0 < p50 ≤ p99", l)
	}
	switch {
	case r.Size != 300 || r.ImportPerSec <= 0 || r.ImportSeconds <= 0:
		t.Errorf("import: %+v", r)
	case r.Search.N != 20 || r.Search.P50 <= 0:
		t.Errorf("search: %+v", r.Search)
	case r.Throughput <= 0 || r.PeakRSS == 0 || r.DiskBytes == 0:
		t.Errorf("throughput %.0f/s, peak RSS %d, disk %d", r.Throughput, r.PeakRSS, r.DiskBytes)
	case r.PeakAnon == 0 || r.PeakAnon > r.PeakRSS:
		t.Errorf("peak anonymous RSS %d; want some, and no more than the peak of all, %d", r.PeakAnon, r.PeakRSS)
	case r.SettleSeconds < settleFor.Seconds():
		t.Errorf("index counted as settled after %.1fs; it must first run no merge for %s", r.SettleSeconds, settleFor)
	case r.Segments < 2: // offers and demands
		t.Errorf("index of both sides in %d segments", r.Segments)
	case r.ReferencePerSec <= 0:
		t.Errorf("plain bleve reference import %.0f/s", r.ReferencePerSec)
	case r.StartSeconds <= 0 || r.RebuildPerSec <= 0 || r.ServiceRatio <= 0:
		t.Errorf("start %.2fs, rebuild %.0f/s, ratio %.2f", r.StartSeconds, r.RebuildPerSec, r.ServiceRatio)
	}
	if !strings.Contains(stderr.String(), "[300] import: 600 listings") {
		t.Errorf("no import progress line:\n%s", stderr.String())
	}
	// --profile leaves the server's profiles, gzip-compressed as pprof
	// writes them.
	for _, name := range []string{"server-300-heap.pprof", "server-300-cpu.pprof"} {
		raw, err := os.ReadFile(filepath.Join(profiles, name))
		if err != nil || len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
			t.Errorf("--profile: %s: %v, %d bytes; want a pprof profile", name, err, len(raw))
		}
	}
	// --data keeps the folder, and refuses to reuse it.
	code = run(t.Context(), []string{"--sizes", "300", "--server", bin, "--data", data}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "exists") {
		t.Errorf("a second run into the same --data: exit %d\n%s", code, stderr.String())
	}
}

// TestBenchOffline: with --offline the folder is stocked by `techmarketd
// import` before it is served, and the same latencies are measured.
func TestBenchOffline(t *testing.T) {
	bin := buildServer(t)
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{
		"--sizes", "300", "--matches", "20", "--clients", "2", "--throughput-time", "1s",
		"--server", bin, "--offline", "--json",
	}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit status %d\nstderr:\n%s", code, stderr.String())
	}
	var results []result
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil || len(results) != 1 {
		t.Fatalf("output is not the JSON result of one size (%v):\n%s", err, stdout.String())
	}
	r := results[0]
	if r.MatchOffers.Warm.N != 20 || r.MatchDemands.Warm.N != 20 || r.MatchOffers.Warm.P50 <= 0 {
		t.Errorf("matches: offers %+v, demands %+v; want 20 timings of each", r.MatchOffers.Warm, r.MatchDemands.Warm)
	}
	if r.ImportPerSec <= 0 || r.RebuildPerSec != 0 || r.Throughput <= 0 {
		t.Errorf("import %.0f/s, rebuild %.0f/s, %.0f matches/s; want an import, no rebuild apart, some matches", r.ImportPerSec, r.RebuildPerSec, r.Throughput)
	}
	if !strings.Contains(stderr.String(), "[300] offline import: 600 listings stored and indexed") {
		t.Errorf("no offline import line:\n%s", stderr.String())
	}
}

func TestArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sizes", "abc"}, "--sizes"},
		{[]string{"--sizes", "5"}, "at least 10"},
		{[]string{"--matches", "0"}, "--matches"},
		{[]string{"--clients", "0"}, "--clients"},
		{[]string{"--throughput-time", "0s"}, "--throughput-time"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		var stderr bytes.Buffer
		if code := run(t.Context(), tc.args, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}

// TestReferenceImportStops: the plain bleve reference, the bench's last
// and at a million listings its longest phase, stops when its context
// ends, and leaves no index behind.
func TestReferenceImportStops(t *testing.T) {
	v, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "corpus.jsonl")
	if err := writeCorpus(file, corpus.New(v, 1, time.Now()), 200); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	index := filepath.Join(dir, "reference.bleve")
	if _, err := referenceImport(ctx, file, index); !errors.Is(err, context.Canceled) {
		t.Errorf("stopped reference import: %v, want context.Canceled", err)
	}
	if _, err := os.Stat(index); !os.IsNotExist(err) {
		t.Errorf("the stopped reference left %s: %v", index, err)
	}
	rate, err := referenceImport(t.Context(), file, index)
	if err != nil || rate <= 0 {
		t.Errorf("reference import: %.0f/s, %v", rate, err)
	}
}

func TestFeedBench(t *testing.T) {
	bin := buildServer(t)
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--feed", "--sizes", "100", "--throughput-time", "1s", "--server", bin, "--json"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit status %d\nstderr:\n%s", code, stderr.String())
	}
	var results []feedResult
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil || len(results) != 1 {
		t.Fatalf("output is not the JSON result of one size (%v):\n%s", err, stdout.String())
	}
	r := results[0]
	if r.ApplyPerSec <= 0 || r.Lag.N != feedWrites || r.Lag.P50 <= 0 || r.Lag.P99 < r.Lag.P50 {
		t.Errorf("apply %.0f/s, lag %+v; want a rate, and %d lags with 0 < p50 ≤ p99", r.ApplyPerSec, r.Lag, feedWrites)
	}
}

// --cluster 3 starts a replicated market on this machine and reports the
// match rate on one node and spread over three, the CPU per match of
// each node, and writes through the leader and through a follower.
func TestClusterBench(t *testing.T) {
	bin := buildServer(t)
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--cluster", "3", "--sizes", "100", "--matches", "10", "--throughput-time", "1s", "--server", bin, "--json"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit status %d\nstderr:\n%s", code, stderr.String())
	}
	var results []clusterResult
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil || len(results) != 1 {
		t.Fatalf("output is not the JSON result of one size (%v):\n%s", err, stdout.String())
	}
	r := results[0]
	if r.Nodes != 3 || r.OneNode <= 0 || r.Spread <= 0 || len(r.SpreadCPU) != 3 {
		t.Fatalf("result %+v; want 3 nodes, both rates, a CPU figure per node", r)
	}
	for i, cpu := range r.SpreadCPU {
		if cpu <= 0 {
			t.Errorf("node %d used no CPU for the matches spread to it", i+1)
		}
	}
	if r.WriteLeader.N != 10 || r.WriteFollow.N != 10 || r.WriteFollow.P50 <= 0 {
		t.Errorf("writes through leader %+v and follower %+v; want 10 each", r.WriteLeader, r.WriteFollow)
	}
}
