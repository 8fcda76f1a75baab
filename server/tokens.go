package server

import (
	"context"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// tokenServer serves TokenService.
type tokenServer struct {
	techmarketv1.UnimplementedTokenServiceServer
	m *market.Market
}

var _ techmarketv1.TokenServiceServer = (*tokenServer)(nil)

func (s *tokenServer) CreateToken(ctx context.Context, req *techmarketv1.CreateTokenRequest) (*techmarketv1.CreateTokenResponse, error) {
	t, secret, err := s.m.CreateToken(ctx, auth.FromContext(ctx), req.GetOrganization(), req.GetRole(), req.GetDescription(), req.GetPeerScope())
	return respond(&techmarketv1.CreateTokenResponse{Token: t, Secret: secret}, err)
}

func (s *tokenServer) ListTokens(ctx context.Context, req *techmarketv1.ListTokensRequest) (*techmarketv1.ListTokensResponse, error) {
	page, next, err := s.m.ListTokens(ctx, auth.FromContext(ctx), req.GetPageSize(), req.GetPageToken())
	return respond(&techmarketv1.ListTokensResponse{Tokens: page, NextPageToken: next}, err)
}

func (s *tokenServer) RevokeToken(ctx context.Context, req *techmarketv1.RevokeTokenRequest) (*techmarketv1.RevokeTokenResponse, error) {
	t, err := s.m.RevokeToken(ctx, auth.FromContext(ctx), req.GetName())
	return respond(&techmarketv1.RevokeTokenResponse{Token: t}, err)
}

func (s *tokenServer) GetCaller(ctx context.Context, _ *techmarketv1.GetCallerRequest) (*techmarketv1.GetCallerResponse, error) {
	p := auth.FromContext(ctx)
	resp := &techmarketv1.GetCallerResponse{Organization: p.Org, Role: p.Role}
	if p.TokenID != "" {
		resp.Token = "tokens/" + p.TokenID
	}
	return resp, nil
}
