package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// clusterNode is one techmarketd of a test cluster, restartable on the
// same addresses and folder.
type clusterNode struct {
	id, addr, raftAddr, dir string
	join                    string
	operator                string // the token --join uses
	p                       *process
}

func freePorts(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	var held []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, l)
		out = append(out, l.Addr().String())
	}
	for _, l := range held {
		_ = l.Close()
	}
	return out
}

func (n *clusterNode) start(t *testing.T, bin string) {
	t.Helper()
	args := []string{"serve", "--addr", n.addr, "--data", n.dir, "--cluster", "--node-id", n.id, "--raft-addr", n.raftAddr}
	if n.join != "" {
		args = append(args, "--join", n.join)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TECHMARKET_TOKEN="+n.operator)
	n.p = startProcess(t, cmd)
}

func (n *clusterNode) kill() {
	_ = n.p.cmd.Process.Kill()
	<-n.p.done
}

// startCluster starts three nodes on loopback, the first beginning the
// cluster with the tokens tokens issues on its folder, the others joining
// it, and returns them with an operator's client of each.
func startCluster(t *testing.T, bin string, tokens func(dir string)) ([]*clusterNode, []*client.Client) {
	t.Helper()
	ports := freePorts(t, 6)
	nodes := make([]*clusterNode, 3)
	for i := range nodes {
		nodes[i] = &clusterNode{id: fmt.Sprintf("n%d", i+1), addr: ports[2*i], raftAddr: ports[2*i+1], dir: t.TempDir()}
	}
	// Issued before the cluster begins: the first leader's snapshot
	// carries them to the nodes that join.
	operator := issueToken(t, bin, nodes[0].dir, "operator", "运营中心")
	tokens(nodes[0].dir)
	for i, n := range nodes {
		n.operator = operator
		if i > 0 {
			n.join = nodes[0].addr
		}
		n.start(t, bin)
	}
	ops := make([]*client.Client, 3)
	for i, n := range nodes {
		c, err := client.Dial(n.addr, client.WithToken(operator))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		ops[i] = c
	}
	return nodes, ops
}

// leaderOf finds the node that leads and accepts writes, other than
// exclude.
func leaderOf(nodes []*clusterNode, ops []*client.Client, exclude string) (int, bool) {
	for i, c := range ops {
		if nodes[i].id == exclude {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		resp, err := c.Cluster.GetClusterStatus(ctx, &techmarketv1.GetClusterStatusRequest{})
		cancel()
		if err == nil && resp.GetSelf().GetWritable() {
			return i, true
		}
	}
	return -1, false
}

// The register model of porcupine: each listing, by external id, holds
// a title; "" is absent.
type (
	regInput struct {
		key, title string
		write      bool
	}
	regOutput struct {
		title string
	}
)

var registers = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(regInput).key
			byKey[k] = append(byKey[k], op)
		}
		out := make([][]porcupine.Operation, 0, len(byKey))
		for _, ops := range byKey {
			out = append(out, ops)
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in := input.(regInput)
		if in.write {
			return true, in.title
		}
		return output.(regOutput).title == state.(string), state
	},
	DescribeOperation: func(input, output any) string {
		in := input.(regInput)
		if in.write {
			return fmt.Sprintf("put(%s, %q)", in.key, in.title)
		}
		return fmt.Sprintf("get(%s) → %q", in.key, output.(regOutput).title)
	},
}

// history records operations for porcupine, timed on one clock.
type history struct {
	mu    sync.Mutex
	start time.Time
	ops   []porcupine.Operation
	acks  int
}

func (h *history) now() int64 { return int64(time.Since(h.start)) }

func (h *history) add(op porcupine.Operation) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops = append(h.ops, op)
	if op.Input.(regInput).write && op.Return != math.MaxInt64 {
		h.acks++
	}
}

func (h *history) acked() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.acks
}

// refused reports a write the cluster said it did not make, or that never
// left the test (its node is down): nothing to record. Anything else that
// failed may have been applied.
func refused(err error) bool {
	_, retry := client.RetryDelay(err)
	code := status.Code(err)
	dialing := code == codes.Unavailable && strings.Contains(status.Convert(err).Message(), "Error while dialing")
	return retry || dialing || code == codes.InvalidArgument || code == codes.AlreadyExists || code == codes.NotFound
}

