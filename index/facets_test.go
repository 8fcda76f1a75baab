package index_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/index"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

var trlRanges = []index.NumericRange{
	{Name: "unknown", Min: 0, Max: 1}, {Name: "1-3", Min: 1, Max: 4},
	{Name: "4-6", Min: 4, Max: 7}, {Name: "7-9", Min: 7, Max: 10},
	{Name: "open", Min: math.Inf(-1), Max: math.Inf(1)},
}

// TestFacetTallyCountsAsBleve checks that facets counted from postings
// are bleve's own, counted from doc values in the same search: the same
// terms in the same order with the same counts, and the same range
// counts, over several segments with replaced (deleted) documents, for
// searches that find everything, a part, one listing or nothing, and on
// a page after the first.
func TestFacetTallyCountsAsBleve(t *testing.T) {
	f := open(t, t.TempDir())
	defer f.close()
	ctx := context.Background()
	lines := f.importDemo()
	for i, line := range lines[:20] { // replaced: deleted documents stay in their segments
		changed := proto.Clone(line).(*techmarketv1.ImportLine)
		changed.Text = line.Text[:len(line.Text)-1] + fmt.Sprintf(`,"keywords":["改版%d"]}`, i)
		if _, err := f.m.Import(ctx, operator, false, []*techmarketv1.ImportLine{changed}); err != nil {
			t.Fatal(err)
		}
	}

	term, trl := fieldTerm, trlIn(4, 10)
	searches := map[string]query.Query{
		"everything":        query.NewMatchAllQuery(),
		"one industry":      term(index.FieldIndustries, "hydrogen"),
		"TRL 4 and above":   trl,
		"text and a filter": query.NewConjunctionQuery([]query.Query{query.NewDisjunctionQuery([]query.Query{term(index.FieldTitle, "氢"), term(index.FieldBody, "储能")}), trl}),
		"one listing":       term(index.FieldKeywords, "改版3"),
		"nothing":           term(index.FieldTitle, "没有这个词"),
	}
	segments := 0
	for name, q := range searches {
		for _, after := range [][]string{nil, {"o"}} {
			tally := &index.FacetTally{}
			req := bleve.NewSearchRequestOptions(tally.Wrap(q), 3, 0, false)
			req.SortBy([]string{"_id"})
			if after != nil {
				req.SetSearchAfter(after)
				name += ", a later page"
			}
			req.AddFacet("industry", bleve.NewFacetRequest(index.FieldIndustries, 30))
			req.AddFacet("region", bleve.NewFacetRequest(index.FieldRegion, 2))
			band := bleve.NewFacetRequest(index.FieldTRL, len(trlRanges))
			for _, r := range trlRanges {
				band.AddNumericRange(r.Name, &r.Min, &r.Max)
			}
			req.AddFacet("trl", band)
			res, err := f.idx.Side(store.KindOffer).SearchInContext(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			segments = max(segments, index.TallySegments(tally))
			if got := tally.Found(); got != res.Total {
				t.Errorf("%s: tally found %d, bleve %d", name, got, res.Total)
			}
			compareTerms(t, name, tally, index.FieldIndustries, 30, res.Facets["industry"])
			compareTerms(t, name, tally, index.FieldRegion, 2, res.Facets["region"])
			counts, err := tally.Ranges(index.FieldTRL, trlRanges)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]uint64{}
			for _, r := range res.Facets["trl"].NumericRanges {
				want[r.Name] = uint64(r.Count)
			}
			for i, r := range trlRanges {
				if counts[i] != want[r.Name] {
					t.Errorf("%s: TRL %s: tally %d, bleve %d", name, r.Name, counts[i], want[r.Name])
				}
			}
			if err := tally.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if segments < 2 {
		t.Errorf("searched %d segments at most; the test needs several", segments)
	}
}

func compareTerms(t *testing.T, name string, tally *index.FacetTally, field string, n int, want *search.FacetResult) {
	t.Helper()
	got, err := tally.Terms(field, n)
	if err != nil {
		t.Fatal(err)
	}
	var wantTerms []index.FacetTerm
	if want.Terms != nil {
		for _, tf := range want.Terms.Terms() {
			wantTerms = append(wantTerms, index.FacetTerm{Term: tf.Term, Count: uint64(tf.Count)})
		}
	}
	if !slices.Equal(got, wantTerms) && len(got)+len(wantTerms) > 0 {
		t.Errorf("%s: %s facet:\ntally %v\nbleve %v", name, field, got, wantTerms)
	}
}

func TestFacetTallyReadBeforeSearch(t *testing.T) {
	var tally index.FacetTally
	if _, err := tally.Terms(index.FieldIndustries, 5); err == nil {
		t.Error("a tally read before its search ran gave counts")
	}
	if err := tally.Close(); err != nil {
		t.Errorf("closing an unused tally: %v", err)
	}
}
