package server

import (
	"context"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// dealServer serves DealService over the market's deals.
type dealServer struct {
	techmarketv1.UnimplementedDealServiceServer
	m *market.Market
}

var _ techmarketv1.DealServiceServer = (*dealServer)(nil)

func (s *dealServer) CreateDeal(ctx context.Context, req *techmarketv1.CreateDealRequest) (*techmarketv1.CreateDealResponse, error) {
	d, err := s.m.CreateDeal(ctx, auth.FromContext(ctx), req)
	return respond(&techmarketv1.CreateDealResponse{Deal: d}, err)
}

func (s *dealServer) GetDeal(ctx context.Context, req *techmarketv1.GetDealRequest) (*techmarketv1.GetDealResponse, error) {
	d, err := s.m.GetDeal(ctx, auth.FromContext(ctx), req.GetName())
	return respond(&techmarketv1.GetDealResponse{Deal: d}, err)
}

func (s *dealServer) ListDeals(ctx context.Context, req *techmarketv1.ListDealsRequest) (*techmarketv1.ListDealsResponse, error) {
	page, next, err := s.m.ListDeals(ctx, auth.FromContext(ctx), market.DealQuery{
		PageSize: req.GetPageSize(), PageToken: req.GetPageToken(), Stage: req.GetStage(), Listing: req.GetListing(),
	})
	return respond(&techmarketv1.ListDealsResponse{Deals: page, NextPageToken: next}, err)
}

func (s *dealServer) MoveDeal(ctx context.Context, req *techmarketv1.MoveDealRequest) (*techmarketv1.MoveDealResponse, error) {
	d, err := s.m.MoveDeal(ctx, auth.FromContext(ctx), req)
	return respond(&techmarketv1.MoveDealResponse{Deal: d}, err)
}
