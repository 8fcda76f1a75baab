package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/store"
)

// storeFile is the bbolt file inside a data folder.
const storeFile = "techmarket.db"

// indexDir is the folder of the bleve indexes inside a data folder.
const indexDir = "index"

// openMarket opens (creating if needed) the market kept in dir, without
// its full-text index: enough for admin commands on a stopped folder.
func openMarket(dir string) (*market.Market, error) {
	if err := refuseClusterFolder(dir); err != nil {
		return nil, err
	}
	st, err := openStore(dir)
	if err != nil {
		return nil, err
	}
	m, err := market.New(st, market.Options{})
	if err != nil {
		st.Close()
		return nil, err
	}
	return m, nil
}

// refuseClusterFolder refuses to write to a cluster node's folder behind
// the cluster's back: a write outside the Raft log would be on this node
// alone, and its store would no longer be its cluster's.
func refuseClusterFolder(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, raftDir)); err == nil {
		return fmt.Errorf("%s is a cluster node's data folder: change it through the running cluster's API (the techmarket command, an operator's token), not offline", dir)
	}
	return nil
}

// openStore opens (creating if needed) the store kept in dir.
func openStore(dir string) (*store.Store, error) {
	if dir == "" {
		return nil, fmt.Errorf("%w: --data DIR is required", errUsage)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data folder: %w", err)
	}
	path := filepath.Join(dir, storeFile)
	st, err := store.Open(path, store.Options{LockTimeout: 2 * time.Second})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%s is in use by another techmarketd; stop it first, or while it runs use the API (`techmarket tokens create`)", path)
	} else if err != nil {
		return nil, err
	}
	return st, nil
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and refuses stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}
