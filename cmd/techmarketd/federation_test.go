package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// eventually waits until ok holds, checking every 50 ms: the followers
// run on their own, so a test can only watch for what they do.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		<-tick.C
	}
}

// aMarket is one techmarketd with an operator's client.
type aMarket struct {
	p   *process
	dir string
	op  *client.Client
}

func startMarket(t *testing.T, bin, name string, extra ...string) *aMarket {
	t.Helper()
	dir := t.TempDir()
	token := issueToken(t, bin, dir, "operator", name+"运营中心")
	p := startServer(t, bin, dir, extra...)
	op, _ := dial(t, p, token)
	return &aMarket{p: p, dir: dir, op: op}
}

// as returns a client of a new token of role at m.
func (m *aMarket) as(t *testing.T, role techmarketv1.Role, org string) *client.Client {
	t.Helper()
	resp, err := m.op.CreateToken(context.Background(), org, role, "test")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := dial(t, m.p, resp.GetSecret())
	return c
}

// link makes from follow to, with a peer token to issues.
func link(t *testing.T, from *aMarket, name string, to *aMarket, fromOrg string) string {
	t.Helper()
	ctx := context.Background()
	resp, err := to.op.Tokens.CreateToken(ctx, &techmarketv1.CreateTokenRequest{Organization: fromOrg, Role: techmarketv1.Role_ROLE_PEER})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := from.op.Links.AddLink(ctx, &techmarketv1.AddLinkRequest{LinkId: name, Addr: to.p.addr, Token: resp.GetSecret()}); err != nil {
		t.Fatal(err)
	}
	return resp.GetSecret()
}

// byOrigin counts m's offers (or demands) by origin.
func byOrigin(t *testing.T, m *aMarket, demands bool) map[string]int64 {
	t.Helper()
	st, err := m.op.Stats.GetMarketStats(context.Background(), &techmarketv1.GetMarketStatsRequest{})
	if err != nil {
		return nil // a market restarting
	}
	counts := st.GetOffers().GetByOrigin()
	if demands {
		counts = st.GetDemands().GetByOrigin()
	}
	out := map[string]int64{}
	for _, c := range counts {
		out[c.GetKey()] = c.GetCount()
	}
	return out
}

func h2Offer(title string) *techmarketv1.Offer {
	return &techmarketv1.Offer{
		Title: title, Summary: "碱性电解水制氢成套装备，单槽产氢1000标方每小时，适配风光波动电源。",
		Keywords: []string{"电解水制氢", "碱性电解槽"}, Industries: []string{"hydrogen"},
		Region: techmarketv1.Region_REGION_INNER_MONGOLIA, Trl: 8,
		Contact: &techmarketv1.Contact{Name: "李工", Phone: "0477-1234567"},
	}
}

