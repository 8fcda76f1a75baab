package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Tx is a read-write transaction, valid only during the Update callback it
// was passed to. It may be shared with other callers' callbacks (see Update),
// so it sees their writes too.
type Tx struct {
	btx *bolt.Tx
	ws  *WriteSet // records the writes when set (Record)
}

// Update runs fn in a read-write transaction and returns once that
// transaction is durable (fsynced) or has failed.
//
// Concurrent Updates are grouped into one bbolt transaction (DB.Batch), so
// they share one fsync. The price is that fn may run more than once: when
// any callback in a group fails, the group is rolled back and retried without
// it, and the failing callback is then re-run alone. fn must therefore have
// no effects outside tx and must reset any result variables it sets at its
// start. When fn returns an error, nothing it wrote is kept (including the
// change-log sequence numbers it drew) and that error is returned unchanged.
//
// If ctx is done before fn starts, Update returns ctx.Err() without writing;
// this is also checked each time fn is about to run, so a caller that gave up
// while waiting for its group does not write. Once fn has run, its group's
// commit goes ahead regardless of ctx.
//
// fn must not call Update or any other writing Store method: the write lock
// is held while it runs, so that would deadlock.
func (s *Store) Update(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.replicate != nil {
		return s.updateReplicated(ctx, fn)
	}
	// fnErr tells the caller's own error apart from a commit failure. Batch
	// runs fn on its own goroutine and then signals the caller over a
	// channel (or runs fn on the caller's goroutine), so there is no race.
	var fnErr error
	err := s.db.Batch(func(btx *bolt.Tx) error {
		fnErr = ctx.Err()
		if fnErr == nil {
			fnErr = fn(&Tx{btx: btx})
		}
		return fnErr
	})
	if err == nil {
		return nil
	}
	// Identity, not errors.Is: the question is whether this is fn's own
	// error, which is returned unwrapped.
	if fnErr != nil && err == fnErr {
		return err
	}
	return fmt.Errorf("store: update: %w", closedErr(err))
}

// Get returns the listing of kind with id as seen by this transaction, or
// ErrNotFound.
func (tx *Tx) Get(kind Kind, id string) (Record, error) {
	return getRecord(tx.btx, kind, id)
}

// LookupExternal returns the listing of kind that org posted under
// externalID as seen by this transaction, or ErrNotFound.
func (tx *Tx) LookupExternal(kind Kind, org, externalID string) (Record, error) {
	return lookupExternal(tx.btx, kind, org, externalID)
}

// Put writes rec, replacing any record of the same kind and id. It draws the
// next change-log sequence number, stores it as the record's Revision (also
// setting rec.Revision and returning it) and appends a Change, all in this
// transaction.
//
// When rec.ExternalID is set, (Kind, Org, ExternalID) must not already
// belong to another id (ErrExternalIDTaken). When a replaced record had a
// different Org or ExternalID, its old mapping is removed. rec.Kind and rec.ID
// must be set and Org must not contain NUL (ErrInvalid).
func (tx *Tx) Put(rec *Record) (uint64, error) {
	if err := checkRecord(rec); err != nil {
		return 0, err
	}
	b, err := bucketOf(tx.btx, rec.Kind.bucketName())
	if err != nil {
		return 0, err
	}
	ext, err := bucketOf(tx.btx, bucketExternalIDs)
	if err != nil {
		return 0, err
	}
	id := []byte(rec.ID)

	var old Record
	oldFound := false
	if v := b.Get(id); v != nil {
		if old, err = decodeRecord(rec.Kind, id, v); err != nil {
			return 0, err
		}
		oldFound = true
	}

	var newKey []byte
	if rec.ExternalID != "" {
		newKey = extKey(rec.Kind, rec.Org, rec.ExternalID)
		if cur := ext.Get(newKey); cur != nil && string(cur) != rec.ID {
			return 0, fmt.Errorf("store: put %s %q: org %q external id %q belongs to %q: %w",
				rec.Kind, rec.ID, rec.Org, rec.ExternalID, cur, ErrExternalIDTaken)
		}
	}
	if oldFound && old.ExternalID != "" && (old.Org != rec.Org || old.ExternalID != rec.ExternalID) {
		if err := tx.removeExternal(ext, old); err != nil {
			return 0, err
		}
	}
	if newKey != nil {
		if err := tx.put(ext, path(bucketExternalIDs), newKey, id); err != nil {
			return 0, fmt.Errorf("store: put %s %q: external id index: %w", rec.Kind, rec.ID, err)
		}
	}

	seq, err := tx.appendChange(rec.Kind, rec.ID, false)
	if err != nil {
		return 0, err
	}
	if err := tx.put(b, path(rec.Kind.bucketName()), id, encodeRecord(seq, rec)); err != nil {
		return 0, fmt.Errorf("store: put %s %q: %w", rec.Kind, rec.ID, err)
	}
	rec.Revision = seq
	return seq, nil
}

// Delete removes the listing of kind with id and its external-id mapping,
// appends a Deleted change and returns its sequence number. It returns
// ErrNotFound when there is no such listing.
func (tx *Tx) Delete(kind Kind, id string) (uint64, error) {
	old, err := getRecord(tx.btx, kind, id)
	if err != nil {
		return 0, err
	}
	if old.ExternalID != "" {
		ext, err := bucketOf(tx.btx, bucketExternalIDs)
		if err != nil {
			return 0, err
		}
		if err := tx.removeExternal(ext, old); err != nil {
			return 0, err
		}
	}
	b, err := bucketOf(tx.btx, kind.bucketName())
	if err != nil {
		return 0, err
	}
	if err := tx.delete(b, path(kind.bucketName()), []byte(id)); err != nil {
		return 0, fmt.Errorf("store: delete %s %q: %w", kind, id, err)
	}
	return tx.appendChange(kind, id, true)
}

// removeExternal drops old's external-id mapping if it still points at old.
// The check keeps a damaged index from making one listing's write remove
// another listing's mapping.
func (tx *Tx) removeExternal(ext *bolt.Bucket, old Record) error {
	key := extKey(old.Kind, old.Org, old.ExternalID)
	if cur := ext.Get(key); cur == nil || string(cur) != old.ID {
		return nil
	}
	if err := tx.delete(ext, path(bucketExternalIDs), key); err != nil {
		return fmt.Errorf("store: %s %q: remove external id %q: %w", old.Kind, old.ID, old.ExternalID, err)
	}
	return nil
}

// appendChange draws the next sequence number from the change-log bucket and
// writes the entry under it. NextSequence is part of the transaction, so a
// rolled-back transaction gives its numbers back and the log has no gaps.
func (tx *Tx) appendChange(kind Kind, id string, deleted bool) (uint64, error) {
	b, err := bucketOf(tx.btx, bucketChanges)
	if err != nil {
		return 0, err
	}
	seq, err := tx.nextSequence(b, path(bucketChanges))
	if err != nil {
		return 0, fmt.Errorf("store: change log: %w", err)
	}
	if err := tx.put(b, path(bucketChanges), seqKey(seq), encodeChange(kind, id, deleted)); err != nil {
		return 0, fmt.Errorf("store: change log: %w", err)
	}
	return seq, nil
}
