package store

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

func TestEnvelopeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, rec := range []Record{
		{Kind: KindOffer, ID: "a", Value: []byte{}},
		{Kind: KindDemand, ID: "b", Org: "o", ExternalID: "e", Value: []byte("v")},
		{Kind: KindOffer, ID: "c", Org: strings.Repeat("o", 300), ExternalID: "\x00x", Value: bytes.Repeat([]byte{0xff}, 70000)},
	} {
		for _, rev := range []uint64{1, 127, 128, 1 << 40, ^uint64(0)} {
			got, err := decodeRecord(rec.Kind, []byte(rec.ID), encodeRecord(rev, &rec))
			if err != nil {
				t.Fatalf("decode(encode(%q, rev %d)): %v", rec.ID, rev, err)
			}
			want := rec
			want.Revision = rev
			if diff := cmp.Diff(want, got, cmpBytes); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		}
	}
}

func TestDecodeRecordRejectsGarbage(t *testing.T) {
	t.Parallel()
	good := encodeRecord(300, &Record{Kind: KindOffer, ID: "a", Org: "org", ExternalID: "ext", Value: []byte("value")})
	tests := []struct {
		name string
		v    []byte
	}{
		{"empty", nil},
		{"unknown format", append([]byte{9}, good[1:]...)},
		{"format only", good[:1]},
		{"truncated revision", good[:2]},
		{"huge org length", []byte{envelopeV1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"overlong varint", []byte{envelopeV1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"truncated value", good[:len(good)-1]},
		{"trailing bytes", append(bytes.Clone(good), 0)},
	}
	for _, tc := range tests {
		_, err := decodeRecord(KindOffer, []byte("a"), tc.v)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", tc.name, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, `"offers"`) || !strings.Contains(msg, `"a"`) {
			t.Errorf("%s: message %q should name bucket and key", tc.name, msg)
		}
	}
}

func TestDecodeChangeRejectsGarbage(t *testing.T) {
	t.Parallel()
	key := seqKey(7)
	for name, c := range map[string]struct{ k, v []byte }{
		"short key":     {key[:7], encodeChange(KindOffer, "a", false)},
		"short value":   {key, []byte{1, 0}},
		"unknown kind":  {key, []byte{5, 0, 'a'}},
		"unknown flags": {key, []byte{1, 4, 'a'}},
	} {
		if _, err := decodeChange(c.k, c.v); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
	got, err := decodeChange(key, encodeChange(KindDemand, "x", true))
	if err != nil || got != (Change{Seq: 7, Kind: KindDemand, ID: "x", Deleted: true}) {
		t.Errorf("decodeChange = %+v, %v", got, err)
	}
}

// TestCorruptStoredValues plants bad values in a real file and checks that
// every read path reports ErrCorrupt instead of panicking.
func TestCorruptStoredValues(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bad.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, Record{Kind: KindOffer, ID: "good"}, Record{Kind: KindOffer, ID: "ok", Org: "o", ExternalID: "e"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		for _, p := range []struct{ b, k, v []byte }{
			{bucketOffers, []byte("zz-bad"), []byte{envelopeV1, 0x80}},
			{bucketOffers, []byte("ok"), []byte{envelopeV1, 1, 200, 'x'}},
			{bucketChanges, seqKey(3), []byte{42}},
			{bucketTokens, []byte("t-bad"), []byte("{not json")},
			{bucketMeta, []byte(secretPrefix + "short"), []byte("tiny")},
		} {
			if err := tx.Bucket(p.b).Put(p.k, p.v); err != nil {
				return err
			}
		}
		return nil
	})
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	if _, err := s.Get(KindOffer, "good"); err != nil {
		t.Errorf("Get(good) = %v", err)
	}
	checks := map[string]func() error{
		"Get": func() error { _, err := s.Get(KindOffer, "zz-bad"); return err },
		"LookupExternal": func() error {
			_, err := s.LookupExternal(KindOffer, "o", "e")
			return err
		},
		"Scan":    func() error { return s.Scan(KindOffer, "", func(Record) bool { return true }) },
		"Changes": func() error { _, err := s.Changes(0, 10); return err },
		"Token":   func() error { _, err := s.Token("t-bad"); return err },
		"Secret":  func() error { _, err := s.Secret("short"); return err },
		"Put over corrupt": func() error {
			return s.Update(t.Context(), func(tx *Tx) error {
				_, err := tx.Put(&Record{Kind: KindOffer, ID: "zz-bad"})
				return err
			})
		},
	}
	for name, check := range checks {
		err := check()
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s = %v, want ErrCorrupt", name, err)
		}
	}
	err = s.Scan(KindOffer, "", func(Record) bool { return true })
	if err == nil || !strings.Contains(err.Error(), `"ok"`) {
		t.Errorf("Scan error %v should name the bad key", err)
	}
}

// FuzzDecodeRecord checks that no input makes decodeRecord panic and that
// whatever it accepts re-encodes to the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	f.Add(encodeRecord(1, &Record{Kind: KindOffer, ID: "a", Org: "o", ExternalID: "e", Value: []byte("v")}))
	f.Add([]byte{envelopeV1, 0x80})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, v []byte) {
		rec, err := decodeRecord(KindDemand, []byte("k"), v)
		if err != nil {
			return
		}
		if again := encodeRecord(rec.Revision, &rec); !bytes.Equal(again, v) {
			// Non-minimal varints decode but re-encode shorter; anything
			// else is a bug.
			if len(again) >= len(v) {
				t.Errorf("re-encoding %x gave %x", v, again)
			}
		}
	})
}
