package match

import (
	"context"
	"testing"
	"unicode/utf8"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// FuzzQueryBuilding: whatever text a listing or a search box holds, query
// building stays within its caps, makes no empty or broken terms, and
// search (whose text never meets a query syntax) neither crashes nor
// fails.
func FuzzQueryBuilding(f *testing.F) {
	idx, st := offerMarket(f, "焦炉煤气制氢技术", "矿井疏干水回用", "PVC无汞触媒", "电石渣制水泥", "title:焦炉 AND 氢")
	m := New(idx, st, nil)
	for _, s := range []string{"焦炉煤气 制氢", "", "title:焦炉 +煤气 -制氢 \"未闭合 *", "PVC = 聚氯乙烯", "\xff\xfe", "氢氢氢氢氢氢氢氢氢氢氢氢", "a^5 OR 1=1 /.*/ ~2"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, title, description string) {
		if len(title) > 400 || len(description) > 4000 || !utf8.ValidString(title) {
			return // the API refuses such text before any analysis (FuzzValidate)
		}
		if !utf8.ValidString(description) {
			return
		}
		src := &techmarketv1.Demand{Title: title, Description: description}
		p := postingsOf(t, idx)
		terms, err := telling(src, p, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(terms) > Tuning.MaxQueryTerms {
			t.Fatalf("%d terms, more than %d", len(terms), Tuning.MaxQueryTerms)
		}
		cs, err := clauses(src, terms, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) > Tuning.MaxQueryTerms*5+Tuning.MaxQueryTerms {
			t.Fatalf("%d clauses", len(cs))
		}
		for _, c := range cs {
			if c.Term == "" || !utf8.ValidString(c.Term) || c.Boost < 0 {
				t.Fatalf("bad clause %+v", c)
			}
		}
		if _, err := m.Search(context.Background(), Search{Kind: store.KindOffer, Text: description, Size: 5}); err != nil {
			t.Fatalf("search %q: %v", description, err)
		}
	})
}
