// Package cluster replicates a market's store over hashicorp/raft
// (docs/cluster.md). Each node keeps its own bbolt store; the leader runs
// a write's callback in a rolled-back transaction, replicates what it
// wrote (a store.WriteSet) as one Raft command, and every node's state
// machine applies that command to its own store, so all stores hold the
// same bytes and the same change log, which each node's index follows.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/wuhai-techmarket/techmarket/store"
)

// FSM applies the replicated write sets to one node's store.
type FSM struct {
	st *store.Store

	mu      sync.Mutex
	applied uint64        // the Raft index of the last command applied
	changed chan struct{} // closed and replaced whenever applied moves
}

// NewFSM returns the state machine of st.
func NewFSM(st *store.Store) *FSM {
	return &FSM{st: st, changed: make(chan struct{})}
}

// Apply writes one command's write set to the store. A write set that
// does not decode or apply is the same failure on every node; the error
// goes back to the writer on the leader.
func (f *FSM) Apply(l *raft.Log) any {
	var err error
	if l.Type == raft.LogCommand {
		var ws store.WriteSet
		if err = ws.UnmarshalBinary(l.Data); err == nil {
			err = f.st.Apply(ws)
		}
	}
	f.mu.Lock()
	f.applied = l.Index
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
	return err
}

// Applied is the Raft index of the last command this node applied.
func (f *FSM) Applied() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applied
}

// WaitApplied returns once this node has applied index, or ctx is done:
// a reader that wrote at index sees its write on any node.
func (f *FSM) WaitApplied(ctx context.Context, index uint64) error {
	for {
		f.mu.Lock()
		applied, changed := f.applied, f.changed
		f.mu.Unlock()
		if applied >= index {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// Snapshot is the store's consistent copy, the one AdminService.Backup
// streams.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) { return snapshot{f.st}, nil }

// Restore would replace the store with a snapshot. A new node that needs
// one is not built yet (docs/cluster.md): until then a cluster keeps its
// whole log (SnapshotThreshold high) and new nodes replay it.
func (f *FSM) Restore(r io.ReadCloser) error {
	_ = r.Close()
	return errors.New("cluster: installing a snapshot is not built yet; add the node from an empty folder so that it replays the log")
}

type snapshot struct{ st *store.Store }

func (s snapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := s.st.Backup(sink, nil); err != nil {
		_ = sink.Cancel()
		return err
	}
	return sink.Close()
}

func (snapshot) Release() {}

// ErrNotLeader is a write sent to a node that is not the leader.
var ErrNotLeader = errors.New("cluster: not the leader")

// Replicator returns the function a store's Replicate takes: it puts a
// write set through r's log and returns once this node, the leader, has
// applied it, so that the writer's next read here sees it.
func Replicator(r *raft.Raft, timeout time.Duration) func(context.Context, store.WriteSet) error {
	return func(ctx context.Context, ws store.WriteSet) error {
		data, err := ws.MarshalBinary()
		if err != nil {
			return err
		}
		wait := timeout
		if d, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(d))
		}
		f := r.Apply(data, wait)
		if err := f.Error(); err != nil {
			if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) {
				return fmt.Errorf("%w: %v", ErrNotLeader, err)
			}
			return fmt.Errorf("cluster: replicating a write: %w", err)
		}
		if err, ok := f.Response().(error); ok && err != nil {
			return fmt.Errorf("cluster: applying a write: %w", err)
		}
		return nil
	}
}