// TestThreeLinkedMarkets runs the region's market, Wuhai's and Ordos's as
// three processes: Wuhai and the region follow each other, the region
// follows Ordos.
func TestThreeLinkedMarkets(t *testing.T) {
	bin := buildServer(t)
	ctx := context.Background()
	region, wuhai, ordos := startMarket(t, bin, "内蒙古", "--metrics-addr", "127.0.0.1:0"), startMarket(t, bin, "乌海"), startMarket(t, bin, "鄂尔多斯")
	link(t, wuhai, "region", region, "乌海科技大市场")
	link(t, region, "wuhai", wuhai, "内蒙古科技大市场")
	regionAtOrdos := link(t, region, "ordos", ordos, "内蒙古科技大市场")

	ordosAgency := ordos.as(t, techmarketv1.Role_ROLE_AGENCY, "鄂尔多斯某研究院")
	offer, err := ordosAgency.CreateOffer(ctx, h2Offer("千标方级碱性电解水制氢成套装备"), true)
	if err != nil {
		t.Fatal(err)
	}
	wuhaiEnterprise := wuhai.as(t, techmarketv1.Role_ROLE_ENTERPRISE, "乌海某氯碱公司")
	demand, err := wuhaiEnterprise.CreateDemand(ctx, &techmarketv1.Demand{
		Title: "建设碱性电解水制氢装置", Description: "园区风光弃电较多，希望建设碱性电解水制氢装置，规模每小时千标方。",
		Keywords: []string{"电解水制氢", "碱性电解槽"}, Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_WUHAI,
	}, true)
	if err != nil {
		t.Fatal(err)
	}

	// Through the region: the Wuhai demand meets the Ordos offer there,
	// each named as its home market's.
	// The stats read the store, which a follower writes before the index
	// has caught up, so wait for what a searcher sees.
	var hits *techmarketv1.SearchDemandsResponse
	eventually(t, "the region's search finds the Ordos offer and the Wuhai demand", func() bool {
		offers, oerr := region.op.Match.SearchOffers(ctx, &techmarketv1.SearchOffersRequest{Query: "电解水制氢"})
		hits, err = region.op.Match.SearchDemands(ctx, &techmarketv1.SearchDemandsRequest{Query: "电解水制氢"})
		return oerr == nil && err == nil && len(offers.GetHits()) > 0 && len(hits.GetHits()) > 0
	})
	if got := byOrigin(t, region, false)["ordos"]; got != 1 {
		t.Errorf("the region counts %d Ordos offers; want 1", got)
	}
	if got := byOrigin(t, region, true)["wuhai"]; got != 1 {
		t.Errorf("the region counts %d Wuhai demands; want 1", got)
	}
	if err != nil || len(hits.GetHits()) != 1 || hits.GetHits()[0].GetHomeMarket() != "wuhai" || hits.GetHits()[0].GetTitle() != demand.GetTitle() {
		t.Fatalf("the region's search for the demand: %v, %v", hits.GetHits(), err)
	}
	matches, err := region.op.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: hits.GetHits()[0].GetName()})
	if err != nil || len(matches) == 0 || matches[0].GetHomeMarket() != "ordos" || matches[0].GetTitle() != offer.GetTitle() {
		t.Fatalf("the Wuhai demand's matches at the region: %v, %v; want the Ordos offer first", matches, err)
	}

	// No loop: Wuhai has its demand once, and nothing the region received.
	if got := byOrigin(t, wuhai, true); len(got) != 1 || got["local"] != 1 {
		t.Errorf("Wuhai's demands by origin: %v; want its own one only", got)
	}
	if got := byOrigin(t, wuhai, false); got["ordos"] != 0 || got["region"] != 0 {
		t.Errorf("Wuhai's offers by origin: %v; the region passed on what it received", got)
	}

	// The region's peer token at Ordos reads the feed and nothing else,
	// and no contact detail.
	peer, _ := dial(t, ordos.p, regionAtOrdos)
	_, err = peer.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: offer.GetName()})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("a peer token reading an offer: %v; want PERMISSION_DENIED", err)
	}
	feed, err := peer.Federation.PullListings(ctx, &techmarketv1.PullListingsRequest{})
	if err != nil || len(feed.GetEvents()) != 1 || feed.GetEvents()[0].GetOffer().GetContact() != nil {
		t.Errorf("the feed: %v, %v; want the offer without its contact", feed.GetEvents(), err)
	}

	// Wuhai links to Ordos too, and its enterprise asks for an
	// introduction to the Ordos poster; the answer comes back.
	link(t, wuhai, "ordos", ordos, "乌海科技大市场")
	var there string
	eventually(t, "Wuhai shows the Ordos offer", func() bool {
		hits, err := wuhaiEnterprise.Match.SearchOffers(ctx, &techmarketv1.SearchOffersRequest{Query: "电解水制氢", Filters: &techmarketv1.SearchFilters{Origin: "ordos"}})
		if err != nil || len(hits.GetHits()) == 0 {
			return false
		}
		there = hits.GetHits()[0].GetName()
		return true
	})
	if _, err := wuhaiEnterprise.Introductions.RequestIntroduction(ctx, &techmarketv1.RequestIntroductionRequest{Listing: there, Message: "希望洽谈技术许可。"}); err != nil {
		t.Fatal(err)
	}
	var asked *techmarketv1.Introduction
	eventually(t, "the introduction reaches the Ordos poster", func() bool {
		list, err := ordosAgency.Introductions.ListIntroductions(ctx, &techmarketv1.ListIntroductionsRequest{})
		if err != nil || len(list.GetIntroductions()) == 0 {
			return false
		}
		asked = list.GetIntroductions()[0]
		return true
	})
	if asked.GetRequester() != "乌海某氯碱公司" || asked.GetListing() != offer.GetName() {
		t.Errorf("the introduction in Ordos: %v", asked)
	}
	if _, err := ordosAgency.Introductions.AnswerIntroduction(ctx, &techmarketv1.AnswerIntroductionRequest{Name: asked.GetName(), Accept: true, Answer: "欢迎联系。"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the answer comes back to Wuhai", func() bool {
		list, err := wuhaiEnterprise.Introductions.ListIntroductions(ctx, &techmarketv1.ListIntroductionsRequest{})
		return err == nil && len(list.GetIntroductions()) == 1 &&
			list.GetIntroductions()[0].GetState() == techmarketv1.IntroductionState_INTRODUCTION_STATE_ACCEPTED &&
			list.GetIntroductions()[0].GetContact().GetPhone() == "0477-1234567"
	})

	// Withdrawn in Ordos, it leaves the region.
	if _, err := ordosAgency.WithdrawOffer(ctx, offer.GetName()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the withdrawn offer leaves the region", func() bool { return byOrigin(t, region, false)["ordos"] == 0 })

	// The region killed mid-feed and started again loses and repeats
	// nothing: more offers than the follower pulls in a page (500), so
	// that the kill lands between pages, or within one.
	const more = 1800
	var lines strings.Builder
	for i := range more {
		fmt.Fprintf(&lines, `{"kind": "offer", "externalId": "h2-%d", "title": "电解水制氢装备 %d 型", "summary": "碱性电解水制氢成套装备。", "industries": ["hydrogen"], "region": "inner-mongolia"}`+"\n", i, i+1)
	}
	if _, err := ordosAgency.Import(ctx, strings.NewReader(lines.String()), client.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the region starts applying Ordos's new offers", func() bool { return byOrigin(t, region, false)["ordos"] > 0 })
	t.Logf("killing the region with %d of %d Ordos offers applied", byOrigin(t, region, false)["ordos"], more)
	if err := region.p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-region.p.done
	// On its old address: Wuhai's link to it, and our client, find it there.
	region.p = startServerAt(t, bin, region.p.addr, region.dir, "--metrics-addr", "127.0.0.1:0")
	eventually(t, "the restarted region has every Ordos offer once", func() bool { return byOrigin(t, region, false)["ordos"] >= more })
	if got := byOrigin(t, region, false)["ordos"]; got != more {
		t.Errorf("the region shows %d Ordos offers after the restart; want %d, each once", got, more)
	}
	links, err := region.op.Links.ListLinks(ctx, &techmarketv1.ListLinksRequest{})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, l := range links.GetLinks() {
		names = append(names, l.GetName())
		if l.GetLastError() != "" && l.GetCaughtUp() {
			t.Errorf("link %s is caught up but shows the error %q", l.GetName(), l.GetLastError())
		}
	}
	if !slices.Equal(names, []string{"links/ordos", "links/wuhai"}) {
		t.Errorf("the region's links: %v", names)
	}

	// Its metrics say each link is up and caught up.
	m := metricsLine.FindStringSubmatch(region.p.logs.String())
	if m == nil {
		t.Fatalf("no metrics address in the region's log:\n%s", region.p.logs)
	}
	resp, err := http.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`techmarket_link_up{link="ordos"} 1`, `techmarket_link_lag_seconds{link="ordos"} 0`, `techmarket_link_up{link="wuhai"} 1`, `techmarket_link_applied_total{link="ordos"} `} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the region's metrics lack %q", want)
		}
	}
}
