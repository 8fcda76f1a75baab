package eval

import (
	"math"
	"testing"

	"github.com/wuhai-techmarket/techmarket/match"
)

// pool builds a query whose candidates have the given grades and values
// of the text and industry parts, in the service's order.
func pool(d Direction, judged []int, cands ...candidate) *pooled {
	return &pooled{d: d, judged: judged, cands: cands, exponent: weightsOf(d).TextExponent}
}

func cand(grade int, text, industry float64) candidate {
	return candidate{grade: grade, values: map[string]float64{"text": text, "industry": industry}}
}

// TestLearnWeightsFindsTheTellingFeature: when the industry part tells
// the fitting candidate apart and the text part misleads, learning moves
// weight to industry and the re-ranked order puts the fit first.
func TestLearnWeightsFindsTheTellingFeature(t *testing.T) {
	var pools []*pooled
	for range 5 {
		pools = append(pools, pool(DemandToOffer, []int{3},
			cand(0, 1, 0.5), cand(0, 0.9, 0.5), cand(3, 0.3, 1)))
	}
	start := weightsOf(DemandToOffer)
	before := meanNDCG(pools, start, 10)
	w := learnWeights(pools, start, 10)
	after := meanNDCG(pools, w, 10)
	if after <= before || after < 0.999 {
		t.Errorf("nDCG %.3f → %.3f; want the fit first after learning (%s)", before, after, describe(w))
	}
	if w.Industry <= start.Industry {
		t.Errorf("industry weight %.3f → %.3f; want more", start.Industry, w.Industry)
	}
	sum := 0.0
	for _, k := range knobs(&w) {
		if k.part != "" {
			sum += *k.p
			if *k.p < minFeatureWeight {
				t.Errorf("%s weight %.4f: every feature keeps at least %.2f", k.part, *k.p, minFeatureWeight)
			}
		}
	}
	if sum < 0.999 || sum > 1.001 {
		t.Errorf("feature weights add up to %.4f, want 1", sum)
	}
	if w.ViolationFactor != start.ViolationFactor || w.ViolationPenalty != start.ViolationPenalty {
		t.Errorf("learning changed the cost of a broken constraint: %s", describe(w))
	}
}

// TestLearnWeightsDoesNotDependOnTheStart: the shipped weights were
// fitted on every fold, so a fit that started from them would carry the
// held-out fold's judgments into its held-out figures. Only the cost of
// a broken constraint comes from the weights passed in.
func TestLearnWeightsDoesNotDependOnTheStart(t *testing.T) {
	var pools []*pooled
	for i := range 6 {
		pools = append(pools, pool(DemandToOffer, []int{3, 1},
			cand(0, 1, 0.5), cand(1, 0.6+0.05*float64(i), 1), cand(3, 0.8, 0.75), cand(0, 0.4, 1)))
	}
	textHeavy, industryHeavy := weightsOf(DemandToOffer), weightsOf(DemandToOffer)
	textHeavy.Text, textHeavy.Industry, textHeavy.TextExponent = 0.9, 0.02, 1
	industryHeavy.Text, industryHeavy.Industry, industryHeavy.TextExponent = 0.05, 0.8, 0.25
	a, b := learnWeights(pools, textHeavy, 10), learnWeights(pools, industryHeavy, 10)
	if a != b {
		t.Errorf("fitted from two starts:\n%s\n%s\nwant the same weights", describe(a), describe(b))
	}
}

// TestLearnWeightsCapsTheMinorFeatures: a feature other than text and
// industry that tells the fit apart gains weight, but no more than
// minorWeightCap: freshness or completeness may reorder near ties, not
// outweigh the text.
func TestLearnWeightsCapsTheMinorFeatures(t *testing.T) {
	var pools []*pooled
	for range 5 {
		stale := cand(0, 1, 1)
		stale.values["quality"] = 0.2
		fit := cand(3, 0.95, 1)
		fit.values["quality"] = 1
		pools = append(pools, pool(DemandToOffer, []int{3}, stale, fit))
	}
	w := learnWeights(pools, weightsOf(DemandToOffer), 10)
	const most = 0.05 // the rule docs/matching.md states
	if w.Quality <= minFeatureWeight || w.Quality > most+1e-9 {
		t.Errorf("quality weight %.4f; want more than the floor %.2f and at most %.2f", w.Quality, minFeatureWeight, most)
	}
	if sum := w.Text + w.Industry + w.Readiness + w.Price + w.Modes + w.Region + w.Freshness + w.Quality; math.Abs(sum-1) > 1e-9 {
		t.Errorf("feature weights add up to %.6f, want 1", sum)
	}
}

// TestRerankBreaksConstraintsLower: a candidate that breaks a hard
// constraint ranks below an equal one that does not.
func TestRerankBreaksConstraintsLower(t *testing.T) {
	broken := cand(1, 1, 1)
	broken.violated = true
	q := pool(DemandToOffer, []int{3, 1}, broken, cand(3, 1, 1))
	if got := q.rerank(weightsOf(DemandToOffer)); got[0] != 3 {
		t.Errorf("re-ranked grades %v; want the one that keeps the constraints first", got)
	}
}

