package eval

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/wuhai-techmarket/techmarket/match"
)

// Chosen is what choosing one matching knob's value held out found.
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
}

// Choose measures every value of one matching knob (match.SetTuning) on
// the whole set, then for each of k folds of topic clusters chooses the
// value with the best mean nDCG on the other folds' queries (both
// directions together: the knob serves both) and scores it on the fold
// left out, beside the knob's current value and the baseline.
func Choose(ctx context.Context, cfg Config, clusters Clusters, k int, knob string, values []string) (*Chosen, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if k < 2 {
		return nil, fmt.Errorf("held-out figures need at least 2 folds, not %d", k)
	}
	current, err := match.TuningValue(knob)
	if err != nil {
		return nil, err
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("give the values of %s to choose from", knob)
	}
	// figures[v][i] are query i's figures with runs[v], the current value
	// last; the queries come in the same order from every run.
	runs := slices.Concat(values, []string{current})
	figures := make([][]scores, len(runs))
	var queries []Query
	defer func() { _ = match.SetTuning(knob, current) }()
	for v, value := range runs {
		if err := match.SetTuning(knob, value); err != nil {
			return nil, err
		}
		progress(cfg.Progress, "choose: %s=%s", knob, value)
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
	best := func(keep func(i int) bool) int {
		choice, top := 0, -1.0
		for v := range values {
			sum, n := 0.0, 0
			for i, s := range figures[v] {
				if keep(i) {
					sum, n = sum+s.ndcg, n+1
				}
			}
			if n > 0 && sum/float64(n) > top+1e-9 {
				choice, top = v, sum/float64(n)
			}
		}
		return choice
	}
	out := &Chosen{Knob: knob, Values: values, Current: current, K: k, Cut: cfg.K}
	held := make([]heldOut, len(queries))
	for fold := range k {
		v := best(func(i int) bool { return folds[i] != fold })
		out.ByFold = append(out.ByFold, values[v])
		for i, q := range queries {
			if folds[i] == fold {
				held[i] = heldOut{d: q.Direction, src: q.Source, group: q.Group, heldOut: figures[v][i], current: currentScores[i]}
			}
		}
	}
	out.All = values[best(func(int) bool { return true })]
	base, err := baselineScores(ctx, cfg)
	if err != nil {
		return nil, err
	}
	out.Rows = compareRows(held, base)
	return out, nil
}

// WriteChosen writes the held-out comparison as a Markdown table.
func WriteChosen(w io.Writer, c *Chosen) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s chosen from %s on %d−1 folds of topic clusters, nDCG@%d on the fold left out:\n\n", c.Knob, strings.Join(c.Values, ", "), c.K, c.Cut)
	writeRows(&b, c.Rows, "chosen", "current "+c.Current)
	fmt.Fprintf(&b, "\nChosen by the fold left out: %s. Chosen on every fold: %s.\n", strings.Join(c.ByFold, ", "), c.All)
	b.WriteString("p: the choice's held-out difference from the current value, paired sign-flip test over the queries.\n")
	_, err := io.WriteString(w, b.String())
	return err
}
