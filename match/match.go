package match

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
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

// Matcher matches listings against the other side's index.
type Matcher struct {
	idx *index.Index
	st  *store.Store
	now func() time.Time
}

// New returns a matcher over idx and the store it follows.
func New(idx *index.Index, st *store.Store, now func() time.Time) *Matcher {
	if now == nil {
		now = time.Now
	}
	return &Matcher{idx: idx, st: st, now: now}
}

// Filters turn soft preferences into hard filters.
type Filters struct {
	Regions             []techmarketv1.Region
	StrictReadiness     bool
	StrictTransferModes bool
	StrictPrice         bool
}

// Result is one match.
type Result struct {
	ID      string
	Listing listing.Listing
	Score   float64
	Parts   []Part
	Terms   []string
	Snippet string
}

// Part is one feature's share of a score.
type Part struct {
	Feature      string
	Contribution float64
	Value        float64
	Reason       string
}

// Result limits.
const (
	DefaultLimit = 10
	MaxLimit     = 100
)

// Match returns up to limit listings of the other side that fit src (a
// *techmarketv1.Offer or *techmarketv1.Demand), best first.
func (m *Matcher) Match(ctx context.Context, src listing.Listing, limit int, f Filters) ([]Result, error) {
	targetKind := store.KindOffer
	if _, ok := src.(*techmarketv1.Offer); ok {
		targetKind = store.KindDemand
	}
	target := m.idx.Side(targetKind)
	terms, err := telling(ctx, src, target)
	if err != nil {
		return nil, fmt.Errorf("match: weighing terms: %w", err)
	}
	if len(terms) == 0 {
		return nil, nil
	}
	// Structured features reorder within the pool, so it must reach past
	// the top few text hits.
	pool := max(Tuning.MinPool, limit*Tuning.PoolFactor)
	req := bleve.NewSearchRequestOptions(m.query(src, terms, f), pool, 0, false)
	res, err := target.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("match: searching %ss: %w", targetKind, err)
	}
	if len(res.Hits) == 0 {
		return nil, nil
	}
	top := res.Hits[0].Score
	results := make([]Result, 0, len(res.Hits))
	for _, hit := range res.Hits {
		rec, err := m.st.Get(targetKind, hit.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted since the index saw it
		} else if err != nil {
			return nil, err
		}
		cand, err := index.DecodeListing(rec)
		if err != nil {
			return nil, err
		}
		r := Result{ID: hit.ID, Listing: cand}
		r.Score, r.Parts = rank(src, cand, math.Pow(hit.Score/top, Tuning.TextExponent), m.now())
		results = append(results, r)
	}
	sort.SliceStable(results, func(i, j int) bool { return results[i].Score > results[j].Score })
	if len(results) > limit {
		results = results[:limit]
	}
	for i := range results {
		results[i].Terms, results[i].Snippet = explain(terms, results[i].Listing, 2)
	}
	return results, nil
}

// query builds the retrieval query: the telling terms over the target's
// text fields, filtered to live listings and the caller's hard filters.
func (m *Matcher) query(src listing.Listing, terms []term, f Filters) query.Query {
	fieldBoost := map[string]float64{
		index.FieldTitle:    Tuning.TitleBoost,
		index.FieldKeywords: Tuning.KeywordsBoost,
		index.FieldBody:     Tuning.BodyBoost,
		index.FieldExact:    Tuning.ExactBoost,
		index.FieldAside:    Tuning.AsideBoost,
		index.FieldFocus:    Tuning.FocusBoost,
	}
	var should []query.Query
	for i, t := range terms {
		for field, boost := range fieldBoost {
			// Body postings are the long ones, and bleve scores every
			// document a clause matches: only the best terms search bodies.
			if boost == 0 || (field == index.FieldBody && i >= Tuning.BodyTerms) {
				continue
			}
			tq := query.NewTermQuery(t.text)
			tq.SetField(field)
			tq.SetBoost(t.weight * boost)
			should = append(should, tq)
		}
	}
	// Character bigrams of the title and keywords find what the
	// dictionary splits differently on the two sides.
	if Tuning.BigramBoost > 0 {
		bigrams, _ := analysis.Analyze(analysis.AnalyzerBigram, src.GetTitle()+"\n"+strings.Join(src.GetKeywords(), "；"))
		seen := map[string]bool{}
		for _, b := range bigrams {
			if seen[b.Term] || len(seen) == Tuning.MaxQueryTerms {
				continue
			}
			seen[b.Term] = true
			tq := query.NewTermQuery(b.Term)
			tq.SetField(index.FieldBigram)
			tq.SetBoost(Tuning.BigramBoost)
			should = append(should, tq)
		}
	}
	text := query.NewDisjunctionQuery(should)

	filters := []query.Query{termQuery(index.FieldState, listing.StateWord(techmarketv1.ListingState_LISTING_STATE_PUBLISHED))}
	live := query.NewDateRangeQuery(m.now(), time.Time{})
	live.SetField(index.FieldExpire)
	filters = append(filters, live)
	filters = append(filters, hardFilters(src, f)...)

	b := query.NewBooleanQuery([]query.Query{text}, nil, nil)
	b.AddFilter(query.NewConjunctionQuery(filters))
	return b
}

// hardFilters expresses the strict constraints the caller asked for.
func hardFilters(src listing.Listing, f Filters) []query.Query {
	var qs []query.Query
	if len(f.Regions) > 0 {
		var any []query.Query
		for _, r := range f.Regions {
			any = append(any, termQuery(index.FieldRegion, interchange.RegionCode(r)))
		}
		qs = append(qs, query.NewDisjunctionQuery(any))
	}
	if f.StrictTransferModes && len(src.GetTransferModes()) > 0 {
		var any []query.Query
		for _, code := range index.ModeCodes(src.GetTransferModes()) {
			any = append(any, termQuery(index.FieldModes, code))
		}
		qs = append(qs, query.NewDisjunctionQuery(any))
	}
	switch s := src.(type) {
	case *techmarketv1.Demand: // target offers
		if f.StrictReadiness && s.GetMinTrl() > 0 {
			qs = append(qs, numberRange(index.FieldTRL, float64(s.GetMinTrl()), 0))
		}
		if f.StrictPrice && s.GetBudget() != nil {
			qs = append(qs, query.NewDisjunctionQuery([]query.Query{
				termQuery(index.FieldPriced, "no"),
				numberRange(index.FieldPriceMin, 0, float64(s.GetBudget().GetMaxYuan())),
			}))
		}
	case *techmarketv1.Offer: // target demands
		if f.StrictReadiness && s.GetTrl() > 0 {
			qs = append(qs, numberRange(index.FieldTRL, 0, float64(s.GetTrl())))
		}
		if f.StrictPrice && s.GetPrice() != nil {
			qs = append(qs, query.NewDisjunctionQuery([]query.Query{
				termQuery(index.FieldPriced, "no"),
				numberRange(index.FieldPriceMax, float64(s.GetPrice().GetMinYuan()), 0),
			}))
		}
	}
	return qs
}

func termQuery(field, value string) query.Query {
	q := query.NewTermQuery(value)
	q.SetField(field)
	return q
}

// numberRange matches lo ≤ field ≤ hi; a zero hi means no upper bound.
func numberRange(field string, lo, hi float64) query.Query {
	inclusive := true
	var maxp *float64
	if hi > 0 {
		maxp = &hi
	}
	q := query.NewNumericRangeInclusiveQuery(&lo, maxp, &inclusive, &inclusive)
	q.SetField(field)
	return q
}
