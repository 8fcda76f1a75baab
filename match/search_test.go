package match_test

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func search(t *testing.T, m *market, req *techmarketv1.SearchOffersRequest) *techmarketv1.SearchOffersResponse {
	t.Helper()
	resp, err := m.env.Client("").Match.SearchOffers(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func hitIDs(resp *techmarketv1.SearchOffersResponse) []string {
	var ids []string
	for _, h := range resp.GetHits() {
		ids = append(ids, h.GetExternalId())
	}
	return ids
}

func TestSearchFiltersAndFacets(t *testing.T) {
	m := newMarket(t)
	low := cokeOffer("coke-trl4")
	low.Trl = 4
	m.publishOffer(t, low)
	m.publishOffer(t, cokeOffer("coke-trl8"))

	got := search(t, m, &techmarketv1.SearchOffersRequest{Query: "荒煤气余热"})
	if ids := hitIDs(got); len(ids) != 2 || got.GetTotalSize() != 2 {
		t.Fatalf("text search found %v (total %d), want both coke-oven offers", ids, got.GetTotalSize())
	}
	if !containsMark(got.GetHits()[0].GetSnippet()) {
		t.Errorf("snippet %q has no marked term", got.GetHits()[0].GetSnippet())
	}
	got = search(t, m, &techmarketv1.SearchOffersRequest{Query: "荒煤气余热", Filters: &techmarketv1.SearchFilters{MinTrl: 7}})
	if ids := hitIDs(got); len(ids) != 1 || ids[0] != "coke-trl8" {
		t.Errorf("TRL ≥ 7 found %v", ids)
	}

	all := search(t, m, &techmarketv1.SearchOffersRequest{})
	if all.GetTotalSize() != int64(len(unrelated)+2) {
		t.Errorf("empty search found %d offers, want every live one (%d)", all.GetTotalSize(), len(unrelated)+2)
	}
	facet := map[string]map[string]int64{}
	for _, f := range all.GetFacets() {
		facet[f.GetField()] = map[string]int64{}
		for _, c := range f.GetCounts() {
			facet[f.GetField()][c.GetValue()] = c.GetCount()
		}
	}
	if facet["industry"]["coal-chemical"] != 2 || facet["industry"]["water"] != 1 {
		t.Errorf("industry facet %v", facet["industry"])
	}
	if facet["region"]["wuhai"] != 2 || facet["trl_band"]["7-9"] != 1 || facet["trl_band"]["4-6"] != 1 || facet["trl_band"]["unknown"] != 4 {
		t.Errorf("region facet %v, TRL bands %v", facet["region"], facet["trl_band"])
	}

	water := search(t, m, &techmarketv1.SearchOffersRequest{Filters: &techmarketv1.SearchFilters{Industries: []string{"water"}, Regions: []techmarketv1.Region{techmarketv1.Region_REGION_WUHAI}}})
	if ids := hitIDs(water); len(ids) != 1 || ids[0] != "bg-c" {
		t.Errorf("water in Wuhai found %v", ids)
	}
	priced := search(t, m, &techmarketv1.SearchOffersRequest{Filters: &techmarketv1.SearchFilters{MinYuan: 1_000_000, MaxYuan: 2_500_000}})
	if priced.GetTotalSize() != 2 {
		t.Errorf("price range overlapping 1–2.5 M found %v", hitIDs(priced))
	}
}

func TestSearchPaging(t *testing.T) {
	m := newMarket(t)
	seen := map[string]bool{}
	token, pages := "", 0
	for {
		resp := search(t, m, &techmarketv1.SearchOffersRequest{PageSize: 3, PageToken: token})
		pages++
		for _, id := range hitIDs(resp) {
			if seen[id] {
				t.Errorf("%s on two pages", id)
			}
			seen[id] = true
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(seen) != len(unrelated) || pages != 2 {
		t.Errorf("paged through %d offers in %d pages, want %d in 2", len(seen), pages, len(unrelated))
	}
	first := search(t, m, &techmarketv1.SearchOffersRequest{PageSize: 1})
	if first.GetNextPageToken() == "" {
		t.Fatal("no next page token")
	}
	for _, req := range []*techmarketv1.SearchOffersRequest{
		{PageToken: "bm90LWEtdG9rZW4"},
		{PageToken: first.GetNextPageToken(), Query: "疏干水"},
		{Query: string([]byte{0xff, 0xfe})},
		{Filters: &techmarketv1.SearchFilters{MinTrl: 8, MaxTrl: 3}},
		{Filters: &techmarketv1.SearchFilters{Industries: []string{"moon-mining"}}},
		{PageSize: -5},
	} {
		if _, err := m.env.Client("").Match.SearchOffers(ctx, req); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%v: %v, want InvalidArgument", req, err)
		}
	}
}

func containsMark(s string) bool {
	for _, r := range s {
		if r == '【' {
			return true
		}
	}
	return false
}
