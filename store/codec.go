package store

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Record envelope, the value stored under a listing id:
//
//	byte    envelopeV1
//	uvarint revision
//	uvarint len(org)        org bytes
//	uvarint len(externalID) externalID bytes
//	uvarint len(value)      value bytes
//
// The value is length-prefixed although it comes last so that a truncated
// envelope is detected instead of silently yielding a shorter value.
const envelopeV1 = 1

// Change-log value: kind byte, flags byte, id bytes.
const (
	changeDeleted byte = 1 << 0 // the change removed the listing
	changeFlags        = changeDeleted
)

// checkKey rejects the strings bbolt cannot use as keys (empty) and those
// longer than MaxKeyLen.
func checkKey(what, s string) error {
	if s == "" {
		return fmt.Errorf("store: %w: empty %s", ErrInvalid, what)
	}
	if len(s) > MaxKeyLen {
		return fmt.Errorf("store: %w: %s is %d bytes, more than %d", ErrInvalid, what, len(s), MaxKeyLen)
	}
	return nil
}

// checkKind rejects kinds that have no bucket.
func checkKind(kind Kind) error {
	if kind.bucketName() == nil {
		return fmt.Errorf("store: %w: unknown kind %d", ErrInvalid, uint8(kind))
	}
	return nil
}

// checkOrg rejects organisations that would make external-id keys ambiguous
// (see extKey) or too long. An empty organisation is allowed.
func checkOrg(org string) error {
	if strings.IndexByte(org, 0) >= 0 {
		return fmt.Errorf("store: %w: organisation %q contains a NUL byte", ErrInvalid, org)
	}
	if len(org) > MaxKeyLen {
		return fmt.Errorf("store: %w: organisation is %d bytes, more than %d", ErrInvalid, len(org), MaxKeyLen)
	}
	return nil
}

// checkRecord validates everything Tx.Put needs from rec.
func checkRecord(rec *Record) error {
	if rec == nil {
		return fmt.Errorf("store: %w: nil record", ErrInvalid)
	}
	if err := checkKind(rec.Kind); err != nil {
		return err
	}
	if err := checkKey("listing id", rec.ID); err != nil {
		return err
	}
	if err := checkOrg(rec.Org); err != nil {
		return err
	}
	if len(rec.ExternalID) > MaxKeyLen {
		return fmt.Errorf("store: %w: external id is %d bytes, more than %d", ErrInvalid, len(rec.ExternalID), MaxKeyLen)
	}
	return nil
}

// encodeRecord returns a freshly allocated envelope. It is never pooled or
// reused: bbolt keeps a reference to the slice passed to Put until commit.
func encodeRecord(revision uint64, rec *Record) []byte {
	n := 1 + 4*binary.MaxVarintLen64 + len(rec.Org) + len(rec.ExternalID) + len(rec.Value)
	b := make([]byte, 0, n)
	b = append(b, envelopeV1)
	b = binary.AppendUvarint(b, revision)
	b = binary.AppendUvarint(b, uint64(len(rec.Org)))
	b = append(b, rec.Org...)
	b = binary.AppendUvarint(b, uint64(len(rec.ExternalID)))
	b = append(b, rec.ExternalID...)
	b = binary.AppendUvarint(b, uint64(len(rec.Value)))
	b = append(b, rec.Value...)
	return b
}

// decodeRecord parses an envelope read from bucket under key. It copies
// everything out of v (which points into bbolt's memory map and is only valid
// inside the transaction) and never panics on malformed input.
func decodeRecord(kind Kind, key, v []byte) (Record, error) {
	e, err := parseEnvelope(kind, key, v)
	if err != nil {
		return Record{}, err
	}
	return Record{
		Kind:       kind,
		ID:         string(key),
		Org:        string(e.org),
		ExternalID: string(e.ext),
		Revision:   e.rev,
		Value:      append([]byte{}, e.val...),
	}, nil
}

// envelope is a record's stored form taken apart, its slices pointing
// into the bytes parsed.
type envelope struct {
	rev           uint64
	org, ext, val []byte
}

func parseEnvelope(kind Kind, key, v []byte) (envelope, error) {
	fail := func(why string) (envelope, error) {
		return envelope{}, corrupt(kind.bucketName(), key, why)
	}
	if len(v) == 0 {
		return fail("empty envelope")
	}
	if v[0] != envelopeV1 {
		return fail(fmt.Sprintf("unknown envelope format %d", v[0]))
	}
	var e envelope
	var ok bool
	d := decoder{b: v[1:]}
	if e.rev, ok = d.uvarint(); !ok {
		return fail("bad revision")
	}
	if e.org, ok = d.bytes(); !ok {
		return fail("bad organisation")
	}
	if e.ext, ok = d.bytes(); !ok {
		return fail("bad external id")
	}
	if e.val, ok = d.bytes(); !ok {
		return fail("bad value length")
	}
	if len(d.b) != 0 {
		return fail(fmt.Sprintf("%d trailing bytes", len(d.b)))
	}
	return e, nil
}

// decoder reads uvarint-prefixed fields, reporting failure instead of
// panicking on truncated or oversized lengths.
type decoder struct{ b []byte }

func (d *decoder) uvarint() (uint64, bool) {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, false
	}
	d.b = d.b[n:]
	return x, true
}

// bytes returns the next length-prefixed field, still pointing into the
// caller's buffer.
func (d *decoder) bytes() ([]byte, bool) {
	n, ok := d.uvarint()
	if !ok || n > uint64(len(d.b)) {
		return nil, false
	}
	f := d.b[:n]
	d.b = d.b[n:]
	return f, true
}

// encodeChange returns a freshly allocated change-log value.
func encodeChange(kind Kind, id string, deleted bool) []byte {
	v := make([]byte, 0, 2+len(id))
	var flags byte
	if deleted {
		flags |= changeDeleted
	}
	v = append(v, byte(kind), flags)
	return append(v, id...)
}

// decodeChange parses a change-log entry, copying the id.
func decodeChange(key, v []byte) (Change, error) {
	if len(key) != 8 {
		return Change{}, corrupt(bucketChanges, key, fmt.Sprintf("key is %d bytes, want 8", len(key)))
	}
	if len(v) < 3 {
		return Change{}, corrupt(bucketChanges, key, fmt.Sprintf("value is %d bytes, want at least 3", len(v)))
	}
	kind := Kind(v[0])
	if kind.bucketName() == nil {
		return Change{}, corrupt(bucketChanges, key, fmt.Sprintf("unknown kind %d", v[0]))
	}
	if v[1]&^changeFlags != 0 {
		return Change{}, corrupt(bucketChanges, key, fmt.Sprintf("unknown flags %#x", v[1]))
	}
	return Change{
		Seq:     beUint64(key),
		Kind:    kind,
		ID:      string(v[2:]),
		Deleted: v[1]&changeDeleted != 0,
	}, nil
}

func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// corrupt builds an ErrCorrupt error naming where the bad value lives.
func corrupt(bucket, key []byte, why string) error {
	return fmt.Errorf("store: %w: bucket %q key %q: %s", ErrCorrupt, bucket, key, why)
}
