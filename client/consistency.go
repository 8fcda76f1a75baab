package client

import (
	"context"
	"strconv"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// The metadata of a replicated market (docs/cluster.md), as the server
// package names them.
const (
	seqKey         = "x-techmarket-seq"
	consistencyKey = "x-techmarket-consistency"
)

// Linearizable returns a context whose calls read through the cluster's
// leader, which confirms its leadership first: such a read sees every
// write acknowledged before it began, on any node. Without it a client
// reads its own writes, and what it read before, but may miss another
// client's latest write for a moment. A server running alone ignores it.
func Linearizable(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, consistencyKey, "linearizable")
}

// seen is the newest change this client has been told of. Every call
// carries it, and a node of a cluster answers only once it holds that
// change: the client reads its writes on any node, and never reads older
// state than it read before. Servers running alone send none.
type seen struct{ seq atomic.Uint64 }

func (s *seen) observe(trailer metadata.MD) {
	for _, v := range trailer.Get(seqKey) {
		n, err := strconv.ParseUint(v, 10, 64)
		for err == nil {
			old := s.seq.Load()
			if n <= old || s.seq.CompareAndSwap(old, n) {
				break
			}
		}
	}
}

func (s *seen) outgoing(ctx context.Context) context.Context {
	if n := s.seq.Load(); n > 0 {
		return metadata.AppendToOutgoingContext(ctx, seqKey, strconv.FormatUint(n, 10))
	}
	return ctx
}

func (s *seen) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	var trailer metadata.MD
	err := invoker(s.outgoing(ctx), method, req, reply, cc, append(opts, grpc.Trailer(&trailer))...)
	s.observe(trailer)
	return err
}

func (s *seen) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return streamer(s.outgoing(ctx), desc, cc, method, opts...)
}
