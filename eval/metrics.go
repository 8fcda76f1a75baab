package eval

import (
	"math"
	"slices"
)

// scores are the metrics of one query. Both the service and the baseline
// are measured through score, so the two columns of a report can differ
// only because the rankings do.
type scores struct {
	ndcg float64
	// hasRelevant says whether the query has a judged item of grade ≥ 2;
	// without one recall, P@1 and MRR are undefined and the query does not
	// count towards their means (it still counts for nDCG).
	hasRelevant bool
	recall      float64
	p1          float64
	rr          float64
}

// score measures one ranking. ranked holds the grades of the returned items
// in rank order (0 for unjudged ones); judged holds the grades of every
// judged item of the query, returned or not. Only the first k ranks count.
//
// nDCG@k uses the gain 2^grade − 1 and the discount log2(rank + 1), and
// the ideal DCG of the best possible order of all judged items, so a
// relevant item the ranking never returned costs what it should. Recall@k,
// P@1 and the reciprocal rank count grade ≥ 2 as relevant.
func score(ranked, judged []int, k int) scores {
	if len(ranked) > k {
		ranked = ranked[:k]
	}
	ideal := slices.Clone(judged)
	slices.SortFunc(ideal, func(a, b int) int { return b - a })
	var s scores
	if idcg := dcg(ideal, k); idcg > 0 {
		s.ndcg = dcg(ranked, k) / idcg
	}
	relevant := 0
	for _, g := range judged {
		if g >= relevantGrade {
			relevant++
		}
	}
	if relevant == 0 {
		return s
	}
	s.hasRelevant = true
	found := 0
	for i, g := range ranked {
		if g < relevantGrade {
			continue
		}
		if found == 0 {
			s.rr = 1 / float64(i+1)
		}
		found++
	}
	s.recall = float64(found) / float64(relevant)
	if len(ranked) > 0 && ranked[0] >= relevantGrade {
		s.p1 = 1
	}
	return s
}

// dcg is the discounted cumulative gain of the first k grades.
func dcg(grades []int, k int) float64 {
	var sum float64
	for i, g := range grades[:min(k, len(grades))] {
		sum += gain(g) / math.Log2(float64(i+2)) // rank i+1 is discounted by log2(rank+1)
	}
	return sum
}

// gain is 2^grade − 1: a grade-3 item is worth seven grade-1 items, so
// ranking what solves the demand first matters far more than ranking the
// merely related.
func gain(grade int) float64 {
	if grade <= 0 {
		return 0
	}
	return math.Exp2(float64(grade)) - 1
}

// scores are the query's figures as score measured them.
func (q Query) scores() scores {
	return scores{ndcg: q.NDCG, hasRelevant: q.Relevant > 0, recall: q.Recall, p1: q.P1, rr: q.RR}
}

// mean accumulates the means of a set of queries.
type mean struct {
	ndcg, recall, p1, rr float64
	queries, relQueries  int
}

func (m *mean) add(q Query) {
	m.queries++
	m.ndcg += q.NDCG
	if q.Relevant > 0 {
		m.relQueries++
		m.recall += q.Recall
		m.p1 += q.P1
		m.rr += q.RR
	}
}

func (m *mean) row(d Direction, group string) Row {
	r := Row{Direction: d, Group: group, Queries: m.queries, RelevantQueries: m.relQueries}
	if m.queries > 0 {
		r.NDCG = m.ndcg / float64(m.queries)
	}
	if m.relQueries > 0 {
		n := float64(m.relQueries)
		r.Recall, r.P1, r.MRR = m.recall/n, m.p1/n, m.rr/n
	}
	return r
}
