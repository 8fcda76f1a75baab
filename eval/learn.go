package eval

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// weightsOf returns the current weights of direction d's matches.
func weightsOf(d Direction) match.RankWeights {
	if d == OfferToDemand {
		return match.Tuning.ForDemands
	}
	return match.Tuning.ForOffers
}

// knob is one of a RankWeights' fields that learning fits, with the
// score part it weighs ("" for the text exponent).
type knob struct {
	part string
	p    *float64
}

// knobs are the fields of w that learning fits, the feature weights first
// in score-part order. The cost of breaking a hard constraint is not
// among them: that a listing the enterprise cannot take as it stands
// ranks lower is the market's rule, whatever the judgments reward.
func knobs(w *match.RankWeights) []knob {
	return []knob{
		{"text", &w.Text}, {"industry", &w.Industry}, {"readiness", &w.Readiness}, {"price", &w.Price},
		{"transfer_modes", &w.Modes}, {"region", &w.Region}, {"freshness", &w.Freshness}, {"quality", &w.Quality},
		{"", &w.TextExponent},
	}
}

func describe(w match.RankWeights) string {
	var b strings.Builder
	for _, k := range knobs(&w) {
		if k.part != "" {
			fmt.Fprintf(&b, "%s %.3f, ", k.part, *k.p)
		}
	}
	fmt.Fprintf(&b, "text exponent %.3f, violation ×%.3f −%.3f", w.TextExponent, w.ViolationFactor, w.ViolationPenalty)
	return b.String()
}

// candidate is one listing of a query's pool with its score parts'
// values, as the service returned it.
type candidate struct {
	grade    int
	values   map[string]float64
	violated bool
}

// pooled is one query with the service's pool for it.
type pooled struct {
	d      Direction
	src    string
	group  string
	fold   int
	judged []int // grades of every judged item, for the ideal DCG
	cands  []candidate
	// exponent is the text exponent the pool was scored with, to undo.
	exponent float64
}

