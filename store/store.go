package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// defaultLockTimeout is used when Options.LockTimeout is zero. bbolt's own
// default (0) waits forever, which turns a second server started on the same
// data folder into a silent hang instead of a clear ErrLocked.
const defaultLockTimeout = 2 * time.Second

// Options configures Open. The zero value is ready to use.
type Options struct {
	// LockTimeout is how long Open waits for another process to release
	// the data file before returning ErrLocked; 0 means 2s. Negative values
	// are rejected with ErrInvalid.
	LockTimeout time.Duration

	// MaxBatchDelay is how long a write waits for other concurrent writes
	// to join its transaction (and so share its fsync) before committing;
	// 0 means 1ms. Longer delays add latency to every write without
	// batching more: writers that arrive during a commit join the next
	// batch anyway. Negative values are rejected.
	MaxBatchDelay time.Duration
}

// defaultBatchDelay is used when Options.MaxBatchDelay is zero. bbolt's
// default of 10ms makes a lone write wait 10ms plus an fsync. The delay only
// needs to be about as long as a commit: writers arriving while one batch
// commits pile up in the next. Measured with BenchmarkPut* (ext4, ~1.7ms
// fsync, 64 writers): 1ms gave 360 serial and 14,000 parallel records/s,
// 2ms 235 and 10,800, 10ms 79 and 4,400.
const defaultBatchDelay = time.Millisecond

// Store is an open data file. Its methods are safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string

	// secrets caches Secret values; they never change once created.
	secretsMu sync.Mutex
	secrets   map[string][]byte

	// replicate, when set, carries every Update's writes (Replicate);
	// replicating runs those Updates one at a time.
	replicate   func(context.Context, WriteSet) error
	replicating sync.Mutex
}

// Open opens the store at path, creating the file (mode 0600) and initialising
// it when it does not exist or is empty. Parent directories must exist.
//
// An existing file is first inspected through a read-only handle and refused
// with ErrNotStore or ErrSchemaVersion unless it is a Techmarket store of this
// schema version (or a bbolt file with no buckets at all, which is what a
// crash between bbolt creating the file and our first transaction leaves
// behind). The read-only look matters: bbolt may write to a file it opens
// read-write (it rewrites a missing freelist, as in files made by etcd), and a
// file that is not ours must stay byte-identical.
func Open(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("store: open: %w: empty path", ErrInvalid)
	}
	timeout := opts.LockTimeout
	switch {
	case timeout == 0:
		timeout = defaultLockTimeout
	case timeout < 0:
		return nil, fmt.Errorf("store: open %s: %w: negative LockTimeout %v", path, ErrInvalid, timeout)
	}
	delay := opts.MaxBatchDelay
	switch {
	case delay == 0:
		delay = defaultBatchDelay
	case delay < 0:
		return nil, fmt.Errorf("store: open %s: %w: negative MaxBatchDelay %v", path, ErrInvalid, delay)
	}

	info, err := os.Stat(path)
	switch {
	case err == nil && info.IsDir():
		return nil, fmt.Errorf("store: open %s: %w: is a directory, want a file path", path, ErrInvalid)
	case err == nil && info.Size() > 0:
		if err := probe(path, timeout); err != nil {
			return nil, err
		}
	case err == nil, errors.Is(err, fs.ErrNotExist):
		// New or empty: bbolt writes its meta pages, we add our buckets.
	default:
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}

	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      timeout,
		FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		return nil, openError(path, timeout, err, false)
	}
	db.MaxBatchDelay = delay
	if err := initialise(db, path); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return &Store{db: db, path: path, secrets: make(map[string][]byte)}, nil
}

// probe checks an existing non-empty file through a read-only bbolt handle,
// which takes a shared lock and never writes.
func probe(path string, timeout time.Duration) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return openError(path, timeout, err, true)
	}
	err = db.View(func(btx *bolt.Tx) error {
		_, err := inspect(btx, path)
		return err
	})
	if cerr := db.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("store: open %s: closing read-only check: %w", path, cerr)
	}
	return err
}

