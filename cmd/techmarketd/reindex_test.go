package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestBatchBuildCollectorTarget: an index build gives the collector room
// and hands the old target back afterwards, but an operator's own GOGC
// wins.
func TestBatchBuildCollectorTarget(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	t.Setenv("GOGC", "") // restored after the test
	os.Unsetenv("GOGC")

	restore := roomForCollector()
	if got := debug.SetGCPercent(batchGCPercent); got != batchGCPercent {
		t.Errorf("during a build the collector's target is %d, want %d", got, batchGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after a build the target is %d, want the 100 it had", got)
	}

	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150) // as the runtime read it at start
	restore = roomForCollector()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("with GOGC=150 a build set the target to %d", got)
	}
	restore()
}

// TestReindexStopsOnInterrupt: Ctrl-C during a rebuild ends the command
// at once, saying what state the folder is in and what to run next; the
// next reindex builds the index whole.
func TestReindexStopsOnInterrupt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "market")
	stock := filepath.Join(t.TempDir(), "stock.jsonl")
	writeLines(t, stock, demoLines()...)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"import", "--data", dir, "--org", "乌海科技大市场", stock}, &out, &errOut); code != 0 {
		t.Fatalf("import: exit status %d\n%s", code, errOut.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as the signal handler does on Ctrl-C
	errOut.Reset()
	if code := run(ctx, []string{"reindex", "--data", dir}, &out, &errOut); code != 1 {
		t.Fatalf("interrupted reindex: exit status %d, want 1\n%s", code, errOut.String())
	}
	if msg := errOut.String(); !strings.Contains(msg, "reindex stopped before the index was built") || !strings.Contains(msg, "run `techmarketd reindex` again") {
		t.Errorf("interrupted reindex says:\n%s\nwant what happened and what to run next", msg)
	}

	errOut.Reset()
	if code := run(context.Background(), []string{"reindex", "--data", dir}, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "index built") {
		t.Errorf("reindex after the interrupted one: exit status %d\n%s", code, errOut.String())
	}
}
