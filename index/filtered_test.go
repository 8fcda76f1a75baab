package index_test

import (
	"context"
	"math"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/store"
)

// TestFilteredFindsAsBooleanFilter checks that a filtered query finds
// what bleve's boolean query with a filter finds, in the same order with
// the same scores, for narrow and broad filters, texts that find much or
// little, and no text at all.
func TestFilteredFindsAsBooleanFilter(t *testing.T) {
	f := open(t, t.TempDir())
	defer f.close()
	f.importDemo()
	term, trl := fieldTerm, trlIn(4, 10)
	texts := map[string]query.Query{
		"common words": query.NewDisjunctionQuery([]query.Query{term(index.FieldBody, "技术"), term(index.FieldBody, "工艺"), term(index.FieldTitle, "氢")}),
		"a rare word":  term(index.FieldTitle, "疏干水"),
		"no text":      query.NewMatchAllQuery(),
	}
	filters := map[string]query.Query{
		"published":             term(index.FieldState, "published"),
		"one industry, TRL 4–9": query.NewConjunctionQuery([]query.Query{term(index.FieldIndustries, "hydrogen"), trl}),
		"nothing":               term(index.FieldIndustries, "no-such-industry"),
	}
	compared := 0
	for tn, text := range texts {
		for fn, filter := range filters {
			b := query.NewBooleanQuery([]query.Query{text}, nil, nil)
			b.AddFilter(filter)
			want := offerSearch(t, f, b)
			got := offerSearch(t, f, index.Filtered(text, filter))
			if got.Total != want.Total || len(got.Hits) != len(want.Hits) {
				t.Errorf("%s, %s: found %d (%d hits), want %d (%d)", tn, fn, got.Total, len(got.Hits), want.Total, len(want.Hits))
				continue
			}
			for i := range got.Hits {
				g, w := got.Hits[i], want.Hits[i]
				if g.ID != w.ID || math.Abs(g.Score-w.Score) > 1e-9*w.Score {
					t.Errorf("%s, %s: hit %d is %s (%g), want %s (%g)", tn, fn, i, g.ID, g.Score, w.ID, w.Score)
				}
			}
			compared += len(got.Hits)
		}
	}
	if compared < 50 {
		t.Errorf("compared %d hits; the test needs more", compared)
	}
}

// offerSearch runs q over the offers, every hit by score, then id.
func offerSearch(t *testing.T, f *folder, q query.Query) *bleve.SearchResult {
	t.Helper()
	req := bleve.NewSearchRequestOptions(q, 1000, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := f.idx.Side(store.KindOffer).SearchInContext(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
