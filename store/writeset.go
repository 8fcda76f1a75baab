package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A WriteSet is what a transaction wrote, as physical writes to named
// buckets: the unit a cluster of stores replicates (docs/cluster.md). A
// callback of Update is Go code and cannot travel; what it wrote can, and
// applying it gives every store the same bytes, the change log's sequence
// included.
type WriteSet struct {
	Ops []Op
}

// Op is one physical write.
type Op struct {
	// Bucket is the bucket's path from the root: "offers", or "aux" then
	// a namespace. A nested bucket is created when first written.
	Bucket [][]byte
	Kind   OpKind
	Key    []byte
	Value  []byte // for OpPut
	Seq    uint64 // for OpSequence
}

// OpKind says what an Op does.
type OpKind uint8

// The kinds of Op.
const (
	OpPut      OpKind = 1 // Key is set to Value
	OpDelete   OpKind = 2 // Key is removed
	OpSequence OpKind = 3 // the bucket's sequence is set to Seq
)

// errRecorded rolls back the transaction Record ran.
var errRecorded = errors.New("store: recorded")

// Record runs fn in a read-write transaction as Update does, but rolls it
// back and returns what it wrote: nothing of it stays in this store until
// the WriteSet is applied (Apply). fn runs exactly once. An error of fn is
// returned unchanged, with no WriteSet.
func (s *Store) Record(ctx context.Context, fn func(tx *Tx) error) (WriteSet, error) {
	if err := ctx.Err(); err != nil {
		return WriteSet{}, err
	}
	var ws WriteSet
	var fnErr error
	err := s.db.Update(func(btx *bolt.Tx) error {
		if fnErr = fn(&Tx{btx: btx, ws: &ws}); fnErr != nil {
			return fnErr
		}
		return errRecorded
	})
	switch {
	case errors.Is(err, errRecorded):
		return ws, nil
	case fnErr != nil && err == fnErr:
		return WriteSet{}, err
	}
	return WriteSet{}, fmt.Errorf("store: record: %w", closedErr(err))
}

// Apply writes ws in one durable transaction.
func (s *Store) Apply(ws WriteSet) error { return s.apply(ws, 0) }

// ApplyAt writes ws, the replicated log's command at index, and records
// index as applied, in one durable transaction. A command at or below
// the recorded index is already here and is skipped: a restarted node's
// log hands it its commands again, and applying an old write set over
// newer state would show readers the older state until the log caught
// up again.
func (s *Store) ApplyAt(ws WriteSet, index uint64) error { return s.apply(ws, index) }

// LogIndex is the index of the last replicated command applied (ApplyAt),
// 0 when none was.
func (s *Store) LogIndex() (uint64, error) {
	var index uint64
	err := s.view(func(btx *bolt.Tx) error {
		meta, err := bucketOf(btx, bucketMeta)
		if err == nil {
			index = decodeLogIndex(meta.Get(keyLogIndex))
		}
		return err
	})
	return index, err
}

// ForgetLogIndex clears the recorded log index: a store that begins a new
// cluster's log (whose indexes start again at 1) after serving in another.
func (s *Store) ForgetLogIndex() error {
	err := s.db.Update(func(btx *bolt.Tx) error {
		meta, err := bucketOf(btx, bucketMeta)
		if err != nil {
			return err
		}
		return meta.Delete(keyLogIndex)
	})
	return closedErr(err)
}

func decodeLogIndex(raw []byte) uint64 {
	if len(raw) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(raw)
}

func (s *Store) apply(ws WriteSet, index uint64) error {
	err := s.db.Update(func(btx *bolt.Tx) error {
		if index > 0 {
			meta, err := bucketOf(btx, bucketMeta)
			if err != nil {
				return err
			}
			if decodeLogIndex(meta.Get(keyLogIndex)) >= index {
				return nil
			}
			if err := meta.Put(keyLogIndex, binary.BigEndian.AppendUint64(nil, index)); err != nil {
				return err
			}
		}
		for i, op := range ws.Ops {
			if err := applyOp(btx, op); err != nil {
				return fmt.Errorf("store: apply: op %d of %d: %w", i+1, len(ws.Ops), err)
			}
		}
		return nil
	})
	if err != nil {
		return closedErr(err)
	}
	return nil
}

