package match

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// Matcher matches listings against the other side's index.
type Matcher struct {
	idx *index.Index
	st  *store.Store
	now func() time.Time
	// telling keeps feedback candidates' telling terms (feedbackDocs).
	telling *lru[tellingKey, []term]
}

// New returns a matcher over idx and the store it follows.
func New(idx *index.Index, st *store.Store, now func() time.Time) *Matcher {
	if now == nil {
		now = time.Now
	}
	return &Matcher{idx: idx, st: st, now: now, telling: newLRU[tellingKey, []term](tellingCacheSize)}
}

// Filters turn soft preferences into hard filters.
type Filters struct {
	Regions             []techmarketv1.Region
	StrictReadiness     bool
	StrictTransferModes bool
	StrictPrice         bool
	// WrittenBy, when not 0, keeps only the listings whose stored revision
	// is at most this change sequence: the market as it stood then. The
	// alerter, running behind the index, asks what an owner would have
	// seen when a listing appeared.
	WrittenBy uint64
	// Origin keeps to this market's own listings (index.OriginLocal) or
	// those of one link; empty matches both.
	Origin string
}

// Result is one match.
type Result struct {
	ID      string
	Listing listing.Listing
	// Revision is the store revision of the listing as matched: the
	// sequence number of the change that wrote it.
	Revision uint64
	Score    float64
	Parts    []Part
	// Coverage is the share, 0–1 by weight, of the source's telling terms
	// that the listing contains: how much of what the source asks its
	// text answers. Unlike the text part's value it does not depend on
	// the other candidates, so it compares across matches.
	Coverage float64
	Terms    []string
	Snippet  string

	text    float64 // the text fit relative to the best, before TextExponent
	lowered float64 // what TextFirst took off the score, ≤ 0
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
	results, terms, need, err := m.match(ctx, src, limit, f, true, true)
	texts := newResultTexts(terms, need)
	for i := range results {
		r := &results[i]
		// The coverage of the source's need terms (needTerms) is said in
		// the text part's reason.
		var shared []string
		r.Terms, r.Snippet, shared, r.Coverage = texts.explain(r.Listing)
		r.Parts[0].Reason = textReason(src, shared, r.Coverage) // Parts[0] is the text
	}
	return results, err
}

// Reverse matches a new or changed listing src against the other side,
// as src's poster would see it, and returns the ranked listings, best
// first, without explanations: the alerter reads only who they are and
// matches each one it proposes forward, whose explanation the alert
// shows. src's analysis is not kept: each new listing comes once.
func (m *Matcher) Reverse(ctx context.Context, src listing.Listing, limit int, f Filters) ([]Result, error) {
	results, _, _, err := m.match(ctx, src, limit, f, false, false)
	return results, err
}

// Proto is the match as the API shows it.
func (r Result) Proto() *techmarketv1.Match {
	m := &techmarketv1.Match{
		Name: r.Listing.GetName(), ExternalId: r.Listing.GetExternalId(), Title: r.Listing.GetTitle(),
		Poster: r.Listing.GetPoster(), Score: r.Score, MatchedTerms: r.Terms, Snippet: r.Snippet,
		TextCoverage: r.Coverage, HomeMarket: r.Listing.GetLinkedFrom().GetMarket(),
	}
	for _, p := range r.Parts {
		m.Parts = append(m.Parts, &techmarketv1.ScorePart{Feature: p.Feature, Contribution: p.Contribution, Value: p.Value, Reason: p.Reason})
	}
	return m
}

