package server_test

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestHostileInputAtEveryEntryPoint sends what FORMAT.md forbids through
// update, search and match-on-a-draft (create and import have their own
// tables): each is INVALID_ARGUMENT naming the field, and nothing changes.
func TestHostileInputAtEveryEntryPoint(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	enterprise := env.Client(env.Token("enterprise", "乌海某焦化公司"))
	offer := createOffer(t, agency, validOffer(), true)

	for _, tc := range []struct {
		name, title string
		field       string
	}{
		{"invalid UTF-8", "焦炉\xff\xfe", "offer.title"},
		{"control character", "焦炉\x00煤气", "offer.title"},
		{"far too long", strings.Repeat("焦", 100_000), "offer.title"},
	} {
		_, err := agency.Offers.UpdateOffer(ctx, &techmarketv1.UpdateOfferRequest{
			Offer: &techmarketv1.Offer{Name: offer.GetName(), Title: tc.title}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
		})
		if fields := violatedFields(t, err); len(fields) != 1 || fields[0] != tc.field {
			t.Errorf("update, %s: violations %v, want [%s]", tc.name, fields, tc.field)
		}
	}
	if got := getOffer(t, agency, offer.GetName()); got.GetEtag() != offer.GetEtag() {
		t.Errorf("refused updates changed the offer: etag %s → %s", offer.GetEtag(), got.GetEtag())
	}

	for _, tc := range []struct{ name, query string }{
		{"invalid UTF-8", "焦炉\xff"},
		{"control character", "焦炉\x07"},
		{"over 500 characters", strings.Repeat("焦炉煤气", 200)},
	} {
		_, err := agency.Match.SearchOffers(ctx, &techmarketv1.SearchOffersRequest{Query: tc.query})
		if fields := violatedFields(t, err); len(fields) != 1 || fields[0] != "query" {
			t.Errorf("search, %s: violations %v, want [query]", tc.name, fields)
		}
	}
	// Query syntax is only words here: nothing to inject.
	for _, q := range []string{`title:焦炉 +煤气 -制氢`, `*`, `"未闭合`, `焦炉^100 OR 1=1`, `/.*/`} {
		if _, err := agency.Match.SearchOffers(ctx, &techmarketv1.SearchOffersRequest{Query: q}); err != nil {
			t.Errorf("search %q: %v; any text is words", q, err)
		}
	}

	// An inline draft is checked like a create, and stored nowhere.
	for _, tc := range []struct {
		name  string
		draft *techmarketv1.Demand
	}{
		{"invalid UTF-8", &techmarketv1.Demand{Title: "\xff焦炉", Industries: []string{"coal-chemical"}, Region: techmarketv1.Region_REGION_WUHAI}},
		{"huge repeated field", &techmarketv1.Demand{Title: "焦炉煤气", Keywords: strings.Split(strings.Repeat("焦炉,", 10_000), ","), Industries: []string{"coal-chemical"}, Region: techmarketv1.Region_REGION_WUHAI}},
		{"no title", &techmarketv1.Demand{Industries: []string{"coal-chemical"}, Region: techmarketv1.Region_REGION_WUHAI}},
	} {
		_, err := enterprise.Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Draft: tc.draft})
		fields := violatedFields(t, err)
		if len(fields) == 0 || !strings.HasPrefix(fields[0], "draft.") {
			t.Errorf("match draft, %s: violations %v, want draft.…", tc.name, fields)
		}
	}
	list, err := enterprise.Demands.ListDemands(ctx, &techmarketv1.ListDemandsRequest{})
	if err != nil || len(list.GetDemands()) != 0 {
		t.Errorf("matching drafts stored demands: %v %v", list.GetDemands(), err)
	}
	d, err := enterprise.Demands.CreateDemand(ctx, &techmarketv1.CreateDemandRequest{Demand: validDemand(), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	// Too large a limit is brought down to the most (as AIP-158 pages are);
	// a negative one is an error.
	resp, err := enterprise.Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: d.GetDemand().GetName(), Limit: 1_000_000})
	if err != nil || len(resp.GetMatches()) > 100 {
		t.Errorf("match limit 1,000,000: %d matches, %v", len(resp.GetMatches()), err)
	}
	_, err = enterprise.Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: d.GetDemand().GetName(), Limit: -1})
	if fields := violatedFields(t, err); len(fields) != 1 || fields[0] != "limit" {
		t.Errorf("match limit -1: violations %v, want [limit]", fields)
	}
}
