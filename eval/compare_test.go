package eval

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// heldOutRun builds a held-out run of n demand→offer queries in group "vague"
// whose nDCG is ndcg(i).
func heldOutRun(n int, ndcg func(i int) float64) *Learned {
	l := &Learned{K: 5, Cut: 10}
	for i := range n {
		l.Queries = append(l.Queries, HeldOutQuery{Direction: DemandToOffer, Source: fmt.Sprintf("d%02d", i), Group: "vague",
			NDCG: ndcg(i), Relevant: i%2 == 0, P1: ndcg(i)})
	}
	return l
}

func TestCompareTellsAGainFromNoise(t *testing.T) {
	before := heldOutRun(30, func(i int) float64 { return 0.5 })
	// Every query gains: beyond chance.
	rows, err := Compare(before, heldOutRun(30, func(i int) float64 { return 0.6 }))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Group != AllGroup || rows[1].Group != "vague" {
		t.Fatalf("rows %+v, want all then vague", rows)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if r := rows[0]; !near(r.Before, 0.5) || !near(r.After, 0.6) || r.P >= Significance || r.RelevantQueries != 15 || !near(r.AfterP1, 0.6) {
		t.Errorf("uniform gain: %+v, want 0.5 → 0.6 beyond chance over 15 relevant queries", r)
	}
	// Gains and losses that cancel: not.
	rows, err = Compare(before, heldOutRun(30, func(i int) float64 { return 0.5 + 0.1*float64(i%2*2-1) }))
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.P < 0.5 {
		t.Errorf("cancelling changes: p %.3f, want no gain beyond chance", r.P)
	}
}

func TestCompareRefusesDifferentRuns(t *testing.T) {
	before := heldOutRun(10, func(int) float64 { return 0.5 })
	fewer := heldOutRun(9, func(int) float64 { return 0.5 })
	other := heldOutRun(10, func(int) float64 { return 0.5 })
	other.Queries[3].Source = "elsewhere"
	folds := heldOutRun(10, func(int) float64 { return 0.5 })
	folds.K = 4
	for name, after := range map[string]*Learned{"fewer queries": fewer, "another query": other, "other folds": folds} {
		if _, err := Compare(before, after); err == nil || !strings.Contains(err.Error(), "compare runs") {
			t.Errorf("%s: error %v, want one that says which runs compare", name, err)
		}
	}
}
