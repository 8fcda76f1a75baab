package eval

import (
	"math"

	"github.com/wuhai-techmarket/techmarket/match"
)

// How the rank weights are fitted (learnWeights).
//
// A pairwise logistic model (RankNet): for every two candidates of a
// query whose grades differ, the chance that the better one scores
// higher is σ(β·(its score − the other's)), and the weights maximise
// the likelihood of the judged order, each pair weighing by the gain
// between the two grades (2^a − 2^b). The loss is convex in the weights,
// so the fit does not depend on where it starts. The coordinate ascent on
// nDCG it replaced did: started from the shipped weights, which had been
// fitted on every fold, it carried the held-out fold's judgments into
// its own held-out figures.
const (
	// pairTemperature is β. Scores lie in 0–1 and candidates of one
	// query differ by a few hundredths to a few tenths: at 20, a gap of
	// 0.1 says the higher one is the better almost nine times in ten
	// (σ(2) = 0.88).
	pairTemperature = 20
	// minorWeightCap bounds the weight of each feature but text and
	// industry. Readiness, price, modes, region, freshness and quality
	// may reorder near ties of fit, never decide it: uncapped, the fit
	// gave quality a quarter of the score, since on the development set
	// it tells its own listings from the background abstracts, which
	// says nothing about a market's listings.
	minorWeightCap = 0.05
	// fitIterations bounds the projected-gradient steps of one fit; it
	// stops earlier once no weight moves by more than fitTolerance. On
	// the development set that takes about 45 steps; 1e-6 took twice as
	// many and changed no figure, and the race detector makes every step
	// of the held-out test count.
	// fitStep is the step on the loss averaged per unit of pair weight.
	fitIterations = 400
	fitTolerance  = 1e-4
	fitStep       = 0.5
)

// textExponents are the text exponents tried: the exponent makes the
// model non-linear, so each is fitted in turn and the one whose weights
// order the training pools best by nDCG is kept.
var textExponents = []float64{0.25, 0.35, 0.5, 0.7, 1}

// features is the number of score parts a RankWeights weighs, in the
// order of knobs.
const features = 8

// fitData is the training pools flattened for fitting: every candidate's
// part values and the pairs of candidates whose grades differ.
type fitData struct {
	x        [][features]float64
	text     []float64 // the relative BM25 score, before any exponent
	violated []bool
	pairs    []fitPair
	total    float64 // the pairs' weights
}

type fitPair struct {
	better, worse int
	weight        float64
}

func flatten(pools []*pooled) *fitData {
	fd := &fitData{}
	w := match.RankWeights{}
	ks := knobs(&w)
	for _, q := range pools {
		first := len(fd.x)
		for _, c := range q.cands {
			var x [features]float64
			for f := range features {
				x[f] = c.values[ks[f].part]
			}
			fd.x = append(fd.x, x)
			fd.text = append(fd.text, math.Pow(x[0], 1/q.exponent)) // undo the exponent the service scored with
			fd.violated = append(fd.violated, c.violated)
		}
		for i, a := range q.cands {
			for j, b := range q.cands {
				if a.grade > b.grade {
					g := math.Exp2(float64(a.grade)) - math.Exp2(float64(b.grade))
					fd.pairs = append(fd.pairs, fitPair{first + i, first + j, g})
					fd.total += g
				}
			}
		}
	}
	return fd
}

// learnWeights fits the feature weights and the text exponent to the
// pools. rules gives what is not fitted: the cost of a broken hard
// constraint, the market's rule whatever the judgments reward. Every
// feature keeps at least minFeatureWeight, the minor ones at most
// minorWeightCap, and the weights add up to 1.
func learnWeights(pools []*pooled, rules match.RankWeights, k int) match.RankWeights {
	fd := flatten(pools)
	var best match.RankWeights
	bestNDCG := -1.0
	for _, e := range textExponents {
		for i := range fd.x {
			fd.x[i][0] = math.Pow(fd.text[i], e)
		}
		w := rules
		setFeatures(&w, fd.fit(rules.ViolationFactor, rules.ViolationPenalty))
		w.TextExponent = e
		if n := meanNDCG(pools, w, k); n > bestNDCG {
			best, bestNDCG = w, n
		}
	}
	return best
}

// fit runs projected gradient descent on the pairwise loss from equal
// weights and returns the weights, in knobs order.
func (fd *fitData) fit(violationFactor, violationPenalty float64) [features]float64 {
	var w [features]float64
	for f := range w {
		w[f] = 1.0 / features
	}
	w = project(w)
	if fd.total == 0 {
		return w
	}
	score := make([]float64, len(fd.x))
	slope := make([]float64, len(fd.x)) // ∂score/∂(w·x): the violation factor or 1
	coef := make([]float64, len(fd.x))
	for range fitIterations {
		for i, x := range fd.x {
			s := 0.0
			for f := range features {
				s += w[f] * x[f]
			}
			score[i], slope[i] = s, 1
			if fd.violated[i] {
				score[i], slope[i] = s*violationFactor-violationPenalty, violationFactor
			}
			coef[i] = 0
		}
		for _, p := range fd.pairs {
			// −∂/∂Δ of log σ(β·Δ) is β·σ(−β·Δ).
			g := p.weight * pairTemperature / (1 + math.Exp(pairTemperature*(score[p.better]-score[p.worse])))
			coef[p.better] -= g * slope[p.better]
			coef[p.worse] += g * slope[p.worse]
		}
		var grad [features]float64
		for i, x := range fd.x {
			if coef[i] != 0 {
				for f := range features {
					grad[f] += coef[i] * x[f]
				}
			}
		}
		next := w
		for f := range next {
			next[f] -= fitStep * grad[f] / fd.total
		}
		next = project(next)
		moved := 0.0
		for f := range w {
			moved = max(moved, math.Abs(next[f]-w[f]))
		}
		w = next
		if moved < fitTolerance {
			break
		}
	}
	return w
}

// project puts w back among the weights allowed: every feature at least
// minFeatureWeight, the minor ones (all but text and industry, the first
// two) at most minorWeightCap, text and industry sharing the rest so that
// the weights add up to 1.
func project(w [features]float64) [features]float64 {
	minor := 0.0
	for f := 2; f < features; f++ {
		w[f] = min(max(w[f], minFeatureWeight), minorWeightCap)
		minor += w[f]
	}
	rest := 1 - minor
	text := max(w[0], 0) / (max(w[0], 0) + max(w[1], 0) + 1e-12) * rest
	w[0] = min(max(text, minFeatureWeight), rest-minFeatureWeight)
	w[1] = rest - w[0]
	return w
}

// setFeatures sets w's feature weights from v, in knobs order.
func setFeatures(w *match.RankWeights, v [features]float64) {
	for f, k := range knobs(w)[:features] {
		*k.p = v[f]
	}
}
