package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Record is one stored version of a listing.
type Record struct {
	Kind       Kind
	ID         string // the listing's id, unique per kind (caller-chosen); ids sort in creation order
	Org        string // owning organisation
	ExternalID string // poster's own id; unique per (Kind, Org) when non-empty
	Revision   uint64 // sequence number of the change that wrote this version; set by Tx.Put
	Value      []byte // the listing, encoded by the caller
}

// Change is one entry of the change log. Seq equals the Revision that the
// change gave the listing.
type Change struct {
	Seq     uint64
	Kind    Kind
	ID      string
	Deleted bool
}

// scanPage is how many entries a Scan reads per read transaction. Scans
// hand the caller copies between transactions rather than calling fn inside
// one, because a read transaction held open by a slow fn (a gRPC stream to
// a slow client, say) stops bbolt from reusing freed pages and blocks the
// writer whenever the file must grow and be re-mapped.
const scanPage = 256

// Get returns the listing of kind with id, or ErrNotFound.
func (s *Store) Get(kind Kind, id string) (Record, error) {
	var rec Record
	err := s.view(func(btx *bolt.Tx) error {
		var err error
		rec, err = getRecord(btx, kind, id)
		return err
	})
	return rec, err
}

// Reader reads listings inside one read transaction.
type Reader struct{ btx *bolt.Tx }

// Read calls fn with a Reader valid until fn returns: many reads in one
// transaction cost less than a transaction each (a match reads 80
// candidates). fn must be quick, for the reason Scan gives: an open read
// transaction blocks the writer when the file must grow.
func (s *Store) Read(fn func(*Reader) error) error {
	return s.view(func(btx *bolt.Tx) error { return fn(&Reader{btx}) })
}

// Get is Store.Get inside the reader's transaction.
func (r *Reader) Get(kind Kind, id string) (Record, error) { return getRecord(r.btx, kind, id) }

// Value returns the encoded listing of kind and id (Record.Value) and its
// revision without copying it: the bytes are the transaction's own, valid
// until Read's fn returns, and must not be changed. A match reads 80
// candidates to rank them and keeps ten; copying each was a seventh of
// what it allocated.
func (r *Reader) Value(kind Kind, id string) ([]byte, uint64, error) {
	v, err := rawRecord(r.btx, kind, id)
	if err != nil {
		return nil, 0, err
	}
	e, err := parseEnvelope(kind, []byte(id), v)
	return e.val, e.rev, err
}

// LookupExternal returns the listing of kind that org posted under
// externalID, or ErrNotFound.
func (s *Store) LookupExternal(kind Kind, org, externalID string) (Record, error) {
	var rec Record
	err := s.view(func(btx *bolt.Tx) error {
		var err error
		rec, err = lookupExternal(btx, kind, org, externalID)
		return err
	})
	return rec, err
}

// Scan calls fn for the records of kind with ID > afterID, in ID order, until
// fn returns false or the records run out; afterID "" starts at the first.
//
// Scan is not a snapshot: it reads scanPage records per read transaction and
// calls fn outside any transaction, so fn may call other Store methods and
// take its time. Each id is visited at most once and in increasing order; a
// record written during the scan shows up in whichever version was current
// when its page was read, or not at all if it sorts before that page.
func (s *Store) Scan(kind Kind, afterID string, fn func(Record) bool) error {
	if err := checkKind(kind); err != nil {
		return err
	}
	name := kind.bucketName()
	return scanPaged(s,
		func(btx *bolt.Tx) (*bolt.Bucket, error) { return bucketOf(btx, name) },
		afterID,
		func(k, v []byte) (Record, error) { return decodeRecord(kind, k, v) },
		func(r Record) string { return r.ID },
		fn,
	)
}

// Count returns the number of listings of kind.
func (s *Store) Count(kind Kind) (int, error) {
	if err := checkKind(kind); err != nil {
		return 0, err
	}
	return s.count(kind.bucketName())
}

// count returns the number of keys in a top-level bucket. Stats walks the
// bucket's pages but does not decode values.
func (s *Store) count(name []byte) (int, error) {
	var n int
	err := s.view(func(btx *bolt.Tx) error {
		b, err := bucketOf(btx, name)
		if err != nil {
			return err
		}
		n = b.Stats().KeyN
		return nil
	})
	return n, err
}

