package server

import (
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

// ImportListings answers each batch once it is durable, so the client's
// progress counts lines that are really stored.
func (s *importServer) ImportListings(stream techmarketv1.ImportService_ImportListingsServer) error {
	ctx := stream.Context()
	p := auth.FromContext(ctx)
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
		results, err := s.m.Import(ctx, p, draft, req.GetLines())
		if err != nil {
			return err
		}
		if err := stream.Send(&techmarketv1.ImportListingsResponse{Results: results}); err != nil {
			return err
		}
	}
}
