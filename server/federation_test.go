package server_test

import (
	"context"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// pull reads the feed after cursor to the end, a page of two at a time,
// and returns the events as "KIND name" and the cursor to resume from.
func pull(t *testing.T, c *client.Client, cursor string) ([]*techmarketv1.FeedEvent, string) {
	t.Helper()
	var all []*techmarketv1.FeedEvent
	for {
		resp, err := c.Federation.PullListings(context.Background(), &techmarketv1.PullListingsRequest{Cursor: cursor, PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, resp.GetEvents()...)
		cursor = resp.GetNextCursor()
		if resp.GetCaughtUp() {
			return all, cursor
		}
	}
}

func kinds(events []*techmarketv1.FeedEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.GetKind().String()+" "+e.GetName())
	}
	return out
}

func TestFeedCarriesTheMarketsOwnListings(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	enterprise := env.Client(env.Token("enterprise", "乌海某焦化公司"))
	peer := env.Client(env.PeerToken("内蒙古科技大市场", nil))

	coke := createOffer(t, agency, validOffer(), true)
	draft := validOffer()
	draft.ExternalId, draft.Title = "o-2", "尚未发布的成果"
	createOffer(t, agency, draft, false)
	demand, err := enterprise.CreateDemand(ctx, validDemand(), true)
	if err != nil {
		t.Fatal(err)
	}

	events, cursor := pull(t, peer, "")
	want := []string{"FEED_EVENT_KIND_PUBLISHED " + coke.GetName(), "FEED_EVENT_KIND_PUBLISHED " + demand.GetName()}
	if got := kinds(events); !slices.Equal(got, want) {
		t.Fatalf("the feed from the start: %v; want %v (no draft)", got, want)
	}
	if o := events[0].GetOffer(); o.GetTitle() != coke.GetTitle() || o.GetContact() != nil {
		t.Errorf("the offer in the feed: title %q, contact %v; want its title and no contact", o.GetTitle(), o.GetContact())
	}

	// Changes after the cursor, in store order, and only those.
	coke.Title = "焦炉上升管荒煤气余热回收技术（第二代）"
	if _, err := agency.UpdateOffer(ctx, coke, "title"); err != nil {
		t.Fatal(err)
	}
	if _, err := agency.WithdrawOffer(ctx, coke.GetName()); err != nil {
		t.Fatal(err)
	}
	if err := enterprise.DeleteDemand(ctx, demand.GetName()); err != nil {
		t.Fatal(err)
	}
	events, cursor = pull(t, peer, cursor)
	// The update and the withdrawal of one offer arrive as it stands now.
	want = []string{"FEED_EVENT_KIND_WITHDRAWN " + coke.GetName(), "FEED_EVENT_KIND_DELETED " + demand.GetName()}
	if got := kinds(events); !slices.Equal(got, want) {
		t.Errorf("the feed after the cursor: %v; want %v", got, want)
	}
	if events, _ := pull(t, peer, cursor); len(events) != 0 {
		t.Errorf("a caught-up cursor read %v again", kinds(events))
	}
}

func TestFeedKeepsToThePeersScope(t *testing.T) {
	env := testutil.Start(t)
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	createOffer(t, agency, validOffer(), true) // coal chemistry: not the peer's
	h2 := validOffer()
	h2.ExternalId, h2.Title, h2.Industries = "o-h2", "碱性电解水制氢成套装备", []string{"hydrogen"}
	hydrogen := createOffer(t, agency, h2, true)

	scoped := env.Client(env.PeerToken("鄂尔多斯科技大市场", &techmarketv1.PeerScope{Sides: []string{"offers"}, Industries: []string{"hydrogen"}}))
	events, cursor := pull(t, scoped, "")
	if got, want := kinds(events), []string{"FEED_EVENT_KIND_PUBLISHED " + hydrogen.GetName()}; !slices.Equal(got, want) {
		t.Fatalf("a hydrogen-only peer read %v; want %v", got, want)
	}
	// An offer that leaves the scope leaves the peer too.
	hydrogen.Industries = []string{"energy-storage"}
	if _, err := agency.UpdateOffer(context.Background(), hydrogen, "industries"); err != nil {
		t.Fatal(err)
	}
	events, _ = pull(t, scoped, cursor)
	if got, want := kinds(events), []string{"FEED_EVENT_KIND_WITHDRAWN " + hydrogen.GetName()}; !slices.Equal(got, want) {
		t.Errorf("after the offer left hydrogen the peer read %v; want %v", got, want)
	}
}

