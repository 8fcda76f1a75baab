package server

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/listing"
	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/stats"
	"github.com/wuhai-techmarket/techmarket/store"
)

// matchServer serves MatchService.
type matchServer struct {
	techmarketv1.UnimplementedMatchServiceServer
	m     *market.Market
	mt    *match.Matcher
	stats *stats.Stats // counts matches served; may be nil
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
	if err := market.CheckOrigin("filters.origin", f.GetOrigin()); err != nil {
		return nil, err
	}
	results, err := s.mt.Match(ctx, src, n, match.Filters{
		Regions:             f.GetRegions(),
		StrictReadiness:     f.GetStrictReadiness(),
		StrictTransferModes: f.GetStrictTransferModes(),
		StrictPrice:         f.GetStrictPrice(),
		Origin:              f.GetOrigin(),
	})
	if err != nil {
		return nil, err
	}
	s.stats.MatchServed()
	out := make([]*techmarketv1.Match, len(results))
	for i, r := range results {
		out[i] = r.Proto()
	}
	return out, nil
}

// maxQueryChars bounds a search box; longer text is refused before any
// analysis is done.
const maxQueryChars = 500

func (s *matchServer) SearchOffers(ctx context.Context, req *techmarketv1.SearchOffersRequest) (*techmarketv1.SearchOffersResponse, error) {
	hits, total, facets, next, err := s.search(ctx, store.KindOffer, req.GetQuery(), req.GetFilters(), req.GetPageSize(), req.GetPageToken())
	return respond(&techmarketv1.SearchOffersResponse{Hits: hits, TotalSize: total, Facets: facets, NextPageToken: next}, err)
}

func (s *matchServer) SearchDemands(ctx context.Context, req *techmarketv1.SearchDemandsRequest) (*techmarketv1.SearchDemandsResponse, error) {
	hits, total, facets, next, err := s.search(ctx, store.KindDemand, req.GetQuery(), req.GetFilters(), req.GetPageSize(), req.GetPageToken())
	return respond(&techmarketv1.SearchDemandsResponse{Hits: hits, TotalSize: total, Facets: facets, NextPageToken: next}, err)
}

// search validates a search request, runs it and packs the page.
func (s *matchServer) search(ctx context.Context, kind store.Kind, text string, f *techmarketv1.SearchFilters, size int32, token string) ([]*techmarketv1.SearchHit, int64, []*techmarketv1.Facet, string, error) {
	n, err := market.Limit("page_size", size, match.DefaultPageSize, match.MaxPageSize)
	if err != nil {
		return nil, 0, nil, "", err
	}
	if err := checkSearch(text, f); err != nil {
		return nil, 0, nil, "", err
	}
	// The token is bound to everything that shapes the result order.
	filters, _ := proto.MarshalOptions{Deterministic: true}.Marshal(f)
	digest := fmt.Sprintf("search\x00%d\x00%q\x00%x", kind, text, filters)
	var after []string
	if token != "" {
		pos, err := s.m.PageTokens().Decode(digest, token)
		if err != nil {
			return nil, 0, nil, "", market.Invalid("page_token", "%v", err)
		}
		after = strings.Split(pos, "\x00")
	}
	res, err := s.mt.Search(ctx, match.Search{
		Kind: kind, Text: text, Industries: f.GetIndustries(), Regions: f.GetRegions(),
		MinTRL: f.GetMinTrl(), MaxTRL: f.GetMaxTrl(), MinYuan: f.GetMinYuan(), MaxYuan: f.GetMaxYuan(),
		Modes: f.GetTransferModes(), Origin: f.GetOrigin(), Size: n, After: after,
	})
	if err != nil {
		return nil, 0, nil, "", err
	}
	hits := make([]*techmarketv1.SearchHit, len(res.Hits))
	for i, h := range res.Hits {
		hits[i] = &techmarketv1.SearchHit{Name: h.Listing.GetName(), ExternalId: h.Listing.GetExternalId(), Title: h.Listing.GetTitle(), Score: h.Score, Snippet: h.Snippet, HomeMarket: h.Listing.GetLinkedFrom().GetMarket()}
	}
	var facets []*techmarketv1.Facet
	for _, name := range []string{"industry", "region", "trl_band"} {
		facet := &techmarketv1.Facet{Field: name}
		for _, c := range res.Facets[name] {
			facet.Counts = append(facet.Counts, &techmarketv1.FacetCount{Value: c.Value, Count: c.Count})
		}
		facets = append(facets, facet)
	}
	next := ""
	if res.More && len(res.Hits) > 0 {
		next = s.m.PageTokens().Encode(digest, strings.Join(res.Hits[len(res.Hits)-1].After, "\x00"))
	}
	return hits, int64(res.Total), facets, next, nil
}

// checkSearch refuses malformed search input before any work is done.
func checkSearch(text string, f *techmarketv1.SearchFilters) error {
	var vs []listing.Violation
	bad := func(field, format string, args ...any) {
		vs = append(vs, listing.Violation{Field: field, Description: fmt.Sprintf(format, args...)})
	}
	switch {
	case !utf8.ValidString(text):
		bad("query", "is not valid UTF-8")
	case utf8.RuneCountInString(text) > maxQueryChars:
		bad("query", "must be at most %d characters", maxQueryChars)
	case strings.ContainsFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' }):
		bad("query", "must not contain control characters")
	}
	if len(f.GetIndustries()) > listing.MaxIndustries*4 {
		bad("filters.industries", "at most %d codes", listing.MaxIndustries*4)
	}
	for i, code := range f.GetIndustries() {
		if _, ok := listing.LookupIndustry(code); !ok {
			bad(fmt.Sprintf("filters.industries[%d]", i), "unknown industry code")
		}
	}
	for i, r := range f.GetRegions() {
		if _, ok := techmarketv1.Region_name[int32(r)]; !ok || r == 0 {
			bad(fmt.Sprintf("filters.regions[%d]", i), "unknown region")
		}
	}
	for i, m := range f.GetTransferModes() {
		if _, ok := techmarketv1.TransferMode_name[int32(m)]; !ok || m == 0 {
			bad(fmt.Sprintf("filters.transfer_modes[%d]", i), "unknown transfer mode")
		}
	}
	for _, t := range []struct {
		field string
		v     int32
	}{{"filters.min_trl", f.GetMinTrl()}, {"filters.max_trl", f.GetMaxTrl()}} {
		if t.v < 0 || t.v > 9 {
			bad(t.field, "must be from 1 to 9, or 0 for no limit")
		}
	}
	if f.GetMaxTrl() > 0 && f.GetMinTrl() > f.GetMaxTrl() {
		bad("filters.max_trl", "is below min_trl")
	}
	if f.GetMinYuan() < 0 || f.GetMaxYuan() < 0 {
		bad("filters.min_yuan", "amounts must not be negative")
	}
	if f.GetMaxYuan() > 0 && f.GetMinYuan() > f.GetMaxYuan() {
		bad("filters.max_yuan", "is below min_yuan")
	}
	if err := market.CheckOrigin("filters.origin", f.GetOrigin()); err != nil {
		bad("filters.origin", "must be local, the name of a link, or empty for every listing")
	}
	if len(vs) > 0 {
		return &market.InvalidError{Violations: vs}
	}
	return nil
}
