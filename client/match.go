package client

import (
	"context"
	"iter"

	"google.golang.org/protobuf/proto"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// MatchOffers returns the offers that best fit a demand, best first: the
// stored demand req.Demand names ("demands/ID" or "ID"), or the unsaved
// req.Draft, which the service checks like a create and stores nowhere.
// req is not changed.
func (c *Client) MatchOffers(ctx context.Context, req *techmarketv1.MatchOffersRequest) ([]*techmarketv1.Match, error) {
	if req == nil {
		req = &techmarketv1.MatchOffersRequest{}
	}
	if full := DemandName(req.GetDemand()); full != req.GetDemand() {
		req = proto.CloneOf(req)
		req.Demand = full
	}
	resp, err := c.Match.MatchOffers(ctx, req)
	return resp.GetMatches(), err
}

// MatchDemands returns the demands that an offer (req.Offer, "offers/ID" or
// "ID", or the unsaved req.Draft) can best serve; see MatchOffers.
func (c *Client) MatchDemands(ctx context.Context, req *techmarketv1.MatchDemandsRequest) ([]*techmarketv1.Match, error) {
	if req == nil {
		req = &techmarketv1.MatchDemandsRequest{}
	}
	if full := OfferName(req.GetOffer()); full != req.GetOffer() {
		req = proto.CloneOf(req)
		req.Offer = full
	}
	resp, err := c.Match.MatchDemands(ctx, req)
	return resp.GetMatches(), err
}

// SearchOffers yields the pages of an offer search, one response per page,
// starting at req.PageToken. Pages rather than hits, since every page also
// carries the total and the facets of the whole search. req.PageSize sets
// the size of each page; a page is asked for only when the loop gets to
// it. req is not changed. After an error the sequence ends.
func (c *Client) SearchOffers(ctx context.Context, req *techmarketv1.SearchOffersRequest) iter.Seq2[*techmarketv1.SearchOffersResponse, error] {
	if req == nil {
		req = &techmarketv1.SearchOffersRequest{}
	}
	return pages(ctx, req.GetPageToken(), func(ctx context.Context, token string) ([]*techmarketv1.SearchOffersResponse, string, error) {
		page := proto.CloneOf(req)
		page.PageToken = token
		resp, err := c.Match.SearchOffers(ctx, page)
		return []*techmarketv1.SearchOffersResponse{resp}, resp.GetNextPageToken(), err
	})
}

// SearchDemands yields the pages of a demand search; see SearchOffers.
func (c *Client) SearchDemands(ctx context.Context, req *techmarketv1.SearchDemandsRequest) iter.Seq2[*techmarketv1.SearchDemandsResponse, error] {
	if req == nil {
		req = &techmarketv1.SearchDemandsRequest{}
	}
	return pages(ctx, req.GetPageToken(), func(ctx context.Context, token string) ([]*techmarketv1.SearchDemandsResponse, string, error) {
		page := proto.CloneOf(req)
		page.PageToken = token
		resp, err := c.Match.SearchDemands(ctx, page)
		return []*techmarketv1.SearchDemandsResponse{resp}, resp.GetNextPageToken(), err
	})
}