// openError maps bbolt's Open errors to ours. When contentOnly is set the
// file is known to exist and be non-empty, so any error that is not an
// operating-system error is bbolt rejecting the content (it reports some
// malformed files, such as ones shorter than two pages, with unexported
// errors).
func openError(path string, timeout time.Duration, err error, contentOnly bool) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("store: open %s: %w (waited %v)", path, ErrLocked, timeout)
	case errors.Is(err, berrors.ErrInvalid),
		errors.Is(err, berrors.ErrVersionMismatch),
		errors.Is(err, berrors.ErrChecksum):
		return notStore(path, err.Error())
	}
	var pathErr *fs.PathError
	var errno syscall.Errno
	if contentOnly && !errors.As(err, &pathErr) && !errors.As(err, &errno) {
		return notStore(path, err.Error())
	}
	return fmt.Errorf("store: open %s: %w", path, err)
}

func notStore(path, why string) error {
	return fmt.Errorf("store: open %s: %w; refusing to touch it (%s)", path, ErrNotStore, why)
}

// fileState is what inspect found.
type fileState int

const (
	stateEmpty fileState = iota // a bbolt file without buckets: initialise it
	stateReady                  // a store of our schema version
)

// inspect decides whether btx's file is ours. bbolt's root holds only
// buckets, so a file without our meta bucket is either bucket-less (safe to
// initialise: there is nothing to lose) or someone else's.
func inspect(btx *bolt.Tx, path string) (fileState, error) {
	meta := btx.Bucket(bucketMeta)
	if meta == nil {
		if k, _ := btx.Cursor().First(); k == nil {
			return stateEmpty, nil
		}
		return 0, notStore(path, "it has bbolt buckets but no Techmarket meta bucket")
	}
	if f := meta.Get(keyFormat); string(f) != formatName {
		return 0, notStore(path, fmt.Sprintf("meta/format is %q, want %q", f, formatName))
	}
	raw := meta.Get(keySchema)
	if raw == nil {
		return 0, notStore(path, "meta bucket has no schema version")
	}
	v, err := strconv.ParseUint(string(raw), 10, 32)
	if err != nil {
		return 0, notStore(path, fmt.Sprintf("unreadable schema version %q", raw))
	}
	if v != schemaVersion {
		return 0, fmt.Errorf("store: open %s: %w: the data file has schema version %d, this build supports version %d",
			path, ErrSchemaVersion, v, schemaVersion)
	}
	for _, name := range allBuckets {
		if btx.Bucket(name) == nil {
			return 0, fmt.Errorf("store: open %s: %w: schema %d bucket %q is missing", path, ErrCorrupt, v, name)
		}
	}
	return stateReady, nil
}

// initialise inspects the file again, now under the exclusive lock (another
// process may have changed it since probe), and creates every bucket plus the
// schema version in one transaction when it is empty. Doing it in one
// transaction means a crash leaves either a bucket-less file or a complete
// store, never something Open would have to guess about.
func initialise(db *bolt.DB, path string) error {
	var state fileState
	err := db.View(func(btx *bolt.Tx) error {
		var err error
		state, err = inspect(btx, path)
		return err
	})
	if err != nil || state == stateReady {
		return err
	}
	err = db.Update(func(btx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := btx.CreateBucket(name); err != nil {
				return fmt.Errorf("create bucket %q: %w", name, err)
			}
		}
		meta := btx.Bucket(bucketMeta)
		if err := meta.Put(keyFormat, []byte(formatName)); err != nil {
			return err
		}
		return meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion)))
	})
	if err != nil {
		return fmt.Errorf("store: open %s: initialise: %w", path, err)
	}
	return nil
}

// Close releases the file. It waits for running transactions to finish.
// Calling it again is harmless; other methods return ErrClosed afterwards.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// Path returns the path passed to Open.
func (s *Store) Path() string { return s.path }

// Size returns the size of the data file in bytes. bbolt grows the file in
// steps and never shrinks it, so this is an upper bound on the live data.
func (s *Store) Size() (int64, error) {
	info, err := os.Stat(s.path)
	if err != nil {
		return 0, fmt.Errorf("store: size: %w", err)
	}
	return info.Size(), nil
}

// view runs fn in a read transaction, mapping bbolt's closed-database error
// to ErrClosed.
func (s *Store) view(fn func(btx *bolt.Tx) error) error {
	return closedErr(s.db.View(fn))
}

func closedErr(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("store: %w", ErrClosed)
	}
	return err
}
