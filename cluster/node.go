package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"github.com/wuhai-techmarket/techmarket/store"
)

// ValidNodeID reports whether id can name a node: 1–40 ASCII letters,
// digits, - or _, so that it reads the same in logs, metrics and paths.
func ValidNodeID(id string) bool {
	if len(id) == 0 || len(id) > 40 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Config describes one node of a cluster.
type Config struct {
	// ID names the node in the cluster, for good: a node that comes back
	// with another ID is a new node.
	ID string
	// RaftAddr is the HOST:PORT the nodes' Raft traffic uses, bound here
	// and given to the other nodes. It must be reachable from them and
	// from nobody else: Raft's transport has no authentication.
	RaftAddr string
	// GRPCAddr is where this node serves clients; followers send writes
	// to the leader's.
	GRPCAddr string
	// Dir holds the Raft log (raft.db) and snapshots.
	Dir string
	// Bootstrap starts a new cluster of this node alone, when Dir holds no
	// Raft state yet. A node that joins an existing cluster does not.
	Bootstrap bool
	// Raft overrides Raft's timing for tests; nil means raft's defaults.
	Raft func(*raft.Config)
	// OnApply runs after every command this node applies, and after a
	// snapshot is installed: the index and the alerts follow the store.
	OnApply func()
	Logger  *slog.Logger
}

// applyTimeout bounds how long a write waits for Raft to take it (not
// to commit it: that ends with a commit or a lost leadership).
const applyTimeout = 10 * time.Second

// bucketNodes maps node IDs to their gRPC addresses, through the log, so
// that every node can tell a client where the leader serves.
const bucketNodes = "cluster-nodes"

// Node is one running member of a cluster: its Raft instance over a
// durable log, and the state machine applying to its store.
type Node struct {
	cfg   Config
	st    *store.Store
	fsm   *FSM
	r     *raft.Raft
	logs  *raftboltdb.BoltStore
	trans *raft.NetworkTransport
	log   *slog.Logger

	// ready is set while this node leads and has applied everything its
	// predecessors committed: only then may it run writes, which read
	// the store before they are replicated.
	ready   atomic.Bool
	readyMu sync.Mutex
	readyCh chan struct{} // closed and replaced whenever ready changes

	stop chan struct{}
	done chan struct{}
}

// Start opens the node's Raft state in cfg.Dir, joins the transport and
// replicates every later Update of st through the log. The caller starts
// serving once it has the store's first replicated state (WaitCaughtUp).
func Start(st *store.Store, cfg Config) (*Node, error) {
	if cfg.ID == "" || cfg.RaftAddr == "" || cfg.Dir == "" {
		return nil, errors.New("cluster: a node needs an ID, a Raft address and a folder")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	advertise, err := net.ResolveTCPAddr("tcp", cfg.RaftAddr)
	if err != nil {
		return nil, fmt.Errorf("cluster: --raft-addr %q: %w", cfg.RaftAddr, err)
	}
	if advertise.IP == nil || advertise.IP.IsUnspecified() {
		return nil, fmt.Errorf("cluster: --raft-addr %q must name the address the other nodes reach this one at, not a wildcard", cfg.RaftAddr)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("cluster: creating %s: %w", cfg.Dir, err)
	}
	hlog := hclog.New(&hclog.LoggerOptions{Name: "raft", Output: slogWriter{cfg.Logger}, Level: hclog.Warn})
	logs, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(cfg.Dir, "raft.db")})
	if err != nil {
		return nil, fmt.Errorf("cluster: opening the Raft log in %s: %w", cfg.Dir, err)
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.Dir, 2, hlog)
	if err != nil {
		_ = logs.Close()
		return nil, fmt.Errorf("cluster: opening the snapshots in %s: %w", cfg.Dir, err)
	}
	var adv net.Addr = advertise
	if advertise.Port == 0 {
		adv = nil // the port the listener gets (tests): RaftAddr tells it
	}
	trans, err := raft.NewTCPTransportWithLogger(cfg.RaftAddr, adv, 3, 10*time.Second, hlog)
	if err != nil {
		_ = logs.Close()
		return nil, fmt.Errorf("cluster: listening for Raft on %s: %w", cfg.RaftAddr, err)
	}
	n := &Node{cfg: cfg, st: st, logs: logs, trans: trans, log: cfg.Logger, readyCh: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	existing, err := raft.HasExistingState(logs, logs, snaps)
	if err != nil {
		n.closeFiles()
		return nil, fmt.Errorf("cluster: reading the Raft state: %w", err)
	}
	if !existing {
		if err := fresh(st, cfg.Bootstrap); err != nil {
			n.closeFiles()
			return nil, err
		}
	}
	if n.fsm, err = NewFSM(st); err != nil {
		n.closeFiles()
		return nil, err
	}
	n.fsm.onApply = cfg.OnApply

	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.ID)
	rc.Logger = hlog
	if cfg.Raft != nil {
		cfg.Raft(rc)
	}
	// The store is durable and records the last command it applied, so
	// a restart need not copy the newest snapshot over it: unless the
	// store is older than that snapshot (it was replaced by an older
	// copy), when the log after the snapshot would not be enough.
	rc.NoSnapshotRestoreOnStart = true
	if metas, err := snaps.List(); err == nil && len(metas) > 0 && metas[0].Index > n.fsm.Applied() {
		rc.NoSnapshotRestoreOnStart = false
		n.log.Warn("cluster: the store is older than the newest snapshot; installing the snapshot", "store_index", n.fsm.Applied(), "snapshot_index", metas[0].Index)
	}
	if n.r, err = raft.NewRaft(rc, n.fsm, logs, logs, snaps, trans); err != nil {
		n.closeFiles()
		return nil, fmt.Errorf("cluster: starting Raft: %w", err)
	}
	if cfg.Bootstrap && !existing {
		// What the store held before the cluster began is in no log
		// entry: the first leader snapshots it and cuts the log, so that
		// joining nodes install the snapshot rather than replay a log
		// that lacks it. The mark outlives a crash before the snapshot.
		if err := os.WriteFile(filepath.Join(cfg.Dir, seedMark), nil, 0o600); err != nil {
			n.closeFiles()
			return nil, fmt.Errorf("cluster: %w", err)
		}
		boot := raft.Configuration{Servers: []raft.Server{{ID: rc.LocalID, Address: trans.LocalAddr()}}}
		if err := n.r.BootstrapCluster(boot).Error(); err != nil {
			_ = n.Close()
			return nil, fmt.Errorf("cluster: starting a new cluster: %w", err)
		}
		n.log.Info("cluster: started a new cluster of this node alone", "node", cfg.ID)
	}
	st.Replicate(n.replicate)
	go n.watchLeadership()
	if err := n.seed(); err != nil {
		_ = n.Close()
		return nil, err
	}
	return n, nil
}

