package server

import (
	"context"
	"time"

	"github.com/wuhai-techmarket/techmarket/auth"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/stats"
)

type statsServer struct {
	techmarketv1.UnimplementedStatsServiceServer
	s *stats.Stats
}

func (s *statsServer) GetMarketStats(ctx context.Context, req *techmarketv1.GetMarketStatsRequest) (*techmarketv1.GetMarketStatsResponse, error) {
	var from, to time.Time
	if req.GetStartTime() != nil {
		from = req.GetStartTime().AsTime()
	}
	if req.GetEndTime() != nil {
		to = req.GetEndTime().AsTime()
	}
	return s.s.Market(ctx, auth.FromContext(ctx), from, to)
}
