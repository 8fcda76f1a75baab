package server

import (
	"context"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// introductionServer serves IntroductionService.
type introductionServer struct {
	techmarketv1.UnimplementedIntroductionServiceServer
	m      *market.Market
	wakeup Waker
}

var _ techmarketv1.IntroductionServiceServer = (*introductionServer)(nil)

func (s *introductionServer) RequestIntroduction(ctx context.Context, req *techmarketv1.RequestIntroductionRequest) (*techmarketv1.RequestIntroductionResponse, error) {
	in, err := s.m.RequestIntroduction(ctx, auth.FromContext(ctx), req.GetListing(), req.GetMessage())
	if err != nil {
		return nil, err
	}
	if s.wakeup != nil {
		s.wakeup.Wake() // the follower carries it at once
	}
	return &techmarketv1.RequestIntroductionResponse{Introduction: in}, nil
}

func (s *introductionServer) ListIntroductions(ctx context.Context, _ *techmarketv1.ListIntroductionsRequest) (*techmarketv1.ListIntroductionsResponse, error) {
	list, err := s.m.ListIntroductions(ctx, auth.FromContext(ctx))
	return respond(&techmarketv1.ListIntroductionsResponse{Introductions: list}, err)
}

func (s *introductionServer) AnswerIntroduction(ctx context.Context, req *techmarketv1.AnswerIntroductionRequest) (*techmarketv1.AnswerIntroductionResponse, error) {
	in, err := s.m.AnswerIntroduction(ctx, auth.FromContext(ctx), req.GetName(), req.GetAccept(), req.GetAnswer())
	return respond(&techmarketv1.AnswerIntroductionResponse{Introduction: in}, err)
}
