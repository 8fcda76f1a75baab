package client

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// OfferName turns "ID" into "offers/ID" and leaves a name that already has a
// collection as it is, so that the server can say what is wrong with
// "demands/ID" where an offer was meant instead of a confusing not-found.
func OfferName(name string) string { return fullName("offers/", name) }

// DemandName turns "ID" into "demands/ID"; see OfferName.
func DemandName(name string) string { return fullName("demands/", name) }

// TokenName turns "ID" into "tokens/ID"; see OfferName.
func TokenName(name string) string { return fullName("tokens/", name) }

func fullName(collection, name string) string {
	if name == "" || strings.Contains(name, "/") {
		return name
	}
	return collection + name
}

// named returns m with its name in full, cloning m rather than changing the
// caller's message when the name has to be completed.
func named[M interface {
	proto.Message
	GetName() string
}](m M, full func(string) string, set func(M, string)) M {
	name := m.GetName()
	if full(name) == name {
		return m
	}
	m = proto.CloneOf(m)
	set(m, full(name))
	return m
}

// updateMask is nil for no paths, which the API reads as "every field the
// poster may set".
func updateMask(paths []string) *fieldmaskpb.FieldMask {
	if len(paths) == 0 {
		return nil
	}
	return &fieldmaskpb.FieldMask{Paths: paths}
}

// pages walks a paged List call: fetch gets one page for a page token and
// returns its items and the next token. A page is fetched only when the
// consumer has taken every item before it, so breaking out of the loop
// costs no further call.
func pages[T any](ctx context.Context, first string, fetch func(ctx context.Context, token string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		token := first
		for {
			items, next, err := fetch(ctx, token)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			// A server that hands back the token it was given would keep
			// the loop going forever; say so instead.
			if next == token {
				yield(zero, fmt.Errorf("client: the server answered page token %q with the same token; stopping", next))
				return
			}
			token = next
		}
	}
}

// CreateOffer stores o as a new offer, published at once when publish is
// set and a draft otherwise, and returns it as stored.
func (c *Client) CreateOffer(ctx context.Context, o *techmarketv1.Offer, publish bool) (*techmarketv1.Offer, error) {
	resp, err := c.Offers.CreateOffer(ctx, &techmarketv1.CreateOfferRequest{Offer: o, Publish: publish})
	return resp.GetOffer(), err
}

// GetOffer returns the offer called name ("offers/ID" or "ID").
func (c *Client) GetOffer(ctx context.Context, name string) (*techmarketv1.Offer, error) {
	resp, err := c.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: OfferName(name)})
	return resp.GetOffer(), err
}

// UpdateOffer changes the fields of o.Name named by paths (proto names such
// as "title" or "price.max_yuan"; none means every field the poster may
// set). When o.Etag is set the change is made only if nobody changed the
// offer meanwhile, else the call fails with Aborted.
func (c *Client) UpdateOffer(ctx context.Context, o *techmarketv1.Offer, paths ...string) (*techmarketv1.Offer, error) {
	o = named(o, OfferName, func(o *techmarketv1.Offer, n string) { o.Name = n })
	resp, err := c.Offers.UpdateOffer(ctx, &techmarketv1.UpdateOfferRequest{Offer: o, UpdateMask: updateMask(paths)})
	return resp.GetOffer(), err
}

// DeleteOffer removes an offer for good.
func (c *Client) DeleteOffer(ctx context.Context, name string) error {
	_, err := c.Offers.DeleteOffer(ctx, &techmarketv1.DeleteOfferRequest{Name: OfferName(name)})
	return err
}

// PublishOffer puts a draft, withdrawn or expired offer on the market.
func (c *Client) PublishOffer(ctx context.Context, name string) (*techmarketv1.Offer, error) {
	resp, err := c.Offers.PublishOffer(ctx, &techmarketv1.PublishOfferRequest{Name: OfferName(name)})
	return resp.GetOffer(), err
}

// WithdrawOffer takes a published offer off the market.
func (c *Client) WithdrawOffer(ctx context.Context, name string) (*techmarketv1.Offer, error) {
	resp, err := c.Offers.WithdrawOffer(ctx, &techmarketv1.WithdrawOfferRequest{Name: OfferName(name)})
	return resp.GetOffer(), err
}

// ListOffers yields every offer that req selects, page after page, starting
// at req.PageToken. req.PageSize sets the size of each page, not the total.
// req is not changed. After an error the sequence ends.
func (c *Client) ListOffers(ctx context.Context, req *techmarketv1.ListOffersRequest) iter.Seq2[*techmarketv1.Offer, error] {
	if req == nil {
		req = &techmarketv1.ListOffersRequest{}
	}
	return pages(ctx, req.GetPageToken(), func(ctx context.Context, token string) ([]*techmarketv1.Offer, string, error) {
		// A copy per page keeps the caller's request untouched and lets the
		// sequence be ranged over more than once, even concurrently.
		page := proto.CloneOf(req)
		page.PageToken = token
		resp, err := c.Offers.ListOffers(ctx, page)
		return resp.GetOffers(), resp.GetNextPageToken(), err
	})
}