// Changes returns up to limit change-log entries with Seq > after, in Seq
// order. limit must be positive.
func (s *Store) Changes(after uint64, limit int) ([]Change, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("store: changes: %w: limit %d, want > 0", ErrInvalid, limit)
	}
	if after == ^uint64(0) {
		return nil, nil
	}
	var out []Change
	err := s.view(func(btx *bolt.Tx) error {
		b, err := bucketOf(btx, bucketChanges)
		if err != nil {
			return err
		}
		out = make([]Change, 0, min(limit, scanPage))
		c := b.Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			ch, err := decodeChange(k, v)
			if err != nil {
				return err
			}
			out = append(out, ch)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LastSeq returns the sequence number of the newest change, 0 when there is
// none. Every committed Put and Delete advances it by exactly one.
func (s *Store) LastSeq() (uint64, error) {
	var seq uint64
	err := s.view(func(btx *bolt.Tx) error {
		b, err := bucketOf(btx, bucketChanges)
		if err != nil {
			return err
		}
		seq = b.Sequence()
		return nil
	})
	return seq, err
}

// getRecord reads one listing inside btx.
func getRecord(btx *bolt.Tx, kind Kind, id string) (Record, error) {
	v, err := rawRecord(btx, kind, id)
	if err != nil {
		return Record{}, err
	}
	return decodeRecord(kind, []byte(id), v)
}

// rawRecord returns the stored bytes of a listing, valid for btx's life.
func rawRecord(btx *bolt.Tx, kind Kind, id string) ([]byte, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	if err := checkKey("listing id", id); err != nil {
		return nil, err
	}
	b, err := bucketOf(btx, kind.bucketName())
	if err != nil {
		return nil, err
	}
	v := b.Get([]byte(id))
	if v == nil {
		return nil, fmt.Errorf("store: %s %q: %w", kind, id, ErrNotFound)
	}
	return v, nil
}

// lookupExternal resolves the external-id index inside btx.
func lookupExternal(btx *bolt.Tx, kind Kind, org, externalID string) (Record, error) {
	if err := checkKind(kind); err != nil {
		return Record{}, err
	}
	if err := checkOrg(org); err != nil {
		return Record{}, err
	}
	if err := checkKey("external id", externalID); err != nil {
		return Record{}, err
	}
	ext, err := bucketOf(btx, bucketExternalIDs)
	if err != nil {
		return Record{}, err
	}
	key := extKey(kind, org, externalID)
	id := ext.Get(key)
	if id == nil {
		return Record{}, fmt.Errorf("store: %s with org %q external id %q: %w", kind, org, externalID, ErrNotFound)
	}
	b, err := bucketOf(btx, kind.bucketName())
	if err != nil {
		return Record{}, err
	}
	v := b.Get(id)
	if v == nil {
		// Put and Delete maintain the index in the same transaction as
		// the record, so a dangling entry means damage, not a race.
		return Record{}, corrupt(bucketExternalIDs, key, fmt.Sprintf("points to missing %s %q", kind, id))
	}
	return decodeRecord(kind, id, v)
}

// scanPaged is the paged iteration behind Scan, ScanTokens and ScanAux. open
// returns the bucket to walk (nil: nothing to visit); decode copies an entry
// out of bbolt's memory; key gives the resume point of a decoded entry.
func scanPaged[T any](
	s *Store,
	open func(btx *bolt.Tx) (*bolt.Bucket, error),
	after string,
	decode func(k, v []byte) (T, error),
	key func(T) string,
	fn func(T) bool,
) error {
	page := make([]T, 0, scanPage)
	for {
		page = page[:0]
		err := s.view(func(btx *bolt.Tx) error {
			b, err := open(btx)
			if err != nil || b == nil {
				return err
			}
			c := b.Cursor()
			k, v := seekAfter(c, after)
			for ; k != nil && len(page) < scanPage; k, v = c.Next() {
				e, err := decode(k, v)
				if err != nil {
					return err
				}
				page = append(page, e)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range page {
			if !fn(e) {
				return nil
			}
		}
		if len(page) < scanPage {
			return nil
		}
		after = key(page[len(page)-1])
	}
}

// seekAfter positions c on the first key > after ("" means the first key).
func seekAfter(c *bolt.Cursor, after string) (k, v []byte) {
	if after == "" {
		return c.First()
	}
	k, v = c.Seek([]byte(after))
	if k != nil && bytes.Equal(k, []byte(after)) {
		return c.Next()
	}
	return k, v
}
