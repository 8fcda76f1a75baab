package server

import (
	"context"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

type auditServer struct {
	techmarketv1.UnimplementedAuditServiceServer
	m *market.Market
}

func (s *auditServer) ListAuditEntries(ctx context.Context, req *techmarketv1.ListAuditEntriesRequest) (*techmarketv1.ListAuditEntriesResponse, error) {
	entries, next, err := s.m.ListAudit(ctx, auth.FromContext(ctx), market.AuditQuery{
		PageSize: req.GetPageSize(), PageToken: req.GetPageToken(), ActionPrefix: req.GetActionPrefix(), Actor: req.GetActor(),
	})
	return respond(&techmarketv1.ListAuditEntriesResponse{Entries: entries, NextPageToken: next}, err)
}
