package server

import (
	"context"
	"strings"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/quality"
)

type reviewServer struct {
	techmarketv1.UnimplementedReviewServiceServer
	m *market.Market
}

func (s *reviewServer) ReviewListing(ctx context.Context, req *techmarketv1.ReviewListingRequest) (*techmarketv1.ReviewListingResponse, error) {
	p := auth.FromContext(ctx)
	resp := new(techmarketv1.ReviewListingResponse)
	var err error
	switch name := req.GetName(); {
	case strings.HasPrefix(name, "offers/"):
		resp.Offer, err = s.m.Offers.Review(ctx, p, name, req.GetEtag(), req.GetDecision(), req.GetReasons())
	case strings.HasPrefix(name, "demands/"):
		resp.Demand, err = s.m.Demands.Review(ctx, p, name, req.GetEtag(), req.GetDecision(), req.GetReasons())
	default:
		err = market.Invalid("name", "want offers/{offer} or demands/{demand}, got %q", name)
	}
	return respond(resp, err)
}

func (s *reviewServer) GetQualityReport(ctx context.Context, req *techmarketv1.GetQualityReportRequest) (*techmarketv1.GetQualityReportResponse, error) {
	p := auth.FromContext(ctx)
	var (
		r   quality.Report
		err error
	)
	switch name := req.GetName(); {
	case strings.HasPrefix(name, "offers/"):
		r, err = s.m.Offers.Quality(ctx, p, name)
	case strings.HasPrefix(name, "demands/"):
		r, err = s.m.Demands.Quality(ctx, p, name)
	default:
		err = market.Invalid("name", "want offers/{offer} or demands/{demand}, got %q", name)
	}
	if err != nil {
		return nil, err
	}
	return &techmarketv1.GetQualityReportResponse{Report: QualityReport(r)}, nil
}

// QualityReport is a quality report as the API shows it.
func QualityReport(r quality.Report) *techmarketv1.QualityReport {
	out := &techmarketv1.QualityReport{Score: r.Score}
	for _, i := range r.Issues {
		out.Issues = append(out.Issues, &techmarketv1.QualityIssue{
			Code: i.Code, Field: i.Field, Severity: i.Severity.String(), Message: i.Message, Suggestion: i.Suggestion,
		})
	}
	return out
}
