package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/cluster"
	"github.com/wuhai-techmarket/techmarket/listing"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// The metadata a cluster's clients and nodes exchange (docs/cluster.md).
const (
	// SeqKey, in a response's trailer, is the newest change the answering
	// node held when it answered (after a write, at least the write's
	// own); sent back on a later call, it makes any node wait until it
	// holds that change too: the writer reads its writes.
	SeqKey = "x-techmarket-seq"
	// ConsistencyKey set to "linearizable" sends a read through the
	// leader, which confirms its leadership before answering.
	ConsistencyKey = "x-techmarket-consistency"
	// forwardedKey marks a call one node sent on to the leader, so that
	// it is never sent on again.
	forwardedKey = "x-techmarket-forwarded"
)

// ReasonNotLeader is the google.rpc.ErrorInfo reason of a write refused
// by a node that cannot replicate it. Nothing was written, so the write
// may be sent again as it is, to the leader named in the metadata
// "leader" (absent while no leader is elected).
const ReasonNotLeader = "NOT_LEADER"

// errorDomain is the ErrorInfo domain of Techmarket's own reasons.
const errorDomain = "techmarket.wuhai.gov.cn"

// maxSeqWait bounds how long a node waits to catch up with a caller's
// last write before answering UNAVAILABLE.
const maxSeqWait = time.Second

// Cluster is what a server of a replicated market needs of its node.
type Cluster struct {
	Node *cluster.Node
	// IndexApplied is the newest change the node's index searches.
	IndexApplied func() uint64
	// Dial is how this node calls the others (the leader, for the calls
	// it sends on): their transport security.
	Dial []grpc.DialOption
}

// replicated serves a cluster node's calls: reads wait for the caller's
// last write, linearizable reads and refused writes go to the leader.
type replicated struct {
	node *cluster.Node
	m    *market.Market
	log  *slog.Logger
	dial []grpc.DialOption

	mu    sync.Mutex
	conns map[string]*grpc.ClientConn // by leader address
}

func newReplicated(node *cluster.Node, m *market.Market, log *slog.Logger, dial []grpc.DialOption) *replicated {
	return &replicated{node: node, m: m, log: log, dial: dial, conns: map[string]*grpc.ClientConn{}}
}

func (r *replicated) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	forwarded := len(md.Get(forwardedKey)) > 0
	if !forwarded && first(md, ConsistencyKey) == "linearizable" {
		if _, self := r.node.Leader(); !self {
			return r.forward(ctx, md, req, info.FullMethod)
		}
		if err := r.node.VerifyLinearizable(ctx); err != nil {
			return nil, r.notLeaderStatus(err)
		}
	}
	if err := r.catchUp(ctx, md); err != nil {
		return nil, err
	}
	resp, err := handler(ctx, req)
	if err != nil {
		if isNotLeader(err) {
			if addr, self := r.node.Leader(); !forwarded && addr != "" && !self {
				return r.forward(ctx, md, req, info.FullMethod)
			}
			return nil, r.notLeaderStatus(err)
		}
		return nil, err
	}
	r.sendSeq(ctx)
	return resp, nil
}

// stream serves streams here: a write among them (an import) on a
// follower is answered NOT_LEADER with the leader's address, for the
// client to call it there.
func (r *replicated) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	md, _ := metadata.FromIncomingContext(ss.Context())
	if err := r.catchUp(ss.Context(), md); err != nil {
		return err
	}
	err := handler(srv, ss)
	if isNotLeader(err) {
		return r.notLeaderStatus(err)
	}
	return err
}

// catchUp waits until this node searches the change the caller last saw.
func (r *replicated) catchUp(ctx context.Context, md metadata.MD) error {
	raw := first(md, SeqKey)
	if raw == "" {
		return nil
	}
	seq, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "%s must be a change sequence, the one a response's trailer carried, not %q", SeqKey, raw)
	}
	wait, cancel := context.WithTimeout(ctx, maxSeqWait)
	defer cancel()
	r.m.Searchable(wait, seq)
	if have, err := r.m.Store().LastSeq(); err != nil || have < seq || wait.Err() != nil && ctx.Err() == nil {
		return withRetry(status.New(codes.Unavailable, fmt.Sprintf("this node has not yet caught up with change %d, which you have seen; retry, or call the leader", seq)), 200*time.Millisecond)
	}
	return nil
}

// sendSeq tells the caller the newest change this node holds.
func (r *replicated) sendSeq(ctx context.Context) {
	if seq, err := r.m.Store().LastSeq(); err == nil {
		_ = grpc.SetTrailer(ctx, metadata.Pairs(SeqKey, strconv.FormatUint(seq, 10)))
	}
}

