package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpenCreatesPrivateFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "new.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("file mode %v, want no group/other access", perm)
	}
	if size, err := s.Size(); err != nil || size != info.Size() || size == 0 {
		t.Errorf("Size() = %d, %v; want %d", size, err, info.Size())
	}
}

func TestOpenInitialisesEmptyFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"zero bytes", func(t *testing.T, path string) {
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"bbolt file without buckets", func(t *testing.T, path string) {
			rawUpdate(t, path, func(*bolt.Tx) error { return nil })
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "d.db")
			tc.make(t, path)
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			mustPut(t, s, Record{Kind: KindOffer, ID: "a"})
		})
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "r.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s,
		Record{Kind: KindOffer, ID: "a", Org: "o", ExternalID: "e", Value: []byte("offer")},
		Record{Kind: KindDemand, ID: "b", Value: []byte("demand")},
	)
	mustDelete(t, s, KindDemand, "b")
	tok := TokenRecord{ID: "t-1", Hash: [32]byte{1}, Org: "o", Role: 2, CreateTime: time.Now()}
	if err := s.PutToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	secret, err := s.Secret("page")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 {
		t.Fatalf("Secret is %d bytes", len(secret))
	}
	if again, _ := s.Secret("page"); !bytes.Equal(again, secret) {
		t.Fatal("Secret changed within one open")
	}
	if other, _ := s.Secret("other"); bytes.Equal(other, secret) {
		t.Fatal("two secret names share a key")
	}
	secret[0] ^= 0xff // the caller's copy: changing it must not affect the store
	if again, _ := s.Secret("page"); bytes.Equal(again, secret) {
		t.Fatal("Secret hands out a shared slice")
	}
	secret[0] ^= 0xff
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Get(KindOffer, "a"); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
	if err := s.Update(context.Background(), func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close = %v, want ErrClosed", err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rec, err := s.Get(KindOffer, "a"); err != nil || string(rec.Value) != "offer" || rec.Revision != 1 {
		t.Errorf("Get(a) = %+v, %v", rec, err)
	}
	if _, err := s.Get(KindDemand, "b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted record is back: %v", err)
	}
	if rec, err := s.LookupExternal(KindOffer, "o", "e"); err != nil || rec.ID != "a" {
		t.Errorf("LookupExternal = %+v, %v", rec, err)
	}
	if seq, _ := s.LastSeq(); seq != 3 {
		t.Errorf("LastSeq = %d, want 3", seq)
	}
	if got, err := s.TokenByHash(tok.Hash); err != nil || got.ID != tok.ID {
		t.Errorf("TokenByHash = %+v, %v", got, err)
	}
	if again, err := s.Secret("page"); err != nil || !bytes.Equal(again, secret) {
		t.Errorf("Secret after reopen = %x, %v; want %x", again, err, secret)
	}
	if rev := mustPut(t, s, Record{Kind: KindOffer, ID: "c"})[0]; rev != 4 {
		t.Errorf("revision after reopen = %d, want 4", rev)
	}
}

// TestOpenRefusesForeignFiles checks that files that are not ours are refused
// with ErrNotStore and left byte-identical.
func TestOpenRefusesForeignFiles(t *testing.T) {
	t.Parallel()
	randomFile := func(n int) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			b := make([]byte, n)
			if _, err := rand.Read(b); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	foreignBolt := func(opts *bolt.Options) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, opts)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("widgets"))
				if err != nil {
					return err
				}
				return b.Put([]byte("w1"), []byte("blue"))
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"random 1 byte", randomFile(1)},
		{"random 100 bytes", randomFile(100)},
		{"random 5000 bytes", randomFile(5000)},
		{"random 64 KiB", randomFile(64 << 10)},
		{"text file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 1000)), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"foreign bbolt", foreignBolt(nil)},
		// etcd-style files have no freelist on disk; bbolt would write one
		// if they were opened read-write.
		{"foreign bbolt without freelist", foreignBolt(&bolt.Options{NoFreelistSync: true})},
		{"bbolt with a foreign meta bucket", func(t *testing.T, path string) {
			rawUpdate(t, path, func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket(bucketMeta)
				if err != nil {
					return err
				}
				return b.Put(keySchema, []byte("1"))
			})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "foreign.db")
			tc.make(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(path, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded on a foreign file")
			}
			if !errors.Is(err, ErrNotStore) {
				t.Fatalf("Open = %v, want ErrNotStore", err)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "not a Techmarket data file; refusing to touch it") {
				t.Errorf("message %q should name the path and refuse", msg)
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Error("Open modified a foreign file")
			}
		})
	}
}

func TestOpenLocked(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "l.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	start := time.Now()
	s2, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
	elapsed := time.Since(start)
	if err == nil {
		s2.Close()
		t.Fatal("second Open succeeded while the file was open")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "in use by another process") {
		t.Errorf("message %q does not explain the lock", err)
	}
	if elapsed > 2*time.Second {
		t.Errorf("ErrLocked after %v, want about 100ms", elapsed)
	}

	// Released on Close.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s3, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s3.Close()
}

func TestOpenSchemaVersion(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "v.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, Record{Kind: KindOffer, ID: "a"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("7"))
	})
	before, _ := os.ReadFile(path)

	_, err = Open(path, Options{})
	if !errors.Is(err, ErrSchemaVersion) {
		t.Fatalf("Open = %v, want ErrSchemaVersion", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "version 7") || !strings.Contains(msg, "supports version 1") {
		t.Errorf("message %q should name both versions", msg)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Open modified a file of another schema version")
	}
}

func TestOpenMissingBucket(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketChanges) })
	if _, err := Open(path, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Open = %v, want ErrCorrupt", err)
	}
}

func TestOpenBadArguments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		opts Options
	}{
		{"empty path", "", Options{}},
		{"directory", dir, Options{}},
		{"negative lock timeout", filepath.Join(dir, "x.db"), Options{LockTimeout: -time.Second}},
		{"negative batch delay", filepath.Join(dir, "y.db"), Options{MaxBatchDelay: -time.Second}},
	}
	for _, tc := range tests {
		if _, err := Open(tc.path, tc.opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Open = %v, want ErrInvalid", tc.name, err)
		}
	}
	if _, err := Open(filepath.Join(dir, "no", "such", "dir.db"), Options{}); err == nil || errors.Is(err, ErrNotStore) {
		t.Errorf("Open in a missing directory = %v, want a plain file-system error", err)
	}
}
