package client_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// This example needs a techmarketd on 127.0.0.1:7733 and an agency's token
// in TECHMARKET_TOKEN, so it is compiled but not run by go test.
func Example() {
	ctx := context.Background()
	c, err := client.Dial("127.0.0.1:7733", client.WithToken(os.Getenv("TECHMARKET_TOKEN")))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// Post an offer as a draft, then publish it.
	o, err := c.CreateOffer(ctx, &techmarketv1.Offer{
		ExternalId: "lab-2026-017",
		Title:      "电石渣制备高纯碳酸钙技术",
		Industries: []string{"new-materials"},
		Region:     techmarketv1.Region_REGION_WUHAI,
		Trl:        6,
	}, false)
	if err != nil {
		// Describe shows the code, the message and every field to fix.
		log.Fatal(client.Describe(err))
	}
	if _, err := c.PublishOffer(ctx, o.GetName()); err != nil {
		log.Fatal(client.Describe(err))
	}

	// Walk the published offers of the industry, page after page; break
	// would stop asking for pages.
	req := &techmarketv1.ListOffersRequest{Industry: "new-materials", State: techmarketv1.ListingState_LISTING_STATE_PUBLISHED}
	for o, err := range c.ListOffers(ctx, req) {
		if err != nil {
			log.Fatal(client.Describe(err))
		}
		fmt.Println(o.GetName(), o.GetTitle())
	}
}

// Import a JSON Lines file and say what became of its lines.
func ExampleClient_Import() {
	ctx := context.Background()
	c, err := client.Dial("127.0.0.1:7733", client.WithToken(os.Getenv("TECHMARKET_TOKEN")))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	f, err := os.Open("offers.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	sum, err := c.Import(ctx, f, client.ImportOptions{
		BatchSize: 200,
		Progress: func(p client.ImportProgress) {
			fmt.Fprintf(os.Stderr, "%d lines answered\n", p.Answered)
		},
	})
	if err != nil {
		log.Fatal(client.Describe(err))
	}
	fmt.Printf("taken %d, updated %d, unchanged %d, rejected %d\n", sum.Taken, sum.Updated, sum.Unchanged, sum.Rejected)
	for _, r := range sum.RejectedLines {
		fmt.Printf("line %d: %s: %s\n", r.GetNumber(), r.GetField(), r.GetReason())
	}
}

// Dial a server and ask whom its token speaks for. Dial itself does not
// connect: a server that is down shows as an error of the first call.
func ExampleDial() {
	market := startExampleMarket() // a techmarketd on a free port, for go test
	defer market.Stop()

	// market.Addr is HOST:PORT, such as 127.0.0.1:7733.
	c, err := client.Dial(market.Addr, client.WithToken(market.AgencyToken))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	caller, err := c.Caller(context.Background())
	if err != nil {
		log.Fatal(client.Describe(err))
	}
	fmt.Println(caller.GetOrganization(), caller.GetRole())
	// Output:
	// 甲技术转移中心 ROLE_AGENCY
}

// Post an offer as a draft, which only its poster sees, then publish it.
// A refused offer says which fields to fix.
func ExampleClient_CreateOffer() {
	market := startExampleMarket()
	defer market.Stop()
	c, err := client.Dial(market.Addr, client.WithToken(market.AgencyToken))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	draft, err := c.CreateOffer(ctx, &techmarketv1.Offer{
		ExternalId: "lab-2026-017",
		Title:      "电石渣制备高纯碳酸钙技术",
		Summary:    "以电石渣为钙源，经浸取、碳化制备纯度99%以上的碳酸钙。",
		Industries: []string{"new-materials"},
		Region:     techmarketv1.Region_REGION_WUHAI,
		Trl:        6,
	}, false)
	if err != nil {
		log.Fatal(client.Describe(err))
	}
	fmt.Println(draft.GetTitle(), draft.GetState())

	published, err := c.PublishOffer(ctx, draft.GetName())
	if err != nil {
		log.Fatal(client.Describe(err))
	}
	fmt.Println(published.GetName() == draft.GetName(), published.GetState())

	_, err = c.CreateOffer(ctx, &techmarketv1.Offer{Title: "无行业的成果", Trl: 12}, false)
	for _, v := range client.FieldViolations(err) {
		fmt.Println("fix", v.GetField())
	}
	// Output:
	// 电石渣制备高纯碳酸钙技术 LISTING_STATE_DRAFT
	// true LISTING_STATE_PUBLISHED
	// fix offer.industries
	// fix offer.region
	// fix offer.trl
}

// Find the offers that best fit a stored demand, best first, each with
// the reasons of its score.
func ExampleClient_MatchOffers() {
	market := startExampleMarket()
	defer market.Stop()
	agency, err := client.Dial(market.Addr, client.WithToken(market.AgencyToken))
	if err != nil {
		log.Fatal(err)
	}
	defer agency.Close()
	enterprise, err := client.Dial(market.Addr, client.WithToken(market.EnterpriseToken))
	if err != nil {
		log.Fatal(err)
	}
	defer enterprise.Close()
	ctx := context.Background()
	for _, o := range append(otherOffers(), cokeOffer()) {
		if _, err := agency.CreateOffer(ctx, o, true); err != nil {
			log.Fatal(client.Describe(err))
		}
	}
	demand, err := enterprise.CreateDemand(ctx, cokeDemand(), true)
	if err != nil {
		log.Fatal(client.Describe(err))
	}

	matches, err := enterprise.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: demand.GetName(), Limit: 5})
	if err != nil {
		log.Fatal(client.Describe(err))
	}
	best := matches[0]
	fmt.Println(best.GetTitle(), best.GetPoster())
	fmt.Println(best.GetScore() > 0, len(best.GetParts()) > 0)
	// Output:
	// 焦炉上升管荒煤气余热回收技术 甲技术转移中心
	// true true
}

// Watch the alerts of one's listings: the server sends one when a new
// listing on the other side fits one of them. The stream starts from the
// first alert; keep the last alert's cursor and pass it back after a
// disconnect to miss nothing and see nothing twice.
func ExampleClient_watchAlerts() {
	market := startExampleMarket()
	defer market.Stop()
	enterprise, err := client.Dial(market.Addr, client.WithToken(market.EnterpriseToken))
	if err != nil {
		log.Fatal(err)
	}
	defer enterprise.Close()
	agency, err := client.Dial(market.Addr, client.WithToken(market.AgencyToken))
	if err != nil {
		log.Fatal(err)
	}
	defer agency.Close()

	demand, err := enterprise.CreateDemand(context.Background(), cokeDemand(), true)
	if err != nil {
		log.Fatal(client.Describe(err))
	}
	// The stream ends with its context: cancel it to stop watching.
	ctx, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	stream, err := enterprise.Alerts.WatchMatches(ctx, &techmarketv1.WatchMatchesRequest{Listings: []string{demand.GetName()}})
	if err != nil {
		log.Fatal(client.Describe(err))
	}

	// Another organisation posts an offer that fits the demand.
	offer, err := agency.CreateOffer(context.Background(), cokeOffer(), true)
	if err != nil {
		log.Fatal(client.Describe(err))
	}

	resp, err := stream.Recv()
	if err != nil {
		log.Fatal(client.Describe(err))
	}
	a := resp.GetAlert()
	fmt.Println(a.GetKind(), a.GetListing() == demand.GetName(), a.GetMatch().GetName() == offer.GetName())
	fmt.Println(a.GetMatch().GetTitle(), "rank", a.GetRank())
	// Output:
	// ALERT_KIND_MATCH true true
	// 焦炉上升管荒煤气余热回收技术 rank 1
}
