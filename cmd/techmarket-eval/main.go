// Command techmarket-eval measures Techmarket's matching quality on an
// evaluation set: nDCG@10, recall@10, P@1 and MRR in both directions, by
// group, optionally beside the naive baseline. See package eval.
//
//	techmarket-eval --set DIR [--background FILE]... [--groups FILE] [--baseline] [--verbose] [--json]
//	techmarket-eval --alerts --set DIR --clusters FILE [--folds K] [--background FILE]... [--json]
//	techmarket-eval --learn --set DIR --clusters FILE [--folds K] [--tune KNOB=V]... [--train FILE] [--json]
//	techmarket-eval [--learn] --choose KNOB=V1,V2... --set DIR --clusters FILE [--folds K] [--json]
//	techmarket-eval --compare BEFORE.json AFTER.json
//
// With --alerts it replays the set's arrivals through the alerter instead
// (eval.ReplayAlerts) and reports alert precision and recall, held out by
// topic cluster. With --learn it fits the rank weights on folds of topic
// clusters and reports the folds held out; --compare pairs two such runs
// (--learn --json), query by query, and says whether they differ beyond
// chance.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/wuhai-techmarket/techmarket/eval"
	"github.com/wuhai-techmarket/techmarket/match"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// worstShown is how many queries per direction --verbose lists.
const worstShown = 10

