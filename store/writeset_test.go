package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// dump lists every key, value and bucket sequence of s, so that two
// stores can be compared byte for byte.
func dump(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	var walk func(prefix string, b *bolt.Bucket) error
	walk = func(prefix string, b *bolt.Bucket) error {
		out = append(out, fmt.Sprintf("%s #%d", prefix, b.Sequence()))
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(prefix+"/"+string(k), b.Bucket(k))
			}
			out = append(out, fmt.Sprintf("%s %q=%q", prefix, k, v))
			return nil
		})
	}
	err := s.db.View(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(string(name), b) })
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writes exercise every way a Tx writes.
var writes = []func(tx *Tx) error{
	func(tx *Tx) error {
		_, err := tx.Put(&Record{Kind: KindOffer, ID: "o1", Org: "甲", ExternalID: "x-1", Value: []byte("v1")})
		return err
	},
	func(tx *Tx) error {
		if _, err := tx.Put(&Record{Kind: KindDemand, ID: "d1", Org: "乙", Value: []byte("d")}); err != nil {
			return err
		}
		_, err := tx.Put(&Record{Kind: KindOffer, ID: "o1", Org: "甲", ExternalID: "x-2", Value: []byte("v2")}) // moves the external id
		return err
	},
	func(tx *Tx) error { return tx.PutAux("links", "ordos", []byte(`{"cursor":""}`)) },
	func(tx *Tx) error { return tx.PutAux("links", "empty", nil) },
	func(tx *Tx) error {
		return tx.PutToken(TokenRecord{ID: "t1", Hash: [32]byte{1}, Org: "甲", Role: 2, CreateTime: time.Unix(1, 0)})
	},
	func(tx *Tx) error {
		return tx.PutToken(TokenRecord{ID: "t1", Hash: [32]byte{2}, Org: "甲", Role: 2, CreateTime: time.Unix(1, 0), RevokeTime: time.Unix(2, 0)})
	},
	func(tx *Tx) error { return tx.DeleteAux("links", "ordos") },
	func(tx *Tx) error {
		_, err := tx.Delete(KindOffer, "o1")
		return err
	},
}

// A write set recorded on one store and applied to each gives stores
// identical to one that ran the same callbacks itself, change log and
// sequences included; recording alone changes nothing.
func TestReplayedWriteSetsMakeIdenticalStores(t *testing.T) {
	ctx := context.Background()
	leader, follower, alone := openTemp(t), openTemp(t), openTemp(t)
	for i, fn := range writes {
		before := dump(t, leader)
		ws, err := leader.Record(ctx, fn)
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if got := dump(t, leader); !slices.Equal(got, before) {
			t.Fatalf("write %d: recording changed the store:\n%v\nwas\n%v", i, got, before)
		}
		wire, err := ws.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back WriteSet
		if err := back.UnmarshalBinary(wire); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		for _, s := range []*Store{leader, follower} {
			if err := s.Apply(back); err != nil {
				t.Fatalf("write %d: apply: %v", i, err)
			}
		}
		if err := alone.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	want := dump(t, alone)
	for name, s := range map[string]*Store{"leader": leader, "follower": follower} {
		if got := dump(t, s); !slices.Equal(got, want) {
			t.Errorf("the %s differs from the store that ran the writes:\n%v\nwant\n%v", name, got, want)
		}
	}
	if seq, _ := follower.LastSeq(); seq != 4 {
		t.Errorf("the follower's change log ends at %d; want 4 (three puts and a delete)", seq)
	}
}

// A callback's error records nothing and is returned as it is.
func TestRecordReturnsTheCallbacksError(t *testing.T) {
	s := openTemp(t)
	boom := fmt.Errorf("boom")
	ws, err := s.Record(context.Background(), func(tx *Tx) error {
		if err := tx.PutAux("a", "b", []byte("c")); err != nil {
			return err
		}
		return boom
	})
	if err != boom || len(ws.Ops) != 0 {
		t.Errorf("Record = %v, %v; want no ops and the callback's error", ws, err)
	}
}

func FuzzWriteSetDecode(f *testing.F) {
	ws := WriteSet{Ops: []Op{{Bucket: [][]byte{[]byte("aux"), []byte("links")}, Kind: OpPut, Key: []byte("k"), Value: []byte("v")}, {Bucket: [][]byte{[]byte("changes")}, Kind: OpSequence, Seq: 7}}}
	b, _ := ws.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ws WriteSet
		if ws.UnmarshalBinary(data) != nil {
			return
		}
		again, _ := ws.MarshalBinary()
		var back WriteSet
		if err := back.UnmarshalBinary(again); err != nil || len(back.Ops) != len(ws.Ops) {
			t.Fatalf("a decoded write set does not round-trip: %v", err)
		}
	})
}
