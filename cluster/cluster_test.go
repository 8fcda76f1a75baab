package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/hashicorp/raft"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/cluster"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

var agency = auth.Principal{Org: "甲技术转移中心", Role: techmarketv1.Role_ROLE_AGENCY}

// node is one member with its own store and index, as techmarketd runs it.
type node struct {
	t    *testing.T
	id   string
	dir  string
	st   *store.Store
	idx  *index.Index
	n    *cluster.Node
	done bool
}

// quick makes elections take about a second on loopback, and snapshots
// small: the log is cut after a few entries. The tests write to the
// first node and expect it to stay the leader; with a lease of 100 ms, a
// machine loaded by the race detector and other packages' tests once
// starved it long enough to lose the lease in the middle of a test.
func quick(c *raft.Config) {
	c.HeartbeatTimeout, c.ElectionTimeout, c.LeaderLeaseTimeout = time.Second, time.Second, 500*time.Millisecond
	c.CommitTimeout = 5 * time.Millisecond
	c.TrailingLogs = 4
	c.SnapshotThreshold = 1 << 30 // snapshots only when a test asks
}

func start(t *testing.T, id, dir string, bootstrap bool) *node {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "techmarket.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := index.Open(context.Background(), filepath.Join(dir, "index"), st, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cn, err := cluster.Start(st, cluster.Config{
		ID: id, RaftAddr: "127.0.0.1:0", GRPCAddr: "grpc-of-" + id, Dir: filepath.Join(dir, "raft"),
		Bootstrap: bootstrap, Raft: quick, OnApply: idx.Notify,
	})
	if err != nil {
		t.Fatal(err)
	}
	nd := &node{t: t, id: id, dir: dir, st: st, idx: idx, n: cn}
	t.Cleanup(nd.stop)
	return nd
}

func (nd *node) stop() {
	if nd.done {
		return
	}
	nd.done = true
	if err := nd.n.Close(); err != nil {
		nd.t.Errorf("%s: closing the node: %v", nd.id, err)
	}
	if err := nd.idx.Close(); err != nil {
		nd.t.Errorf("%s: closing the index: %v", nd.id, err)
	}
	if err := nd.st.Close(); err != nil {
		nd.t.Errorf("%s: closing the store: %v", nd.id, err)
	}
}

// waitFor polls cond, which reads state the nodes expose, until it holds
// or 30 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// threeNodes bootstraps a cluster on the first node and adds two more.
func threeNodes(t *testing.T, ctx context.Context) []*node {
	t.Helper()
	leader := start(t, "n1", t.TempDir(), true)
	if err := leader.n.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	nodes := []*node{leader}
	for _, id := range []string{"n2", "n3"} {
		nd := start(t, id, t.TempDir(), false)
		if err := leader.n.Add(ctx, id, nd.n.RaftAddr(), "grpc-of-"+id); err != nil {
			t.Fatalf("adding %s: %v", id, err)
		}
		if err := nd.n.WaitCaughtUp(ctx); err != nil {
			t.Fatalf("%s catching up: %v", id, err)
		}
		nodes = append(nodes, nd)
	}
	return nodes
}

