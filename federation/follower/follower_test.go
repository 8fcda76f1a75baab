package follower_test

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/federation/follower"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestMain(m *testing.M) { testutil.VerifyNoLeaks(m) }

// follow starts a follower of here's links that reaches each peer
// market in peers, by link name, over its in-process listener. It pulls
// only when asked (Sync): tests say when.
func follow(t *testing.T, here *testutil.Env, peers map[string]*testutil.Env) *follower.Follower {
	t.Helper()
	f := follower.Start(here.Market, follower.Options{
		PollEvery: time.Hour,
		Dial: func(l market.Link) (*client.Client, error) {
			return client.Dial(testutil.Addr, append(peers[l.Name].DialOptions(), client.WithToken(l.Token))...)
		},
	})
	t.Cleanup(f.Close)
	return f
}

func addLink(t *testing.T, here *testutil.Env, name string, peerToken string) {
	t.Helper()
	op := here.Client(here.Token("operator", "运营中心"))
	if _, err := op.Links.AddLink(context.Background(), &techmarketv1.AddLinkRequest{LinkId: name, Addr: "in-process:7733", Token: peerToken}); err != nil {
		t.Fatal(err)
	}
}

func hydrogenOffer(title string) *techmarketv1.Offer {
	return &techmarketv1.Offer{
		Title: title, Summary: "碱性电解水制氢成套装备，单槽产氢1000标方每小时，适配风光波动电源。",
		Keywords: []string{"电解水制氢", "碱性电解槽"}, Industries: []string{"hydrogen"},
		Region: techmarketv1.Region_REGION_INNER_MONGOLIA, Trl: 8,
		Contact: &techmarketv1.Contact{Name: "李工", Phone: "0477-1234567"},
	}
}

// searchHydrogen returns the offers here that a search for electrolysers finds.
func searchHydrogen(t *testing.T, c *client.Client) []*techmarketv1.SearchHit {
	t.Helper()
	resp, err := c.Match.SearchOffers(context.Background(), &techmarketv1.SearchOffersRequest{Query: "电解水制氢"})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetHits()
}

func TestALinkedMarketsOffersAreFoundHere(t *testing.T) {
	ctx := context.Background()
	ordos, wuhai := testutil.Start(t), testutil.Start(t)
	agency := ordos.Client(ordos.Token("agency", "鄂尔多斯某研究院"))
	offer, err := agency.CreateOffer(ctx, hydrogenOffer("千标方级碱性电解水制氢成套装备"), true)
	if err != nil {
		t.Fatal(err)
	}
	addLink(t, wuhai, "ordos", ordos.PeerToken("乌海科技大市场", nil))
	f := follow(t, wuhai, map[string]*testutil.Env{"ordos": ordos})
	if err := f.Sync(ctx, "ordos"); err != nil {
		t.Fatal(err)
	}

	enterprise := wuhai.Client(wuhai.Token("enterprise", "乌海某氯碱公司"))
	hits := searchHydrogen(t, enterprise)
	if len(hits) != 1 || hits[0].GetTitle() != offer.GetTitle() || hits[0].GetHomeMarket() != "ordos" {
		t.Fatalf("search in Wuhai found %v; want the Ordos offer, named as Ordos's", hits)
	}
	linked, err := enterprise.GetOffer(ctx, hits[0].GetName())
	if err != nil {
		t.Fatal(err)
	}
	if linked.GetLinkedFrom().GetName() != offer.GetName() || linked.GetContact() != nil || linked.GetPoster() != "鄂尔多斯某研究院" {
		t.Errorf("the linked offer: home %v, contact %v, poster %q; want its Ordos name, no contact, its poster", linked.GetLinkedFrom(), linked.GetContact(), linked.GetPoster())
	}

	// A Wuhai demand matches it, and the match names its home market.
	demand, err := enterprise.CreateDemand(ctx, &techmarketv1.Demand{
		Title: "氯碱副产氢之外新增绿氢产能", Description: "园区风光弃电较多，希望建设碱性电解水制氢装置，规模每小时数百标方。",
		Keywords: []string{"电解水制氢"}, Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_WUHAI,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	matches, err := enterprise.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: demand.GetName(), Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) == 0 || matches[0].GetName() != linked.GetName() || matches[0].GetHomeMarket() != "ordos" {
		t.Errorf("the demand's matches: %v; want the Ordos offer first, named as Ordos's", matches)
	}

	// Statistics count it apart from Wuhai's own.
	op := wuhai.Client(wuhai.Token("operator", "运营中心"))
	st, err := op.Stats.GetMarketStats(ctx, &techmarketv1.GetMarketStatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if by := st.GetOffers().GetByOrigin(); len(by) != 1 || by[0].GetKey() != "ordos" || by[0].GetCount() != 1 {
		t.Errorf("offers by origin: %v; want ordos 1", by)
	}

	// The origin filter keeps to one market.
	for origin, want := range map[string]int{"local": 0, "ordos": 1, "": 1} {
		resp, err := enterprise.Match.SearchOffers(ctx, &techmarketv1.SearchOffersRequest{Query: "电解水制氢", Filters: &techmarketv1.SearchFilters{Origin: origin}})
		if err != nil || len(resp.GetHits()) != want {
			t.Errorf("search with origin %q: %d hits, %v; want %d", origin, len(resp.GetHits()), err, want)
		}
	}
	local, err := enterprise.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: demand.GetName(), Filters: &techmarketv1.MatchFilters{Origin: "local"}})
	if err != nil || len(local) != 0 {
		t.Errorf("local matches of the demand: %v, %v; want none", local, err)
	}
	_, err = enterprise.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: demand.GetName(), Filters: &techmarketv1.MatchFilters{Origin: "Ordos!"}})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("a bad origin: %v; want INVALID_ARGUMENT", err)
	}

	// It changes only at home.
	linked.Title = "改名"
	_, err = op.UpdateOffer(ctx, linked, "title")
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("an operator changing a linked offer: %v; want FAILED_PRECONDITION", err)
	}

	// Withdrawn at home, it leaves Wuhai.
	if _, err := agency.WithdrawOffer(ctx, offer.GetName()); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(ctx, "ordos"); err != nil {
		t.Fatal(err)
	}
	if hits := searchHydrogen(t, enterprise); len(hits) != 0 {
		t.Errorf("after the withdrawal in Ordos, Wuhai still finds %v", hits)
	}
	links, err := op.Links.ListLinks(ctx, &techmarketv1.ListLinksRequest{})
	if err != nil || len(links.GetLinks()) != 1 || !links.GetLinks()[0].GetCaughtUp() || links.GetLinks()[0].GetApplied() != 2 {
		t.Errorf("links list: %v, %v; want ordos caught up with 2 events applied", links.GetLinks(), err)
	}
}

