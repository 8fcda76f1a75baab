package store

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TokenRecord is a bearer token. Only the SHA-256 of its secret is stored, so
// a copy of the data file does not reveal usable tokens.
type TokenRecord struct {
	ID          string   // short public id, e.g. "t-3k9x…" (caller-chosen)
	Hash        [32]byte // sha256 of the secret
	Org         string
	Role        uint8 // caller's enum value; the store does not interpret it
	Description string
	CreateTime  time.Time // stored in UTC with nanoseconds; read back in UTC
	RevokeTime  time.Time // zero while valid
	Scope       []byte    // what a peer token may pull, encoded by the caller; empty for other roles
}

// tokenJSON is the stored form of a TokenRecord. JSON keeps the bucket
// readable with bbolt's command-line tools and lets fields be added without a
// schema bump; tokens are few and rarely written, so its size does not matter.
type tokenJSON struct {
	ID          string     `json:"id"`
	Hash        string     `json:"hash"` // hex
	Org         string     `json:"org"`
	Role        uint8      `json:"role"`
	Description string     `json:"description,omitempty"`
	CreateTime  time.Time  `json:"create_time"`
	RevokeTime  *time.Time `json:"revoke_time,omitempty"`
	Scope       []byte     `json:"scope,omitempty"` // base64
}

func encodeToken(t TokenRecord) ([]byte, error) {
	j := tokenJSON{
		ID:          t.ID,
		Hash:        hex.EncodeToString(t.Hash[:]),
		Org:         t.Org,
		Role:        t.Role,
		Description: t.Description,
		CreateTime:  t.CreateTime.UTC(),
		Scope:       t.Scope,
	}
	if !t.RevokeTime.IsZero() {
		r := t.RevokeTime.UTC()
		j.RevokeTime = &r
	}
	return json.Marshal(j)
}

func decodeToken(key, v []byte) (TokenRecord, error) {
	var j tokenJSON
	if err := json.Unmarshal(v, &j); err != nil {
		return TokenRecord{}, corrupt(bucketTokens, key, err.Error())
	}
	if j.ID != string(key) {
		return TokenRecord{}, corrupt(bucketTokens, key, fmt.Sprintf("stored id %q differs from key", j.ID))
	}
	t := TokenRecord{
		ID:          j.ID,
		Org:         j.Org,
		Role:        j.Role,
		Description: j.Description,
		CreateTime:  j.CreateTime.UTC(),
		Scope:       j.Scope,
	}
	if n, err := hex.Decode(t.Hash[:], []byte(j.Hash)); err != nil || n != len(t.Hash) || len(j.Hash) != 2*len(t.Hash) {
		return TokenRecord{}, corrupt(bucketTokens, key, fmt.Sprintf("bad hash %q", j.Hash))
	}
	if j.RevokeTime != nil {
		t.RevokeTime = j.RevokeTime.UTC()
	}
	return t, nil
}

// PutToken inserts t or replaces the token with the same ID (revoking is a
// PutToken with RevokeTime set) and keeps the hash→id index in step. It
// returns ErrInvalid for an empty ID, an all-zero Hash, or a Hash that
// already belongs to another token.
func (tx *Tx) PutToken(t TokenRecord) error {
	if err := checkKey("token id", t.ID); err != nil {
		return err
	}
	if t.Hash == ([32]byte{}) {
		return fmt.Errorf("store: put token %q: %w: empty hash", t.ID, ErrInvalid)
	}
	val, err := encodeToken(t)
	if err != nil {
		return fmt.Errorf("store: put token %q: %w", t.ID, err)
	}
	tokens, err := bucketOf(tx.btx, bucketTokens)
	if err != nil {
		return err
	}
	hashes, err := bucketOf(tx.btx, bucketTokenHashes)
	if err != nil {
		return err
	}
	if cur := hashes.Get(t.Hash[:]); cur != nil && string(cur) != t.ID {
		return fmt.Errorf("store: put token %q: %w: hash already belongs to token %q", t.ID, ErrInvalid, cur)
	}
	if v := tokens.Get([]byte(t.ID)); v != nil {
		old, err := decodeToken([]byte(t.ID), v)
		if err != nil {
			return err
		}
		if old.Hash != t.Hash {
			if cur := hashes.Get(old.Hash[:]); string(cur) == t.ID {
				if err := tx.delete(hashes, path(bucketTokenHashes), old.Hash[:]); err != nil {
					return fmt.Errorf("store: put token %q: %w", t.ID, err)
				}
			}
		}
	}
	// Fresh slices each run: fn may run twice and bbolt keeps them
	// until commit.
	if err := tx.put(hashes, path(bucketTokenHashes), append([]byte{}, t.Hash[:]...), []byte(t.ID)); err != nil {
		return fmt.Errorf("store: put token %q: %w", t.ID, err)
	}
	if err := tx.put(tokens, path(bucketTokens), []byte(t.ID), append([]byte{}, val...)); err != nil {
		return fmt.Errorf("store: put token %q: %w", t.ID, err)
	}
	return nil
}

// PutToken is Tx.PutToken in its own transaction.
func (s *Store) PutToken(ctx context.Context, t TokenRecord) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.PutToken(t) })
}

// TokenByHash returns the token whose secret has SHA-256 hash, or
// ErrNotFound. Revoked tokens are returned too; checking RevokeTime is the
// caller's job.
func (s *Store) TokenByHash(hash [32]byte) (TokenRecord, error) {
	var t TokenRecord
	err := s.view(func(btx *bolt.Tx) error {
		hashes, err := bucketOf(btx, bucketTokenHashes)
		if err != nil {
			return err
		}
		id := hashes.Get(hash[:])
		if id == nil {
			return fmt.Errorf("store: token by hash: %w", ErrNotFound)
		}
		tokens, err := bucketOf(btx, bucketTokens)
		if err != nil {
			return err
		}
		v := tokens.Get(id)
		if v == nil {
			return corrupt(bucketTokenHashes, hash[:], fmt.Sprintf("points to missing token %q", id))
		}
		t, err = decodeToken(id, v)
		return err
	})
	return t, err
}

// Token returns the token with id, or ErrNotFound.
func (s *Store) Token(id string) (TokenRecord, error) {
	if err := checkKey("token id", id); err != nil {
		return TokenRecord{}, err
	}
	var t TokenRecord
	err := s.view(func(btx *bolt.Tx) error {
		tokens, err := bucketOf(btx, bucketTokens)
		if err != nil {
			return err
		}
		v := tokens.Get([]byte(id))
		if v == nil {
			return fmt.Errorf("store: token %q: %w", id, ErrNotFound)
		}
		t, err = decodeToken([]byte(id), v)
		return err
	})
	return t, err
}

// ScanTokens calls fn for the tokens with ID > afterID in ID order until fn
// returns false. Like Scan it is paged and not a snapshot.
func (s *Store) ScanTokens(afterID string, fn func(TokenRecord) bool) error {
	return scanPaged(s,
		func(btx *bolt.Tx) (*bolt.Bucket, error) { return bucketOf(btx, bucketTokens) },
		afterID,
		decodeToken,
		func(t TokenRecord) string { return t.ID },
		fn,
	)
}

// CountTokens returns the number of stored tokens, revoked ones included.
func (s *Store) CountTokens() (int, error) {
	return s.count(bucketTokens)
}