// run is the whole program minus the process, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("techmarket-eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg        eval.Config
		groups     string
		baseline   bool
		verbose    bool
		jsonOutput bool
		alerts     bool
		learn      bool
		compare    bool
		choose     []string
		train      string
		clusters   string
		folds      int
	)
	fs.StringVar(&cfg.SetDir, "set", "", "evaluation set `folder` with offers.jsonl, demands.jsonl and qrels.tsv (required)")
	fs.Func("background", "JSON Lines `file` of distractor listings to import too; repeatable", func(path string) error {
		cfg.Background = append(cfg.Background, path)
		return nil
	})
	fs.StringVar(&groups, "groups", "", "`file` of demandExternalId<TAB>group lines, to report demand→offer figures by group")
	fs.Func("tune", "`knob=value`: try another value of a matching knob (match.Tuning); repeatable", match.SetTuningFlag)
	fs.BoolVar(&baseline, "baseline", false, "also measure the naive bleve baseline and show it beside the service")
	fs.BoolVar(&verbose, "verbose", false, fmt.Sprintf("list the %d worst queries of each direction with what ranked above the relevant items", worstShown))
	fs.BoolVar(&jsonOutput, "json", false, "print the reports, every query included, as one JSON object")
	fs.BoolVar(&alerts, "alerts", false, "replay the set's arrivals through the alerter and report alert precision and recall, held out by topic")
	fs.BoolVar(&learn, "learn", false, "fit the rank weights on folds of topic clusters and report nDCG on the folds held out, beside the current weights and the baseline")
	fs.Func("choose", "`knob=v1,v2,…`: choose the matching knob's value on folds of topic clusters and report nDCG on the folds held out, beside its current value and the baseline; repeated, the knobs' values are chosen together, every combination tried; with --learn, the rank weights are fitted again beside every value", func(c string) error {
		choose = append(choose, c)
		return nil
	})
	fs.BoolVar(&compare, "compare", false, "compare two held-out runs saved by --learn --json, given as the two arguments BEFORE.json AFTER.json, query by query")
	fs.StringVar(&train, "train", "", "with --learn, write to `file` the weights fitted on every fold for each direction where they beat the current ones held out beyond chance, the current ones elsewhere (match/weights.json is the one the build embeds)")
	fs.StringVar(&clusters, "clusters", "", "`file` of externalId<TAB>cluster lines: the topic clusters --alerts and --learn hold out (required with them)")
	fs.IntVar(&folds, "folds", 5, "how many folds of clusters --alerts and --learn hold out in turn")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: techmarket-eval --set DIR [--background FILE]... [--groups FILE] [--baseline] [--verbose] [--json]")
		fmt.Fprintln(stderr, "       techmarket-eval --alerts --set DIR --clusters FILE [--folds K] [--background FILE]... [--json]")
		fmt.Fprintln(stderr, "       techmarket-eval --learn --set DIR --clusters FILE [--folds K] [--tune KNOB=V]... [--train FILE] [--json]")
		fmt.Fprintln(stderr, "       techmarket-eval [--learn] --choose KNOB=V1,V2... --set DIR --clusters FILE [--folds K] [--json]")
		fmt.Fprintln(stderr, "       techmarket-eval --compare BEFORE.json AFTER.json")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if compare {
		if fs.NArg() != 2 {
			fmt.Fprintln(stderr, "techmarket-eval: --compare takes two runs saved by --learn --json, e.g. --compare before.json after.json")
			return 2
		}
		return runCompare(fs.Arg(0), fs.Arg(1), stdout, stderr)
	}
	if train != "" && !learn {
		fmt.Fprintln(stderr, "techmarket-eval: --train writes what --learn fits: give both")
		return 2
	}
	if fs.NArg() > 0 || cfg.SetDir == "" {
		fmt.Fprintln(stderr, "techmarket-eval: give the set folder with --set (and no other arguments), e.g. --set ../shared/data/dev")
		return 2
	}
	if groups != "" {
		var err error
		if cfg.Groups, err = eval.ReadGroups(groups); err != nil {
			fmt.Fprintf(stderr, "techmarket-eval: reading --groups: %v\n", err)
			return 1
		}
	}
	cfg.Progress = stderr
	if alerts || learn || len(choose) > 0 {
		if clusters == "" {
			fmt.Fprintln(stderr, "techmarket-eval: --alerts, --learn and --choose hold out topic clusters: give them with --clusters, e.g. --clusters eval/testdata/dev-clusters.tsv")
			return 2
		}
		if folds < 2 {
			fmt.Fprintf(stderr, "techmarket-eval: --folds %d: holding out needs at least 2 folds\n", folds)
			return 2
		}
		c, err := eval.ReadClusters(clusters)
		if err != nil {
			fmt.Fprintf(stderr, "techmarket-eval: reading --clusters: %v\n", err)
			return 1
		}
		if len(choose) > 0 {
			if train != "" {
				fmt.Fprintln(stderr, "techmarket-eval: --train writes the weights of one setting: run --learn --train without --choose, with the value chosen set by --tune")
				return 2
			}
			return runChoose(ctx, cfg, c, folds, choose, learn, jsonOutput, stdout, stderr)
		}
		if learn {
			return runLearn(ctx, cfg, c, folds, train, jsonOutput, stdout, stderr)
		}
		return runAlerts(ctx, cfg, c, folds, jsonOutput, stdout, stderr)
	}

	rep, err := eval.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "techmarket-eval: %v\n", err)
		return 1
	}
	var base *eval.Report
	if baseline {
		if base, err = eval.Baseline(ctx, cfg); err != nil {
			fmt.Fprintf(stderr, "techmarket-eval: %v\n", err)
			return 1
		}
	}

	if jsonOutput {
		err = writeJSON(stdout, struct {
			Techmarket *eval.Report `json:"techmarket"`
			Baseline   *eval.Report `json:"baseline,omitempty"`
		}{rep, base})
	} else {
		err = eval.WriteTable(stdout, rep, base)
		if err == nil && verbose {
			err = eval.WriteWorst(stdout, rep, worstShown)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "techmarket-eval: writing the report: %v\n", err)
		return 1
	}
	return 0
}

// runAlerts is --alerts.
func runAlerts(ctx context.Context, cfg eval.Config, clusters eval.Clusters, folds int, jsonOutput bool, stdout, stderr io.Writer) int {
	replay, err := eval.ReplayAlerts(ctx, cfg, clusters)
	if err != nil {
		fmt.Fprintf(stderr, "techmarket-eval: %v\n", err)
		return 1
	}
	held, err := replay.CrossValidate(folds)
	if err != nil {
		fmt.Fprintf(stderr, "techmarket-eval: %v\n", err)
		return 2
	}
	if jsonOutput {
		err = writeJSON(stdout, struct {
			HeldOut *eval.HeldOut       `json:"heldOut"`
			Shipped []eval.AlertFigures `json:"shipped"`
			Replay  *eval.AlertReplay   `json:"replay"`
		}{held, replay.Score(eval.ShippedAlertRule), replay})
	} else {
		err = eval.WriteAlerts(stdout, replay, held, folds)
	}
	if err != nil {
		fmt.Fprintf(stderr, "techmarket-eval: writing the report: %v\n", err)
		return 1
	}
	return 0
}