// TestClusterSurvivesLeaderKills runs three nodes on loopback. Writers
// create and update listings on every node, and read them back through
// the leader, while the leader is killed with SIGKILL and restarted,
// three times. After each kill a new leader is elected; at the end
// every node holds the same listings, every acknowledged write among
// them, none twice; each node's search finds exactly what its store
// holds; and porcupine finds the history linearizable.
func TestClusterSurvivesLeaderKills(t *testing.T) {
	bin := buildServer(t)
	var agencies []string // one each: a writer's rate is its own
	nodes, ops := startCluster(t, bin, func(dir string) {
		for w := range 3 {
			agencies = append(agencies, issueToken(t, bin, dir, "agency", fmt.Sprintf("技术转移中心%d", w)))
		}
	})
	leaderOf := func(exclude string) (int, bool) { return leaderOf(nodes, ops, exclude) }

	h := &history{start: time.Now()}
	ctx, stop := context.WithCancel(context.Background())
	var writers sync.WaitGroup
	for w := range 3 {
		c, err := client.Dial(nodes[w].addr, client.WithToken(agencies[w]))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		writers.Go(func() { clusterWriter(ctx, c, w, h) })
	}

	const kills = 3
	for k := range kills {
		want := h.acked() + 20
		eventually(t, fmt.Sprintf("20 more acknowledged writes before kill %d", k+1), func() bool { return h.acked() >= want })
		var leader int
		eventually(t, "a leader", func() bool { var ok bool; leader, ok = leaderOf(""); return ok })
		victim := nodes[leader]
		victim.kill()
		eventually(t, fmt.Sprintf("a new leader after %s was killed", victim.id), func() bool { _, ok := leaderOf(victim.id); return ok })
		victim.start(t, bin)
	}
	want := h.acked() + 20
	eventually(t, "20 acknowledged writes after the last restart", func() bool { return h.acked() >= want })
	stop()
	writers.Wait()

	// Every node converges on the same change log, searchable.
	var last uint64
	eventually(t, "every node applies the same log and indexes it", func() bool {
		var seqs []uint64
		for _, c := range ops {
			resp, err := c.Cluster.GetClusterStatus(context.Background(), &techmarketv1.GetClusterStatusRequest{})
			if err != nil {
				return false
			}
			s := resp.GetSelf()
			if s.GetIndexSeq() != s.GetLastSeq() {
				return false
			}
			seqs = append(seqs, s.GetLastSeq())
		}
		last = seqs[0]
		return seqs[0] > 0 && seqs[0] == seqs[1] && seqs[1] == seqs[2]
	})
	t.Logf("%d operations, %d acknowledged writes, change log at %d", len(h.ops), h.acked(), last)

	final := map[string]string{}
	for i, c := range ops {
		titles := map[string]string{}
		for o, err := range c.ListOffers(context.Background(), &techmarketv1.ListOffersRequest{}) {
			if err != nil {
				t.Fatalf("%s: listing: %v", nodes[i].id, err)
			}
			if _, twice := titles[o.GetExternalId()]; twice {
				t.Errorf("%s holds %s twice", nodes[i].id, o.GetExternalId())
			}
			titles[o.GetExternalId()] = o.GetTitle()
		}
		if i == 0 {
			final = titles
		} else if fmt.Sprint(titles) != fmt.Sprint(final) {
			t.Errorf("%s holds other listings than %s", nodes[i].id, nodes[0].id)
		}
		found, err := c.Match.SearchOffers(context.Background(), &techmarketv1.SearchOffersRequest{Query: "集群测试成果"})
		if err != nil {
			t.Fatal(err)
		}
		if found.GetTotalSize() != int64(len(titles)) {
			t.Errorf("%s: search finds %d offers; its store holds %d", nodes[i].id, found.GetTotalSize(), len(titles))
		}
	}
	// The final state as reads after everything, then the check.
	end := h.now()
	keys := map[string]bool{}
	for _, op := range h.ops {
		keys[op.Input.(regInput).key] = true
	}
	for key := range keys {
		h.ops = append(h.ops, porcupine.Operation{ClientId: 3, Input: regInput{key: key}, Call: end, Output: regOutput{title: final[key]}, Return: end + 1})
	}
	for key := range final {
		if !keys[key] {
			t.Errorf("%s exists but was never written", key)
		}
	}
	if res := porcupine.CheckOperationsTimeout(registers, h.ops, time.Minute); res != porcupine.Ok {
		one := registers
		one.Partition = nil
		for _, ops := range registers.Partition(h.ops) {
			if porcupine.CheckOperationsTimeout(one, ops, 10*time.Second) != porcupine.Illegal {
				continue
			}
			slices.SortFunc(ops, func(a, b porcupine.Operation) int { return cmp.Compare(a.Call, b.Call) })
			var b strings.Builder
			for _, op := range ops {
				fmt.Fprintf(&b, "  [%d, %d] client %d: %s\n", op.Call/1e6, min(op.Return/1e6, 1e9), op.ClientId, registers.DescribeOperation(op.Input, op.Output))
			}
			t.Errorf("not linearizable, times in ms:\n%s", b.String())
			break
		}
		t.Fatalf("the history of %d operations is not linearizable: %s", len(h.ops), res)
	}
	if len(final) < 30 {
		t.Errorf("only %d listings at the end; the test did too little", len(final))
	}
}