// forward sends a call on to the leader with the caller's token, and
// answers with the leader's answer, trailer included.
func (r *replicated) forward(ctx context.Context, md metadata.MD, req any, method string) (any, error) {
	addr, self := r.node.Leader()
	if addr == "" || self {
		return nil, r.notLeaderStatus(store.ErrNotLeader)
	}
	out, err := newResponse(method)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "forwarding %s: %v", method, err)
	}
	conn, err := r.conn(addr)
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "cannot reach the leader at %s: %v", addr, err)
	}
	send := metadata.Pairs(forwardedKey, "1")
	for k, vs := range md {
		if k == "authorization" || k == ConsistencyKey || k == SeqKey || k == "x-request-id" {
			send.Append(k, vs...)
		}
	}
	var header, trailer metadata.MD
	err = conn.Invoke(metadata.NewOutgoingContext(ctx, send), method, req, out, grpc.Header(&header), grpc.Trailer(&trailer))
	if len(trailer.Get(SeqKey)) > 0 {
		_ = grpc.SetTrailer(ctx, metadata.Pairs(SeqKey, trailer.Get(SeqKey)[0]))
	}
	if err != nil {
		if neverSent(err) {
			// The leader died, or moved, and this node has not heard yet:
			// nothing was written, so the caller may simply try again.
			return nil, withRetry(status.New(codes.Unavailable, fmt.Sprintf("the leader at %s cannot be reached; a new one is being elected, try again", addr)), 500*time.Millisecond)
		}
		return nil, err
	}
	return out, nil
}

func (r *replicated) conn(addr string) (*grpc.ClientConn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.conns[addr]; ok {
		return c, nil
	}
	c, err := grpc.NewClient(addr, r.dial...)
	if err != nil {
		return nil, err
	}
	r.conns[addr] = c
	return c, nil
}

func (r *replicated) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for addr, c := range r.conns {
		_ = c.Close()
		delete(r.conns, addr)
	}
}

// newResponse returns an empty response message of a method, such as
// /techmarket.v1.OfferService/CreateOffer, from the registered protos.
func newResponse(method string) (proto.Message, error) {
	service, name, ok := strings.Cut(strings.TrimPrefix(method, "/"), "/")
	if !ok {
		return nil, fmt.Errorf("not a method name: %q", method)
	}
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(service))
	if err != nil {
		return nil, err
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok {
		return nil, fmt.Errorf("%s is not a service", service)
	}
	md := sd.Methods().ByName(protoreflect.Name(name))
	if md == nil {
		return nil, fmt.Errorf("%s has no method %s", service, name)
	}
	t, err := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
	if err != nil {
		return nil, err
	}
	return t.New().Interface(), nil
}

// notLeaderStatus is the UNAVAILABLE answer to a write this node cannot
// replicate, naming the leader when one is known.
func (r *replicated) notLeaderStatus(err error) error {
	msg := err.Error()
	if st, ok := status.FromError(err); ok {
		msg = st.Message()
	}
	return notLeaderStatus(msg, r.node)
}

func notLeaderStatus(msg string, node *cluster.Node) error {
	info := &errdetails.ErrorInfo{Reason: ReasonNotLeader, Domain: errorDomain}
	st := status.New(codes.Unavailable, msg)
	if node != nil {
		if addr, self := node.Leader(); addr != "" && !self {
			info.Metadata = map[string]string{"leader": addr}
		}
	}
	if with, err := st.WithDetails(info); err == nil {
		st = with
	}
	if info.Metadata == nil { // nobody to send it to yet: an election runs
		return withRetry(st, 500*time.Millisecond)
	}
	return st.Err()
}

func withRetry(st *status.Status, d time.Duration) error {
	if with, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(d)}); err == nil {
		st = with
	}
	return st.Err()
}

// neverSent reports a call that failed while connecting, before any of
// it left this node. grpc-go has no typed error for it; its message
// says so in these words since grpc 1.x.
func neverSent(err error) bool {
	st, ok := status.FromError(err)
	return ok && st.Code() == codes.Unavailable && strings.Contains(st.Message(), "Error while dialing")
}

func isNotLeader(err error) bool {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.Unavailable {
		return false
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == ReasonNotLeader {
			return true
		}
	}
	return false
}

