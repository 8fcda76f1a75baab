package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// secretLen is the size of Secret keys: 256 bits, enough for HMAC-SHA256.
const secretLen = 32

// Secret returns the 32-byte random key stored under name, creating it on
// first use. It lives in the data file, so it is the same after a restart and
// page tokens signed with it stay valid; a new data file gets a new key. The
// returned slice is the caller's own copy.
func (s *Store) Secret(name string) ([]byte, error) {
	if err := checkKey("secret name", name); err != nil {
		return nil, err
	}
	s.secretsMu.Lock()
	defer s.secretsMu.Unlock()
	if k, ok := s.secrets[name]; ok {
		return bytes.Clone(k), nil
	}

	key := []byte(secretPrefix + name)
	var secret []byte
	err := s.view(func(btx *bolt.Tx) error {
		meta, err := bucketOf(btx, bucketMeta)
		if err != nil {
			return err
		}
		secret = bytes.Clone(meta.Get(key))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if secret == nil {
		// Through Update, so that a cluster's nodes share one key (a page
		// token is then valid on every node); a follower's Update answers
		// ErrNotLeader until the leader's key has reached it. secretsMu
		// keeps two goroutines of this process from racing, the file lock
		// other processes, and the check inside the transaction a key that
		// replication brought meanwhile.
		fresh := make([]byte, secretLen)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("store: secret %q: %w", name, err)
		}
		err = s.Update(context.Background(), func(tx *Tx) error {
			meta, err := bucketOf(tx.btx, bucketMeta)
			if err != nil {
				return err
			}
			if secret = bytes.Clone(meta.Get(key)); secret != nil {
				return nil
			}
			secret = fresh
			return tx.put(meta, path(bucketMeta), key, bytes.Clone(fresh))
		})
		if err != nil {
			return nil, fmt.Errorf("store: secret %q: %w", name, closedErr(err))
		}
	}
	if len(secret) != secretLen {
		return nil, corrupt(bucketMeta, key, fmt.Sprintf("secret is %d bytes, want %d", len(secret), secretLen))
	}
	s.secrets[name] = secret
	return bytes.Clone(secret), nil
}
