package main

import (
	"os"
	"runtime/debug"
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
