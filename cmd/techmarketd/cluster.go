package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/cluster"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/metrics"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// raftDir is the folder of a cluster node's Raft log and snapshots,
// inside the data folder.
const raftDir = "raft"

// clusterFlags are serve's flags of a replicated market (docs/cluster.md).
type clusterFlags struct {
	on       bool
	id       string
	raftAddr string
	join     string
	ca       string
}

func (c *clusterFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&c.on, "cluster", false, "run as one node of a replicated market (docs/cluster.md): writes go through the Raft log, any node serves reads and matches")
	fs.StringVar(&c.id, "node-id", "", "with --cluster: this node's name in the cluster, for good, such as wuhai-1")
	fs.StringVar(&c.raftAddr, "raft-addr", "", "with --cluster: `HOST:PORT` for the nodes' Raft traffic; reachable by the other nodes only (it has no authentication)")
	fs.StringVar(&c.join, "join", "", "with --cluster: join the cluster of the node serving at `HOST:PORT` (its --addr), with the operator token in $TECHMARKET_TOKEN; without it, the first start makes a new cluster")
	fs.StringVar(&c.ca, "cluster-ca", "", "with --cluster under TLS: trust the CA certificates in this PEM `FILE` for the other nodes' --addr")
}

func (c *clusterFlags) check() error {
	switch {
	case !c.on && (c.id != "" || c.raftAddr != "" || c.join != "" || c.ca != ""):
		return fmt.Errorf("%w: --node-id, --raft-addr, --join and --cluster-ca need --cluster", errUsage)
	case c.on && (c.id == "" || c.raftAddr == ""):
		return fmt.Errorf("%w: --cluster needs --node-id NAME and --raft-addr HOST:PORT", errUsage)
	case c.on && !cluster.ValidNodeID(c.id):
		return fmt.Errorf("%w: --node-id is 1–40 letters, digits, - or _, not %q", errUsage, c.id)
	}
	return nil
}

// followers are what a node's applied commands must wake: its index and
// its standby alerter. They are set once opened; the node applies
// commands from its start.
type followers struct {
	idx    atomic.Pointer[index.Index]
	alerts atomic.Pointer[alert.Alerter]
}

func (f *followers) applied() {
	if idx := f.idx.Load(); idx != nil {
		idx.Notify()
	}
	if a := f.alerts.Load(); a != nil {
		a.Poke()
	}
}

// nodeDial is how a node calls the others: the same transport its own
// clients use, trusting --cluster-ca and showing its own certificate
// under mutual TLS.
func nodeDial(tlsConfig *tls.Config, caFile string) ([]grpc.DialOption, error) {
	c, err := nodeTLS(tlsConfig, caFile)
	if err != nil || c == nil {
		return []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, err
	}
	return []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(c))}, nil
}

// nodeTLS is the client side of a node's TLS, nil when it serves plain
// text: --cluster-ca's roots, and its own certificate for mutual TLS.
func nodeTLS(tlsConfig *tls.Config, caFile string) (*tls.Config, error) {
	if tlsConfig == nil {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: tlsConfig.Certificates}
	if caFile != "" {
		roots, err := readCAs(caFile, "--cluster-ca")
		if err != nil {
			return nil, err
		}
		c.RootCAs = roots
	}
	return c, nil
}

