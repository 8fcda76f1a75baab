// Package cluster replicates a market's store over hashicorp/raft
// (docs/cluster.md). Each node keeps its own bbolt store; the leader runs
// a write's callback in a rolled-back transaction, replicates what it
// wrote (a store.WriteSet) as one Raft command, and every node's state
// machine applies that command to its own store, so all stores hold the
// same bytes and the same change log, which each node's index follows.
package cluster

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/hashicorp/raft"

	"github.com/wuhai-techmarket/techmarket/store"
)

// FSM applies the replicated write sets to one node's store.
type FSM struct {
	st      *store.Store
	onApply func() // after each command and each installed snapshot

	mu      sync.Mutex
	applied uint64        // the Raft index of the last command applied
	moved   chan struct{} // closed and replaced whenever applied moves
}

// NewFSM returns the state machine of st, which has applied the log up
// to the index it records (store.LogIndex).
func NewFSM(st *store.Store) (*FSM, error) {
	applied, err := st.LogIndex()
	if err != nil {
		return nil, err
	}
	return &FSM{st: st, applied: applied, moved: make(chan struct{})}, nil
}

// Apply writes one command's write set to the store. A write set that
// does not decode or apply is the same failure on every node; the error
// goes back to the writer on the leader.
func (f *FSM) Apply(l *raft.Log) any {
	var err error
	if l.Type == raft.LogCommand {
		var ws store.WriteSet
		if err = ws.UnmarshalBinary(l.Data); err == nil {
			err = f.st.ApplyAt(ws, l.Index)
		}
	}
	if l.Index > f.Applied() {
		f.advance(l.Index)
	}
	return err
}

func (f *FSM) advance(index uint64) {
	f.mu.Lock()
	f.applied = index
	close(f.moved)
	f.moved = make(chan struct{})
	f.mu.Unlock()
	if f.onApply != nil {
		f.onApply()
	}
}

// Applied is the Raft index of the last command this node applied.
func (f *FSM) Applied() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applied
}

func (f *FSM) changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.moved
}

// WaitApplied returns once this node has applied index, or ctx is done:
// a reader that wrote at index sees its write on any node.
func (f *FSM) WaitApplied(ctx context.Context, index uint64) error {
	for {
		f.mu.Lock()
		applied, moved := f.applied, f.moved
		f.mu.Unlock()
		if applied >= index {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-moved:
		}
	}
}

// Snapshot holds the store as it stands after the last applied command
// (Raft calls it between two Applies); Persist writes it out while later
// commands apply.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	sn, err := f.st.Snapshot()
	if err != nil {
		return nil, err
	}
	return snapshot{sn}, nil
}

// Restore replaces the store with a snapshot the leader sent, a node that
// lagged past the log the leader kept, or a new one. The index and alerts
// follow the store's change log, which comes with the snapshot.
func (f *FSM) Restore(r io.ReadCloser) error {
	defer r.Close()
	if err := f.st.Restore(r); err != nil {
		return fmt.Errorf("cluster: installing a snapshot: %w", err)
	}
	if index, err := f.st.LogIndex(); err == nil {
		f.mu.Lock()
		f.applied = index
		f.mu.Unlock()
	}
	// Raft sets the index itself after Restore; the waiters learn it
	// from the next command.
	if f.onApply != nil {
		f.onApply()
	}
	return nil
}

type snapshot struct{ sn *store.Snapshot }

func (s snapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := s.sn.WriteTo(sink); err != nil {
		_ = sink.Cancel()
		return err
	}
	return sink.Close()
}

func (s snapshot) Release() { s.sn.Release() }