// clusterWriter creates and updates its own listings on its node, reading
// back a random one through the leader after each write, until ctx ends.
func clusterWriter(ctx context.Context, c *client.Client, w int, h *history) {
	rng := rand.New(rand.NewPCG(uint64(w), 7))
	names := map[string]string{} // external id → name, of acknowledged creates
	var mine []string
	pace := time.NewTicker(10 * time.Millisecond) // a steady load, not a flood of retries at a dead node
	defer pace.Stop()
	for i := 0; ctx.Err() == nil; i++ {
		select {
		case <-ctx.Done():
			return
		case <-pace.C:
		}
		call, cancel := context.WithTimeout(ctx, 5*time.Second)
		var key, title string
		var err error
		begin := h.now()
		if len(mine) == 0 || rng.IntN(3) == 0 {
			key, title = fmt.Sprintf("w%d-%d", w, i), fmt.Sprintf("集群测试成果 w%d-%d", w, i)
			var o *techmarketv1.Offer
			if o, err = c.CreateOffer(call, offerFor(key, title), true); err == nil {
				names[key] = o.GetName()
				mine = append(mine, key)
			}
		} else {
			key = mine[rng.IntN(len(mine))]
			title = fmt.Sprintf("集群测试成果 %s 改%d", key, i)
			_, err = c.UpdateOffer(call, &techmarketv1.Offer{Name: names[key], Title: title}, "title")
		}
		cancel()
		switch ret := h.now(); {
		case err == nil:
			h.add(porcupine.Operation{ClientId: w, Input: regInput{key: key, title: title, write: true}, Call: begin, Return: ret})
		case ctx.Err() != nil || !refused(err):
			// May have been applied, at any moment from now on. The key is
			// written no more: each pending write multiplies the orders
			// the checker must try for the ops after it.
			h.add(porcupine.Operation{ClientId: w, Input: regInput{key: key, title: title, write: true}, Call: begin, Return: math.MaxInt64})
			mine = slices.DeleteFunc(mine, func(k string) bool { return k == key })
		}
		if ctx.Err() != nil {
			return
		}

		if len(mine) == 0 {
			continue
		}
		key = mine[rng.IntN(len(mine))]
		call, cancel = context.WithTimeout(client.Linearizable(ctx), 5*time.Second)
		begin = h.now()
		o, err := c.GetOffer(call, names[key])
		cancel()
		switch ret := h.now(); {
		case err == nil:
			h.add(porcupine.Operation{ClientId: w, Input: regInput{key: key}, Call: begin, Output: regOutput{title: o.GetTitle()}, Return: ret})
		case errors.Is(ctx.Err(), context.Canceled):
			return
		}
	}
}

// An alert is raised once for the whole cluster, by the leader, and a
// watcher on a follower receives it; after the leader is killed, the new
// one raises the next alert without raising the first again.
func TestClusterAlertsOnce(t *testing.T) {
	bin := buildServer(t)
	var enterpriseToken, agencyToken string
	nodes, ops := startCluster(t, bin, func(dir string) {
		enterpriseToken = issueToken(t, bin, dir, "enterprise", "乌海某氯碱公司")
		agencyToken = issueToken(t, bin, dir, "agency", "某研究院")
	})
	as := func(token string, i int) *client.Client {
		c, err := client.Dial(nodes[i].addr, client.WithToken(token))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	demand, err := as(enterpriseToken, 1).CreateDemand(ctx, &techmarketv1.Demand{
		Title: "建设碱性电解水制氢装置", Description: "园区风光弃电较多，希望建设碱性电解水制氢装置，规模每小时千标方。",
		Keywords: []string{"电解水制氢", "碱性电解槽"}, Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_WUHAI,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	first, err := as(agencyToken, 2).CreateOffer(ctx, h2Offer("千标方级碱性电解水制氢成套装备"), true)
	if err != nil {
		t.Fatal(err)
	}
	watch := func(i int) techmarketv1.AlertService_WatchMatchesClient {
		stream, err := as(enterpriseToken, i).Alerts.WatchMatches(ctx, &techmarketv1.WatchMatchesRequest{Listings: []string{demand.GetName()}})
		if err != nil {
			t.Fatal(err)
		}
		return stream
	}
	next := func(stream techmarketv1.AlertService_WatchMatchesClient) string {
		got, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		return got.GetAlert().GetMatch().GetName()
	}
	if got := next(watch(2)); got != first.GetName() {
		t.Fatalf("a watcher on a follower got an alert of %q; want %q", got, first.GetName())
	}

	leader, ok := leaderOf(nodes, ops, "")
	if !ok {
		t.Fatal("no leader")
	}
	victim := nodes[leader]
	victim.kill()
	eventually(t, "a new leader", func() bool { _, ok := leaderOf(nodes, ops, victim.id); return ok })
	survivor := (leader + 1) % 3
	second, err := as(agencyToken, survivor).CreateOffer(ctx, h2Offer("碱性电解水制氢装备（第二代）"), true)
	if err != nil {
		t.Fatal(err)
	}
	victim.start(t, bin)
	// Every node, the restarted one included, streams the two alerts in
	// order: the first exactly once, then the new leader's.
	for i := range nodes {
		stream := watch(i)
		if a, b := next(stream), next(stream); a != first.GetName() || b != second.GetName() {
			t.Errorf("%s streams alerts of %s then %s; want %s then %s", nodes[i].id, a, b, first.GetName(), second.GetName())
		}
	}
}
