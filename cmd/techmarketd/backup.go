package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// backup copies the store of a running server through the API (an
// operator's token), or of a stopped data folder directly, to a file. The
// file is written beside its final name and renamed once complete and
// checked, so an interrupted backup never leaves a half file under it.
func backup(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlags("backup", stderr)
	to := fs.String("to", "", "the backup `FILE` to write (required)")
	dir := fs.String("data", "", "copy this stopped data `DIR` directly instead of asking a running server")
	addr := fs.String("addr", DefaultAddr, "address of the running server, `HOST:PORT`")
	token := fs.String("token", "", "an operator's bearer `TOKEN` (default $TECHMARKET_TOKEN)")
	caFile := fs.String("tls-ca", "", "connect with TLS, trusting the CA certificates in this PEM `FILE`")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *to == "" {
		return fmt.Errorf("%w: --to FILE is required", errUsage)
	}
	if *token == "" {
		*token = os.Getenv("TECHMARKET_TOKEN")
	}
	tmp := *to + ".partial"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("creating the backup: %w", err)
	}
	defer os.Remove(tmp) // gone once renamed
	start := time.Now()
	var n int64
	if *dir != "" {
		n, err = backupFolder(*dir, f)
	} else {
		n, err = backupServer(ctx, *addr, *token, *caFile, f, stderr)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := checkStoreFile(tmp); err != nil {
		return fmt.Errorf("the copy does not open as a store: %w", err)
	}
	if err := os.Rename(tmp, *to); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "backup: %s, %d bytes in %s\n", *to, n, time.Since(start).Round(time.Millisecond))
	return nil
}

func backupFolder(dir string, w io.Writer) (int64, error) {
	st, err := openStore(dir)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	return st.Backup(w, nil)
}

func backupServer(ctx context.Context, addr, token, caFile string, w io.Writer, stderr io.Writer) (int64, error) {
	c, _, err := operatorClient(addr, token, caFile)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	stream, err := c.Admin.Backup(ctx, &techmarketv1.BackupRequest{})
	if err != nil {
		return 0, fmt.Errorf("asking %s for a backup: %s", addr, client.Describe(err))
	}
	var n, total int64
	last := time.Now()
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return n, fmt.Errorf("receiving the backup from %s: %s; is the token an operator's (--token or TECHMARKET_TOKEN)?", addr, client.Describe(err))
		}
		if resp.GetTotalSize() > 0 {
			total = resp.GetTotalSize()
		}
		if _, err := w.Write(resp.GetChunk()); err != nil {
			return n, fmt.Errorf("writing the backup: %w", err)
		}
		n += int64(len(resp.GetChunk()))
		if time.Since(last) > time.Second {
			fmt.Fprintf(stderr, "backup: %d/%d bytes\n", n, total)
			last = time.Now()
		}
	}
	if total > 0 && n != total {
		return n, fmt.Errorf("the server sent %d of %d bytes; try again", n, total)
	}
	return n, nil
}

// checkStoreFile opens an existing file as a store and closes it. (The
// store refuses files that are not its own without writing to them.)
func checkStoreFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() || info.Size() == 0 {
		return fmt.Errorf("%s is empty or not a file", path)
	}
	st, err := store.Open(path, store.Options{LockTimeout: time.Second})
	if err != nil {
		return err
	}
	return st.Close()
}

// restore puts a backup in place as the store of a stopped data folder
// and removes its index, which the next start rebuilds from the restored
// store. A folder that has a store already is left alone unless --force.
func restore(args []string, stderr io.Writer) error {
	fs := newFlags("restore", stderr)
	from := fs.String("from", "", "the backup `FILE` (required)")
	dir := fs.String("data", "", "the data `DIR` to restore into (required; stopped)")
	force := fs.Bool("force", false, "replace the store the folder has")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *from == "" || *dir == "" {
		return fmt.Errorf("%w: --from FILE and --data DIR are required", errUsage)
	}
	if err := checkStoreFile(*from); err != nil {
		return fmt.Errorf("%s is not a Techmarket backup: %w", *from, err)
	}
	if err := refuseClusterFolder(*dir); err != nil {
		return fmt.Errorf("%w; to restore a cluster, restore one folder without its raft/ folder, start it alone with --cluster, and join the others to it from empty folders", err)
	}
	path := filepath.Join(*dir, storeFile)
	if _, err := os.Stat(path); err == nil {
		if !*force {
			return fmt.Errorf("%s already has a store; add --force to replace it (make a backup of it first)", *dir)
		}
		// The running server holds a lock; opening proves it is stopped.
		st, err := openStore(*dir)
		if err != nil {
			return err
		}
		st.Close()
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	if err := copyFile(*from, path+".restoring"); err != nil {
		return err
	}
	if err := os.Rename(path+".restoring", path); err != nil {
		return err
	}
	if err := os.RemoveAll(filepath.Join(*dir, indexDir)); err != nil {
		return fmt.Errorf("removing the old index: %w", err)
	}
	fmt.Fprintf(stderr, "restore: %s is now the store of %s; the index is rebuilt on the next start\n", *from, *dir)
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
