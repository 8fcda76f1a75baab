package store

import (
	"bytes"
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
		// A plain Update, not Batch: this runs once per name per file.
		// secretsMu keeps two goroutines of this process from racing, and
		// the file lock keeps other processes out.
		secret = make([]byte, secretLen)
		if _, err := rand.Read(secret); err != nil {
			return nil, fmt.Errorf("store: secret %q: %w", name, err)
		}
		err = s.db.Update(func(btx *bolt.Tx) error {
			meta, err := bucketOf(btx, bucketMeta)
			if err != nil {
				return err
			}
			return meta.Put(key, bytes.Clone(secret))
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
