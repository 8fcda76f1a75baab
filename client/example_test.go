package client_test

import (
	"context"
	"fmt"
	"log"
	"os"

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
