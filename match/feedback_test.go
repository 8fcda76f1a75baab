package match_test

import (
	"slices"
	"testing"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestFeedbackFindsTheOtherSidesWords: a symptom-only demand shares no
// word, not even a character bigram, with the offer of the method that
// cures it. The offer that names both the symptom and the method is found
// first; with feedback, its method's words join the query and bring the
// method's own offer in.
func TestFeedbackFindsTheOtherSidesWords(t *testing.T) {
	saved := match.Tuning
	defer func() { match.Tuning = saved }()
	m := newMarket(t)
	// The alerter matches in the background, reading the knobs this test
	// changes; the test's own matches are calls it waits for.
	m.env.Alerts.Close()
	bridge := m.publishOffer(t, &techmarketv1.Offer{
		ExternalId: "bridge", Title: "焦炉煤气放散回收变压吸附提氢技术",
		Summary:    "回收放散的焦炉煤气，经变压吸附提纯氢气，告别点火炬。",
		Industries: []string{"coal-chemical", "hydrogen"}, Region: techmarketv1.Region_REGION_WUHAI,
	})
	m.publishOffer(t, &techmarketv1.Offer{
		ExternalId: "method", Title: "变压吸附提纯氢气成套装置",
		Summary:    "多塔变压吸附工艺，产品氢纯度99.99%，适用于含氢尾气。",
		Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_DOMESTIC,
	})
	resp, err := m.enterprise.Demands.CreateDemand(ctx, &techmarketv1.CreateDemandRequest{Publish: true, Demand: &techmarketv1.Demand{
		ExternalId: "vague", Title: "焦炉煤气放散点火炬，白白烧掉",
		Summary:    "我厂焦炉煤气富余，只能放散点火炬，想变废为宝。",
		Industries: []string{"coal-chemical"}, Region: techmarketv1.Region_REGION_WUHAI,
	}})
	if err != nil {
		t.Fatal(err)
	}
	matched := func() []string {
		t.Helper()
		r, err := m.enterprise.Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: resp.GetDemand().GetName()})
		if err != nil {
			t.Fatal(err)
		}
		return externalIDs(r.GetMatches())
	}

	match.Tuning.FeedbackWeight = 0
	if ids := matched(); len(ids) == 0 || ids[0] != "bridge" || slices.Contains(ids, "method") {
		t.Fatalf("without feedback the matches are %v; the test needs the bridge first and the method's offer out of reach", ids)
	}
	match.Tuning.FeedbackWeight, match.Tuning.FeedbackDocs, match.Tuning.FeedbackTerms = 0.3, 1, 10
	ids := matched()
	if len(ids) == 0 || ids[0] != "bridge" {
		t.Errorf("with feedback the matches are %v; want the bridge still first", ids)
	}
	if !slices.Contains(ids, "method") {
		t.Errorf("with feedback the matches are %v; want the method's offer found through the bridge's words", ids)
	}

	// The bridge's words are kept from match to match; once its poster
	// rewrites it around another method, the feedback follows the text
	// it has now.
	bridge.Title, bridge.Summary = "焦炉煤气放散回收内燃机发电技术", "回收放散的焦炉煤气，送燃气内燃机发电，告别点火炬。"
	if _, err := m.agency.Offers.UpdateOffer(ctx, &techmarketv1.UpdateOfferRequest{
		Offer: bridge, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title", "summary"}},
	}); err != nil {
		t.Fatal(err)
	}
	if ids := matched(); len(ids) == 0 || ids[0] != "bridge" || slices.Contains(ids, "method") {
		t.Errorf("after the bridge dropped the method, the matches are %v; want the bridge first and the method's offer out of reach again", ids)
	}
}
