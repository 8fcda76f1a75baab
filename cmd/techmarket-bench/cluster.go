package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// clusterResult is what --cluster measured at one size.
type clusterResult struct {
	Size  int `json:"listings_per_side"`
	Nodes int `json:"nodes"`
	// JoinSeconds is from the first node serving until every node had
	// installed the stock and indexed it.
	JoinSeconds float64 `json:"join_seconds"`
	// One node: every client calls the leader.
	OneNode     float64   `json:"one_node_matches_per_second"`
	OneNodeCPU  []float64 `json:"one_node_cpu_ms_per_match"` // per node, CPU over the matches the leader served
	Spread      float64   `json:"spread_matches_per_second"`
	SpreadCPU   []float64 `json:"spread_cpu_ms_per_match"` // per node, its CPU over the matches it served
	Clients     int       `json:"clients"`
	WriteLeader latency   `json:"create_through_leader"`
	WriteFollow latency   `json:"create_through_follower"`
}

// benchCluster stocks one folder, starts it as the first node of a
// cluster, joins the others to it from empty folders, and measures.
func benchCluster(ctx context.Context, cfg config, bin string, n int, progress io.Writer) (*clusterResult, error) {
	r := &clusterResult{Size: n, Nodes: cfg.cluster, Clients: cfg.clients}
	say := func(format string, args ...any) {
		fmt.Fprintf(progress, "[cluster %d×%d] %s\n", cfg.cluster, n, fmt.Sprintf(format, args...))
	}
	dir, corpusFile, cleanup, err := stockCorpus(cfg, n)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	first := filepath.Join(dir, "node1")
	token, err := operatorToken(bin, first)
	if err != nil {
		return r, err
	}
	if err := offlineImport(bin, first, corpusFile, say); err != nil {
		return r, err
	}

	var nodes []*server
	var clients []*client.Client
	defer func() {
		for _, c := range clients {
			_ = c.Close()
		}
		for _, s := range nodes {
			_ = s.stop()
		}
	}()
	env := []string{"TECHMARKET_TOKEN=" + token}
	var begin time.Time
	for i := range cfg.cluster {
		args := []string{"--cluster", "--node-id", fmt.Sprintf("n%d", i+1), "--raft-addr", "127.0.0.1:0"}
		folder := first
		if i > 0 {
			folder = filepath.Join(dir, fmt.Sprintf("node%d", i+1))
			args = append(args, "--join", nodes[0].addr)
		}
		s, err := startServerWith(bin, folder, env, args...)
		if err != nil {
			return r, err
		}
		nodes = append(nodes, s)
		if i == 0 {
			begin = time.Now()
		}
		c, err := client.Dial(s.addr, client.WithToken(token))
		if err != nil {
			return r, err
		}
		clients = append(clients, c)
	}
	if err := awaitConverged(ctx, clients, say); err != nil {
		return r, err
	}
	r.JoinSeconds = time.Since(begin).Seconds()
	say("%d nodes hold and index the %d listings a side, %.1fs after the first served", cfg.cluster, n, r.JoinSeconds)
	if err := nodes[0].awaitSettled(ctx, say); err != nil {
		return r, err
	}

	demands, offers, err := spreadOut(ctx, clients[0], n, cfg.matches)
	if err != nil {
		return r, err
	}
	matchRun := func(pick func() int) (float64, []float64, error) {
		served := make([]atomic.Int64, len(clients))
		before := cpuOf(nodes)
		perSec, err := throughput(ctx, cfg, demands, offers,
			func(d *techmarketv1.Demand) error {
				i := pick()
				served[i].Add(1)
				_, err := clients[i].Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: d.GetName()})
				return err
			},
			func(o *techmarketv1.Offer) error {
				i := pick()
				served[i].Add(1)
				_, err := clients[i].Match.MatchDemands(ctx, &techmarketv1.MatchDemandsRequest{Offer: o.GetName()})
				return err
			})
		after := cpuOf(nodes)
		var total int64
		for i := range served {
			total += served[i].Load()
		}
		perMatch := make([]float64, len(nodes))
		for i := range nodes {
			// CPU of each node per match it served; a node that served
			// none (a follower while only the leader is called) counts
			// against all matches: what following the log costs.
			count := served[i].Load()
			if count == 0 {
				count = total
			}
			if count > 0 {
				perMatch[i] = (after[i] - before[i]).Seconds() * 1000 / float64(count)
			}
		}
		return perSec, perMatch, err
	}
	if r.OneNode, r.OneNodeCPU, err = matchRun(func() int { return 0 }); err != nil {
		return r, fmt.Errorf("throughput on one node: %w", err)
	}
	say("one node: %.0f matches/s with %d clients; CPU ms per match by node %s", r.OneNode, cfg.clients, ms(r.OneNodeCPU))
	var next atomic.Int64
	if r.Spread, r.SpreadCPU, err = matchRun(func() int { return int(next.Add(1)) % len(clients) }); err != nil {
		return r, fmt.Errorf("throughput spread over the nodes: %w", err)
	}
	say("spread over %d nodes: %.0f matches/s; CPU ms per match by node %s", cfg.cluster, r.Spread, ms(r.SpreadCPU))

	// Writes: each through the leader (n1 leads: it began the cluster)
	// and each through a follower, which sends it on.
	if r.WriteLeader, err = timeCreates(ctx, clients[0], "leader", cfg.matches); err != nil {
		return r, err
	}
	if len(clients) > 1 {
		if r.WriteFollow, err = timeCreates(ctx, clients[1], "follower", cfg.matches); err != nil {
			return r, err
		}
	}
	say("create p50 %.1f ms through the leader, %.1f ms through a follower", r.WriteLeader.P50, r.WriteFollow.P50)
	return r, nil
}

