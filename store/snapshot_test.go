package store

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// A snapshot restored into another store makes it identical to the
// snapshot's store as it stood when taken, change log, sequences and
// secrets included, whatever the other store held before; writes after
// the snapshot was taken are not in it.
func TestSnapshotRestore(t *testing.T) {
	ctx := context.Background()
	from, to := openTemp(t), openTemp(t)
	for _, w := range writes[:6] {
		if err := from.Update(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	key, err := from.Secret("page-token")
	if err != nil {
		t.Fatal(err)
	}
	want := dump(t, from)
	sn, err := from.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range writes[6:] { // after the snapshot: not in it
		if err := from.Update(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	var copy bytes.Buffer
	if _, err := sn.WriteTo(&copy); err != nil {
		t.Fatal(err)
	}
	sn.Release()

	mustPut(t, to, Record{Kind: KindOffer, ID: "only-here", Org: "丙", Value: []byte("gone after the restore")})
	if _, err := to.Secret("page-token"); err != nil {
		t.Fatal(err)
	}
	if err := to.Restore(&copy); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, to); !slices.Equal(got, want) {
		t.Errorf("restored store:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got, err := to.Secret("page-token"); err != nil || !bytes.Equal(got, key) {
		t.Errorf("the restored store's page-token key differs from the snapshot's (%v)", err)
	}
	if _, err := to.Get(KindOffer, "only-here"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a listing only the restored store had: %v; want ErrNotFound", err)
	}
}

// A copy that is not a store changes nothing.
func TestRestoreRefusesWhatIsNotAStore(t *testing.T) {
	s := openTemp(t)
	mustPut(t, s, Record{Kind: KindOffer, ID: "kept", Org: "甲", Value: []byte("v")})
	before := dump(t, s)
	for name, copy := range map[string][]byte{"empty": nil, "text": []byte("not a bbolt file at all, but long enough to be read as one")} {
		if err := s.Restore(bytes.NewReader(copy)); err == nil {
			t.Errorf("restoring a copy that is %s: no error", name)
		}
	}
	if got := dump(t, s); !slices.Equal(got, before) {
		t.Error("a refused restore changed the store")
	}
}
