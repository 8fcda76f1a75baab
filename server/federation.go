package server

import (
	"context"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/federation"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// federationServer serves FederationService.
type federationServer struct {
	techmarketv1.UnimplementedFederationServiceServer
	m *market.Market
}

var _ techmarketv1.FederationServiceServer = (*federationServer)(nil)

func (s *federationServer) PullListings(ctx context.Context, req *techmarketv1.PullListingsRequest) (*techmarketv1.PullListingsResponse, error) {
	page, err := s.m.PullFeed(ctx, auth.FromContext(ctx), req.GetCursor(), req.GetPageSize())
	return respond(&techmarketv1.PullListingsResponse{
		Events: page.Events, NextCursor: federation.Cursor(page.Next), CaughtUp: page.CaughtUp,
	}, err)
}

func (s *federationServer) DeliverIntroduction(ctx context.Context, req *techmarketv1.DeliverIntroductionRequest) (*techmarketv1.DeliverIntroductionResponse, error) {
	name, err := s.m.DeliverIntroduction(ctx, auth.FromContext(ctx), req.GetPeerName(), req.GetListing(), req.GetRequester(), req.GetMessage())
	return respond(&techmarketv1.DeliverIntroductionResponse{Name: name}, err)
}

func (s *federationServer) GetIntroductionAnswers(ctx context.Context, req *techmarketv1.GetIntroductionAnswersRequest) (*techmarketv1.GetIntroductionAnswersResponse, error) {
	list, err := s.m.IntroductionAnswers(ctx, auth.FromContext(ctx), req.GetNames())
	return respond(&techmarketv1.GetIntroductionAnswersResponse{Introductions: list}, err)
}

// peerMethods are the only calls a peer token may make: another market
// reads the feed, carries introductions both ways, and may ask whom its
// token speaks for. Everything else
// a peer might read, anonymous callers included, stays closed to it: a
// link shares what the operator scoped, nothing more.
var peerMethods = map[string]bool{
	techmarketv1.FederationService_PullListings_FullMethodName:           true,
	techmarketv1.FederationService_DeliverIntroduction_FullMethodName:    true,
	techmarketv1.FederationService_GetIntroductionAnswers_FullMethodName: true,
	techmarketv1.TokenService_GetCaller_FullMethodName:                   true,
	"/grpc.health.v1.Health/Check":                                       true,
}
