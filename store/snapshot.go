package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	bolt "go.etcd.io/bbolt"
)

// Snapshot is the whole store as it stood when Snapshot was called, to be
// written out later while writers go on: a cluster takes it between two
// applied commands and streams it to a lagging node.
type Snapshot struct{ btx *bolt.Tx }

// Snapshot opens a read transaction that holds the store's present state
// until Release. Release it soon: bbolt cannot grow its file's memory map
// while a reader is open, so a writer that needs more room waits for it.
func (s *Store) Snapshot() (*Snapshot, error) {
	btx, err := s.db.Begin(false)
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", closedErr(err))
	}
	return &Snapshot{btx: btx}, nil
}

// WriteTo writes the snapshot as a store file, the form Backup writes.
func (sn *Snapshot) WriteTo(w io.Writer) (int64, error) { return sn.btx.WriteTo(w) }

// Release ends the snapshot's read transaction.
func (sn *Snapshot) Release() { _ = sn.btx.Rollback() }

// Restore replaces everything the store holds with the store file read
// from r (a Snapshot's or a Backup's copy), in one transaction: a crash
// leaves the old contents or the new, never a mix. The copy is checked to
// be a store of this schema before anything changes. Readers see the new
// contents once Restore returns; the change log comes with them, so an
// index following this store catches up from it (or rebuilds, when the
// copy's log ends before what the index holds).
func (s *Store) Restore(r io.Reader) error {
	tmp := s.path + ".restore"
	if err := writeFile(tmp, r); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("store: restore: receiving the copy: %w", err)
	}
	defer os.Remove(tmp)
	src, err := bolt.Open(tmp, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: restore: the copy is not a bbolt file: %w", err)
	}
	defer src.Close()
	return src.View(func(from *bolt.Tx) error {
		if state, err := inspect(from, tmp); err != nil {
			return fmt.Errorf("store: restore: %w", err)
		} else if state != stateReady {
			return fmt.Errorf("store: restore: %w: the copy is an empty file", ErrNotStore)
		}
		err := s.db.Update(func(to *bolt.Tx) error {
			var names [][]byte
			if err := to.ForEach(func(name []byte, _ *bolt.Bucket) error {
				names = append(names, bytes.Clone(name))
				return nil
			}); err != nil {
				return err
			}
			for _, name := range names {
				if err := to.DeleteBucket(name); err != nil {
					return err
				}
			}
			return from.ForEach(func(name []byte, b *bolt.Bucket) error {
				dst, err := to.CreateBucket(name)
				if err != nil {
					return err
				}
				return copyBucket(dst, b)
			})
		})
		if err != nil {
			return fmt.Errorf("store: restore: %w", closedErr(err))
		}
		s.secretsMu.Lock()
		clear(s.secrets)
		s.secretsMu.Unlock()
		return nil
	})
}

// copyBucket copies src's keys, nested buckets and sequence into dst.
func copyBucket(dst, src *bolt.Bucket) error {
	dst.FillPercent = 0.9 // keys arrive in order: fuller pages, a smaller file
	if err := dst.SetSequence(src.Sequence()); err != nil {
		return err
	}
	return src.ForEach(func(k, v []byte) error {
		if v != nil {
			return dst.Put(bytes.Clone(k), bytes.Clone(v))
		}
		inner := src.Bucket(k)
		if inner == nil {
			return errors.New("a nested bucket vanished mid-copy")
		}
		d, err := dst.CreateBucket(bytes.Clone(k))
		if err != nil {
			return err
		}
		return copyBucket(d, inner)
	})
}

// writeFile writes r to a new file at path and syncs it.
func writeFile(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