// writeJSON writes v as one indented JSON object.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// runLearn is --learn.
func runLearn(ctx context.Context, cfg eval.Config, clusters eval.Clusters, folds int, train string, jsonOutput bool, stdout, stderr io.Writer) int {
	l, err := eval.Learn(ctx, cfg, clusters, folds)
	if err != nil {
		fmt.Fprintf(stderr, "techmarket-eval: %v\n", err)
		return 1
	}
	if train != "" {
		accepted, taken := l.Accepted()
		var b bytes.Buffer
		if err := writeJSON(&b, accepted); err != nil {
			fmt.Fprintf(stderr, "techmarket-eval: %v\n", err)
			return 1
		}
		if err := os.WriteFile(train, b.Bytes(), 0o644); err != nil {
			fmt.Fprintf(stderr, "techmarket-eval: writing --train: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "techmarket-eval: wrote %s: fitted weights for %v (held-out gain beyond chance), the current ones elsewhere; rebuild to use them\n", train, taken)
	}
	if jsonOutput {
		err = writeJSON(stdout, l)
	} else {
		err = eval.WriteLearned(stdout, l)
	}
	if err != nil {
		fmt.Fprintf(stderr, "techmarket-eval: writing the report: %v\n", err)
		return 1
	}
	return 0
}

// runCompare is --compare.
func runCompare(beforePath, afterPath string, stdout, stderr io.Writer) int {
	var runs [2]eval.Learned
	for i, path := range []string{beforePath, afterPath} {
		b, err := os.ReadFile(path)
		if err == nil {
			err = json.Unmarshal(b, &runs[i])
		}
		if err != nil {
			fmt.Fprintf(stderr, "techmarket-eval: --compare: reading %s: %v (save a run with --learn --json > %s)\n", path, err, path)
			return 1
		}
	}
	rows, err := eval.Compare(&runs[0], &runs[1])
	if err != nil {
		fmt.Fprintf(stderr, "techmarket-eval: --compare %s %s: %v\n", beforePath, afterPath, err)
		return 2
	}
	if err := eval.WritePaired(stdout, rows); err != nil {
		fmt.Fprintf(stderr, "techmarket-eval: writing the report: %v\n", err)
		return 1
	}
	return 0
}

// runChoose is --choose, once per knob.
func runChoose(ctx context.Context, cfg eval.Config, clusters eval.Clusters, folds int, choices []string, refit, jsonOutput bool, stdout, stderr io.Writer) int {
	var knobs []string
	var grid [][]string
	for _, choice := range choices {
		knob, list, ok := strings.Cut(choice, "=")
		if !ok || knob == "" || list == "" {
			fmt.Fprintf(stderr, "techmarket-eval: --choose wants knob=v1,v2,…, such as BodyTerms=24,32,48, not %q\n", choice)
			return 2
		}
		if slices.Contains(knobs, knob) {
			fmt.Fprintf(stderr, "techmarket-eval: --choose names %s twice: give all its values in one, such as %s=1,2,3\n", knob, knob)
			return 2
		}
		// Every value must take before the first run starts.
		current, err := match.TuningValue(knob)
		if err != nil {
			fmt.Fprintf(stderr, "techmarket-eval: --choose: %v\n", err)
			return 2
		}
		values := strings.Split(list, ",")
		for _, v := range values {
			if err := match.SetTuning(knob, v); err != nil {
				fmt.Fprintf(stderr, "techmarket-eval: --choose: %v\n", err)
				return 2
			}
		}
		if err := match.SetTuning(knob, current); err != nil {
			fmt.Fprintf(stderr, "techmarket-eval: --choose: %v\n", err)
			return 1
		}
		knobs, grid = append(knobs, knob), append(grid, values)
	}
	c, err := eval.Choose(ctx, cfg, clusters, folds, knobs, grid, refit)
	if err != nil {
		fmt.Fprintf(stderr, "techmarket-eval: %v\n", err)
		return 1
	}
	if jsonOutput {
		err = writeJSON(stdout, c)
	} else {
		err = eval.WriteChosen(stdout, c)
	}
	if err != nil {
		fmt.Fprintf(stderr, "techmarket-eval: writing the report: %v\n", err)
		return 1
	}
	return 0
}
