package server

import (
	"context"
	"errors"
	"io"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// importServer serves ImportService.
type importServer struct {
	techmarketv1.UnimplementedImportServiceServer
	m *market.Market
}

var _ techmarketv1.ImportServiceServer = (*importServer)(nil)

// importPipeline is how many durable batches may wait for the index
// before the next one is committed.
const importPipeline = 2

// durable is a committed batch waiting to be acknowledged.
type durable struct {
	results []*techmarketv1.ImportResult
	seq     uint64
}

// ImportListings answers each batch, in order, once it is durable and
// searchable, so the client's progress counts lines that are really
// stored and found. Batches are pipelined: the next batch is parsed and
// committed while the index takes in the last, which keeps both cores
// busy (the index builds a batch's segment in one goroutine).
func (s *importServer) ImportListings(stream techmarketv1.ImportService_ImportListingsServer) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	p := auth.FromContext(ctx)

	pending := make(chan durable, importPipeline)
	sent := make(chan error, 1)
	go func() {
		for d := range pending {
			s.m.Searchable(ctx, d.seq)
			if err := stream.Send(&techmarketv1.ImportListingsResponse{Results: d.results}); err != nil {
				cancel() // the receiver stops committing
				for range pending {
				}
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	err := s.receive(ctx, stream, p, pending)
	close(pending)
	if sendErr := <-sent; sendErr != nil {
		return sendErr // the stream broke; receive saw only the cancel
	}
	return err
}

// receive commits batches as they come and hands them to the sender.
func (s *importServer) receive(ctx context.Context, stream techmarketv1.ImportService_ImportListingsServer, p auth.Principal, pending chan<- durable) error {
	first, draft := true, false
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if first {
			draft, first = req.GetDraft(), false
		}
		results, seq, err := s.m.ImportDurable(ctx, p, draft, req.GetLines())
		if err != nil {
			return err
		}
		select {
		case pending <- durable{results, seq}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