// awaitConverged waits until every node has applied the same change log
// and indexed all of it.
func awaitConverged(ctx context.Context, clients []*client.Client, say func(string, ...any)) error {
	last := time.Now()
	for {
		var seqs []uint64
		ready := true
		for _, c := range clients {
			resp, err := c.Cluster.GetClusterStatus(ctx, &techmarketv1.GetClusterStatusRequest{})
			if err != nil {
				return err
			}
			s := resp.GetSelf()
			seqs = append(seqs, s.GetIndexSeq())
			ready = ready && s.GetIndexSeq() == s.GetLastSeq() && s.GetLastSeq() > 0
		}
		for _, s := range seqs[1:] {
			ready = ready && s == seqs[0]
		}
		if ready {
			return nil
		}
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			say("waiting for the nodes to converge: indexed changes by node %v", seqs)
		}
		if err := pause(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// timeCreates times n offers created through c.
func timeCreates(ctx context.Context, c *client.Client, via string, n int) (latency, error) {
	var took []time.Duration
	for i := range n {
		o := &techmarketv1.Offer{
			ExternalId: fmt.Sprintf("bench-%s-%d", via, i), Title: fmt.Sprintf("集群写入测试 %s %d", via, i),
			Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI,
		}
		begin := time.Now()
		if _, err := c.CreateOffer(ctx, o, true); err != nil {
			return latency{}, fmt.Errorf("creating through the %s: %w", via, err)
		}
		took = append(took, time.Since(begin))
	}
	return measure(took), nil
}

// cpuOf reads each node's user and system CPU time so far.
func cpuOf(nodes []*server) []time.Duration {
	out := make([]time.Duration, len(nodes))
	for i, s := range nodes {
		out[i] = processCPU(s.cmd.Process.Pid)
	}
	return out
}

// processCPU is a process's utime+stime from /proc (clock ticks of
// 1/100 s, the value Linux exports whatever its HZ); 0 where unreadable.
func processCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces: fields count from after its ")".
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func ms(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("n%d %.2f", i+1, x)
	}
	return strings.Join(parts, ", ")
}

func writeClusterReport(w io.Writer, cfg config, results []*clusterResult) {
	if cfg.json {
		writeJSON(w, results)
		return
	}
	fmt.Fprintf(w, "techmarket-bench --cluster %d: seed %d, %d clients for %s of throughput, all nodes on this machine\n",
		cfg.cluster, cfg.seed, cfg.clients, cfg.throughputTime)
	for _, r := range results {
		fmt.Fprintf(w, "%d listings a side, %d nodes (joined and indexed in %.1fs)\n", r.Size, r.Nodes, r.JoinSeconds)
		fmt.Fprintf(w, "  matches/s, every client on the leader    %8.0f   CPU ms per match by node: %s\n", r.OneNode, ms(r.OneNodeCPU))
		fmt.Fprintf(w, "  matches/s, clients spread over the nodes %8.0f   CPU ms per match by node: %s\n", r.Spread, ms(r.SpreadCPU))
		fmt.Fprintf(w, "  create p50/p99 ms through the leader     %8s\n", fmt.Sprintf("%.1f / %.1f", r.WriteLeader.P50, r.WriteLeader.P99))
		fmt.Fprintf(w, "  create p50/p99 ms through a follower     %8s\n", fmt.Sprintf("%.1f / %.1f", r.WriteFollow.P50, r.WriteFollow.P99))
	}
}
