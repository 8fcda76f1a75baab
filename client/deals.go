package client

import (
	"context"
	"iter"

	"google.golang.org/protobuf/proto"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// DealName turns "ID" into "deals/ID"; see OfferName.
func DealName(name string) string { return fullName("deals/", name) }

// CreateDeal opens a deal between an offer and a demand ("offers/ID" or
// "ID", "demands/ID" or "ID") at the contacted stage, with note in its
// history.
func (c *Client) CreateDeal(ctx context.Context, offer, demand, note string) (*techmarketv1.Deal, error) {
	resp, err := c.Deals.CreateDeal(ctx, &techmarketv1.CreateDealRequest{Offer: OfferName(offer), Demand: DemandName(demand), Note: note})
	return resp.GetDeal(), err
}

// GetDeal returns the deal called name ("deals/ID" or "ID").
func (c *Client) GetDeal(ctx context.Context, name string) (*techmarketv1.Deal, error) {
	resp, err := c.Deals.GetDeal(ctx, &techmarketv1.GetDealRequest{Name: DealName(name)})
	return resp.GetDeal(), err
}

// MoveDeal moves the deal req.Name to req.Stage. When req.Etag is set the
// move is made only if nobody changed the deal meanwhile, else the call
// fails with Aborted. req is not changed.
func (c *Client) MoveDeal(ctx context.Context, req *techmarketv1.MoveDealRequest) (*techmarketv1.Deal, error) {
	req = named(req, DealName, func(r *techmarketv1.MoveDealRequest, n string) { r.Name = n })
	resp, err := c.Deals.MoveDeal(ctx, req)
	return resp.GetDeal(), err
}

// ListDeals yields every deal that req selects and the caller may see,
// newest first; see ListOffers.
func (c *Client) ListDeals(ctx context.Context, req *techmarketv1.ListDealsRequest) iter.Seq2[*techmarketv1.Deal, error] {
	if req == nil {
		req = &techmarketv1.ListDealsRequest{}
	}
	return pages(ctx, req.GetPageToken(), func(ctx context.Context, token string) ([]*techmarketv1.Deal, string, error) {
		page := proto.CloneOf(req)
		page.PageToken = token
		resp, err := c.Deals.ListDeals(ctx, page)
		return resp.GetDeals(), resp.GetNextPageToken(), err
	})
}