// fresh readies the store of a node that has no Raft state yet. One that
// begins a cluster forgets the log index a store of an earlier cluster
// recorded: the new log starts again at 1. One that joins must be empty:
// it takes the cluster's state from its snapshot and log, and what it
// held would be on it alone.
func fresh(st *store.Store, bootstrap bool) error {
	if bootstrap {
		return st.ForgetLogIndex()
	}
	seq, err := st.LastSeq()
	if err != nil {
		return err
	}
	tokens, err := st.CountTokens()
	if err != nil {
		return err
	}
	if seq > 0 || tokens > 0 {
		return fmt.Errorf("cluster: a node joins with an empty data folder, and %s holds a market (%d changes, %d tokens): move it away, or start this node without --join to begin a new cluster with it", st.Path(), seq, tokens)
	}
	return nil
}

// watchLeadership marks the node ready once it leads and has applied
// all its predecessors committed (a barrier), and writes its own gRPC
// address when the registry lacks it.
func (n *Node) watchLeadership() {
	defer close(n.done)
	changes := n.r.LeaderCh()
	for {
		var leading bool
		select {
		case <-n.stop:
			return
		case leading = <-changes:
		}
		n.setReady(false)
		if !leading {
			n.log.Info("cluster: following", "node", n.cfg.ID)
			continue
		}
		if !n.settle() {
			continue
		}
		n.setReady(true)
		n.log.Info("cluster: leading", "node", n.cfg.ID, "term", n.r.Stats()["term"])
		if err := n.register(context.Background(), n.cfg.ID, n.cfg.GRPCAddr); err != nil {
			n.log.Warn("cluster: recording this node's address", "err", err)
		}
	}
}

