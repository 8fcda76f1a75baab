package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The auxiliary area is a generic namespaced key-value store for features
// that do not warrant their own top-level bucket and schema bump (events,
// deals, alerts, audit). Each namespace is a bucket nested in bucketAux,
// created on first write. Values are opaque, like listing values, and are not
// recorded in the change log.

// PutAux stores value under key in the auxiliary namespace bucket, creating
// the namespace if needed. bucket and key must be non-empty and at most
// MaxKeyLen bytes.
func (tx *Tx) PutAux(bucket, key string, value []byte) error {
	if err := checkAux(bucket, key); err != nil {
		return err
	}
	root, err := bucketOf(tx.btx, bucketAux)
	if err != nil {
		return err
	}
	b, err := root.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		return fmt.Errorf("store: aux %q: %w", bucket, err)
	}
	// Copy: bbolt keeps the slice until commit, and the caller may reuse it.
	if err := tx.put(b, path(bucketAux, []byte(bucket)), []byte(key), bytes.Clone(nonNil(value))); err != nil {
		return fmt.Errorf("store: aux %q key %q: %w", bucket, key, err)
	}
	return nil
}

// GetAux returns a copy of the value under key in the auxiliary namespace
// bucket, or ErrNotFound.
func (tx *Tx) GetAux(bucket, key string) ([]byte, error) {
	return getAux(tx.btx, bucket, key)
}

// DeleteAux removes key from the auxiliary namespace bucket, or returns
// ErrNotFound when it is absent.
func (tx *Tx) DeleteAux(bucket, key string) error {
	if err := checkAux(bucket, key); err != nil {
		return err
	}
	b, err := auxBucket(tx.btx, bucket)
	if err != nil {
		return err
	}
	if b == nil || !hasKey(b, []byte(key)) {
		return auxNotFound(bucket, key)
	}
	if err := tx.delete(b, path(bucketAux, []byte(bucket)), []byte(key)); err != nil {
		return fmt.Errorf("store: aux %q key %q: %w", bucket, key, err)
	}
	return nil
}

// GetAux is Tx.GetAux in its own read transaction.
func (s *Store) GetAux(bucket, key string) ([]byte, error) {
	var v []byte
	err := s.view(func(btx *bolt.Tx) error {
		var err error
		v, err = getAux(btx, bucket, key)
		return err
	})
	return v, err
}

// ScanAux calls fn for the keys of the auxiliary namespace bucket greater
// than afterKey, in byte order, until fn returns false. A namespace that was
// never written is empty, not an error. Like Scan it is paged and not a
// snapshot, and fn receives a copy of the value.
func (s *Store) ScanAux(bucket, afterKey string, fn func(key string, value []byte) bool) error {
	if err := checkKey("aux bucket name", bucket); err != nil {
		return err
	}
	type entry struct {
		key   string
		value []byte
	}
	return scanPaged(s,
		func(btx *bolt.Tx) (*bolt.Bucket, error) { return auxBucket(btx, bucket) },
		afterKey,
		func(k, v []byte) (entry, error) { return entry{string(k), bytes.Clone(nonNil(v))}, nil },
		func(e entry) string { return e.key },
		func(e entry) bool { return fn(e.key, e.value) },
	)
}

func getAux(btx *bolt.Tx, bucket, key string) ([]byte, error) {
	if err := checkAux(bucket, key); err != nil {
		return nil, err
	}
	b, err := auxBucket(btx, bucket)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, auxNotFound(bucket, key)
	}
	// Seek rather than Get: bbolt's Get returns nil for an empty value
	// written earlier in the same transaction, indistinguishable from absent.
	k, v := b.Cursor().Seek([]byte(key))
	if !bytes.Equal(k, []byte(key)) {
		return nil, auxNotFound(bucket, key)
	}
	return bytes.Clone(nonNil(v)), nil
}

// auxBucket returns the namespace bucket, or nil when it was never written.
func auxBucket(btx *bolt.Tx, bucket string) (*bolt.Bucket, error) {
	root, err := bucketOf(btx, bucketAux)
	if err != nil {
		return nil, err
	}
	return root.Bucket([]byte(bucket)), nil
}

func hasKey(b *bolt.Bucket, key []byte) bool {
	k, _ := b.Cursor().Seek(key)
	return bytes.Equal(k, key)
}

func checkAux(bucket, key string) error {
	if err := checkKey("aux bucket name", bucket); err != nil {
		return err
	}
	return checkKey("aux key", key)
}

func auxNotFound(bucket, key string) error {
	return fmt.Errorf("store: aux %q key %q: %w", bucket, key, ErrNotFound)
}

// nonNil makes an absent-looking empty value a real empty slice, so that
// GetAux and ScanAux hand out []byte{} rather than nil for "".
func nonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}
