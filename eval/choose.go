package eval

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/wuhai-techmarket/techmarket/match"
)

// Chosen is what choosing matching knobs' values held out found. With
// several knobs, Knob names them joined by "+" and each value is one
// combination, the knobs' values joined by "/".
type Chosen struct {
	Knob    string   `json:"knob"`
	Values  []string `json:"values"`
	Current string   `json:"current"`
	K       int      `json:"folds"`
	Cut     int      `json:"k"`
	// ByFold is the value chosen on the other folds, by the fold left out.
	ByFold []string `json:"byFold"`
	// All is the value chosen on every fold.
	All  string       `json:"all"`
	Rows []LearnedRow `json:"rows"`
	// Refit says the rank weights were fitted again beside every value.
	Refit bool `json:"refit"`
}

// Choose measures every combination of the knobs' values (match.SetTuning;
// grid[i] holds knob i's) on the whole set, then for each of k folds of
// topic clusters chooses the combination with the best mean nDCG on the
// other folds' queries (both directions together: the knobs serve both)
// and scores it on the fold left out, beside the knobs' current values
// and the baseline. Knobs that work together, such as how many feedback
// terms and at what weight, are chosen together, so that no value is
// fixed on the folds it is then judged on.
//
// With refit, every combination's rank weights are fitted again on the
// training folds beside it (Learn), and the combination whose fit orders
// its training folds best is chosen: a knob that changes the text score
// changes what the weights should be, and judged with the shipped
// weights (fitted on every fold, and for the knob's current value) it
// is judged unfairly both ways. The current values' column is then
// fitted the same way, held out.
func Choose(ctx context.Context, cfg Config, clusters Clusters, k int, knobs []string, grid [][]string, refit bool) (*Chosen, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if k < 2 {
		return nil, fmt.Errorf("held-out figures need at least 2 folds, not %d", k)
	}
	if len(knobs) == 0 || len(grid) != len(knobs) {
		return nil, fmt.Errorf("give each knob to choose its values: %d knobs, %d lists of values", len(knobs), len(grid))
	}
	current := make([]string, len(knobs))
	for i, knob := range knobs {
		var err error
		if current[i], err = match.TuningValue(knob); err != nil {
			return nil, err
		}
		if len(grid[i]) == 0 {
			return nil, fmt.Errorf("give the values of %s to choose from", knob)
		}
	}
	set := func(combo []string) error {
		for i, knob := range knobs {
			if err := match.SetTuning(knob, combo[i]); err != nil {
				return err
			}
		}
		return nil
	}
	defer func() { _ = set(current) }()
	combos := product(grid)
	values := make([]string, len(combos))
	for i, c := range combos {
		values[i] = strings.Join(c, "/")
	}
	// figures[v][i] are query i's figures with runs[v], the current values
	// last; the queries come in the same order from every run.
	runs := slices.Concat(combos, [][]string{current})
	figures := make([][]scores, len(runs))
	train := make([][]float64, len(runs)) // with refit: by run, then fold
	var queries []Query
	name := strings.Join(knobs, "+")
	for v, combo := range runs {
		if err := set(combo); err != nil {
			return nil, err
		}
		progress(cfg.Progress, "choose %d/%d: %s=%s", v+1, len(runs), name, strings.Join(combo, "/"))
		if refit {
			pools, err := servedPools(ctx, &cfg, clusters, k)
			if err != nil {
				return nil, err
			}
			cv := crossFit(pools, k, cfg.K, cfg.Progress)
			figures[v], train[v] = cv.heldOut, cv.train
			queries = queries[:0]
			for _, q := range pools {
				queries = append(queries, Query{Direction: q.d, Source: q.src, Group: q.group})
			}
			continue
		}
		rep, err := Run(ctx, cfg)
		if err != nil {
			return nil, err
		}
		figures[v] = make([]scores, len(rep.Queries))
		for i, q := range rep.Queries {
			figures[v][i] = q.scores()
		}
		queries = rep.Queries
	}
	currentScores := figures[len(values)]
	folds := make([]int, len(queries))
	for i, q := range queries {
		folds[i] = clusters.Fold(q.Source, k)
	}
	// trained is run v's mean nDCG on the training queries of fold (all
	// folds but it), or on every query for fold −1.
	trained := func(v, fold int) float64 {
		if refit {
			if fold < 0 {
				return average(train[v])
			}
			return train[v][fold]
		}
		sum, n := 0.0, 0
		for i, s := range figures[v] {
			if folds[i] != fold {
				sum, n = sum+s.ndcg, n+1
			}
		}
		if n == 0 {
			return 0
		}
		return sum / float64(n)
	}
	best := func(fold int) int {
		choice, top := 0, -1.0
		for v := range values {
			if t := trained(v, fold); t > top+1e-9 {
				choice, top = v, t
			}
		}
		return choice
	}
	out := &Chosen{Knob: name, Values: values, Current: strings.Join(current, "/"), K: k, Cut: cfg.K, Refit: refit}
	held := make([]heldOut, len(queries))
	for fold := range k {
		v := best(fold)
		out.ByFold = append(out.ByFold, values[v])
		for i, q := range queries {
			if folds[i] == fold {
				held[i] = heldOut{d: q.Direction, src: q.Source, group: q.Group, heldOut: figures[v][i], current: currentScores[i]}
			}
		}
	}
	out.All = values[best(-1)]
	base, err := baselineScores(ctx, cfg)
	if err != nil {
		return nil, err
	}
	out.Rows = compareRows(held, base)
	return out, nil
}

// product is every combination of one value from each list, the first
// list's values varying slowest.
func product(lists [][]string) [][]string {
	out := [][]string{nil}
	for _, list := range lists {
		var next [][]string
		for _, prefix := range out {
			for _, v := range list {
				next = append(next, append(slices.Clone(prefix), v))
			}
		}
		out = next
	}
	return out
}

// WriteChosen writes the held-out comparison as a Markdown table.
func WriteChosen(w io.Writer, c *Chosen) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s chosen from %s on %d−1 folds of topic clusters, nDCG@%d on the fold left out:\n\n", c.Knob, strings.Join(c.Values, ", "), c.K, c.Cut)
	current := "current " + c.Current
	if c.Refit {
		b.WriteString("The rank weights were fitted again on the training folds beside every value, the current one's too.\n\n")
		current += " (weights fitted again)"
	}
	writeRows(&b, c.Rows, "chosen", current)
	fmt.Fprintf(&b, "\nChosen by the fold left out: %s. Chosen on every fold: %s.\n", strings.Join(c.ByFold, ", "), c.All)
	b.WriteString("p: the choice's held-out difference from the current value, paired sign-flip test over the queries.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// average is the mean of xs, 0 for none.
func average(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