// settle waits until the new leader has applied its predecessors' log,
// retrying while it still leads; it reports whether it then leads.
func (n *Node) settle() bool {
	for {
		err := n.r.Barrier(applyTimeout).Error()
		if err == nil {
			return true
		}
		if n.r.State() != raft.Leader {
			return false
		}
		n.log.Warn("cluster: elected, and waiting for the log to settle", "err", err)
		select {
		case <-n.stop:
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// seedMark, in the Raft folder, says the store's first state is not in
// a snapshot yet.
const seedMark = "seed-pending"

// seed snapshots the store the cluster began with and keeps no log
// before it (TrailingLogs 0 for that one snapshot), before Start returns:
// no node can join before this one serves. The node is the cluster's only
// member then, so it leads within an election timeout.
func (n *Node) seed() error {
	mark := filepath.Join(n.cfg.Dir, seedMark)
	if _, err := os.Stat(mark); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	deadline := time.NewTimer(time.Minute)
	defer deadline.Stop()
	for !n.Leading() {
		select {
		case <-n.LeadingChanged():
		case <-deadline.C:
			return errors.New("cluster: the new cluster elected no leader in a minute; is --raft-addr this machine's?")
		}
	}
	cfg := n.r.ReloadableConfig()
	cut := cfg
	cut.TrailingLogs = 0
	if err := n.r.ReloadConfig(cut); err != nil {
		return err
	}
	err := n.r.Snapshot().Error()
	if rerr := n.r.ReloadConfig(cfg); err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("cluster: snapshotting the store the cluster begins with: %w", err)
	}
	return os.Remove(mark)
}

// RaftAddr is the address this node's Raft transport listens on.
func (n *Node) RaftAddr() string { return string(n.trans.LocalAddr()) }

func (n *Node) setReady(ready bool) {
	n.readyMu.Lock()
	defer n.readyMu.Unlock()
	if n.ready.Swap(ready) != ready {
		close(n.readyCh)
		n.readyCh = make(chan struct{})
	}
}

// Leading reports whether this node leads and may write. Background
// writers (alerts, statistics, the links' follower) run only while it
// does.
func (n *Node) Leading() bool { return n.ready.Load() }

// LeadingChanged returns a channel closed when Leading next changes.
func (n *Node) LeadingChanged() <-chan struct{} {
	n.readyMu.Lock()
	defer n.readyMu.Unlock()
	return n.readyCh
}

// replicate is the store's Replicate function: the write set through the
// log, returning once this node, the leader, has applied it.
func (n *Node) replicate(ctx context.Context, ws store.WriteSet) error {
	if !n.ready.Load() {
		return n.notLeader()
	}
	data, err := ws.MarshalBinary()
	if err != nil {
		return err
	}
	wait := applyTimeout
	if d, ok := ctx.Deadline(); ok {
		wait = max(min(wait, time.Until(d)), time.Millisecond)
	}
	f := n.r.Apply(data, wait)
	if err := f.Error(); err != nil {
		switch {
		case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrEnqueueTimeout):
			return n.notLeader()
		case errors.Is(err, raft.ErrLeadershipLost), errors.Is(err, raft.ErrRaftShutdown):
			return fmt.Errorf("cluster: %w (%v)", store.ErrOutcomeUnknown, err)
		}
		return fmt.Errorf("cluster: replicating a write: %w", err)
	}
	if err, ok := f.Response().(error); ok && err != nil {
		return fmt.Errorf("cluster: applying a write: %w", err)
	}
	return nil
}

func (n *Node) notLeader() error {
	if addr, self := n.Leader(); addr != "" && !self {
		return fmt.Errorf("cluster: %w; the leader serves at %s", store.ErrNotLeader, addr)
	}
	return fmt.Errorf("cluster: %w, and none is elected yet", store.ErrNotLeader)
}

// Leader returns the gRPC address of the leader ("" while there is none,
// or its address is not known here yet) and whether it is this node.
func (n *Node) Leader() (grpcAddr string, self bool) {
	_, id := n.r.LeaderWithID()
	if id == "" {
		return "", false
	}
	if string(id) == n.cfg.ID {
		return n.cfg.GRPCAddr, true
	}
	addr, err := n.st.GetAux(bucketNodes, string(id))
	if err != nil {
		return "", false
	}
	return string(addr), false
}

// VerifyLinearizable returns once this node, the leader, has confirmed
// its leadership with a quorum and applied everything committed before:
// a read after it sees every write acknowledged before it began.
func (n *Node) VerifyLinearizable(ctx context.Context) error {
	if !n.ready.Load() {
		return n.notLeader()
	}
	commit := n.r.CommitIndex()
	if err := n.r.VerifyLeader().Error(); err != nil {
		return n.notLeader()
	}
	return n.fsm.WaitApplied(ctx, commit)
}

// WaitCaughtUp returns once this node's store holds the cluster's state
// as of some moment since it was called: the leader's own, or, on a
// follower, everything the leader had committed when it last heard from
// it. It reports every few seconds while it waits.
func (n *Node) WaitCaughtUp(ctx context.Context) error {
	tick := time.NewTicker(3 * time.Second)
	defer tick.Stop()
	for {
		if n.Leading() {
			return nil
		}
		if _, id := n.r.LeaderWithID(); id != "" && n.r.State() == raft.Follower {
			// A follower's commit index is the leader's, as of the last
			// append; once it has applied that and knows the leader's
			// address, it can serve and send writes on.
			commit := n.r.CommitIndex()
			if commit > 0 && n.r.AppliedIndex() >= commit {
				if addr, _ := n.Leader(); addr != "" {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-n.LeadingChanged():
		case <-n.fsm.changed():
		case <-tick.C:
			n.log.Info("cluster: waiting to join a leader and catch up", "node", n.cfg.ID, "applied", n.r.AppliedIndex(), "state", n.r.State().String())
		}
	}
}

// register records a node's gRPC address through the log, when it is new.
func (n *Node) register(ctx context.Context, id, grpcAddr string) error {
	if grpcAddr == "" {
		return nil
	}
	if old, err := n.st.GetAux(bucketNodes, id); err == nil && string(old) == grpcAddr {
		return nil
	}
	return n.st.Update(ctx, func(tx *store.Tx) error { return tx.PutAux(bucketNodes, id, []byte(grpcAddr)) })
}

// Add makes a node a voting member, after recording where it serves
// clients. Only the leader adds.
func (n *Node) Add(ctx context.Context, id, raftAddr, grpcAddr string) error {
	if !n.ready.Load() {
		return n.notLeader()
	}
	if err := n.register(ctx, id, grpcAddr); err != nil {
		return err
	}
	if err := n.r.AddVoter(raft.ServerID(id), raft.ServerAddress(raftAddr), 0, applyTimeout).Error(); err != nil {
		return n.membershipErr("adding "+id, err)
	}
	n.log.Info("cluster: node added", "node", id, "raft_addr", raftAddr, "grpc_addr", grpcAddr)
	return nil
}

// Remove takes a node out of the cluster. Only the leader removes; a
// leader removing itself steps down once the change is committed.
func (n *Node) Remove(ctx context.Context, id string) error {
	if !n.ready.Load() {
		return n.notLeader()
	}
	if err := n.r.RemoveServer(raft.ServerID(id), 0, applyTimeout).Error(); err != nil {
		return n.membershipErr("removing "+id, err)
	}
	n.log.Info("cluster: node removed", "node", id)
	if id == n.cfg.ID {
		return nil // no longer the leader: the registry keeps its entry
	}
	return n.st.Update(ctx, func(tx *store.Tx) error { return tx.DeleteAux(bucketNodes, id) })
}

func (n *Node) membershipErr(what string, err error) error {
	if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) {
		return n.notLeader()
	}
	return fmt.Errorf("cluster: %s: %w", what, err)
}

// Member is one server of the cluster's configuration.
type Member struct {
	ID, RaftAddr, GRPCAddr string
	Voter                  bool
	Leader                 bool
}

// Members lists the cluster's configuration as this node knows it.
func (n *Node) Members() ([]Member, error) {
	f := n.r.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("cluster: reading the configuration: %w", err)
	}
	_, leader := n.r.LeaderWithID()
	var out []Member
	for _, s := range f.Configuration().Servers {
		m := Member{ID: string(s.ID), RaftAddr: string(s.Address), Voter: s.Suffrage == raft.Voter, Leader: s.ID == leader}
		if addr, err := n.st.GetAux(bucketNodes, m.ID); err == nil {
			m.GRPCAddr = string(addr)
		}
		if m.ID == n.cfg.ID {
			m.GRPCAddr = n.cfg.GRPCAddr
		}
		out = append(out, m)
	}
	return out, nil
}

// Status is this node's own view of the replication.
type Status struct {
	ID          string
	State       string // Leader, Follower, Candidate or Shutdown
	Leading     bool   // leads and accepts writes
	Term        uint64
	CommitIndex uint64
	Applied     uint64
	LastContact time.Duration // since the leader was last heard from; 0 on the leader
	LeaderID    string
}

// Status reports this node's role and progress.
func (n *Node) Status() Status {
	stats := n.r.Stats()
	num := func(k string) uint64 { v, _ := strconv.ParseUint(stats[k], 10, 64); return v }
	s := Status{
		ID: n.cfg.ID, State: n.r.State().String(), Leading: n.Leading(),
		Term: num("term"), CommitIndex: n.r.CommitIndex(), Applied: n.r.AppliedIndex(),
	}
	if n.r.State() != raft.Leader {
		if t := n.r.LastContact(); !t.IsZero() {
			s.LastContact = time.Since(t)
		}
	}
	_, id := n.r.LeaderWithID()
	s.LeaderID = string(id)
	return s
}

// Snapshot asks Raft to take a snapshot now, so that the log before it
// can go (tests, and operators before maintenance).
func (n *Node) Snapshot() error { return n.r.Snapshot().Error() }

// Close leaves the transport and closes the Raft log; the store stays
// open, its owner's to close.
func (n *Node) Close() error {
	select {
	case <-n.stop:
		return nil
	default:
	}
	close(n.stop)
	err := n.r.Shutdown().Error()
	<-n.done
	n.setReady(false)
	n.closeFiles()
	return err
}

func (n *Node) closeFiles() {
	_ = n.trans.Close()
	_ = n.logs.Close()
}

// slogWriter carries Raft's own log lines into the service's log.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.log.Warn("raft", "line", string(bytes.TrimRight(p, "\r\n")))
	return len(p), nil
}