func first(md metadata.MD, key string) string {
	if vs := md.Get(key); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// clusterServer serves ClusterService.
type clusterServer struct {
	techmarketv1.UnimplementedClusterServiceServer
	node         *cluster.Node // nil: the server runs alone
	m            *market.Market
	indexApplied func() uint64
}

var _ techmarketv1.ClusterServiceServer = (*clusterServer)(nil)

func (s *clusterServer) check(ctx context.Context) error {
	if !auth.FromContext(ctx).IsOperator() {
		return status.Error(codes.PermissionDenied, "only operators manage the cluster; call with an operator token")
	}
	if s.node == nil {
		return status.Error(codes.FailedPrecondition, "this server runs alone: start techmarketd serve with --cluster to replicate it")
	}
	return nil
}

func (s *clusterServer) AddNode(ctx context.Context, req *techmarketv1.AddNodeRequest) (*techmarketv1.AddNodeResponse, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var violations []listing.Violation
	if !cluster.ValidNodeID(req.GetNodeId()) {
		violations = append(violations, listing.Violation{Field: "node_id", Description: "1–40 letters, digits, - or _, the node's --node-id"})
	}
	if !hostPort(req.GetRaftAddr()) {
		violations = append(violations, listing.Violation{Field: "raft_addr", Description: "HOST:PORT, the node's --raft-addr"})
	}
	if !hostPort(req.GetGrpcAddr()) {
		violations = append(violations, listing.Violation{Field: "grpc_addr", Description: "HOST:PORT, the node's --addr"})
	}
	if len(violations) > 0 {
		return nil, &market.InvalidError{Violations: violations}
	}
	if err := s.node.Add(ctx, req.GetNodeId(), req.GetRaftAddr(), req.GetGrpcAddr()); err != nil {
		return nil, clusterErr(err, s.node)
	}
	nodes, err := s.members()
	return &techmarketv1.AddNodeResponse{Nodes: nodes}, err
}

func (s *clusterServer) RemoveNode(ctx context.Context, req *techmarketv1.RemoveNodeRequest) (*techmarketv1.RemoveNodeResponse, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	id, ok := strings.CutPrefix(req.GetName(), "cluster/nodes/")
	if !ok || !cluster.ValidNodeID(id) {
		return nil, &market.InvalidError{Violations: []listing.Violation{{Field: "name", Description: "cluster/nodes/{node_id}"}}}
	}
	members, err := s.node.Members()
	if err != nil {
		return nil, err
	}
	known := false
	for _, m := range members {
		known = known || m.ID == id
	}
	if !known {
		return nil, status.Errorf(codes.NotFound, "no node %q in the cluster; techmarketd cluster status lists them", id)
	}
	if err := s.node.Remove(ctx, id); err != nil {
		return nil, clusterErr(err, s.node)
	}
	nodes, err := s.members()
	return &techmarketv1.RemoveNodeResponse{Nodes: nodes}, err
}

func (s *clusterServer) GetClusterStatus(ctx context.Context, _ *techmarketv1.GetClusterStatusRequest) (*techmarketv1.GetClusterStatusResponse, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	nodes, err := s.members()
	if err != nil {
		return nil, err
	}
	st := s.node.Status()
	self := &techmarketv1.NodeState{
		NodeId: st.ID, Role: st.State, Writable: st.Leading, Term: st.Term,
		CommitIndex: st.CommitIndex, AppliedIndex: st.Applied, LeaderId: st.LeaderID,
	}
	if st.LastContact > 0 {
		self.LastContact = durationpb.New(st.LastContact)
	}
	self.LastSeq, _ = s.m.Store().LastSeq()
	self.IndexSeq = s.indexApplied()
	return &techmarketv1.GetClusterStatusResponse{Nodes: nodes, Self: self}, nil
}

func (s *clusterServer) members() ([]*techmarketv1.ClusterNode, error) {
	members, err := s.node.Members()
	if err != nil {
		return nil, err
	}
	out := make([]*techmarketv1.ClusterNode, 0, len(members))
	for _, m := range members {
		out = append(out, &techmarketv1.ClusterNode{
			Name: "cluster/nodes/" + m.ID, RaftAddr: m.RaftAddr, GrpcAddr: m.GRPCAddr, Voter: m.Voter, Leader: m.Leader,
		})
	}
	return out, nil
}

// clusterErr turns a membership change's failure into a status.
func clusterErr(err error, node *cluster.Node) error {
	if errors.Is(err, store.ErrNotLeader) {
		return notLeaderStatus(err.Error(), node)
	}
	return status.Error(codes.FailedPrecondition, err.Error())
}

func hostPort(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	return err == nil && perr == nil && host != "" && n > 0 && n < 1<<16
}