// CreateDemand stores d as a new demand; see CreateOffer.
func (c *Client) CreateDemand(ctx context.Context, d *techmarketv1.Demand, publish bool) (*techmarketv1.Demand, error) {
	resp, err := c.Demands.CreateDemand(ctx, &techmarketv1.CreateDemandRequest{Demand: d, Publish: publish})
	return resp.GetDemand(), err
}

// GetDemand returns the demand called name ("demands/ID" or "ID").
func (c *Client) GetDemand(ctx context.Context, name string) (*techmarketv1.Demand, error) {
	resp, err := c.Demands.GetDemand(ctx, &techmarketv1.GetDemandRequest{Name: DemandName(name)})
	return resp.GetDemand(), err
}

// UpdateDemand changes the fields of d.Name named by paths; see UpdateOffer.
func (c *Client) UpdateDemand(ctx context.Context, d *techmarketv1.Demand, paths ...string) (*techmarketv1.Demand, error) {
	d = named(d, DemandName, func(d *techmarketv1.Demand, n string) { d.Name = n })
	resp, err := c.Demands.UpdateDemand(ctx, &techmarketv1.UpdateDemandRequest{Demand: d, UpdateMask: updateMask(paths)})
	return resp.GetDemand(), err
}

// DeleteDemand removes a demand for good.
func (c *Client) DeleteDemand(ctx context.Context, name string) error {
	_, err := c.Demands.DeleteDemand(ctx, &techmarketv1.DeleteDemandRequest{Name: DemandName(name)})
	return err
}

// PublishDemand puts a draft, withdrawn or expired demand on the market.
func (c *Client) PublishDemand(ctx context.Context, name string) (*techmarketv1.Demand, error) {
	resp, err := c.Demands.PublishDemand(ctx, &techmarketv1.PublishDemandRequest{Name: DemandName(name)})
	return resp.GetDemand(), err
}

// WithdrawDemand takes a published demand off the market.
func (c *Client) WithdrawDemand(ctx context.Context, name string) (*techmarketv1.Demand, error) {
	resp, err := c.Demands.WithdrawDemand(ctx, &techmarketv1.WithdrawDemandRequest{Name: DemandName(name)})
	return resp.GetDemand(), err
}

// ListDemands yields every demand that req selects; see ListOffers.
func (c *Client) ListDemands(ctx context.Context, req *techmarketv1.ListDemandsRequest) iter.Seq2[*techmarketv1.Demand, error] {
	if req == nil {
		req = &techmarketv1.ListDemandsRequest{}
	}
	return pages(ctx, req.GetPageToken(), func(ctx context.Context, token string) ([]*techmarketv1.Demand, string, error) {
		page := proto.CloneOf(req)
		page.PageToken = token
		resp, err := c.Demands.ListDemands(ctx, page)
		return resp.GetDemands(), resp.GetNextPageToken(), err
	})
}

// CreateToken issues a token for organization in role. The response holds
// the secret, which the service does not keep: show or store it now.
func (c *Client) CreateToken(ctx context.Context, organization string, role techmarketv1.Role, description string) (*techmarketv1.CreateTokenResponse, error) {
	return c.Tokens.CreateToken(ctx, &techmarketv1.CreateTokenRequest{Organization: organization, Role: role, Description: description})
}

// RevokeToken stops the token called name ("tokens/ID" or "ID") from working.
func (c *Client) RevokeToken(ctx context.Context, name string) (*techmarketv1.Token, error) {
	resp, err := c.Tokens.RevokeToken(ctx, &techmarketv1.RevokeTokenRequest{Name: TokenName(name)})
	return resp.GetToken(), err
}

// ListTokens yields every issued token, without secrets; see ListOffers.
func (c *Client) ListTokens(ctx context.Context, req *techmarketv1.ListTokensRequest) iter.Seq2[*techmarketv1.Token, error] {
	if req == nil {
		req = &techmarketv1.ListTokensRequest{}
	}
	return pages(ctx, req.GetPageToken(), func(ctx context.Context, token string) ([]*techmarketv1.Token, string, error) {
		page := proto.CloneOf(req)
		page.PageToken = token
		resp, err := c.Tokens.ListTokens(ctx, page)
		return resp.GetTokens(), resp.GetNextPageToken(), err
	})
}

// Caller says which organisation and role the client's token speaks for;
// both are empty for an anonymous client.
func (c *Client) Caller(ctx context.Context) (*techmarketv1.GetCallerResponse, error) {
	return c.Tokens.GetCaller(ctx, &techmarketv1.GetCallerRequest{})
}
