package match

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// offerIndex returns an offer index holding one offer per title.
func offerIndex(t testing.TB, titles ...string) *index.Index {
	t.Helper()
	idx, _ := offerMarket(t, titles...)
	return idx
}

// offerMarket is offerIndex with the store beside it.
func offerMarket(t testing.TB, titles ...string) (*index.Index, *store.Store) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "techmarket.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	idx, err := index.Open(context.Background(), filepath.Join(dir, "index"), st, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	m, err := market.New(st, market.Options{Index: idx})
	if err != nil {
		t.Fatal(err)
	}
	p := auth.Principal{Org: "甲", Role: techmarketv1.Role_ROLE_AGENCY}
	for i, title := range titles {
		if _, err := m.Offers.Create(context.Background(), p, &techmarketv1.Offer{
			ExternalId: fmt.Sprint(i), Title: title, Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI,
		}, true, false); err != nil {
			t.Fatal(err)
		}
	}
	return idx, st
}

func weightsOf(terms []term) map[string]float64 {
	w := map[string]float64{}
	for _, t := range terms {
		w[t.text] = t.weight
	}
	return w
}

func TestTellingTermsWeighFieldsAndRarity(t *testing.T) {
	idx := offerIndex(t, "矿井疏干水回用", "反渗透浓水处理", "焦炉煤气制氢", "电石渣制水泥")
	demand := &techmarketv1.Demand{
		Title:       "疏干水处理",
		Description: "反渗透浓水越来越多。",
	}
	terms, err := telling(demand, postingsOf(t, idx), true)
	if err != nil {
		t.Fatal(err)
	}
	w := weightsOf(terms)
	// 疏干水 (title) and 反渗透 (description) are equally rare in the
	// index; the title makes the first weigh more.
	if w["疏干水"] <= w["反渗透"] || w["反渗透"] == 0 {
		t.Errorf("weights %v: want 疏干水 (title) above 反渗透 (description), both present", w)
	}
	if _, ok := w["越来越"]; ok {
		t.Errorf("a word no offer has is in the query: %v", w)
	}
	for i := 1; i < len(terms); i++ {
		if terms[i].weight > terms[i-1].weight {
			t.Fatalf("terms not best first: %v", terms)
		}
	}
}

func TestTellingTermsDropCommonAndCap(t *testing.T) {
	titles := make([]string, 60)
	for i := range titles {
		titles[i] = fmt.Sprintf("节能技术第%d项", i) // 节能 in every offer
	}
	titles[7] = "磁悬浮鼓风机节能技术"
	idx := offerIndex(t, titles...)
	terms, err := telling(&techmarketv1.Demand{Title: "鼓风机节能"}, postingsOf(t, idx), true)
	if err != nil {
		t.Fatal(err)
	}
	w := weightsOf(terms)
	if _, ok := w["节能"]; ok {
		t.Errorf("节能 is in every offer and should be dropped: %v", w)
	}
	if w["鼓风机"] == 0 {
		t.Errorf("鼓风机 is missing: %v", w)
	}

	// The cap keeps the best terms: with room for two, the rarest stay.
	defer func(n int) { Tuning.MaxQueryTerms = n }(Tuning.MaxQueryTerms)
	Tuning.MaxQueryTerms = 2
	long := "磁悬浮鼓风机" + strings.Repeat("第1项第2项第3项", 50)
	terms, err = telling(&techmarketv1.Demand{Title: "磁悬浮鼓风机", Description: long}, postingsOf(t, idx), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(terms) != 2 || weightsOf(terms)["鼓风机"] == 0 {
		t.Errorf("capped to 2: %v; want 2 terms with 鼓风机 among them", terms)
	}
}

func postingsOf(t testing.TB, idx *index.Index) *index.Postings {
	t.Helper()
	p, err := idx.Postings(store.KindOffer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}