func TestFollowingResumesAfterARestartWithoutRepeats(t *testing.T) {
	ctx := context.Background()
	ordos, wuhai := testutil.Start(t), testutil.Start(t)
	agency := ordos.Client(ordos.Token("agency", "鄂尔多斯某研究院"))
	if _, err := agency.CreateOffer(ctx, hydrogenOffer("碱性电解水制氢成套装备"), true); err != nil {
		t.Fatal(err)
	}
	addLink(t, wuhai, "ordos", ordos.PeerToken("乌海科技大市场", nil))
	f := follow(t, wuhai, map[string]*testutil.Env{"ordos": ordos})
	if err := f.Sync(ctx, "ordos"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	wuhai.Restart()

	if _, err := agency.CreateOffer(ctx, hydrogenOffer("PEM电解水制氢电堆"), true); err != nil {
		t.Fatal(err)
	}
	f = follow(t, wuhai, map[string]*testutil.Env{"ordos": ordos})
	if err := f.Sync(ctx, "ordos"); err != nil {
		t.Fatal(err)
	}
	if hits := searchHydrogen(t, wuhai.Client("")); len(hits) != 2 {
		t.Errorf("after a restart Wuhai finds %d Ordos offers; want the 2, once each", len(hits))
	}
}

// Links both ways: each market shows the other's listings, and neither
// gets its own back.
func TestLinksBothWaysDoNotLoop(t *testing.T) {
	ctx := context.Background()
	region, wuhai := testutil.Start(t), testutil.Start(t)
	if _, err := region.Client(region.Token("agency", "内蒙古某研究院")).CreateOffer(ctx, hydrogenOffer("区内碱性电解水制氢装备"), true); err != nil {
		t.Fatal(err)
	}
	if _, err := wuhai.Client(wuhai.Token("agency", "乌海某转移中心")).CreateOffer(ctx, hydrogenOffer("乌海电解水制氢技术"), true); err != nil {
		t.Fatal(err)
	}
	addLink(t, wuhai, "region", region.PeerToken("乌海科技大市场", nil))
	addLink(t, region, "wuhai", wuhai.PeerToken("内蒙古科技大市场", nil))
	fw := follow(t, wuhai, map[string]*testutil.Env{"region": region})
	fr := follow(t, region, map[string]*testutil.Env{"wuhai": wuhai})
	for range 2 { // twice round: what one applied is in no feed
		if err := fw.Sync(ctx, "region"); err != nil {
			t.Fatal(err)
		}
		if err := fr.Sync(ctx, "wuhai"); err != nil {
			t.Fatal(err)
		}
	}
	for name, env := range map[string]*testutil.Env{"region": region, "wuhai": wuhai} {
		if hits := searchHydrogen(t, env.Client("")); len(hits) != 2 {
			t.Errorf("%s finds %d offers; want its own and the other's, once each", name, len(hits))
		}
	}
}

// An enterprise here hears of a fitting offer that arrives over a link,
// as of a local one.
func TestLinkedOffersAlertLocalOwners(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ordos, wuhai := testutil.Start(t), testutil.Start(t)
	enterprise := wuhai.Client(wuhai.Token("enterprise", "乌海某氯碱公司"))
	demand, err := enterprise.CreateDemand(ctx, &techmarketv1.Demand{
		Title: "建设碱性电解水制氢装置", Description: "园区风光弃电较多，希望建设碱性电解水制氢装置，规模每小时千标方。",
		Keywords: []string{"电解水制氢", "碱性电解槽"}, Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_WUHAI,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ordos.Client(ordos.Token("agency", "鄂尔多斯某研究院")).CreateOffer(ctx, hydrogenOffer("千标方级碱性电解水制氢成套装备"), true); err != nil {
		t.Fatal(err)
	}
	addLink(t, wuhai, "ordos", ordos.PeerToken("乌海科技大市场", nil))
	if err := follow(t, wuhai, map[string]*testutil.Env{"ordos": ordos}).Sync(ctx, "ordos"); err != nil {
		t.Fatal(err)
	}
	stream, err := enterprise.Alerts.WatchMatches(ctx, &techmarketv1.WatchMatchesRequest{Listings: []string{demand.GetName()}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if got.GetAlert().GetMatch().GetHomeMarket() != "ordos" {
		t.Errorf("the alert: %v; want the Ordos offer, named as Ordos's", got.GetAlert().GetMatch())
	}
}

// An enterprise in Wuhai asks for an introduction to the poster of an
// Ordos offer; the poster answers in Ordos, and the answer, with the
// contact, comes back to Wuhai.
func TestIntroductionsTravelToTheHomeMarketAndBack(t *testing.T) {
	ctx := context.Background()
	ordos, wuhai := testutil.Start(t), testutil.Start(t)
	agency := ordos.Client(ordos.Token("agency", "鄂尔多斯某研究院"))
	offer, err := agency.CreateOffer(ctx, hydrogenOffer("千标方级碱性电解水制氢成套装备"), true)
	if err != nil {
		t.Fatal(err)
	}
	addLink(t, wuhai, "ordos", ordos.PeerToken("乌海科技大市场", nil))
	f := follow(t, wuhai, map[string]*testutil.Env{"ordos": ordos})
	if err := f.Sync(ctx, "ordos"); err != nil {
		t.Fatal(err)
	}
	enterprise := wuhai.Client(wuhai.Token("enterprise", "乌海某氯碱公司"))
	hit := searchHydrogen(t, enterprise)[0]

	asked, err := enterprise.Introductions.RequestIntroduction(ctx, &techmarketv1.RequestIntroductionRequest{Listing: hit.GetName(), Message: "我公司拟建千标方级电解水制氢装置，希望洽谈技术许可。"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(ctx, "ordos"); err != nil { // delivers it
		t.Fatal(err)
	}

	// In Ordos the poster sees it, from Wuhai's enterprise, and accepts.
	mine, err := agency.Introductions.ListIntroductions(ctx, &techmarketv1.ListIntroductionsRequest{})
	if err != nil || len(mine.GetIntroductions()) != 1 {
		t.Fatalf("the Ordos poster's introductions: %v, %v", mine.GetIntroductions(), err)
	}
	got := mine.GetIntroductions()[0]
	if got.GetListing() != offer.GetName() || got.GetRequester() != "乌海某氯碱公司" || got.GetRequesterMarket() != "乌海科技大市场" || got.GetMessage() != asked.GetIntroduction().GetMessage() {
		t.Errorf("the introduction in Ordos: %v", got)
	}
	other := ordos.Client(ordos.Token("agency", "另一家机构"))
	_, err = other.Introductions.AnswerIntroduction(ctx, &techmarketv1.AnswerIntroductionRequest{Name: got.GetName(), Accept: true})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("another organisation answering: %v; want PERMISSION_DENIED", err)
	}
	if _, err := agency.Introductions.AnswerIntroduction(ctx, &techmarketv1.AnswerIntroductionRequest{Name: got.GetName(), Accept: true, Answer: "欢迎来访，请联系李工。"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(ctx, "ordos"); err != nil { // brings the answer back
		t.Fatal(err)
	}

	back, err := enterprise.Introductions.ListIntroductions(ctx, &techmarketv1.ListIntroductionsRequest{})
	if err != nil || len(back.GetIntroductions()) != 1 {
		t.Fatalf("the Wuhai enterprise's introductions: %v, %v", back.GetIntroductions(), err)
	}
	ans := back.GetIntroductions()[0]
	if ans.GetState() != techmarketv1.IntroductionState_INTRODUCTION_STATE_ACCEPTED || ans.GetAnswer() != "欢迎来访，请联系李工。" || ans.GetContact().GetPhone() != "0477-1234567" || ans.GetHomeMarket() != "ordos" {
		t.Errorf("the answer in Wuhai: %v", ans)
	}

	if open, err := wuhai.Market.IntroductionsToCarry("ordos"); err != nil || len(open) != 0 {
		t.Errorf("after the answer the follower still carries %v (%v)", open, err)
	}

	// A listing of Wuhai's own needs no introduction.
	own, err := wuhai.Client(wuhai.Token("agency", "乌海某转移中心")).CreateOffer(ctx, hydrogenOffer("乌海电解水制氢技术"), true)
	if err != nil {
		t.Fatal(err)
	}
	_, err = enterprise.Introductions.RequestIntroduction(ctx, &techmarketv1.RequestIntroductionRequest{Listing: own.GetName(), Message: "你好"})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("an introduction to a local listing: %v; want FAILED_PRECONDITION", err)
	}
	// And a peer cannot deliver one about a listing that is not there.
	peer := ordos.Client(ordos.PeerToken("乌海科技大市场", nil))
	_, err = peer.Federation.DeliverIntroduction(ctx, &techmarketv1.DeliverIntroductionRequest{PeerName: "introductions/x", Listing: "offers/0000000000000000", Requester: "某公司", Message: "你好"})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("delivering about no listing: %v; want INVALID_ARGUMENT", err)
	}
}

// badPeer is a market whose feed sends one listing that breaks the rules
// and one that keeps them.
type badPeer struct {
	techmarketv1.UnimplementedFederationServiceServer
}

func (badPeer) PullListings(_ context.Context, req *techmarketv1.PullListingsRequest) (*techmarketv1.PullListingsResponse, error) {
	if req.GetCursor() != "" {
		return &techmarketv1.PullListingsResponse{NextCursor: req.GetCursor(), CaughtUp: true}, nil
	}
	good := hydrogenOffer("碱性电解水制氢成套装备")
	good.Name = "offers/0k3v9q2m7x1c4f8h"
	return &techmarketv1.PullListingsResponse{NextCursor: "0000000000000002", CaughtUp: true, Events: []*techmarketv1.FeedEvent{
		{Cursor: "0000000000000001", Kind: techmarketv1.FeedEventKind_FEED_EVENT_KIND_PUBLISHED, Name: "offers/0k3v9q2m7x1c4f8g",
			Listing: &techmarketv1.FeedEvent_Offer{Offer: &techmarketv1.Offer{Title: "", Industries: []string{"no-such-industry"}}}},
		{Cursor: "0000000000000002", Kind: techmarketv1.FeedEventKind_FEED_EVENT_KIND_PUBLISHED, Name: good.Name,
			Listing: &techmarketv1.FeedEvent_Offer{Offer: good}},
	}}, nil
}

// A peer that sends bad data has its bad listings refused and counted;
// the rest of its page, contact details stripped, is applied.
func TestABadPeersListingsAreRefused(t *testing.T) {
	ctx := context.Background()
	wuhai := testutil.Start(t)
	srv := grpc.NewServer()
	techmarketv1.RegisterFederationServiceServer(srv, badPeer{})
	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)

	addLink(t, wuhai, "odd", "any-token")
	f := follower.Start(wuhai.Market, follower.Options{PollEvery: time.Hour, Dial: func(l market.Link) (*client.Client, error) {
		return client.Dial(testutil.Addr, client.WithDialOptions(grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) })))
	}})
	t.Cleanup(f.Close)
	if err := f.Sync(ctx, "odd"); err != nil {
		t.Fatal(err)
	}
	hits := searchHydrogen(t, wuhai.Client(""))
	if len(hits) != 1 || hits[0].GetHomeMarket() != "odd" {
		t.Fatalf("Wuhai finds %v; want the one good offer", hits)
	}
	o, err := wuhai.Client(wuhai.Token("enterprise", "乌海某公司")).GetOffer(ctx, hits[0].GetName())
	if err != nil || o.GetContact() != nil {
		t.Errorf("the applied offer: contact %v, %v; want none", o.GetContact(), err)
	}
	links, err := wuhai.Client(wuhai.Token("operator", "运营中心")).Links.ListLinks(ctx, &techmarketv1.ListLinksRequest{})
	if err != nil || links.GetLinks()[0].GetRejected() != 1 || links.GetLinks()[0].GetApplied() != 1 {
		t.Errorf("the link: %v, %v; want 1 applied, 1 refused", links.GetLinks(), err)
	}
}