func (nd *node) market(t *testing.T) *market.Market {
	t.Helper()
	m, err := market.New(nd.st, market.Options{Index: nd.idx})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func createOffers(t *testing.T, m *market.Market, prefix string, n int) {
	t.Helper()
	for i := range n {
		_, err := m.Offers.Create(context.Background(), agency, &techmarketv1.Offer{
			ExternalId: fmt.Sprintf("%s-%d", prefix, i), Title: fmt.Sprintf("疏干水回用技术第%d号", i),
			Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI,
		}, true, false)
		if err != nil {
			t.Fatalf("creating offer %s-%d: %v", prefix, i, err)
		}
	}
}

// findable counts the offers a node's own index finds for 疏干水.
func (nd *node) findable(t *testing.T) uint64 {
	t.Helper()
	q := bleve.NewTermQuery("疏干水")
	q.SetField(index.FieldTitle)
	res, err := nd.idx.Side(store.KindOffer).Search(bleve.NewSearchRequest(q))
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

func (nd *node) lastSeq(t *testing.T) uint64 {
	t.Helper()
	seq, err := nd.st.LastSeq()
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// Writes on the leader reach every node's store with the same change
// log, and every node's index finds them; a follower refuses a write,
// naming the leader, and keeps nothing of it.
func TestWritesReachEveryNode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nodes := threeNodes(t, ctx)
	leader := nodes[0]
	createOffers(t, leader.market(t), "w", 12)
	want := leader.lastSeq(t)
	for _, nd := range nodes {
		waitFor(t, nd.id+" applies every write and indexes it", func() bool {
			return nd.lastSeq(t) == want && nd.idx.Applied() == want && nd.findable(t) == 12
		})
		if n, err := nd.st.Count(store.KindOffer); err != nil || n != 12 {
			t.Errorf("%s: %d offers (%v); want 12", nd.id, n, err)
		}
	}
	if got, _ := nodes[0].st.Secret("page-token"); got == nil {
		t.Fatal("the leader has no page-token key")
	}
	for _, nd := range nodes[1:] {
		a, _ := leader.st.Secret("page-token")
		b, err := nd.st.Secret("page-token")
		if err != nil || string(a) != string(b) {
			t.Errorf("%s: page-token key differs from the leader's (%v): a page token would not be valid there", nd.id, err)
		}
	}

	follower := nodes[1]
	err := follower.st.Update(ctx, func(tx *store.Tx) error { return tx.PutAux("a", "b", []byte("c")) })
	if !errors.Is(err, store.ErrNotLeader) || !strings.Contains(err.Error(), "grpc-of-n1") {
		t.Fatalf("a write on a follower: %v; want ErrNotLeader naming grpc-of-n1", err)
	}
	if _, err := follower.st.GetAux("a", "b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused write reached the follower's store (%v)", err)
	}
	if addr, self := follower.n.Leader(); addr != "grpc-of-n1" || self {
		t.Errorf("follower's Leader() = %q, %v; want grpc-of-n1, false", addr, self)
	}
	members, err := follower.n.Members()
	if err != nil || len(members) != 3 {
		t.Fatalf("members: %v, %v; want three", members, err)
	}
}

// A node removed, and added again from an empty folder once the log it
// missed is gone, installs the leader's snapshot: its store and its index
// then hold what the leader's hold, and it follows later writes.
func TestReAddedNodeCatchesUpFromSnapshot(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nodes := threeNodes(t, ctx)
	leader, gone := nodes[0], nodes[2]
	m := leader.market(t)
	createOffers(t, m, "before", 3)
	if err := leader.n.Remove(ctx, gone.id); err != nil {
		t.Fatal(err)
	}
	gone.stop()
	createOffers(t, m, "while-away", 20)
	if err := leader.n.Snapshot(); err != nil {
		t.Fatal(err)
	}

	back := start(t, gone.id, t.TempDir(), false)
	if err := leader.n.Add(ctx, back.id, back.n.RaftAddr(), "grpc-of-"+back.id); err != nil {
		t.Fatal(err)
	}
	if err := back.n.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	createOffers(t, m, "after", 2)
	want := leader.lastSeq(t)
	waitFor(t, "the re-added node holds and finds every offer", func() bool {
		return back.lastSeq(t) == want && back.idx.Applied() == want && back.findable(t) == 25
	})
	if n, err := back.st.Count(store.KindOffer); err != nil || n != 25 {
		t.Errorf("re-added node: %d offers (%v); want 25", n, err)
	}
	if _, err := os.Stat(filepath.Join(back.dir, "raft", "snapshots")); err != nil {
		t.Errorf("the re-added node kept no snapshot: %v", err)
	}
}

// A market run alone becomes a cluster's first node: what it held before
// reaches the nodes that join (through the first snapshot), although it
// is in no log entry, even when its store once served in another cluster.
// A node that would join with a market of its own is refused.
func TestClusterBeginsWithExistingMarket(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	alone, err := store.Open(filepath.Join(dir, "techmarket.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := index.Open(ctx, filepath.Join(dir, "index"), alone, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := market.New(alone, market.Options{Index: idx})
	if err != nil {
		t.Fatal(err)
	}
	createOffers(t, m, "alone", 5)
	// As a store of an earlier cluster would: a log index far ahead of
	// the new log's.
	if err := alone.ApplyAt(store.WriteSet{}, 100); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	if err := alone.Close(); err != nil {
		t.Fatal(err)
	}

	first := start(t, "n1", dir, true)
	joiner := start(t, "n2", t.TempDir(), false)
	if err := first.n.Add(ctx, "n2", joiner.n.RaftAddr(), "grpc-of-n2"); err != nil {
		t.Fatal(err)
	}
	if err := joiner.n.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	createOffers(t, first.market(t), "clustered", 2)
	want := first.lastSeq(t)
	waitFor(t, "the joined node holds and finds the offers from before the cluster and after", func() bool {
		return joiner.lastSeq(t) == want && joiner.idx.Applied() == want && joiner.findable(t) == 7
	})
	if addr, _ := joiner.n.Leader(); addr != "grpc-of-n1" {
		t.Errorf("the joined node knows the leader at %q; want grpc-of-n1 (the first node's address, written after the snapshot)", addr)
	}

	full := t.TempDir()
	st, err := store.Open(filepath.Join(full, "techmarket.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.PutToken(ctx, store.TokenRecord{ID: "t1", Hash: [32]byte{1}, Org: "乙", Role: 2, CreateTime: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.Start(st, cluster.Config{ID: "n3", RaftAddr: "127.0.0.1:0", Dir: filepath.Join(full, "raft"), Raft: quick}); err == nil || !strings.Contains(err.Error(), "empty data folder") {
		t.Fatalf("joining with a market of its own: %v; want a refusal asking for an empty folder", err)
	}
}
