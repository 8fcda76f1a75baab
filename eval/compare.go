package eval

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// PairedRow compares two held-out runs (Learn) on one direction and
// group of queries: their mean held-out nDCG, recall and P@1, and the
// p-value of a paired randomization test of the difference in nDCG.
//
// Why a run against a run: a knob changes what every fold's fit starts
// from, so "the learned weights against the current ones" inside one run
// cannot say whether the knob helps. Two runs of the same set, clusters
// and folds, one with the knob and one without, can, query by query.
type PairedRow struct {
	Direction                 Direction
	Group                     string
	Queries                   int
	Before, After             float64
	P                         float64
	RelevantQueries           int
	BeforeRecall, AfterRecall float64
	BeforeP1, AfterP1         float64
}

// Compare pairs the queries of two held-out runs and compares them by
// direction and group, "all" first. The runs must have measured the same
// queries in the same number of folds.
func Compare(before, after *Learned) ([]PairedRow, error) {
	if before.K != after.K || before.Cut != after.Cut {
		return nil, fmt.Errorf("the runs differ in folds or cut-off (%d folds @%d against %d @%d): compare runs with the same --folds", before.K, before.Cut, after.K, after.Cut)
	}
	key := func(q HeldOutQuery) string { return string(q.Direction) + " " + q.Source }
	afterOf := make(map[string]HeldOutQuery, len(after.Queries))
	for _, q := range after.Queries {
		afterOf[key(q)] = q
	}
	if len(before.Queries) == 0 || len(afterOf) != len(before.Queries) {
		return nil, fmt.Errorf("the runs measured %d and %d queries: compare runs of the same set and clusters", len(before.Queries), len(after.Queries))
	}
	type sums struct {
		n, before, after           float64
		diffs                      []float64
		relevant                   float64
		bRecall, aRecall, bP1, aP1 float64
	}
	rows := groupSums[sums]{}
	for _, b := range before.Queries {
		a, ok := afterOf[key(b)]
		if !ok {
			return nil, fmt.Errorf("query %s %s is only in the first run: compare runs of the same set and clusters", b.Direction, b.Source)
		}
		for _, r := range rows.of(b.Direction, b.Group) {
			r.n++
			r.before += b.NDCG
			r.after += a.NDCG
			r.diffs = append(r.diffs, a.NDCG-b.NDCG)
			if b.Relevant {
				r.relevant++
				r.bRecall += b.Recall
				r.aRecall += a.Recall
				r.bP1 += b.P1
				r.aP1 += a.P1
			}
		}
	}
	var out []PairedRow
	for _, g := range rows.ordered() {
		r := g.sums
		row := PairedRow{Direction: g.d, Group: g.group, Queries: int(r.n), Before: r.before / r.n, After: r.after / r.n,
			P: randomization(r.diffs, 10000), RelevantQueries: int(r.relevant)}
		if r.relevant > 0 {
			row.BeforeRecall, row.AfterRecall = r.bRecall/r.relevant, r.aRecall/r.relevant
			row.BeforeP1, row.AfterP1 = r.bP1/r.relevant, r.aP1/r.relevant
		}
		out = append(out, row)
	}
	return out, nil
}

// WritePaired writes Compare's rows as a Markdown table.
func WritePaired(w io.Writer, rows []PairedRow) error {
	var b strings.Builder
	b.WriteString("Two held-out runs, query by query (nDCG@10, recall@10 and P@1 on the folds left out):\n\n")
	b.WriteString("| direction | group | queries | nDCG before | after | p | recall before | after | P@1 before | after |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", r.Direction, r.Group, r.Queries,
			r.Before, r.After, r.P, r.BeforeRecall, r.AfterRecall, r.BeforeP1, r.AfterP1)
	}
	b.WriteString("\np: the difference in nDCG, paired sign-flip test over the queries.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// groupSums are per-group sums of queries, keyed by direction and group.
type groupSums[S any] map[[2]string]*S

// of returns the sums a query of direction d and group adds to: its
// direction's "all" and its own group's, if it has one.
func (g groupSums[S]) of(d Direction, group string) []*S {
	var out []*S
	for _, name := range []string{AllGroup, group} {
		if name == "" {
			continue
		}
		k := [2]string{string(d), name}
		if g[k] == nil {
			g[k] = new(S)
		}
		out = append(out, g[k])
	}
	return out
}

// group is one group's sums, for ordered.
type group[S any] struct {
	d     Direction
	group string
	sums  *S
}

// ordered returns the groups in report order: by direction, "all" first,
// then by name.
func (g groupSums[S]) ordered() []group[S] {
	var out []group[S]
	for _, d := range Directions {
		var names []string
		for k := range g {
			if k[0] == string(d) && k[1] != AllGroup {
				names = append(names, k[1])
			}
		}
		slices.Sort(names)
		for _, name := range append([]string{AllGroup}, names...) {
			if s := g[[2]string{string(d), name}]; s != nil {
				out = append(out, group[S]{d, name, s})
			}
		}
	}
	return out
}