func TestPeerTokensReadOnlyTheFeed(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	offer := createOffer(t, agency, validOffer(), true)
	peer := env.Client(env.PeerToken("内蒙古科技大市场", nil))

	_, err := peer.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: offer.GetName()})
	wantCode(t, err, codes.PermissionDenied)
	_, err = peer.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{})
	wantCode(t, err, codes.PermissionDenied)
	_, err = peer.Match.SearchOffers(ctx, &techmarketv1.SearchOffersRequest{Query: "焦炉"})
	wantCode(t, err, codes.PermissionDenied)
	if who, err := peer.Tokens.GetCaller(ctx, &techmarketv1.GetCallerRequest{}); err != nil || who.GetRole() != techmarketv1.Role_ROLE_PEER {
		t.Errorf("GetCaller for a peer: %v, %v", who, err)
	}

	_, err = agency.Federation.PullListings(ctx, &techmarketv1.PullListingsRequest{})
	wantCode(t, err, codes.PermissionDenied)
	_, err = env.Client("").Federation.PullListings(ctx, &techmarketv1.PullListingsRequest{})
	wantCode(t, err, codes.Unauthenticated)
	for _, bad := range []string{"zzz", "ffffffffffffffff"} {
		_, err = peer.Federation.PullListings(ctx, &techmarketv1.PullListingsRequest{Cursor: bad})
		if f := violatedFields(t, err); !slices.Equal(f, []string{"cursor"}) {
			t.Errorf("cursor %q: violations %v", bad, f)
		}
	}
}

func TestPeerScopesAreChecked(t *testing.T) {
	env := testutil.Start(t)
	op := env.Client(env.Token("operator", "乌海科技大市场运营中心"))
	ctx := context.Background()
	_, err := op.Tokens.CreateToken(ctx, &techmarketv1.CreateTokenRequest{
		Organization: "鄂尔多斯科技大市场", Role: techmarketv1.Role_ROLE_PEER,
		PeerScope: &techmarketv1.PeerScope{Sides: []string{"patents"}, Industries: []string{"unobtainium"}},
	})
	if f := violatedFields(t, err); !slices.Equal(f, []string{"peer_scope.sides[0]", "peer_scope.industries[0]"}) {
		t.Errorf("a bad scope: violations %v", f)
	}
	_, err = op.Tokens.CreateToken(ctx, &techmarketv1.CreateTokenRequest{
		Organization: "甲技术转移中心", Role: techmarketv1.Role_ROLE_AGENCY, PeerScope: &techmarketv1.PeerScope{},
	})
	if f := violatedFields(t, err); !slices.Equal(f, []string{"peer_scope"}) {
		t.Errorf("a scope on an agency token: violations %v", f)
	}
	resp, err := op.Tokens.CreateToken(ctx, &techmarketv1.CreateTokenRequest{
		Organization: "鄂尔多斯科技大市场", Role: techmarketv1.Role_ROLE_PEER,
		PeerScope: &techmarketv1.PeerScope{Industries: []string{"hydrogen"}},
	})
	if err != nil || !slices.Equal(resp.GetToken().GetPeerScope().GetIndustries(), []string{"hydrogen"}) {
		t.Errorf("a peer token: %v, %v", resp.GetToken(), err)
	}
}
