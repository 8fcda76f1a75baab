package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	ctx := context.Background()
	created := time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	t1 := TokenRecord{ID: "t-1", Hash: sha256.Sum256([]byte("secret-1")), Org: "acme", Role: 1, Description: "ci", CreateTime: created}
	t2 := TokenRecord{ID: "t-2", Hash: sha256.Sum256([]byte("secret-2")), Org: "beta", Role: 3, CreateTime: created}
	for _, tok := range []TokenRecord{t1, t2} {
		if err := s.PutToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}

	// Times come back in UTC; cmp uses time.Time.Equal, so the instant is
	// what is compared.
	for _, want := range []TokenRecord{t1, t2} {
		got, err := s.Token(want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Token(%q) mismatch (-want +got):\n%s", want.ID, diff)
		}
		if got.CreateTime.Location() != time.UTC {
			t.Errorf("CreateTime location %v, want UTC", got.CreateTime.Location())
		}
		byHash, err := s.TokenByHash(want.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, byHash); diff != "" {
			t.Errorf("TokenByHash mismatch (-want +got):\n%s", diff)
		}
	}
	if _, err := s.TokenByHash(sha256.Sum256([]byte("wrong"))); !errors.Is(err, ErrNotFound) {
		t.Errorf("TokenByHash(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := s.Token("t-9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Token(unknown) = %v, want ErrNotFound", err)
	}

	// Revoke by rewriting.
	revoked := t1
	revoked.RevokeTime = created.Add(time.Hour)
	if err := s.PutToken(ctx, revoked); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TokenByHash(t1.Hash); err != nil || !got.RevokeTime.Equal(revoked.RevokeTime) {
		t.Errorf("after revoke TokenByHash = %+v, %v", got, err)
	}

	// Rotating the hash moves the index entry.
	rotated := revoked
	rotated.Hash = sha256.Sum256([]byte("secret-1b"))
	if err := s.PutToken(ctx, rotated); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenByHash(t1.Hash); !errors.Is(err, ErrNotFound) {
		t.Errorf("old hash still resolves: %v", err)
	}
	if got, err := s.TokenByHash(rotated.Hash); err != nil || got.ID != "t-1" {
		t.Errorf("new hash = %+v, %v", got, err)
	}

	// Invalid tokens.
	for name, tok := range map[string]TokenRecord{
		"empty id":      {Hash: [32]byte{1}},
		"zero hash":     {ID: "t-3"},
		"hash of other": {ID: "t-3", Hash: t2.Hash},
	} {
		if err := s.PutToken(ctx, tok); !errors.Is(err, ErrInvalid) {
			t.Errorf("PutToken(%s) = %v, want ErrInvalid", name, err)
		}
	}

	var ids []string
	if err := s.ScanTokens("", func(tr TokenRecord) bool { ids = append(ids, tr.ID); return true }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"t-1", "t-2"}, ids); diff != "" {
		t.Errorf("ScanTokens mismatch (-want +got):\n%s", diff)
	}
	ids = nil
	if err := s.ScanTokens("t-1", func(tr TokenRecord) bool { ids = append(ids, tr.ID); return true }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"t-2"}, ids); diff != "" {
		t.Errorf("ScanTokens(after t-1) mismatch (-want +got):\n%s", diff)
	}
	if n, err := s.CountTokens(); err != nil || n != 2 {
		t.Errorf("CountTokens = %d, %v; want 2", n, err)
	}
	// Tokens are not listings: the change log stays empty.
	if seq, _ := s.LastSeq(); seq != 0 {
		t.Errorf("LastSeq = %d after token writes, want 0", seq)
	}
}
