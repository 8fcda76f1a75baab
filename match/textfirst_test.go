package match_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/match"
)

// TestTextFirstOrdersClearlyBetterTextFirst checks TextFirst's promise on
// random pools: after it, no candidate scores at or above one whose text
// fits more than 1/ratio times as well (unless that one breaks a hard
// constraint), no score rises, and a candidate with no such rival keeps
// its score.
func TestTextFirstOrdersClearlyBetterTextFirst(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1))
	for trial := range 500 {
		ratio := []float64{0.1, 0.3, 0.5, 0.9}[trial%4]
		before := make([]match.Scored, 1+rng.IntN(40))
		for i := range before {
			before[i] = match.Scored{Text: rng.Float64(), Score: rng.Float64(), Breaks: rng.IntN(8) == 0}
		}
		after := slices.Clone(before)
		match.TextFirst(after, ratio)
		for i, a := range after {
			if a.Score > before[i].Score {
				t.Fatalf("trial %d: candidate %d rose from %v to %v", trial, i, before[i].Score, a.Score)
			}
			rival := false
			for _, b := range after {
				if b.Breaks || a.Text >= ratio*b.Text {
					continue
				}
				rival = true
				if a.Score >= b.Score {
					t.Fatalf("trial %d, ratio %v: text %.3f scores %v, not below text %.3f's %v", trial, ratio, a.Text, a.Score, b.Text, b.Score)
				}
			}
			if !rival && a.Score != before[i].Score {
				t.Fatalf("trial %d: candidate %d has no clearly better rival, yet fell from %v to %v", trial, i, before[i].Score, a.Score)
			}
		}
	}
	same := []match.Scored{{Text: 1, Score: 0.2}, {Text: 0.01, Score: 0.9}}
	match.TextFirst(same, 0)
	if same[1].Score != 0.9 {
		t.Errorf("ratio 0 changed a score to %v", same[1].Score)
	}
}

// TestClearlyBetterTextRanksFirst: an offer of the demand's own industry
// whose text barely touches the need outranks, on the weights alone, the
// offer that solves it but is filed under another industry. With
// TextDominance the solving offer comes first, and the near-miss's
// explanation says why it fell.
func TestClearlyBetterTextRanksFirst(t *testing.T) {
	defer func(v float64) { match.Tuning.TextDominance = v }(match.Tuning.TextDominance)
	defer func(w match.RankWeights) { match.Tuning.ForOffers = w }(match.Tuning.ForOffers)
	m := newMarket(t)
	// The alerter matches in the background, reading the knobs this test
	// changes; the test's own matches are calls it waits for.
	m.env.Alerts.Close()
	// Weights that lean on the industry, as fitted ones may on a market
	// whose tags follow relevance closely: the rule must hold whatever
	// the weights.
	w := &match.Tuning.ForOffers
	w.Industry += w.Text - 0.3
	w.Text = 0.3
	fit := cokeOffer("fit")
	fit.Industries, fit.Price = []string{"equipment"}, nil
	m.publishOffer(t, fit)
	near := cokeOffer("near-miss")
	near.Title, near.Keywords, near.Industries = "焦炉煤气净化制甲醇", []string{"焦炉煤气", "甲醇"}, []string{"coal-chemical"}
	near.Summary, near.Description = "焦炉煤气经冷却、脱硫净化后转化合成甲醇。", ""
	m.publishOffer(t, near)

	match.Tuning.TextDominance = 0
	got := m.matchOffers(t, nil)
	if ids := externalIDs(got); len(ids) < 2 || ids[0] != "near-miss" || ids[1] != "fit" {
		t.Fatalf("without the rule the ranking is %v; the test needs the near-miss first on its industry", ids)
	}
	exponent := match.Tuning.ForOffers.TextExponent
	nearText := math.Pow(part(got[0], "text").GetValue(), 1/exponent)
	const ratio = 0.5
	if nearText >= ratio {
		t.Fatalf("the near-miss's text fits %.2f as well as the best; the test needs less than %v", nearText, ratio)
	}

	match.Tuning.TextDominance = ratio
	got = m.matchOffers(t, nil)
	if ids := externalIDs(got); len(ids) < 2 || ids[0] != "fit" || ids[1] != "near-miss" {
		t.Fatalf("with TextDominance %v the ranking is %v, want fit then near-miss", ratio, ids)
	}
	if part(got[0], match.FeatureWeakerText) != nil {
		t.Errorf("the fit lost score to its own text: %v", got[0].GetParts())
	}
	weaker := part(got[1], match.FeatureWeakerText)
	if weaker == nil || weaker.GetContribution() >= 0 || !strings.Contains(weaker.GetReason(), "50%") {
		t.Fatalf("near-miss parts %v; want a negative %s part saying it fits less than 50%% as well", got[1].GetParts(), match.FeatureWeakerText)
	}
	sum := 0.0
	for _, p := range got[1].GetParts() {
		sum += p.GetContribution()
	}
	if math.Abs(sum-got[1].GetScore()) > 1e-9 {
		t.Errorf("parts add up to %f, score is %f", sum, got[1].GetScore())
	}
}