// startNode starts this server's node: a new cluster, a restart of a
// member, or a join through the node at --join. It returns once the
// store holds the cluster's state, so the index opens on it.
func startNode(ctx context.Context, c clusterFlags, st *store.Store, dir, grpcAddr string, tlsConfig *tls.Config, f *followers, log *slog.Logger) (*cluster.Node, error) {
	if host, _, err := net.SplitHostPort(grpcAddr); err != nil || net.ParseIP(host) != nil && net.ParseIP(host).IsUnspecified() {
		return nil, fmt.Errorf("%w: with --cluster, --addr is where the other nodes reach this one, such as 10.0.0.11:7733, not %s", errUsage, grpcAddr)
	}
	raftState := filepath.Join(dir, raftDir)
	_, err := os.Stat(filepath.Join(raftState, "raft.db"))
	member := err == nil
	node, err := cluster.Start(st, cluster.Config{
		ID: c.id, RaftAddr: c.raftAddr, GRPCAddr: grpcAddr, Dir: raftState,
		Bootstrap: c.join == "", OnApply: f.applied, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	if c.join != "" && !member {
		if err := joinCluster(ctx, c, node, grpcAddr, tlsConfig, log); err != nil {
			_ = node.Close()
			return nil, err
		}
	}
	log.Info("cluster: catching up", "node", c.id)
	if err := node.WaitCaughtUp(ctx); err != nil {
		_ = node.Close()
		return nil, fmt.Errorf("cluster: waiting to catch up: %w", err)
	}
	return node, nil
}

// joinCluster asks the cluster at --join to add this node, until it
// answers (a leader may be being elected).
func joinCluster(ctx context.Context, c clusterFlags, node *cluster.Node, grpcAddr string, tlsConfig *tls.Config, log *slog.Logger) error {
	token := os.Getenv("TECHMARKET_TOKEN")
	if token == "" {
		return fmt.Errorf("%w: --join needs an operator token of the cluster in $TECHMARKET_TOKEN", errUsage)
	}
	opts := []client.Option{client.WithToken(token)}
	cfg, err := nodeTLS(tlsConfig, c.ca)
	if err != nil {
		return err
	}
	if cfg != nil {
		opts = append(opts, client.WithTLS(cfg))
	}
	cl, err := client.Dial(c.join, opts...)
	if err != nil {
		return err
	}
	defer cl.Close()
	for attempt := 1; ; attempt++ {
		call, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := cl.Cluster.AddNode(call, &techmarketv1.AddNodeRequest{NodeId: c.id, RaftAddr: node.RaftAddr(), GrpcAddr: grpcAddr})
		cancel()
		switch code := status.Code(err); {
		case err == nil:
			log.Info("cluster: joined", "via", c.join, "node", c.id)
			return nil
		case code == codes.PermissionDenied || code == codes.Unauthenticated || code == codes.InvalidArgument || code == codes.FailedPrecondition:
			return fmt.Errorf("joining the cluster at %s: %w", c.join, err)
		case ctx.Err() != nil:
			return ctx.Err()
		}
		log.Warn("cluster: joining; trying again", "via", c.join, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// newMarket opens the market, once the page-token key has reached a
// follower (the leader writes it through the log).
func newMarket(ctx context.Context, st *store.Store, opts market.Options, node *cluster.Node) (*market.Market, error) {
	for {
		m, err := market.New(st, opts)
		if node == nil || !errors.Is(err, store.ErrNotLeader) {
			return m, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-node.LeadingChanged():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// wakeOnLeadership tells the links' follower whenever this node starts or
// stops leading: only the leader follows links.
func wakeOnLeadership(node *cluster.Node, wake func(), stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-node.LeadingChanged():
			wake()
		}
	}
}

func clusterFigures(node *cluster.Node) metrics.ClusterFigures {
	s := node.Status()
	return metrics.ClusterFigures{Leader: s.Leading, Term: s.Term, CommitIndex: s.CommitIndex, AppliedIndex: s.Applied, LastContact: s.LastContact.Seconds()}
}

// clusterCommand runs `techmarketd cluster add|remove|status`.
func clusterCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf(`%w: "cluster" takes add, remove or status`, errUsage)
	}
	fs := newFlags("cluster "+args[0], stderr)
	addr := fs.String("addr", DefaultAddr, "any node of the cluster, `HOST:PORT` (its --addr)")
	token := fs.String("token", "", "an operator's bearer `TOKEN` (default $TECHMARKET_TOKEN)")
	caFile := fs.String("tls-ca", "", "connect with TLS, trusting the CA certificates in this PEM `FILE`")
	var id, raftAddr, grpcAddr *string
	if args[0] == "add" {
		id = fs.String("node-id", "", "the new node's --node-id")
		raftAddr = fs.String("raft-addr", "", "the new node's --raft-addr, `HOST:PORT`")
		grpcAddr = fs.String("grpc-addr", "", "the new node's --addr, `HOST:PORT`")
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *token == "" {
		*token = os.Getenv("TECHMARKET_TOKEN")
	}
	c, opts, err := operatorClient(*addr, *token, *caFile)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	switch args[0] {
	case "add":
		if *id == "" || *raftAddr == "" || *grpcAddr == "" {
			return fmt.Errorf("%w: cluster add needs --node-id, --raft-addr and --grpc-addr of the new node", errUsage)
		}
		resp, err := c.Cluster.AddNode(ctx, &techmarketv1.AddNodeRequest{NodeId: *id, RaftAddr: *raftAddr, GrpcAddr: *grpcAddr})
		if err != nil {
			return clusterCallErr(err)
		}
		return printNodes(stdout, resp.GetNodes(), nil)
	case "remove":
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: cluster remove takes one node ID", errUsage)
		}
		resp, err := c.Cluster.RemoveNode(ctx, &techmarketv1.RemoveNodeRequest{Name: "cluster/nodes/" + fs.Arg(0)})
		if err != nil {
			return clusterCallErr(err)
		}
		return printNodes(stdout, resp.GetNodes(), nil)
	case "status":
		resp, err := c.Cluster.GetClusterStatus(ctx, &techmarketv1.GetClusterStatusRequest{})
		if err != nil {
			return clusterCallErr(err)
		}
		// Each node reports its own progress: ask every one that serves.
		states := map[string]*techmarketv1.NodeState{resp.GetSelf().GetNodeId(): resp.GetSelf()}
		for _, n := range resp.GetNodes() {
			id := n.GetName()[len("cluster/nodes/"):]
			if _, ok := states[id]; ok || n.GetGrpcAddr() == "" {
				continue
			}
			if other, err := client.Dial(n.GetGrpcAddr(), opts...); err == nil {
				if r, err := other.Cluster.GetClusterStatus(ctx, &techmarketv1.GetClusterStatusRequest{}); err == nil {
					states[id] = r.GetSelf()
				}
				_ = other.Close()
			}
		}
		return printNodes(stdout, resp.GetNodes(), states)
	}
	return fmt.Errorf("%w: cluster takes add, remove or status, not %q", errUsage, args[0])
}

func clusterCallErr(err error) error {
	if status.Code(err) == codes.FailedPrecondition {
		return fmt.Errorf("%s", status.Convert(err).Message())
	}
	return err
}

// printNodes writes the members as a table, with each node's own
// figures where states has them (a node that did not answer shows -).
func printNodes(w io.Writer, nodes []*techmarketv1.ClusterNode, states map[string]*techmarketv1.NodeState) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tROLE\tRAFT\tADDR\tTERM\tCOMMIT\tAPPLIED\tSTORE SEQ\tINDEX SEQ\tLAST CONTACT")
	for _, n := range nodes {
		id := n.GetName()[len("cluster/nodes/"):]
		role := "follower"
		switch {
		case n.GetLeader():
			role = "leader"
		case !n.GetVoter():
			role = "catching up"
		}
		s, ok := states[id]
		if !ok {
			if states != nil {
				role += " (no answer)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\t-\n", id, role, n.GetRaftAddr(), n.GetGrpcAddr())
			continue
		}
		contact := "-"
		if d := s.GetLastContact(); d != nil {
			contact = d.AsDuration().Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", id, role, n.GetRaftAddr(), n.GetGrpcAddr(),
			s.GetTerm(), s.GetCommitIndex(), s.GetAppliedIndex(), s.GetLastSeq(), s.GetIndexSeq(), contact)
	}
	return tw.Flush()
}