// rerank scores the pool with w and returns the grades, best first.
func (q *pooled) rerank(w match.RankWeights) []int {
	type scored struct {
		grade int
		score float64
	}
	out := make([]scored, len(q.cands))
	texts := make([]match.Scored, len(q.cands))
	for i, c := range q.cands {
		s := 0.0
		for _, k := range knobs(&w) {
			if k.part == "" {
				continue
			}
			v := c.values[k.part]
			if k.part == "text" && v > 0 {
				v = math.Pow(v, w.TextExponent/q.exponent) // the relative BM25 score, reshaped
			}
			s += *k.p * v
		}
		if c.violated {
			s = s*w.ViolationFactor - w.ViolationPenalty
		}
		out[i] = scored{c.grade, s}
		texts[i] = match.Scored{Text: math.Pow(c.values["text"], 1/q.exponent), Score: s, Breaks: c.violated}
	}
	// The text keeps charge of the order as in a served match.
	match.TextFirst(texts, match.Tuning.TextDominance)
	for i := range out {
		out[i].score = texts[i].Score
	}
	slices.SortStableFunc(out, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	grades := make([]int, len(out))
	for i, s := range out {
		grades[i] = s.grade
	}
	return grades
}

// collectPools asks the service for every candidate a served match of
// cut results ranks, for every judged query, with their score parts.
//
// Why all of them and no more: a match for cut results ranks the
// max(MinPool, cut·PoolFactor) best text hits. Learning re-ranks exactly
// those, so the weights it fits order what a served match can show. Asked
// for more, the service would rank a pool eight times as deep, and
// learning would lift candidates a served match never sees (and measure
// the text fit against a different best). A pool deeper than a call may
// return (maxK) is cut there.
func collectPools(ctx context.Context, s *set, svc *service, clusters Clusters, k, cut int) ([]*pooled, error) {
	served := min(max(match.Tuning.MinPool, cut*match.Tuning.PoolFactor), maxK)
	factor, floor := match.Tuning.PoolFactor, match.Tuning.MinPool
	match.Tuning.PoolFactor, match.Tuning.MinPool = 1, served // a call for served results ranks that pool and returns all of it
	defer func() { match.Tuning.PoolFactor, match.Tuning.MinPool = factor, floor }()
	var pools []*pooled
	for _, d := range Directions {
		for _, src := range s.queries(d) {
			matches, err := svc.matches(ctx, d, src, served)
			if err != nil {
				return nil, fmt.Errorf("matching %s: %w", src, err)
			}
			judged := s.judged(d, src)
			q := &pooled{d: d, src: src, group: s.group(d, src), fold: clusters.Fold(src, k), exponent: weightsOf(d).TextExponent}
			for _, g := range judged {
				q.judged = append(q.judged, g)
			}
			for _, m := range matches {
				id := svc.names[m.GetName()]
				c := candidate{grade: judged[id], values: map[string]float64{}}
				for _, p := range m.GetParts() {
					c.values[p.GetFeature()] = p.GetValue()
					c.violated = c.violated || p.GetFeature() == match.FeatureConstraints
				}
				q.cands = append(q.cands, c)
			}
			pools = append(pools, q)
		}
	}
	return pools, nil
}

// meanNDCG is the mean nDCG@k of the pools re-ranked with w.
func meanNDCG(pools []*pooled, w match.RankWeights, k int) float64 {
	if len(pools) == 0 {
		return 0
	}
	sum := 0.0
	for _, q := range pools {
		sum += score(q.rerank(w), q.judged, k).ndcg
	}
	return sum / float64(len(pools))
}

// minFeatureWeight keeps every feature in play: structure may reorder
// near text ties, so none of it may fall out of the score entirely.
const minFeatureWeight = 0.01

// Learned is what cross-validated learning of the rank weights found.
type Learned struct {
	K    int `json:"folds"`
	Cut  int `json:"k"`
	Rows []LearnedRow
	// Folds are the weights fitted without each fold, by fold.
	Folds []match.Fitted
	// All are the weights fitted on every query: what --train writes.
	All match.Fitted
	// Queries are every query's held-out figures, for Compare to pair
	// with another run's.
	Queries []HeldOutQuery `json:"queries"`
}

// HeldOutQuery is one query's nDCG with the weights fitted without its
// fold, and with the current weights; recall and P@1 are held out, and
// count only when Relevant (the query has an item of grade ≥ 2).
type HeldOutQuery struct {
	Direction Direction `json:"direction"`
	Source    string    `json:"source"`
	Group     string    `json:"group,omitempty"`
	NDCG      float64   `json:"ndcg"`
	Current   float64   `json:"current"`
	Relevant  bool      `json:"relevant"`
	Recall    float64   `json:"recall"`
	P1        float64   `json:"p1"`
}

// LearnedRow compares, for one direction and group, the held-out nDCG of
// the learned weights (or chosen value) with the current weights' and the
// baseline's on the same queries, and the held-out recall@k and P@1 with
// the baseline's.
type LearnedRow struct {
	Direction Direction
	Group     string
	Queries   int
	Learned   float64
	Current   float64
	Baseline  float64
	// P is the two-sided p-value of a paired randomization test of the
	// learned weights' held-out gain over the current weights.
	P float64
	// RelevantQueries have a judged item of grade ≥ 2: the recall and P@1
	// figures average over them.
	RelevantQueries                 int
	Recall, BaselineRecall          float64
	PrecisionAt1, BaselinePrecision float64
}

// Learn fits the rank weights by cross-validation over k folds of topic
// clusters: for each fold, fitted on the other folds' queries
// (learnWeights), scored on the fold's. The current weights and the naive baseline are
// scored on the same queries beside them.
func Learn(ctx context.Context, cfg Config, clusters Clusters, k int) (*Learned, error) {
	if k < 2 {
		return nil, fmt.Errorf("held-out figures need at least 2 folds, not %d", k)
	}
	pools, err := servedPools(ctx, &cfg, clusters, k)
	if err != nil {
		return nil, err
	}
	base, err := baselineScores(ctx, cfg)
	if err != nil {
		return nil, err
	}
	out := &Learned{K: k, Cut: cfg.K}
	cv := crossFit(pools, k, cfg.K, cfg.Progress)
	out.Folds = cv.folds
	out.All = fitOn(pools, func(*pooled) bool { return true }, cfg.K)

	held := make([]heldOut, len(pools))
	for i, q := range pools {
		held[i] = heldOut{d: q.d, src: q.src, group: q.group, heldOut: cv.heldOut[i],
			current: score(q.rerank(weightsOf(q.d)), q.judged, cfg.K)}
	}
	out.Rows = compareRows(held, base)
	for _, h := range held {
		out.Queries = append(out.Queries, HeldOutQuery{Direction: h.d, Source: h.src, Group: h.group,
			NDCG: h.heldOut.ndcg, Current: h.current.ndcg, Relevant: h.heldOut.hasRelevant,
			Recall: h.heldOut.recall, P1: h.heldOut.p1})
	}
	return out, nil
}

// servedPools serves the set and collects every query's served pool,
// each marked with its fold of k. It fills in cfg's defaults.
func servedPools(ctx context.Context, cfg *Config, clusters Clusters, k int) ([]*pooled, error) {
	s, svc, err := serveSet(ctx, cfg)
	if err != nil {
		return nil, err
	}
	pools, err := collectPools(ctx, s, svc, clusters, k, cfg.K)
	if cerr := svc.close(); err == nil {
		err = cerr
	}
	return pools, err
}

// fitOn fits each direction's weights on the pools keep keeps. Each
// direction has its weights: what an enterprise looks for in an offer is
// not what an agency looks for in a demand.
func fitOn(pools []*pooled, keep func(*pooled) bool, cut int) match.Fitted {
	var f match.Fitted
	for _, d := range Directions {
		var train []*pooled
		for _, q := range pools {
			if q.d == d && keep(q) {
				train = append(train, q)
			}
		}
		w := learnWeights(train, weightsOf(d), cut)
		if d == DemandToOffer {
			f.ForOffers = w
		} else {
			f.ForDemands = w
		}
	}
	return f
}

// crossFitted is what fitting without each fold in turn found.
type crossFitted struct {
	heldOut []scores       // by pool: with the weights fitted without its fold
	train   []float64      // by fold: the mean nDCG of the other folds' queries with the weights fitted on them
	folds   []match.Fitted // by fold: the weights fitted without it
}

// crossFit fits the weights on every fold but one, for each of k folds,
// and scores the fold left out.
func crossFit(pools []*pooled, k, cut int, progressTo io.Writer) crossFitted {
	cv := crossFitted{heldOut: make([]scores, len(pools))}
	for fold := range k {
		training := func(q *pooled) bool { return q.fold != fold }
		f := fitOn(pools, training, cut)
		cv.folds = append(cv.folds, f)
		progress(progressTo, "learn: fitted without fold %d/%d", fold+1, k)
		var sum, n float64
		for i, q := range pools {
			s := score(q.rerank(fittedFor(f, q.d)), q.judged, cut)
			if q.fold == fold {
				cv.heldOut[i] = s
			} else {
				sum, n = sum+s.ndcg, n+1
			}
		}
		if n > 0 {
			sum /= n
		}
		cv.train = append(cv.train, sum)
	}
	return cv
}

// Significance is the p-value below which a direction's held-out gain
// counts as beyond chance.
const Significance = 0.05

// Accepted are the weights to ship: for each direction, the weights
// fitted on every fold where they beat the current ones held out beyond
// chance (the direction's row "all"), the current weights elsewhere.
func (l *Learned) Accepted() (match.Fitted, []Direction) {
	f := match.Fitted{ForOffers: weightsOf(DemandToOffer), ForDemands: weightsOf(OfferToDemand)}
	var taken []Direction
	for _, r := range l.Rows {
		if r.Group != AllGroup || r.P >= Significance || r.Learned <= r.Current {
			continue
		}
		taken = append(taken, r.Direction)
		if r.Direction == DemandToOffer {
			f.ForOffers = l.All.ForOffers
		} else {
			f.ForDemands = l.All.ForDemands
		}
	}
	return f, taken
}

// fittedFor is f's weights for direction d.
func fittedFor(f match.Fitted, d Direction) match.RankWeights {
	if d == OfferToDemand {
		return f.ForDemands
	}
	return f.ForOffers
}

// heldOut is one query's figures held out, and with the current setting.
type heldOut struct {
	d                Direction
	src, group       string
	heldOut, current scores
}

// compareRows averages held-out and current nDCG, and the baseline's
// (by direction and source), by direction and group, "all" first, with
// the p-value of the difference; and the held-out recall and P@1 beside
// the baseline's.
func compareRows(queries []heldOut, baseline map[string]scores) []LearnedRow {
	type sums struct {
		n, learned, current, baseline  float64
		diffs                          []float64
		relevant                       int
		recall, baseRecall, p1, baseP1 float64
	}
	rows := groupSums[sums]{}
	for _, q := range queries {
		base := baseline[string(q.d)+"\x00"+q.src]
		for _, r := range rows.of(q.d, q.group) {
			r.n++
			r.learned += q.heldOut.ndcg
			r.current += q.current.ndcg
			r.baseline += base.ndcg
			r.diffs = append(r.diffs, q.heldOut.ndcg-q.current.ndcg)
			if q.heldOut.hasRelevant {
				r.relevant++
				r.recall += q.heldOut.recall
				r.p1 += q.heldOut.p1
				r.baseRecall += base.recall
				r.baseP1 += base.p1
			}
		}
	}
	var out []LearnedRow
	for _, g := range rows.ordered() {
		r := g.sums
		row := LearnedRow{Direction: g.d, Group: g.group, Queries: int(r.n),
			Learned: r.learned / r.n, Current: r.current / r.n, Baseline: r.baseline / r.n, P: randomization(r.diffs, 10000),
			RelevantQueries: r.relevant}
		if n := float64(r.relevant); n > 0 {
			row.Recall, row.BaselineRecall = r.recall/n, r.baseRecall/n
			row.PrecisionAt1, row.BaselinePrecision = r.p1/n, r.baseP1/n
		}
		out = append(out, row)
	}
	return out
}

// baselineScores runs the baseline and keys its figures by direction and
// source.
func baselineScores(ctx context.Context, cfg Config) (map[string]scores, error) {
	base, err := Baseline(ctx, cfg)
	if err != nil {
		return nil, err
	}
	out := map[string]scores{}
	for _, q := range base.Queries {
		out[string(q.Direction)+"\x00"+q.Source] = q.scores()
	}
	return out, nil
}

// randomization is the two-sided p-value of a paired sign-flip test of
// the mean of diffs: how often flipping the signs at random gives a mean
// at least as far from 0.
func randomization(diffs []float64, rounds int) float64 {
	if len(diffs) == 0 {
		return 1
	}
	observed := 0.0
	for _, d := range diffs {
		observed += d
	}
	observed = math.Abs(observed)
	rng := rand.New(rand.NewPCG(7, 11))
	hits := 0
	for range rounds {
		sum := 0.0
		for _, d := range diffs {
			if rng.IntN(2) == 0 {
				sum += d
			} else {
				sum -= d
			}
		}
		if math.Abs(sum) >= observed-1e-12 {
			hits++
		}
	}
	return float64(hits+1) / float64(rounds+1)
}

// WriteLearned writes the held-out comparison as a Markdown table.
func WriteLearned(w io.Writer, l *Learned) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Rank weights learned on %d−1 folds of topic clusters, nDCG@%d on the fold left out:\n\n", l.K, l.Cut)
	writeRows(&b, l.Rows, "learned", "current weights")
	b.WriteString("\np: the learned weights' gain over the current ones, paired sign-flip test over the queries.\n")
	b.WriteString("The current weights were chosen on every fold: their column is not held out.\n")
	b.WriteString("\nWeights by the fold left out:\n")
	for i, f := range l.Folds {
		fmt.Fprintf(&b, "- fold %d, offers for a demand: %s\n", i+1, describe(f.ForOffers))
		fmt.Fprintf(&b, "- fold %d, demands for an offer: %s\n", i+1, describe(f.ForDemands))
	}
	fmt.Fprintf(&b, "\nFitted on every fold (what --train writes):\n- offers for a demand: %s\n- demands for an offer: %s\n", describe(l.All.ForOffers), describe(l.All.ForDemands))
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRows writes held-out rows as a Markdown table: nDCG held out
// (column learned), with the current setting (column current), and
// recall@k and P@1 held out, each beside the baseline's.
func writeRows(b *strings.Builder, rows []LearnedRow, learned, current string) {
	fmt.Fprintf(b, "| direction | group | queries | %s (held out) | %s | p | baseline | recall held out | baseline | P@1 held out | baseline |\n", learned, current)
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range rows {
		fmt.Fprintf(b, "| %s | %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", r.Direction, r.Group, r.Queries,
			r.Learned, r.Current, r.P, r.Baseline, r.Recall, r.BaselineRecall, r.PrecisionAt1, r.BaselinePrecision)
	}
}

// matches returns the service's first limit matches for src in d.
func (svc *service) matches(ctx context.Context, d Direction, src string, limit int) ([]*techmarketv1.Match, error) {
	name := svc.byExternal[d][src]
	if d == DemandToOffer {
		resp, err := svc.c.Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: name, Limit: int32(limit)})
		return resp.GetMatches(), err
	}
	resp, err := svc.c.Match.MatchDemands(ctx, &techmarketv1.MatchDemandsRequest{Offer: name, Limit: int32(limit)})
	return resp.GetMatches(), err
}