func applyOp(btx *bolt.Tx, op Op) error {
	if len(op.Bucket) == 0 {
		return fmt.Errorf("%w: an op without a bucket", ErrInvalid)
	}
	b := btx.Bucket(op.Bucket[0])
	if b == nil {
		return fmt.Errorf("%w: no bucket %q", ErrCorrupt, op.Bucket[0])
	}
	for _, name := range op.Bucket[1:] {
		var err error
		if b, err = b.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	switch op.Kind {
	case OpPut:
		return b.Put(op.Key, nonNil(op.Value))
	case OpDelete:
		return b.Delete(op.Key)
	case OpSequence:
		return b.SetSequence(op.Seq)
	}
	return fmt.Errorf("%w: op kind %d", ErrInvalid, op.Kind)
}

// The writes of a Tx go through these, so that a recording Tx (Record)
// sees every one of them.

func (tx *Tx) put(b *bolt.Bucket, path [][]byte, key, value []byte) error {
	if err := b.Put(key, value); err != nil {
		return err
	}
	if tx.ws != nil {
		tx.ws.Ops = append(tx.ws.Ops, Op{Bucket: path, Kind: OpPut, Key: bytes.Clone(key), Value: bytes.Clone(nonNil(value))})
	}
	return nil
}

func (tx *Tx) delete(b *bolt.Bucket, path [][]byte, key []byte) error {
	if err := b.Delete(key); err != nil {
		return err
	}
	if tx.ws != nil {
		tx.ws.Ops = append(tx.ws.Ops, Op{Bucket: path, Kind: OpDelete, Key: bytes.Clone(key)})
	}
	return nil
}

func (tx *Tx) nextSequence(b *bolt.Bucket, path [][]byte) (uint64, error) {
	seq, err := b.NextSequence()
	if err != nil {
		return 0, err
	}
	if tx.ws != nil {
		tx.ws.Ops = append(tx.ws.Ops, Op{Bucket: path, Kind: OpSequence, Seq: seq})
	}
	return seq, nil
}

// Replicate makes every later Update replicated: its callback runs in a
// rolled-back transaction (Record), and what it wrote goes to replicate,
// which must return once the write set is durable where it must be and
// applied to this store (a cluster's log, whose state machine calls
// Apply). Updates then run one at a time, so that each callback reads
// what the last one wrote. Set it before the store is used.
func (s *Store) Replicate(replicate func(context.Context, WriteSet) error) {
	s.replicate = replicate
}

func (s *Store) updateReplicated(ctx context.Context, fn func(tx *Tx) error) error {
	s.replicating.Lock()
	defer s.replicating.Unlock()
	ws, err := s.Record(ctx, fn)
	if err != nil || len(ws.Ops) == 0 {
		return err
	}
	return s.replicate(ctx, ws)
}

// path names a bucket for an Op.
func path(names ...[]byte) [][]byte { return names }

// MarshalBinary encodes ws: a count, then per op its kind, bucket path,
// key, value and sequence, lengths as uvarints.
func (ws WriteSet) MarshalBinary() ([]byte, error) {
	b := binary.AppendUvarint(nil, uint64(len(ws.Ops)))
	for _, op := range ws.Ops {
		b = append(b, byte(op.Kind))
		b = binary.AppendUvarint(b, uint64(len(op.Bucket)))
		for _, name := range op.Bucket {
			b = appendBytes(b, name)
		}
		b = appendBytes(b, op.Key)
		b = appendBytes(b, op.Value)
		b = binary.AppendUvarint(b, op.Seq)
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (ws *WriteSet) UnmarshalBinary(data []byte) error {
	d := decoder{data}
	n, ok := d.uvarint()
	if !ok || n > uint64(len(data)) {
		return fmt.Errorf("%w: a write set's op count", ErrInvalid)
	}
	ops := make([]Op, 0, n)
	for range n {
		if len(d.b) == 0 {
			return fmt.Errorf("%w: a write set ends early", ErrInvalid)
		}
		op := Op{Kind: OpKind(d.b[0])}
		d.b = d.b[1:]
		depth, ok := d.uvarint()
		if !ok || depth == 0 || depth > 8 {
			return fmt.Errorf("%w: a write set's bucket path", ErrInvalid)
		}
		for range depth {
			name, ok := d.bytes()
			if !ok {
				return fmt.Errorf("%w: a write set's bucket name", ErrInvalid)
			}
			op.Bucket = append(op.Bucket, bytes.Clone(name))
		}
		key, ok1 := d.bytes()
		value, ok2 := d.bytes()
		seq, ok3 := d.uvarint()
		if !ok1 || !ok2 || !ok3 {
			return fmt.Errorf("%w: a write set's op", ErrInvalid)
		}
		op.Key, op.Value, op.Seq = bytes.Clone(key), bytes.Clone(value), seq
		ops = append(ops, op)
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d bytes after a write set", ErrInvalid, len(d.b))
	}
	ws.Ops = ops
	return nil
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}
