package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/wuhai-techmarket/techmarket/cluster"
	"github.com/wuhai-techmarket/techmarket/store"
)

type node struct {
	id  raft.ServerID
	st  *store.Store
	fsm *cluster.FSM
	r   *raft.Raft
}

// threeNodes starts a cluster of three nodes over Raft's in-memory
// transport, each with its own store, and returns them with the leader
// first.
func threeNodes(t *testing.T) []*node {
	t.Helper()
	var nodes []*node
	var transports []*raft.InmemTransport
	var servers []raft.Server
	for i := range 3 {
		id := raft.ServerID(fmt.Sprintf("node%d", i+1))
		addr, tr := raft.NewInmemTransport(raft.ServerAddress(id))
		transports = append(transports, tr)
		servers = append(servers, raft.Server{ID: id, Address: addr})
		st, err := store.Open(filepath.Join(t.TempDir(), "techmarket.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		nodes = append(nodes, &node{id: id, st: st, fsm: cluster.NewFSM(st)})
	}
	for i, a := range transports {
		for j, b := range transports {
			if i != j {
				a.Connect(b.LocalAddr(), b)
			}
		}
	}
	leaders := make(chan *node, 3)
	for i, n := range nodes {
		cfg := raft.DefaultConfig()
		cfg.LocalID = n.id
		cfg.HeartbeatTimeout, cfg.ElectionTimeout, cfg.LeaderLeaseTimeout = 50*time.Millisecond, 50*time.Millisecond, 50*time.Millisecond
		cfg.CommitTimeout = 5 * time.Millisecond
		cfg.SnapshotThreshold = 1 << 30 // the log is kept whole: Restore is not built
		cfg.LogOutput = io.Discard
		logs := raft.NewInmemStore()
		r, err := raft.NewRaft(cfg, n.fsm, logs, logs, raft.NewInmemSnapshotStore(), transports[i])
		if err != nil {
			t.Fatal(err)
		}
		n.r = r
		n.st.Replicate(cluster.Replicator(r, 10*time.Second))
		t.Cleanup(func() { _ = r.Shutdown().Error() })
		go func(n *node) {
			for isLeader := range r.LeaderCh() {
				if isLeader {
					leaders <- n
					return
				}
			}
		}(n)
	}
	if err := nodes[0].r.BootstrapCluster(raft.Configuration{Servers: servers}).Error(); err != nil {
		t.Fatal(err)
	}
	var leader *node
	select {
	case leader = <-leaders:
	case <-time.After(30 * time.Second):
		t.Fatal("no leader elected in 30 s")
	}
	out := []*node{leader}
	for _, n := range nodes {
		if n != leader {
			out = append(out, n)
		}
	}
	return out
}

// Writes on the leader reach every node's store, with the same change
// log; a follower refuses writes.
func TestWritesReachEveryNode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nodes := threeNodes(t)
	leader := nodes[0]
	for i := range 20 {
		err := leader.st.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.Put(&store.Record{Kind: store.KindOffer, ID: fmt.Sprintf("o%02d", i), Org: "甲", ExternalID: fmt.Sprintf("x-%d", i), Value: []byte("offer")})
			return err
		})
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if err := leader.st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Delete(store.KindOffer, "o07")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	last := leader.fsm.Applied()
	for _, n := range nodes {
		if err := n.fsm.WaitApplied(ctx, last); err != nil {
			t.Fatalf("%s did not apply up to %d: %v", n.id, last, err)
		}
		seq, err := n.st.LastSeq()
		if err != nil || seq != 21 {
			t.Errorf("%s: change log ends at %d (%v); want 21", n.id, seq, err)
		}
		count, err := n.st.Count(store.KindOffer)
		if err != nil || count != 19 {
			t.Errorf("%s: %d offers (%v); want 19", n.id, count, err)
		}
		if _, err := n.st.Get(store.KindOffer, "o07"); err == nil {
			t.Errorf("%s still has the deleted offer", n.id)
		}
	}

	err := nodes[1].st.Update(ctx, func(tx *store.Tx) error { return tx.PutAux("a", "b", []byte("c")) })
	if !errors.Is(err, cluster.ErrNotLeader) {
		t.Fatalf("a write on a follower: %v; want ErrNotLeader", err)
	}
	if _, err := nodes[1].st.GetAux("a", "b"); err == nil {
		t.Error("a refused write reached the follower's store")
	}
}
