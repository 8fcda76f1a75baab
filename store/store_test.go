package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

// cmpBytes compares byte slices with bytes.Equal: cmp's element-by-element
// reflection takes seconds on the megabyte values some tests use.
var cmpBytes = cmp.Comparer(bytes.Equal)

// openTemp opens a new store in a fresh temporary directory and closes it
// when the test ends.
func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "techmarket.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// mustPut writes recs in one Update and returns their revisions.
func mustPut(t testing.TB, s *Store, recs ...Record) []uint64 {
	t.Helper()
	var revs []uint64
	err := s.Update(context.Background(), func(tx *Tx) error {
		revs = revs[:0]
		for i := range recs {
			rec := recs[i]
			rev, err := tx.Put(&rec)
			if err != nil {
				return err
			}
			revs = append(revs, rev)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update(Put): %v", err)
	}
	return revs
}

func mustDelete(t testing.TB, s *Store, kind Kind, id string) uint64 {
	t.Helper()
	var seq uint64
	err := s.Update(context.Background(), func(tx *Tx) error {
		var err error
		seq, err = tx.Delete(kind, id)
		return err
	})
	if err != nil {
		t.Fatalf("Update(Delete %s %q): %v", kind, id, err)
	}
	return seq
}

// rawUpdate edits the closed store's file directly with bbolt, to plant
// corrupt or foreign data.
func rawUpdate(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatalf("bolt.Open: %v", err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatalf("raw update: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("bolt Close: %v", err)
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		k    Kind
		want string
	}{
		{KindOffer, "offer"},
		{KindDemand, "demand"},
		{0, "Kind(0)"},
		{9, "Kind(9)"},
	} {
		if got := tc.k.String(); got != tc.want {
			t.Errorf("Kind(%d).String() = %q, want %q", uint8(tc.k), got, tc.want)
		}
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	tests := []struct {
		name string
		rec  Record
	}{
		{"offer", Record{Kind: KindOffer, ID: "01a", Org: "acme", ExternalID: "sku-1", Value: []byte("hello")}},
		{"demand same id", Record{Kind: KindDemand, ID: "01a", Org: "acme", Value: []byte("other kind")}},
		{"empty value and org", Record{Kind: KindOffer, ID: "01b"}},
		{"binary value", Record{Kind: KindOffer, ID: "01c", Org: "o", Value: []byte{0, 1, 2, 0xff, 0}}},
		{"large value", Record{Kind: KindDemand, ID: "01d", Org: "big", ExternalID: "x", Value: bytes.Repeat([]byte("v"), 1<<20)}},
		{"unicode", Record{Kind: KindOffer, ID: "01e", Org: "武汉大学", ExternalID: "专利-7", Value: []byte("✓")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := tc.rec
			rec.Revision = 12345 // ignored by Put
			var rev uint64
			err := s.Update(context.Background(), func(tx *Tx) error {
				var err error
				rev, err = tx.Put(&rec)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Revision != rev || rev == 0 || rev == 12345 {
				t.Fatalf("Put returned %d and set Revision %d", rev, rec.Revision)
			}
			got, err := s.Get(tc.rec.Kind, tc.rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.rec
			want.Revision = rev
			if want.Value == nil {
				want.Value = []byte{}
			}
			if diff := cmp.Diff(want, got, cmpBytes); diff != "" {
				t.Errorf("Get mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetNotFound(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	mustPut(t, s, Record{Kind: KindOffer, ID: "a"})
	if _, err := s.Get(KindDemand, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(demand a) = %v, want ErrNotFound", err)
	}
	if _, err := s.Get(KindOffer, "b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(offer b) = %v, want ErrNotFound", err)
	}
	err := s.Update(context.Background(), func(tx *Tx) error {
		_, err := tx.Delete(KindOffer, "b")
		return err
	})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete(offer b) = %v, want ErrNotFound", err)
	}
}

// TestReaderReadsAsGet: many reads in one transaction find what Get
// finds, and miss what it misses; a record they return outlives the
// transaction, and Value gives the same bytes inside it.
func TestReaderReadsAsGet(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	mustPut(t, s, Record{Kind: KindOffer, ID: "a", Org: "acme", Value: []byte("first")})
	mustPut(t, s, Record{Kind: KindOffer, ID: "b", Org: "acme", Value: []byte("second")})
	var got []Record
	err := s.Read(func(r *Reader) error {
		for _, id := range []string{"a", "b"} {
			rec, err := r.Get(KindOffer, id)
			if err != nil {
				return err
			}
			got = append(got, rec)
			v, rev, err := r.Value(KindOffer, id)
			if err != nil || !bytes.Equal(v, rec.Value) || rev != rec.Revision {
				t.Errorf("Reader.Value(offer %s) = %q, revision %d, %v; want %q, revision %d as Get has it", id, v, rev, err, rec.Value, rec.Revision)
			}
		}
		if _, err := r.Get(KindDemand, "a"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Reader.Get(demand a) = %v, want ErrNotFound", err)
		}
		if _, _, err := r.Value(KindDemand, "a"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Reader.Value(demand a) = %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range got {
		want, err := s.Get(rec.Kind, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, rec, cmpBytes); diff != "" {
			t.Errorf("Reader.Get(%s) differs from Get (-Get +Reader):\n%s", rec.ID, diff)
		}
	}
}

func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	long := strings.Repeat("x", MaxKeyLen+1)
	tests := []struct {
		name string
		op   func(tx *Tx) error
	}{
		{"put nil", func(tx *Tx) error { _, err := tx.Put(nil); return err }},
		{"put no kind", func(tx *Tx) error { _, err := tx.Put(&Record{ID: "a"}); return err }},
		{"put bad kind", func(tx *Tx) error { _, err := tx.Put(&Record{Kind: 3, ID: "a"}); return err }},
		{"put no id", func(tx *Tx) error { _, err := tx.Put(&Record{Kind: KindOffer}); return err }},
		{"put long id", func(tx *Tx) error { _, err := tx.Put(&Record{Kind: KindOffer, ID: long}); return err }},
		{"put NUL org", func(tx *Tx) error { _, err := tx.Put(&Record{Kind: KindOffer, ID: "a", Org: "a\x00b"}); return err }},
		{"put long external id", func(tx *Tx) error {
			_, err := tx.Put(&Record{Kind: KindOffer, ID: "a", ExternalID: long})
			return err
		}},
		{"get empty id", func(tx *Tx) error { _, err := tx.Get(KindOffer, ""); return err }},
		{"get bad kind", func(tx *Tx) error { _, err := tx.Get(0, "a"); return err }},
		{"delete bad kind", func(tx *Tx) error { _, err := tx.Delete(7, "a"); return err }},
		{"lookup empty external id", func(tx *Tx) error { _, err := tx.LookupExternal(KindOffer, "o", ""); return err }},
		{"aux empty bucket", func(tx *Tx) error { return tx.PutAux("", "k", nil) }},
		{"aux empty key", func(tx *Tx) error { return tx.PutAux("b", "", nil) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := s.Update(context.Background(), tc.op)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := s.Changes(0, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("Changes(0, 0) = %v, want ErrInvalid", err)
	}
	if err := s.Scan(0, "", func(Record) bool { return true }); !errors.Is(err, ErrInvalid) {
		t.Errorf("Scan(kind 0) = %v, want ErrInvalid", err)
	}
	if seq, _ := s.LastSeq(); seq != 0 {
		t.Errorf("LastSeq after only failed writes = %d, want 0", seq)
	}
}

func TestRevisionsStrictlyIncrease(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	var last uint64
	for i := range 20 {
		kind := KindOffer
		if i%2 == 1 {
			kind = KindDemand
		}
		// Rewrite a few ids so replacements are covered as well as inserts.
		rev := mustPut(t, s, Record{Kind: kind, ID: fmt.Sprintf("id%d", i%5), Value: []byte{byte(i)}})[0]
		if rev <= last {
			t.Fatalf("write %d got revision %d after %d", i, rev, last)
		}
		last = rev
	}
	if seq, err := s.LastSeq(); err != nil || seq != last {
		t.Errorf("LastSeq = %d, %v; want %d", seq, err, last)
	}
}

func TestChangeLog(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	mustPut(t, s, Record{Kind: KindOffer, ID: "a"}, Record{Kind: KindDemand, ID: "b"})
	mustPut(t, s, Record{Kind: KindOffer, ID: "a", Value: []byte("v2")})
	mustDelete(t, s, KindDemand, "b")
	mustDelete(t, s, KindOffer, "a")

	all := []Change{
		{Seq: 1, Kind: KindOffer, ID: "a"},
		{Seq: 2, Kind: KindDemand, ID: "b"},
		{Seq: 3, Kind: KindOffer, ID: "a"},
		{Seq: 4, Kind: KindDemand, ID: "b", Deleted: true},
		{Seq: 5, Kind: KindOffer, ID: "a", Deleted: true},
	}
	tests := []struct {
		after uint64
		limit int
		want  []Change
	}{
		{0, 100, all},
		{0, 2, all[:2]},
		{2, 2, all[2:4]},
		{4, 10, all[4:]},
		{5, 10, []Change{}},
		{^uint64(0), 10, nil},
	}
	for _, tc := range tests {
		got, err := s.Changes(tc.after, tc.limit)
		if err != nil {
			t.Fatalf("Changes(%d, %d): %v", tc.after, tc.limit, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Changes(%d, %d) mismatch (-want +got):\n%s", tc.after, tc.limit, diff)
		}
	}
	if seq, err := s.LastSeq(); err != nil || seq != 5 {
		t.Errorf("LastSeq = %d, %v; want 5", seq, err)
	}
}

func TestExternalIDs(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	ctx := context.Background()

	lookup := func(t *testing.T, kind Kind, org, ext, wantID string) {
		t.Helper()
		got, err := s.LookupExternal(kind, org, ext)
		if wantID == "" {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("LookupExternal(%s, %q, %q) = %q, %v; want ErrNotFound", kind, org, ext, got.ID, err)
			}
			return
		}
		if err != nil || got.ID != wantID || got.Org != org || got.ExternalID != ext {
			t.Errorf("LookupExternal(%s, %q, %q) = %+v, %v; want id %q", kind, org, ext, got, err, wantID)
		}
	}
	put := func(rec Record) error {
		return s.Update(ctx, func(tx *Tx) error { _, err := tx.Put(&rec); return err })
	}

	mustPut(t, s, Record{Kind: KindOffer, ID: "a", Org: "o1", ExternalID: "e1"})
	lookup(t, KindOffer, "o1", "e1", "a")

	// Another id may not take the same (kind, org, external id) ...
	if err := put(Record{Kind: KindOffer, ID: "b", Org: "o1", ExternalID: "e1"}); !errors.Is(err, ErrExternalIDTaken) {
		t.Fatalf("duplicate external id: got %v, want ErrExternalIDTaken", err)
	}
	if _, err := s.Get(KindOffer, "b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rejected record was stored: %v", err)
	}
	// ... but another org, another kind, or the same id again may.
	mustPut(t, s,
		Record{Kind: KindOffer, ID: "b", Org: "o2", ExternalID: "e1"},
		Record{Kind: KindDemand, ID: "a", Org: "o1", ExternalID: "e1"},
		Record{Kind: KindOffer, ID: "a", Org: "o1", ExternalID: "e1", Value: []byte("v2")},
	)
	lookup(t, KindOffer, "o2", "e1", "b")
	lookup(t, KindDemand, "o1", "e1", "a")
	if got, _ := s.LookupExternal(KindOffer, "o1", "e1"); string(got.Value) != "v2" {
		t.Errorf("LookupExternal returned value %q, want v2", got.Value)
	}

	// Changing the external id moves the mapping.
	mustPut(t, s, Record{Kind: KindOffer, ID: "a", Org: "o1", ExternalID: "e2"})
	lookup(t, KindOffer, "o1", "e1", "")
	lookup(t, KindOffer, "o1", "e2", "a")

	// Changing the org moves it too, and frees the old pair for others.
	mustPut(t, s, Record{Kind: KindOffer, ID: "a", Org: "o3", ExternalID: "e2"})
	lookup(t, KindOffer, "o1", "e2", "")
	lookup(t, KindOffer, "o3", "e2", "a")
	mustPut(t, s, Record{Kind: KindOffer, ID: "c", Org: "o1", ExternalID: "e2"})
	lookup(t, KindOffer, "o1", "e2", "c")

	// Clearing the external id removes the mapping.
	mustPut(t, s, Record{Kind: KindOffer, ID: "c", Org: "o1"})
	lookup(t, KindOffer, "o1", "e2", "")

	// Deleting removes it and lets another listing take the pair.
	mustDelete(t, s, KindOffer, "a")
	lookup(t, KindOffer, "o3", "e2", "")
	mustPut(t, s, Record{Kind: KindOffer, ID: "d", Org: "o3", ExternalID: "e2"})
	lookup(t, KindOffer, "o3", "e2", "d")

	// Org/external-id prefixes must not collide thanks to the NUL separator.
	mustPut(t, s,
		Record{Kind: KindDemand, ID: "p", Org: "ab", ExternalID: "c"},
		Record{Kind: KindDemand, ID: "q", Org: "a", ExternalID: "bc"},
	)
	lookup(t, KindDemand, "ab", "c", "p")
	lookup(t, KindDemand, "a", "bc", "q")
}

func TestTxSeesOwnWrites(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	err := s.Update(context.Background(), func(tx *Tx) error {
		rec := Record{Kind: KindOffer, ID: "a", Org: "o", ExternalID: "e", Value: []byte("v")}
		if _, err := tx.Put(&rec); err != nil {
			return err
		}
		if got, err := tx.Get(KindOffer, "a"); err != nil || string(got.Value) != "v" {
			return fmt.Errorf("tx.Get = %+v, %v", got, err)
		}
		if got, err := tx.LookupExternal(KindOffer, "o", "e"); err != nil || got.ID != "a" {
			return fmt.Errorf("tx.LookupExternal = %+v, %v", got, err)
		}
		if _, err := tx.Delete(KindOffer, "a"); err != nil {
			return err
		}
		if _, err := tx.Get(KindOffer, "a"); !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("tx.Get after Delete = %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestScan(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	// More than one scan page, written out of order.
	n := 2*scanPage + 17
	var recs []Record
	for i := n - 1; i >= 0; i-- {
		recs = append(recs, Record{Kind: KindOffer, ID: fmt.Sprintf("id%04d", i), Value: []byte{byte(i)}})
	}
	mustPut(t, s, recs...)
	mustPut(t, s, Record{Kind: KindDemand, ID: "id0005"}) // other kind: never seen

	ids := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("id%04d", i))
		}
		return out
	}
	tests := []struct {
		name  string
		after string
		stop  int // stop after this many; 0 means never
		want  []string
	}{
		{"all", "", 0, ids(0, n)},
		{"after existing id", "id0010", 0, ids(11, n)},
		{"after missing id", "id0010x", 0, ids(11, n)},
		{"after page boundary", fmt.Sprintf("id%04d", scanPage-1), 0, ids(scanPage, n)},
		{"before all", "a", 0, ids(0, n)},
		{"after all", "z", 0, nil},
		{"stop early", "", 3, ids(0, 3)},
		{"stop across pages", "id0100", scanPage, ids(101, 101+scanPage)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			err := s.Scan(KindOffer, tc.after, func(r Record) bool {
				got = append(got, r.ID)
				return tc.stop == 0 || len(got) < tc.stop
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Scan(after %q) mismatch (-want +got):\n%s", tc.after, diff)
			}
		})
	}
	t.Run("fn may write", func(t *testing.T) {
		t.Parallel()
		// fn runs outside any transaction, so it may call Update.
		calls := 0
		err := s.Scan(KindDemand, "", func(r Record) bool {
			calls++
			mustPut(t, s, Record{Kind: KindDemand, ID: "zz-written-during-scan"})
			return false
		})
		if err != nil || calls != 1 {
			t.Errorf("Scan = %v after %d calls", err, calls)
		}
	})
}

func TestCount(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	mustPut(t, s, Record{Kind: KindOffer, ID: "a"}, Record{Kind: KindOffer, ID: "b"}, Record{Kind: KindDemand, ID: "a"})
	mustPut(t, s, Record{Kind: KindOffer, ID: "a", Value: []byte("replaced")})
	mustDelete(t, s, KindOffer, "b")
	for kind, want := range map[Kind]int{KindOffer: 1, KindDemand: 1} {
		if got, err := s.Count(kind); err != nil || got != want {
			t.Errorf("Count(%s) = %d, %v; want %d", kind, got, err, want)
		}
	}
}

func TestUpdateRollsBack(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	mustPut(t, s, Record{Kind: KindOffer, ID: "keep", Org: "o", ExternalID: "e"})
	boom := errors.New("boom")
	err := s.Update(context.Background(), func(tx *Tx) error {
		if _, err := tx.Put(&Record{Kind: KindOffer, ID: "new", Org: "o", ExternalID: "e2"}); err != nil {
			return err
		}
		if _, err := tx.Delete(KindOffer, "keep"); err != nil {
			return err
		}
		if err := tx.PutAux("ns", "k", []byte("v")); err != nil {
			return err
		}
		return boom
	})
	if err != boom { // identity: Update must return fn's error unchanged
		t.Fatalf("Update = %v, want fn's own error", err)
	}
	if _, err := s.Get(KindOffer, "new"); !errors.Is(err, ErrNotFound) {
		t.Errorf("rolled-back Put is visible: %v", err)
	}
	if _, err := s.LookupExternal(KindOffer, "o", "e2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("rolled-back external id is visible: %v", err)
	}
	if _, err := s.Get(KindOffer, "keep"); err != nil {
		t.Errorf("rolled-back Delete took effect: %v", err)
	}
	if _, err := s.GetAux("ns", "k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("rolled-back PutAux is visible: %v", err)
	}
	if seq, err := s.LastSeq(); err != nil || seq != 1 {
		t.Errorf("LastSeq = %d, %v; want 1", seq, err)
	}
	if ch, err := s.Changes(0, 10); err != nil || len(ch) != 1 {
		t.Errorf("Changes = %v, %v; want only the first write", ch, err)
	}
	if rev := mustPut(t, s, Record{Kind: KindOffer, ID: "next"})[0]; rev != 2 {
		t.Errorf("next revision = %d, want 2 (no gap left by the rollback)", rev)
	}
}

func TestUpdateContextDone(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.Update(ctx, func(tx *Tx) error {
		ran = true
		_, err := tx.Put(&Record{Kind: KindOffer, ID: "a"})
		return err
	})
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("Update(canceled) = %v, fn ran %v; want context.Canceled without running", err, ran)
	}
	if seq, _ := s.LastSeq(); seq != 0 {
		t.Errorf("LastSeq = %d, want 0", seq)
	}
}

func TestConcurrentUpdates(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	revs := make([]uint64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.Update(context.Background(), func(tx *Tx) error {
				revs[i] = 0 // fn may run more than once
				rec := Record{Kind: KindOffer, ID: fmt.Sprintf("g%02d", i), Org: "o", ExternalID: fmt.Sprint(i)}
				rev, err := tx.Put(&rec)
				revs[i] = rev
				return err
			})
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	seen := map[uint64]bool{}
	for i, r := range revs {
		if r < 1 || r > n || seen[r] {
			t.Errorf("goroutine %d got revision %d (duplicate or out of range)", i, r)
		}
		seen[r] = true
	}
	// Durable: everything is there after reopening.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range n {
		rec, err := s.Get(KindOffer, fmt.Sprintf("g%02d", i))
		if err != nil || rec.Revision != revs[i] {
			t.Errorf("after reopen g%02d = rev %d, %v; want rev %d", i, rec.Revision, err, revs[i])
		}
	}
	changes, err := s.Changes(0, 1000)
	if err != nil || len(changes) != n {
		t.Fatalf("Changes = %d entries, %v; want %d", len(changes), err, n)
	}
	for i, c := range changes {
		if c.Seq != uint64(i+1) {
			t.Errorf("change %d has seq %d", i, c.Seq)
		}
	}
}