// TestRerankKeepsTextFirst: learning re-ranks its pools as a served
// match ranks, TextDominance included, or it would fit weights to an
// order the service never shows.
func TestRerankKeepsTextFirst(t *testing.T) {
	defer func(v float64) { match.Tuning.TextDominance = v }(match.Tuning.TextDominance)
	w := weightsOf(DemandToOffer)
	w.Text, w.Industry = 0.1, 0.9
	// The near-miss's text fits a hundredth as well as the fit's, before
	// the exponent.
	q := pool(DemandToOffer, []int{3}, cand(3, 1, 0), cand(0, math.Pow(0.01, w.TextExponent), 1))
	match.Tuning.TextDominance = 0
	if got := q.rerank(w); got[0] != 0 {
		t.Fatalf("without the rule, grades %v; the test needs the near-miss first on its industry", got)
	}
	match.Tuning.TextDominance = 0.5
	if got := q.rerank(w); got[0] != 3 {
		t.Errorf("with TextDominance 0.5, grades %v; want the clearly better text first", got)
	}
}

func TestRandomization(t *testing.T) {
	same := make([]float64, 30)
	if p := randomization(same, 1000); p < 0.99 {
		t.Errorf("no difference at all: p = %.3f, want 1", p)
	}
	better := make([]float64, 30)
	for i := range better {
		better[i] = 0.1
	}
	if p := randomization(better, 1000); p > 0.01 {
		t.Errorf("30 gains of 0.1: p = %.3f, want well below 0.01", p)
	}
}

// TestAcceptedTakesOnlyGainsBeyondChance: a direction's fitted weights
// replace the current ones only where the held-out gain is beyond chance.
func TestAcceptedTakesOnlyGainsBeyondChance(t *testing.T) {
	fitted := match.Fitted{ForOffers: weightsOf(DemandToOffer), ForDemands: weightsOf(OfferToDemand)}
	fitted.ForOffers.Text, fitted.ForDemands.Text = 0.9, 0.8
	l := &Learned{All: fitted, Rows: []LearnedRow{
		{Direction: DemandToOffer, Group: AllGroup, Learned: 0.84, Current: 0.83, P: 0.3},
		{Direction: OfferToDemand, Group: AllGroup, Learned: 0.85, Current: 0.82, P: 0.001},
		{Direction: OfferToDemand, Group: "original", Learned: 0.99, Current: 0.5, P: 0.001},
	}}
	got, taken := l.Accepted()
	if got.ForOffers != weightsOf(DemandToOffer) || got.ForDemands != fitted.ForDemands || len(taken) != 1 || taken[0] != OfferToDemand {
		t.Errorf("accepted %v for %v; want only the demands' weights replaced", got, taken)
	}
}

// TestCompareRowsAveragesRecallOverRelevantQueries: held-out recall and
// P@1, and the baseline's beside them, average over the queries with a
// relevant item only, while nDCG averages over all.
func TestCompareRowsAveragesRecallOverRelevantQueries(t *testing.T) {
	found := scores{ndcg: 1, hasRelevant: true, recall: 1, p1: 1}
	missed := scores{ndcg: 0.2, hasRelevant: true, recall: 0.5}
	unjudged := scores{ndcg: 0.6}
	held := []heldOut{
		{d: DemandToOffer, src: "a", group: "original", heldOut: found, current: missed},
		{d: DemandToOffer, src: "b", group: "original", heldOut: missed, current: missed},
		{d: DemandToOffer, src: "c", group: "vague", heldOut: unjudged, current: unjudged},
	}
	base := map[string]scores{
		string(DemandToOffer) + "\x00a": missed,
		string(DemandToOffer) + "\x00b": missed,
		string(DemandToOffer) + "\x00c": unjudged,
	}
	rows := compareRows(held, base)
	if len(rows) != 3 || rows[0].Group != AllGroup {
		t.Fatalf("rows %+v; want all, original and vague", rows)
	}
	all := rows[0]
	if all.Queries != 3 || all.RelevantQueries != 2 {
		t.Errorf("all: %d queries, %d with a relevant item; want 3 and 2", all.Queries, all.RelevantQueries)
	}
	if !near(all.Learned, (1+0.2+0.6)/3) || !near(all.Current, (0.2+0.2+0.6)/3) {
		t.Errorf("all: nDCG held out %.3f, current %.3f; want every query's mean", all.Learned, all.Current)
	}
	if !near(all.Recall, 0.75) || !near(all.PrecisionAt1, 0.5) || !near(all.BaselineRecall, 0.5) || all.BaselinePrecision != 0 {
		t.Errorf("all: recall %.3f (baseline %.3f), P@1 %.3f (baseline %.3f); want 0.75 (0.5) and 0.5 (0) over the two judged queries",
			all.Recall, all.BaselineRecall, all.PrecisionAt1, all.BaselinePrecision)
	}
	if vague := rows[2]; vague.Group != "vague" || vague.RelevantQueries != 0 || vague.Recall != 0 {
		t.Errorf("vague row %+v; want no recall without a relevant item", vague)
	}
}
