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
	return rebuildIndex(filepath.Join(*dir, indexDir), st, "reindex", stderr)
}

// rebuildIndex builds the index at path afresh from st, saying how far it
// has come about once a second; what prefixes those lines.
func rebuildIndex(path string, st *store.Store, what string, stderr io.Writer) error {
	// Removing the folder first makes Open rebuild both sides, reporting
	// progress, instead of catching up an index that is already there.
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("removing the old index: %w", err)
	}
	start := time.Now()
	last := time.Time{}
	idx, err := index.Open(path, st, index.Options{Progress: func(kind store.Kind, done, total int) {
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
