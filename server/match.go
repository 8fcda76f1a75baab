package server

import (
	"context"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/listing"
	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// matchServer serves MatchService.
type matchServer struct {
	techmarketv1.UnimplementedMatchServiceServer
	m  *market.Market
	mt *match.Matcher
}

var _ techmarketv1.MatchServiceServer = (*matchServer)(nil)

func (s *matchServer) MatchOffers(ctx context.Context, req *techmarketv1.MatchOffersRequest) (*techmarketv1.MatchOffersResponse, error) {
	src, err := source(ctx, s.m.Demands, "demand", req.GetDemand(), req.GetDraft())
	if err != nil {
		return nil, err
	}
	matches, err := s.match(ctx, src, req.GetLimit(), req.GetFilters())
	return respond(&techmarketv1.MatchOffersResponse{Matches: matches}, err)
}

func (s *matchServer) MatchDemands(ctx context.Context, req *techmarketv1.MatchDemandsRequest) (*techmarketv1.MatchDemandsResponse, error) {
	src, err := source(ctx, s.m.Offers, "offer", req.GetOffer(), req.GetDraft())
	if err != nil {
		return nil, err
	}
	matches, err := s.match(ctx, src, req.GetLimit(), req.GetFilters())
	return respond(&techmarketv1.MatchDemandsResponse{Matches: matches}, err)
}

// source resolves what to match: a stored listing the caller may read,
// or an inline draft held to the same rules as a create.
func source[T listing.Listing](ctx context.Context, l *market.Listings[T], field, name string, draft T) (T, error) {
	hasDraft := draft.ProtoReflect().IsValid()
	switch {
	case name != "" && hasDraft:
		var zero T
		return zero, market.Invalid(field, "give either %s or draft, not both", field)
	case hasDraft:
		return draft, l.Check("draft", draft)
	case name == "":
		var zero T
		return zero, market.Invalid(field, "required: the name of a stored %s, or a draft", field)
	}
	return l.Get(ctx, auth.FromContext(ctx), name)
}

func (s *matchServer) match(ctx context.Context, src listing.Listing, limit int32, f *techmarketv1.MatchFilters) ([]*techmarketv1.Match, error) {
	n, err := market.Limit("limit", limit, match.DefaultLimit, match.MaxLimit)
	if err != nil {
		return nil, err
	}
	results, err := s.mt.Match(ctx, src, n, match.Filters{
		Regions:             f.GetRegions(),
		StrictReadiness:     f.GetStrictReadiness(),
		StrictTransferModes: f.GetStrictTransferModes(),
		StrictPrice:         f.GetStrictPrice(),
	})
	if err != nil {
		return nil, err
	}
	out := make([]*techmarketv1.Match, len(results))
	for i, r := range results {
		m := &techmarketv1.Match{
			Name: r.Listing.GetName(), ExternalId: r.Listing.GetExternalId(), Title: r.Listing.GetTitle(),
			Poster: r.Listing.GetPoster(), Score: r.Score, MatchedTerms: r.Terms, Snippet: r.Snippet,
		}
		for _, p := range r.Parts {
			m.Parts = append(m.Parts, &techmarketv1.ScorePart{Feature: p.Feature, Contribution: p.Contribution, Value: p.Value, Reason: p.Reason})
		}
		out[i] = m
	}
	return out, nil
}
