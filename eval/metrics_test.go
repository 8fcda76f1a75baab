package eval

import (
	"math"
	"testing"
)

// log2of3 is the discount of rank 2, log2(2+1).
var log2of3 = math.Log2(3)

func TestScore(t *testing.T) {
	tests := []struct {
		name   string
		ranked []int // grades of the returned items, best first
		judged []int // grades of every judged item
		k      int
		want   scores
	}{{
		// DCG = 7/log2(3) (gain 2^3−1 at rank 2); IDCG = 7/log2(2) = 7.
		name:   "one grade-3 item at rank 2",
		ranked: []int{0, 3}, judged: []int{3}, k: 10,
		want: scores{ndcg: (7 / log2of3) / 7, hasRelevant: true, recall: 1, p1: 0, rr: 0.5},
	}, {
		name:   "perfect order",
		ranked: []int{3, 2, 1}, judged: []int{1, 2, 3}, k: 10,
		want: scores{ndcg: 1, hasRelevant: true, recall: 1, p1: 1, rr: 1},
	}, {
		// DCG = 1 + 3/log2(3) + 7/log2(4) = 1 + 1.893 + 3.5;
		// IDCG = 7 + 3/log2(3) + 1/log2(4) = 7 + 1.893 + 0.5. The grade-1
		// item on top is not relevant, so P@1 = 0 and the first relevant
		// is at rank 2.
		name:   "reversed order",
		ranked: []int{1, 2, 3}, judged: []int{3, 2, 1}, k: 10,
		want: scores{
			ndcg:        (1 + 3/log2of3 + 7.0/2) / (7 + 3/log2of3 + 1.0/2),
			hasRelevant: true, recall: 1, p1: 0, rr: 0.5,
		},
	}, {
		// The ideal counts the judged item never returned:
		// DCG = 7, IDCG = 7 + 7/log2(3); one of two relevant found.
		name:   "a relevant item missing",
		ranked: []int{3, 0}, judged: []int{3, 3}, k: 10,
		want: scores{ndcg: 7 / (7 + 7/log2of3), hasRelevant: true, recall: 0.5, p1: 1, rr: 1},
	}, {
		// Rank 3 is past k = 2: nothing counts.
		name:   "relevant item past k",
		ranked: []int{0, 0, 3}, judged: []int{3, 2}, k: 2,
		want: scores{ndcg: 0, hasRelevant: true, recall: 0, p1: 0, rr: 0},
	}, {
		// Only the top k of the ideal order count: IDCG@1 = 7 = DCG@1.
		name:   "ideal cut at k",
		ranked: []int{3}, judged: []int{3, 3, 3}, k: 1,
		want: scores{ndcg: 1, hasRelevant: true, recall: 1.0 / 3, p1: 1, rr: 1},
	}, {
		// Grade 1 counts for nDCG (DCG = 1, IDCG = 1 + 1/log2(3)) but
		// nothing is relevant, so recall, P@1 and MRR do not apply.
		name:   "only grade 1 judged",
		ranked: []int{1}, judged: []int{1, 1}, k: 10,
		want: scores{ndcg: 1 / (1 + 1/log2of3)},
	}, {
		name:   "nothing returned",
		ranked: nil, judged: []int{2}, k: 10,
		want: scores{hasRelevant: true},
	}, {
		// No gain to be had: 0, not NaN.
		name:   "nothing judged above 0",
		ranked: []int{0}, judged: []int{0}, k: 10,
		want: scores{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := score(tt.ranked, tt.judged, tt.k)
			if !near(got.ndcg, tt.want.ndcg) || got.hasRelevant != tt.want.hasRelevant ||
				!near(got.recall, tt.want.recall) || got.p1 != tt.want.p1 || !near(got.rr, tt.want.rr) {
				t.Errorf("score(%v, %v, %d) = %+v, want %+v", tt.ranked, tt.judged, tt.k, got, tt.want)
			}
		})
	}
}

func TestScoreKeepsJudgedOrder(t *testing.T) {
	judged := []int{1, 3, 2}
	score([]int{3}, judged, 10)
	if judged[0] != 1 || judged[1] != 3 || judged[2] != 2 {
		t.Errorf("score reordered its input: %v", judged)
	}
}

func TestAggregate(t *testing.T) {
	queries := []Query{
		{Direction: DemandToOffer, Group: "a", NDCG: 1, Relevant: 1, Recall: 1, P1: 1, RR: 1},
		{Direction: DemandToOffer, Group: "b", NDCG: 0.5, Relevant: 2, Recall: 0.5, P1: 0, RR: 0.5},
		{Direction: DemandToOffer, Group: "b", NDCG: 0.25, Relevant: 1, Recall: 0, P1: 0, RR: 0},
		// Nothing of grade ≥ 2: counts for nDCG only.
		{Direction: OfferToDemand, NDCG: 0.4},
		{Direction: OfferToDemand, NDCG: 0.8, Relevant: 1, Recall: 1, P1: 1, RR: 1},
	}
	want := []Row{
		{Direction: DemandToOffer, Group: AllGroup, NDCG: 1.75 / 3, Recall: 1.5 / 3, P1: 1.0 / 3, MRR: 1.5 / 3, Queries: 3, RelevantQueries: 3},
		{Direction: DemandToOffer, Group: "a", NDCG: 1, Recall: 1, P1: 1, MRR: 1, Queries: 1, RelevantQueries: 1},
		{Direction: DemandToOffer, Group: "b", NDCG: 0.375, Recall: 0.25, P1: 0, MRR: 0.25, Queries: 2, RelevantQueries: 2},
		{Direction: OfferToDemand, Group: AllGroup, NDCG: 0.6, Recall: 1, P1: 1, MRR: 1, Queries: 2, RelevantQueries: 1},
		// Only where some queries lack a grade-2 item: the README's count.
		{Direction: OfferToDemand, Group: RelevantGroup, NDCG: 0.8, Recall: 1, P1: 1, MRR: 1, Queries: 1, RelevantQueries: 1},
	}
	got := aggregate(queries)
	if len(got) != len(want) {
		t.Fatalf("aggregate gave %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Direction != w.Direction || g.Group != w.Group || g.Queries != w.Queries || g.RelevantQueries != w.RelevantQueries ||
			!near(g.NDCG, w.NDCG) || !near(g.Recall, w.Recall) || !near(g.P1, w.P1) || !near(g.MRR, w.MRR) {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestWilson checks the interval against the textbook's figures: 80 hits
// in 100 give 0.711–0.867, and the interval stays within 0–1 at the ends.
func TestWilson(t *testing.T) {
	tests := []struct {
		hits, n   int
		low, high float64
	}{
		{80, 100, 0.711, 0.867},
		{0, 10, 0, 0.278},
		{10, 10, 0.722, 1},
	}
	for _, tt := range tests {
		low, high := wilson(tt.hits, tt.n)
		if math.Abs(low-tt.low) > 0.001 || math.Abs(high-tt.high) > 0.001 {
			t.Errorf("wilson(%d, %d) = %.3f–%.3f, want %.3f–%.3f", tt.hits, tt.n, low, high, tt.low, tt.high)
		}
	}
}
