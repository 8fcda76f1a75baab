package eval

import (
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
