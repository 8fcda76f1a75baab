package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/store"
)

// reindex rebuilds the index of a stopped data folder. The server rebuilds
// a missing or damaged index by itself; this is for an operator who
// changed the dictionary or synonyms, or wants a clean index.
func reindex(args []string, stderr io.Writer) error {
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
	path := filepath.Join(*dir, indexDir)
	// Removing the folder first makes Open rebuild both sides, reporting
	// progress, instead of catching up an index that is already there.
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("removing the old index: %w", err)
	}
	start := time.Now()
	last := time.Time{}
	idx, err := index.Open(path, st, index.Options{Progress: func(kind store.Kind, done, total int) {
		if time.Since(last) > time.Second || done == total {
			fmt.Fprintf(stderr, "reindex: %ss %d/%d\n", kind, done, total)
			last = time.Now()
		}
	}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "reindex: done in %s\n", time.Since(start).Round(time.Millisecond))
	return idx.Close()
}
