package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAux(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	ctx := context.Background()
	buf := []byte("deal-1")
	err := s.Update(ctx, func(tx *Tx) error {
		for _, kv := range []struct{ b, k, v string }{
			{"deals", "d2", "two"},
			{"deals", "d1", "one"},
			{"deals", "d3", ""},
			{"alerts", "d1", "alert"},
		} {
			if err := tx.PutAux(kv.b, kv.k, []byte(kv.v)); err != nil {
				return err
			}
		}
		if err := tx.PutAux("deals", "d0", buf); err != nil {
			return err
		}
		buf[0] = 'X' // PutAux must have copied
		// Visible inside the transaction, empty values included.
		if v, err := tx.GetAux("deals", "d3"); err != nil || len(v) != 0 {
			return fmt.Errorf("tx.GetAux(empty value) = %q, %v", v, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		bucket, key string
		want        string
		wantErr     error
	}{
		{"deals", "d0", "deal-1", nil},
		{"deals", "d1", "one", nil},
		{"deals", "d3", "", nil},
		{"alerts", "d1", "alert", nil},
		{"alerts", "d2", "", ErrNotFound},
		{"never-written", "d1", "", ErrNotFound},
		{"", "d1", "", ErrInvalid},
	}
	for _, tc := range tests {
		got, err := s.GetAux(tc.bucket, tc.key)
		if !errors.Is(err, tc.wantErr) || (err == nil && string(got) != tc.want) {
			t.Errorf("GetAux(%q, %q) = %q, %v; want %q, %v", tc.bucket, tc.key, got, err, tc.want, tc.wantErr)
		}
	}

	type kv struct{ K, V string }
	scan := func(bucket, after string) []kv {
		t.Helper()
		var out []kv
		err := s.ScanAux(bucket, after, func(k string, v []byte) bool {
			out = append(out, kv{k, string(v)})
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if diff := cmp.Diff([]kv{{"d0", "deal-1"}, {"d1", "one"}, {"d2", "two"}, {"d3", ""}}, scan("deals", "")); diff != "" {
		t.Errorf("ScanAux(deals) mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]kv{{"d2", "two"}, {"d3", ""}}, scan("deals", "d1")); diff != "" {
		t.Errorf("ScanAux(deals, after d1) mismatch (-want +got):\n%s", diff)
	}
	if got := scan("never-written", ""); got != nil {
		t.Errorf("ScanAux(never-written) = %v, want nothing", got)
	}

	// GetAux hands out a copy.
	err = s.Update(ctx, func(tx *Tx) error {
		v, err := tx.GetAux("deals", "d1")
		if err != nil {
			return err
		}
		v[0] = 'X'
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.GetAux("deals", "d1"); string(v) != "one" {
		t.Errorf("changing GetAux's result changed the store: %q", v)
	}

	// DeleteAux.
	err = s.Update(ctx, func(tx *Tx) error { return tx.DeleteAux("deals", "d1") })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAux("deals", "d1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetAux after DeleteAux = %v, want ErrNotFound", err)
	}
	for _, bk := range [][2]string{{"deals", "d1"}, {"never-written", "x"}} {
		err := s.Update(ctx, func(tx *Tx) error { return tx.DeleteAux(bk[0], bk[1]) })
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("DeleteAux(%q, %q) = %v, want ErrNotFound", bk[0], bk[1], err)
		}
	}
}
