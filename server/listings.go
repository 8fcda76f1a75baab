package server

import (
	"context"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// offerServer serves OfferService over market.Offers.
type offerServer struct {
	techmarketv1.UnimplementedOfferServiceServer
	l *market.Listings[*techmarketv1.Offer]
}

var _ techmarketv1.OfferServiceServer = (*offerServer)(nil)

func (s *offerServer) CreateOffer(ctx context.Context, req *techmarketv1.CreateOfferRequest) (*techmarketv1.CreateOfferResponse, error) {
	v, err := s.l.Create(ctx, auth.FromContext(ctx), req.GetOffer(), req.GetPublish(), req.GetValidateOnly())
	return respond(&techmarketv1.CreateOfferResponse{Offer: v}, err)
}

func (s *offerServer) GetOffer(ctx context.Context, req *techmarketv1.GetOfferRequest) (*techmarketv1.GetOfferResponse, error) {
	v, err := s.l.Get(ctx, auth.FromContext(ctx), req.GetName())
	return respond(&techmarketv1.GetOfferResponse{Offer: v}, err)
}

func (s *offerServer) ListOffers(ctx context.Context, req *techmarketv1.ListOffersRequest) (*techmarketv1.ListOffersResponse, error) {
	page, next, err := s.l.List(ctx, auth.FromContext(ctx), market.Query{
		PageSize: req.GetPageSize(), PageToken: req.GetPageToken(), State: req.GetState(),
		Industry: req.GetIndustry(), Region: req.GetRegion(), Poster: req.GetPoster(),
	})
	return respond(&techmarketv1.ListOffersResponse{Offers: page, NextPageToken: next}, err)
}

func (s *offerServer) UpdateOffer(ctx context.Context, req *techmarketv1.UpdateOfferRequest) (*techmarketv1.UpdateOfferResponse, error) {
	v, err := s.l.Update(ctx, auth.FromContext(ctx), req.GetOffer(), req.GetUpdateMask().GetPaths())
	return respond(&techmarketv1.UpdateOfferResponse{Offer: v}, err)
}

func (s *offerServer) DeleteOffer(ctx context.Context, req *techmarketv1.DeleteOfferRequest) (*techmarketv1.DeleteOfferResponse, error) {
	err := s.l.Delete(ctx, auth.FromContext(ctx), req.GetName(), req.GetEtag())
	return respond(&techmarketv1.DeleteOfferResponse{}, err)
}

func (s *offerServer) PublishOffer(ctx context.Context, req *techmarketv1.PublishOfferRequest) (*techmarketv1.PublishOfferResponse, error) {
	v, err := s.l.Publish(ctx, auth.FromContext(ctx), req.GetName(), req.GetEtag())
	return respond(&techmarketv1.PublishOfferResponse{Offer: v}, err)
}

func (s *offerServer) WithdrawOffer(ctx context.Context, req *techmarketv1.WithdrawOfferRequest) (*techmarketv1.WithdrawOfferResponse, error) {
	v, err := s.l.Withdraw(ctx, auth.FromContext(ctx), req.GetName(), req.GetEtag())
	return respond(&techmarketv1.WithdrawOfferResponse{Offer: v}, err)
}

// demandServer serves DemandService over market.Demands. It mirrors
// offerServer: the generated interfaces differ only in their types.
type demandServer struct {
	techmarketv1.UnimplementedDemandServiceServer
	l *market.Listings[*techmarketv1.Demand]
}

var _ techmarketv1.DemandServiceServer = (*demandServer)(nil)

func (s *demandServer) CreateDemand(ctx context.Context, req *techmarketv1.CreateDemandRequest) (*techmarketv1.CreateDemandResponse, error) {
	v, err := s.l.Create(ctx, auth.FromContext(ctx), req.GetDemand(), req.GetPublish(), req.GetValidateOnly())
	return respond(&techmarketv1.CreateDemandResponse{Demand: v}, err)
}

func (s *demandServer) GetDemand(ctx context.Context, req *techmarketv1.GetDemandRequest) (*techmarketv1.GetDemandResponse, error) {
	v, err := s.l.Get(ctx, auth.FromContext(ctx), req.GetName())
	return respond(&techmarketv1.GetDemandResponse{Demand: v}, err)
}

func (s *demandServer) ListDemands(ctx context.Context, req *techmarketv1.ListDemandsRequest) (*techmarketv1.ListDemandsResponse, error) {
	page, next, err := s.l.List(ctx, auth.FromContext(ctx), market.Query{
		PageSize: req.GetPageSize(), PageToken: req.GetPageToken(), State: req.GetState(),
		Industry: req.GetIndustry(), Region: req.GetRegion(), Poster: req.GetPoster(),
	})
	return respond(&techmarketv1.ListDemandsResponse{Demands: page, NextPageToken: next}, err)
}

func (s *demandServer) UpdateDemand(ctx context.Context, req *techmarketv1.UpdateDemandRequest) (*techmarketv1.UpdateDemandResponse, error) {
	v, err := s.l.Update(ctx, auth.FromContext(ctx), req.GetDemand(), req.GetUpdateMask().GetPaths())
	return respond(&techmarketv1.UpdateDemandResponse{Demand: v}, err)
}

func (s *demandServer) DeleteDemand(ctx context.Context, req *techmarketv1.DeleteDemandRequest) (*techmarketv1.DeleteDemandResponse, error) {
	err := s.l.Delete(ctx, auth.FromContext(ctx), req.GetName(), req.GetEtag())
	return respond(&techmarketv1.DeleteDemandResponse{}, err)
}

func (s *demandServer) PublishDemand(ctx context.Context, req *techmarketv1.PublishDemandRequest) (*techmarketv1.PublishDemandResponse, error) {
	v, err := s.l.Publish(ctx, auth.FromContext(ctx), req.GetName(), req.GetEtag())
	return respond(&techmarketv1.PublishDemandResponse{Demand: v}, err)
}

func (s *demandServer) WithdrawDemand(ctx context.Context, req *techmarketv1.WithdrawDemandRequest) (*techmarketv1.WithdrawDemandResponse, error) {
	v, err := s.l.Withdraw(ctx, auth.FromContext(ctx), req.GetName(), req.GetEtag())
	return respond(&techmarketv1.WithdrawDemandResponse{Demand: v}, err)
}
