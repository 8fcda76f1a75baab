package match

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// Search limits.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	// maxSearchTerms caps the terms taken from a search box, so that a
	// pasted page of text costs no more than a listing's match.
	maxSearchTerms = 32
)

// Search is a portal search over one side of the market.
type Search struct {
	Kind       store.Kind
	Text       string
	Industries []string
	Regions    []techmarketv1.Region
	MinTRL     int32
	MaxTRL     int32
	MinYuan    int64
	MaxYuan    int64
	Modes      []techmarketv1.TransferMode
	// Origin keeps to this market's own listings (index.OriginLocal) or
	// those of one link; empty finds both.
	Origin string
	Size   int
	// After resumes a previous search after its last hit (Hit.After).
	After []string
}

// Hit is one listing found by a search.
type Hit struct {
	ID      string
	Listing listing.Listing
	Score   float64
	Snippet string
	// After is the search-after position of this hit, for the next page.
	After []string
}

// FacetCount is how many hits have one value of a field.
type FacetCount struct {
	Value string
	Count int64
}

// SearchResult is one page of a search.
type SearchResult struct {
	Hits   []Hit
	Total  uint64
	Facets map[string][]FacetCount // industry, region, trl_band
	More   bool
}

// trlBands are the TRL facet's ranges: research, pilot, production.
var trlBands = []index.NumericRange{
	{Name: "unknown", Min: 0, Max: 1}, {Name: "1-3", Min: 1, Max: 4},
	{Name: "4-6", Min: 4, Max: 7}, {Name: "7-9", Min: 7, Max: 10},
}

// Search runs s over live listings. The text is analysed like listing
// text and searched term by term; it never reaches a query syntax.
func (m *Matcher) Search(ctx context.Context, s Search) (SearchResult, error) {
	target := m.idx.Side(s.Kind)
	textQuery, words := m.searchText(s.Text)
	q := index.Filtered(textQuery, query.NewConjunctionQuery(m.searchFilters(s)))

	tally := &index.FacetTally{}
	defer tally.Close()
	req := bleve.NewSearchRequestOptions(tally.Wrap(q), s.Size+1, 0, false)
	if len(words) > 0 {
		req.SortBy([]string{"-_score", "_id"})
	} else {
		req.SortBy([]string{"-_id"}) // ids sort by creation: newest first
	}
	if len(s.After) > 0 {
		if len(s.After) != len(req.Sort) {
			return SearchResult{}, errors.New("search position does not fit this search")
		}
		req.SetSearchAfter(s.After)
	}
	res, err := target.SearchInContext(ctx, req)
	if err != nil {
		return SearchResult{}, fmt.Errorf("search: %w", err)
	}
	out := SearchResult{Total: res.Total}
	if out.Facets, err = facets(tally); err != nil {
		return SearchResult{}, fmt.Errorf("search: counting facets: %w", err)
	}
	hits := res.Hits
	if len(hits) > s.Size {
		hits, out.More = hits[:s.Size], true
	}
	set := newTermSet(words, 1)
	for _, h := range hits {
		rec, err := m.st.Get(s.Kind, h.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return SearchResult{}, err
		}
		l, err := index.DecodeListing(rec)
		if err != nil {
			return SearchResult{}, err
		}
		hit := Hit{ID: h.ID, Listing: l, Score: h.Score, After: []string{h.ID}}
		if len(words) > 0 {
			hit.After = []string{strconv.FormatFloat(h.Score, 'g', -1, 64), h.ID}
		}
		_, hit.Snippet = set.explain(l)
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// facets counts the hits of a search by industry (the 30 commonest),
// region (the 5 commonest) and TRL band (those with hits), most first.
func facets(tally *index.FacetTally) (map[string][]FacetCount, error) {
	out := map[string][]FacetCount{}
	for _, f := range []struct {
		name, field string
		n           int
	}{{"industry", index.FieldIndustries, 30}, {"region", index.FieldRegion, 5}} {
		terms, err := tally.Terms(f.field, f.n)
		if err != nil {
			return nil, err
		}
		var counts []FacetCount
		for _, t := range terms {
			counts = append(counts, FacetCount{Value: t.Term, Count: int64(t.Count)})
		}
		out[f.name] = counts
	}
	bands, err := tally.Ranges(index.FieldTRL, trlBands)
	if err != nil {
		return nil, err
	}
	var counts []FacetCount
	for i, n := range bands {
		if n > 0 {
			counts = append(counts, FacetCount{Value: trlBands[i].Name, Count: int64(n)})
		}
	}
	// Most first, ties in name order.
	slices.SortStableFunc(counts, func(a, b FacetCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	out["trl_band"] = counts
	return out, nil
}

// searchText turns a search box into a query over the text fields; an
// empty box matches everything.
func (m *Matcher) searchText(text string) (query.Query, []term) {
	seen := map[string]bool{}
	var words []term
	var should []query.Query
	add := func(t, field string, boost float64) {
		q := query.NewTermQuery(t)
		q.SetField(field)
		q.SetBoost(boost)
		should = append(should, q)
	}
	for _, tok := range analysis.Terms(text) {
		if seen[tok.Term] || len(words) == maxSearchTerms {
			continue
		}
		seen[tok.Term] = true
		words = append(words, term{text: tok.Term, weight: 1})
		add(tok.Term, index.FieldTitle, 2)
		add(tok.Term, index.FieldKeywords, 1.5)
		add(tok.Term, index.FieldBody, 1)
	}
	if bigrams, err := analysis.Analyze(analysis.AnalyzerBigram, text); err == nil {
		for i, tok := range bigrams {
			if i == maxSearchTerms {
				break
			}
			add(tok.Term, index.FieldBigram, 0.5)
		}
	}
	if len(should) == 0 {
		return query.NewMatchAllQuery(), nil
	}
	return query.NewDisjunctionQuery(should), words
}

// searchFilters restricts a search to live listings and its filters.
func (m *Matcher) searchFilters(s Search) []query.Query {
	live := query.NewDateRangeQuery(m.now(), time.Time{})
	live.SetField(index.FieldExpire)
	qs := []query.Query{termQuery(index.FieldState, listing.StateWord(techmarketv1.ListingState_LISTING_STATE_PUBLISHED)), live}
	anyOf := func(field string, values []string) {
		if len(values) == 0 {
			return
		}
		var any []query.Query
		for _, v := range values {
			any = append(any, termQuery(field, v))
		}
		qs = append(qs, query.NewDisjunctionQuery(any))
	}
	anyOf(index.FieldIndustries, s.Industries)
	var regions []string
	for _, r := range s.Regions {
		regions = append(regions, interchange.RegionCode(r))
	}
	anyOf(index.FieldRegion, regions)
	anyOf(index.FieldModes, index.ModeCodes(s.Modes))
	if s.Origin != "" {
		qs = append(qs, termQuery(index.FieldOrigin, s.Origin))
	}
	if s.MinTRL > 0 || s.MaxTRL > 0 {
		qs = append(qs, numberRange(index.FieldTRL, float64(max(s.MinTRL, 1)), float64(s.MaxTRL)))
	}
	if s.MinYuan > 0 || s.MaxYuan > 0 {
		// The listing's range must overlap the asked one.
		qs = append(qs, termQuery(index.FieldPriced, "yes"), numberRange(index.FieldPriceMax, float64(s.MinYuan), 0))
		if s.MaxYuan > 0 {
			qs = append(qs, numberRange(index.FieldPriceMin, 0, float64(s.MaxYuan)))
		}
	}
	return qs
}
