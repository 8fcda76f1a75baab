package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/store"
)

// reindex rebuilds the index of a stopped data folder. The server rebuilds
// a missing or damaged index by itself; this is for an operator who
// changed the dictionary or synonyms, or wants a clean index.
func reindex(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlags("reindex", stderr)
	dir := fs.String("data", "", "data folder of the marketplace")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	st, err := openStore(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	err = rebuildIndex(ctx, filepath.Join(*dir, indexDir), st, "reindex", stderr)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("reindex stopped before the index was built (%w): the store is intact and the folder has no index; run `techmarketd reindex` again, or start the server, which builds a missing one", err)
	}
	return err
}

// rebuildIndex builds the index at path afresh from st, saying how far it
// has come about once a second; what prefixes those lines.
func rebuildIndex(ctx context.Context, path string, st *store.Store, what string, stderr io.Writer) error {
	// Removing the folder first makes Open rebuild both sides, reporting
	// progress, instead of catching up an index that is already there.
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("removing the old index: %w", err)
	}
	defer roomForCollector()()
	start := time.Now()
	last := time.Time{}
	idx, err := index.Open(ctx, path, st, index.Options{Progress: func(kind store.Kind, done, total int) {
		if time.Since(last) > time.Second || done == total {
			fmt.Fprintf(stderr, "%s: indexing %ss %d/%d\n", what, kind, done, total)
			last = time.Now()
		}
	}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: index built in %s\n", what, time.Since(start).Round(time.Millisecond))
	return idx.Close()
}

// batchGCPercent is the collector's target (GOGC) while a command builds
// an index. Why: a build allocates fast and keeps little (each batch's
// segment goes to disk), so under the default of 100 the collector took
// about a sixth of its CPU. BenchmarkRebuild spent 3,153 and 3,369 CPU-µs
// a listing at 100, 2,736 at 200, 2,565 and 2,684 at 400, 2,499 at 800;
// reindexing 100,000 listings a side took 423 s (605 s of CPU, peak RSS
// 2.0 GB) at 100 and 337 s (537 s, 3.9 GB) at 400. A build is a job of
// its own on a stopped folder, so it may take the memory; the server
// keeps Go's default, as memory is its budget at a million listings.
const batchGCPercent = 400

// roomForCollector raises the collector's target for a batch build, unless
// the operator set GOGC, and returns what restores it.
func roomForCollector() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	old := debug.SetGCPercent(batchGCPercent)
	return func() { debug.SetGCPercent(old) }
}