// match retrieves and ranks; results carry no explanation yet. remember
// keeps src's analysis for the next match of the same text: portal
// matches repeat, while the alerter's reverse match of each new listing
// runs once and must not push them out of the cache. cover weighs src's
// need terms (needTerms) for the results' coverage, which costs a look-up
// of each of src's terms on both sides.
func (m *Matcher) match(ctx context.Context, src listing.Listing, limit int, f Filters, remember, cover bool) (_ []Result, terms, need []term, _ error) {
	targetKind, ownKind := store.KindOffer, store.KindDemand
	if _, ok := src.(*techmarketv1.Offer); ok {
		targetKind, ownKind = store.KindDemand, store.KindOffer
	}
	postings, err := m.idx.Postings(targetKind)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("match: reading the %s index: %w", targetKind, err)
	}
	defer postings.Close()
	occ := occurrencesOf(src, remember)
	if terms, err = tellingOf(occ, postings); err != nil {
		return nil, nil, nil, fmt.Errorf("match: weighing terms: %w", err)
	}
	if len(terms) == 0 {
		return nil, nil, nil, nil
	}
	if cover {
		own, err := m.idx.Postings(ownKind)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("match: reading the %s index: %w", ownKind, err)
		}
		need, err = needTerms(occ, postings, own)
		if cerr := own.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("match: weighing the need's terms: %w", err)
		}
	}
	cs, err := clauses(src, terms, postings)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("match: weighing bigrams: %w", err)
	}
	scores, err := postings.Disjunction(ctx, cs)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("match: searching %ss: %w", targetKind, err)
	}
	defer scores.Release()
	now := m.now()
	feedback := Tuning.FeedbackWeight > 0 && Tuning.FeedbackWeight < 1 && Tuning.FeedbackDocs > 0 && Tuning.FeedbackTerms > 0

	// Structured features reorder within the pool, so it must reach past
	// the top few text hits.
	pool := max(Tuning.MinPool, limit*Tuning.PoolFactor)
	var whole []index.Clause // the source's whole-text bigrams
	if Tuning.BigramFusion > 0 {
		if whole, err = wholeTextClauses(src, postings, remember); err != nil {
			return nil, nil, nil, fmt.Errorf("match: weighing the whole text's bigrams: %w", err)
		}
	}
	var results []Result
	var hits []index.Hit // results[i]'s text hit
	collect := func(hit index.Hit, cand listing.Listing, _ uint64, rel float64) error {
		results = append(results, Result{ID: hit.ID, Listing: cand, text: rel})
		if hits = append(hits, hit); len(results) == pool {
			return index.ErrStop
		}
		return nil
	}
	err = m.st.Read(func(rd *store.Reader) error {
		// One transaction: the feedback's candidates are the pool's too.
		cands := newCandidates(rd, targetKind, feedback)
		if feedback {
			if err := m.withFeedback(ctx, cands, scores, postings, src, terms, f, now); err != nil {
				return err
			}
		}
		if err := cands.walk(scores, src, f, now, collect); err != nil {
			return err
		}
		if err := fuseWholeText(ctx, results, hits, whole, postings); err != nil {
			return fmt.Errorf("scoring the whole text's bigrams: %w", err)
		}
		for i := range results {
			r := &results[i]
			r.Score, r.Parts = rank(src, r.Listing, math.Pow(r.text, weightsFor(src).TextExponent), now, false)
		}
		textFirst(results)
		sort.SliceStable(results, func(i, j int) bool { return results[i].Score > results[j].Score })
		if len(results) > limit {
			results = results[:limit]
		}
		// Those kept in full, in the same transaction: explanations
		// quote their text. Ranked again, for the reasons.
		for i := range results {
			r := &results[i]
			rec, err := rd.Get(targetKind, r.ID)
			if err != nil {
				return err
			}
			r.Revision = rec.Revision
			if r.Listing, err = index.DecodeListing(rec); err != nil {
				return err
			}
			r.Score, r.Parts = rank(src, r.Listing, r.Parts[0].Value, now, true) // Parts[0] is the text
			if r.lowered < 0 {
				r.Score += r.lowered
				r.Parts = append(r.Parts, Part{Feature: FeatureWeakerText, Contribution: r.lowered,
					Reason: fmt.Sprintf("its text fits less than %.0f%% as well as that of a listing ranked above it", 100*Tuning.TextDominance)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("match: ranking %ss: %w", targetKind, err)
	}
	return results, terms, need, nil
}

// withFeedback runs the second round of pseudo-relevance feedback: the
// source's query blended with the first round's best candidates' telling
// terms (feedbackTerms), the source's terms keeping (1−FeedbackWeight) of
// the query's weight and the feedback's taking FeedbackWeight. The blend
// is first's scores plus a search of the feedback's terms alone
// (index.Scores.Add), both scaled by 1/(1−FeedbackWeight), which changes
// no order: searching the whole blended query again cost as much as the
// first round. It blends first in place.
func (m *Matcher) withFeedback(ctx context.Context, cands *candidates, first *index.Scores, postings *index.Postings, src listing.Listing, terms []term, f Filters, now time.Time) error {
	docs, err := m.feedbackDocs(cands, first, postings, src, f, now)
	if err != nil {
		return fmt.Errorf("reading the feedback %ss: %w", cands.kind, err)
	}
	fed := feedbackTerms(docs)
	if len(fed) == 0 {
		return nil
	}
	// The feedback weighs its share of the source's own total weight, so
	// that the fields' boosts keep their meaning.
	var own float64
	for _, t := range terms {
		own += t.weight
	}
	lambda := Tuning.FeedbackWeight
	for i := range fed {
		fed[i].weight *= lambda / (1 - lambda) * own
	}
	// The candidates' telling terms are their topic's; an aside (a
	// profile, boilerplate) that shares them says nothing, and held out
	// the feedback did as well without searching asides.
	second, err := postings.Disjunction(ctx, termClauses(fed, Tuning.FeedbackBodyTerms, 0))
	if err != nil {
		return fmt.Errorf("searching %ss with feedback: %w", cands.kind, err)
	}
	first.Add(second)
	return nil
}

// textFirst applies TextFirst with Tuning.TextDominance to the pool; a
// result it lowers keeps what it lost, to show as a part of its own.
func textFirst(results []Result) {
	if Tuning.TextDominance <= 0 {
		return
	}
	cs := make([]Scored, len(results))
	for i, r := range results {
		cs[i] = Scored{Text: r.text, Score: r.Score, Breaks: r.BreaksConstraint()}
	}
	TextFirst(cs, Tuning.TextDominance)
	for i := range results {
		results[i].lowered = cs[i].Score - results[i].Score
		results[i].Score = cs[i].Score
	}
}

// clauses are the retrieval query: the telling terms over the target's
// text fields, and the character bigrams of the source's title and
// keywords that are not common in target.
func clauses(src listing.Listing, terms []term, target *index.Postings) ([]index.Clause, error) {
	out := termClauses(terms, Tuning.BodyTerms, Tuning.AsideBoost)
	// Character bigrams find what the dictionary splits differently on
	// the two sides.
	if Tuning.BigramBoost > 0 {
		bigrams, _ := analysis.Analyze(analysis.AnalyzerBigram, src.GetTitle()+"\n"+strings.Join(src.GetKeywords(), "；"))
		seen := map[string]bool{}
		for _, b := range bigrams {
			if seen[b.Term] || len(seen) == Tuning.MaxQueryTerms {
				continue
			}
			seen[b.Term] = true
			if common, err := commonBigram(target, b.Term); err != nil {
				return nil, err
			} else if common {
				continue
			}
			out = append(out, index.Clause{Field: index.FieldBigram, Term: b.Term, Boost: Tuning.BigramBoost})
		}
	}
	return out, nil
}

// commonBigram reports whether bigram is in more than
// Tuning.BigramCommonShare of target (once it has CommonFloor listings):
// 技术 or 系统 name nothing, and their lists are long.
func commonBigram(target *index.Postings, bigram string) (bool, error) {
	df, err := target.DocFreq(index.FieldBigram, bigram)
	if err != nil {
		return false, err
	}
	n := target.DocCount()
	return n >= uint64(Tuning.CommonFloor) && float64(df) > Tuning.BigramCommonShare*float64(n), nil
}

// termClauses search the terms over the target's text fields, each by its
// weight times the field's boost; only the first bodyTerms search bodies,
// and asides weigh asideBoost.
func termClauses(terms []term, bodyTerms int, asideBoost float64) []index.Clause {
	fields := []struct {
		name  string
		boost float64
	}{
		{index.FieldTitle, Tuning.TitleBoost},
		{index.FieldKeywords, Tuning.KeywordsBoost},
		{index.FieldBody, Tuning.BodyBoost},
		{index.FieldAside, asideBoost},
		{index.FieldFocus, Tuning.FocusBoost},
	}
	var out []index.Clause
	for i, t := range terms {
		for _, f := range fields {
			// Body postings are the long ones: only the best terms
			// search bodies.
			if f.boost == 0 || (f.name == index.FieldBody && i >= bodyTerms) {
				continue
			}
			out = append(out, index.Clause{Field: f.name, Term: t.text, Boost: t.weight * f.boost})
		}
	}
	return out
}

// live reports whether a listing may be matched: published and not past
// its expiry (which the store learns only when the listing is next read or
// swept).
func live(l listing.Listing, now time.Time) bool {
	return l.GetState() == techmarketv1.ListingState_LISTING_STATE_PUBLISHED &&
		l.GetExpireTime().AsTime().After(now)
}

// matchable reports whether cand, at store revision revision, may be
// matched for src under f: written by f.WrittenBy, live, and admitted by
// f's strict constraints.
func matchable(src, cand listing.Listing, revision uint64, f Filters, now time.Time) bool {
	return (f.WrittenBy == 0 || revision <= f.WrittenBy) && live(cand, now) && admits(src, cand, f)
}

// admits reports whether cand meets the strict constraints the caller
// asked for on top of src's own.
func admits(src, cand listing.Listing, f Filters) bool {
	if f.Origin != "" && index.Origin(cand) != f.Origin {
		return false
	}
	if len(f.Regions) > 0 && !slices.Contains(f.Regions, cand.GetRegion()) {
		return false
	}
	if f.StrictTransferModes && len(src.GetTransferModes()) > 0 &&
		!slices.ContainsFunc(cand.GetTransferModes(), func(m techmarketv1.TransferMode) bool {
			return slices.Contains(src.GetTransferModes(), m)
		}) {
		return false
	}
	// A strict filter binds only what the source states: a demand's minimum
	// TRL and budget, an offer's TRL and price.
	switch s := src.(type) {
	case *techmarketv1.Demand:
		o := cand.(*techmarketv1.Offer)
		if f.StrictReadiness && s.GetMinTrl() > 0 && o.GetTrl() < s.GetMinTrl() {
			return false
		}
		if f.StrictPrice && s.GetBudget() != nil && o.GetPrice() != nil && o.GetPrice().GetMinYuan() > s.GetBudget().GetMaxYuan() {
			return false
		}
	case *techmarketv1.Offer:
		d := cand.(*techmarketv1.Demand)
		if f.StrictReadiness && s.GetTrl() > 0 && s.GetTrl() < d.GetMinTrl() {
			return false
		}
		if f.StrictPrice && s.GetPrice() != nil && d.GetBudget() != nil && s.GetPrice().GetMinYuan() > d.GetBudget().GetMaxYuan() {
			return false
		}
	}
	return true
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
