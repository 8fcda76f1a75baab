package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/match"
)

// writeSet writes a set of one offer, one demand and their judgment.
func writeSet(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"offers.jsonl":  `{"kind": "offer", "externalId": "o1", "title": "碱性电解水制氢装备", "industries": ["hydrogen"], "region": "domestic"}` + "\n",
		"demands.jsonl": `{"kind": "demand", "externalId": "d1", "title": "寻求电解水制氢装备", "industries": ["hydrogen"], "region": "wuhai"}` + "\n",
		"qrels.tsv":     "d1\to1\t3\n",
		"groups.tsv":    "d1\th2\n",
		"clusters.tsv":  "o1\t1\nd1\t1\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunErrors(t *testing.T) {
	dir := writeSet(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no set", nil, 2, "give the set folder with --set"},
		{"stray argument", []string{"--set", dir, "extra"}, 2, "give the set folder with --set"},
		{"unknown flag", []string{"--set", dir, "--k", "5"}, 2, "flag provided but not defined"},
		{"missing set", []string{"--set", filepath.Join(dir, "nope")}, 1, "nope/offers.jsonl"},
		{"missing groups", []string{"--set", dir, "--groups", filepath.Join(dir, "nope.tsv")}, 1, "reading --groups"},
		{"alerts without clusters", []string{"--set", dir, "--alerts"}, 2, "give them with --clusters"},
		{"alerts with one fold", []string{"--set", dir, "--alerts", "--clusters", filepath.Join(dir, "clusters.tsv"), "--folds", "1"}, 2, "at least 2 folds"},
		{"missing clusters", []string{"--set", dir, "--alerts", "--clusters", filepath.Join(dir, "nope.tsv")}, 1, "reading --clusters"},
		{"train without learn", []string{"--set", dir, "--train", filepath.Join(dir, "w.json")}, 2, "give both"},
		{"learn without clusters", []string{"--set", dir, "--learn"}, 2, "give them with --clusters"},
		{"choose an unknown knob", []string{"--set", dir, "--choose", "NoSuchKnob=1,2", "--clusters", filepath.Join(dir, "clusters.tsv")}, 2, "no tuning knob"},
		{"choose a bad value", []string{"--set", dir, "--choose", "BodyTerms=24,many", "--clusters", filepath.Join(dir, "clusters.tsv")}, 2, "whole number"},
		{"train a choice", []string{"--set", dir, "--learn", "--train", filepath.Join(dir, "w.json"), "--choose", "BodyTerms=24,48", "--clusters", filepath.Join(dir, "clusters.tsv")}, 2, "without --choose"},
		{"compare one run", []string{"--compare", filepath.Join(dir, "a.json")}, 2, "takes two runs"},
		{"compare missing runs", []string{"--compare", filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")}, 1, "save a run with --learn --json"},
		{"choose without values", []string{"--set", dir, "--choose", "BodyTerms", "--clusters", filepath.Join(dir, "clusters.tsv")}, 2, "knob=v1,v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tt.args, &stdout, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.want)
			}
		})
	}
}

func TestRunTable(t *testing.T) {
	dir := writeSet(t)
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--set", dir, "--groups", filepath.Join(dir, "groups.tsv"), "--baseline", "--verbose"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"nDCG@10", "baseline nDCG@10", "demand→offer  h2", "worst offer→demand queries (techmarket)"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "techmarket: matched 2/2") {
		t.Errorf("no progress on stderr: %s", stderr.String())
	}
}

func TestRunJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"--set", writeSet(t), "--json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out struct {
		Techmarket struct {
			Rows []struct{ Direction, Group string }
		}
		Baseline *json.RawMessage
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v:\n%s", err, stdout.String())
	}
	if len(out.Techmarket.Rows) != 2 || out.Baseline != nil {
		t.Errorf("JSON report %+v, want two rows and no baseline", out)
	}
}

// TestRunAlerts: the fitting offer arriving after its demand, and the
// demand after its offer, are each alerted; the report says so.
func TestRunAlerts(t *testing.T) {
	dir := writeSet(t)
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--set", dir, "--alerts", "--clusters", filepath.Join(dir, "clusters.tsv"), "--folds", "2", "--json"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out struct {
		Shipped []struct {
			Direction       string
			Alerts, Fitting int
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v:\n%s", err, stdout.String())
	}
	if len(out.Shipped) != 2 {
		t.Fatalf("shipped figures %+v, want both directions", out.Shipped)
	}
	for _, f := range out.Shipped {
		if f.Alerts != 1 || f.Fitting != 1 {
			t.Errorf("%s: %d alerts, %d fitting; want the one fitting pair alerted", f.Direction, f.Alerts, f.Fitting)
		}
	}
	if !strings.Contains(stderr.String(), "arrive one at a time") {
		t.Errorf("no progress on stderr: %s", stderr.String())
	}
}

// TestRunLearn: --learn reports held-out figures beside the current
// weights, and --train writes weights the matcher can read.
func TestRunLearn(t *testing.T) {
	dir := writeSet(t)
	weights := filepath.Join(dir, "weights.json")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--set", dir, "--learn", "--train", weights, "--clusters", filepath.Join(dir, "clusters.tsv"), "--folds", "2"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "| demand→offer | all | 1 |") {
		t.Errorf("no held-out row for the one demand:\n%s", stdout.String())
	}
	data, err := os.ReadFile(weights)
	if err != nil {
		t.Fatal(err)
	}
	var f match.Fitted
	if err := json.Unmarshal(data, &f); err != nil || f.ForOffers.Text <= 0 || f.ForDemands.Text <= 0 {
		t.Errorf("--train wrote %s (%v)", data, err)
	}
}

// TestRunCompare: a run saved by --learn --json compares with another
// query by query; a run against itself differs nowhere.
func TestRunCompare(t *testing.T) {
	dir := writeSet(t)
	saved := filepath.Join(dir, "run.json")
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"--set", dir, "--learn", "--json", "--clusters", filepath.Join(dir, "clusters.tsv"), "--folds", "2"}, &stdout, &stderr); code != 0 {
		t.Fatalf("--learn exit %d: %s", code, stderr.String())
	}
	if err := os.WriteFile(saved, stdout.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := run(t.Context(), []string{"--compare", saved, saved}, &stdout, &stderr); code != 0 {
		t.Fatalf("--compare exit %d: %s", code, stderr.String())
	}
	// The one demand and the one offer, each the same before and after
	// (p 1: no flip of a zero difference moves the mean).
	for _, want := range []string{"| demand→offer | all | 1 | 1.000 | 1.000 | 1.000 |", "| offer→demand | all | 1 | 1.000 | 1.000 | 1.000 |"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("no row %q in:\n%s", want, stdout.String())
		}
	}
}

// TestRunChoose: --choose runs every value and reports the held-out
// choice beside the current value, which it leaves as it was.
func TestRunChoose(t *testing.T) {
	dir := writeSet(t)
	before := match.Tuning
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--set", dir, "--choose", "BodyTerms=24,48", "--clusters", filepath.Join(dir, "clusters.tsv"), "--folds", "2"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"BodyTerms chosen from 24, 48", "| demand→offer | all | 1 |", "Chosen on every fold"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	if match.Tuning != before {
		t.Error("--choose left the tuning changed")
	}
}

// TestRunChooseTogether: two --choose flags try every combination of
// their values and report the combination chosen.
// TestRunChooseRefit: --learn --choose fits the weights again beside
// every value, and says so.
func TestRunChooseRefit(t *testing.T) {
	dir := writeSet(t)
	before := match.Tuning
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--set", dir, "--learn", "--choose", "BodyTerms=24,48", "--clusters", filepath.Join(dir, "clusters.tsv"), "--folds", "2"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"fitted again on the training folds", "| demand→offer | all | 1 |", "Chosen on every fold"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	if got := strings.Count(stderr.String(), "learn: fitted without fold"); got != 3*2 {
		t.Errorf("%d fits reported, want 2 folds for each of the 2 values and the current one:\n%s", got, stderr.String())
	}
	if match.Tuning != before {
		t.Error("--learn --choose left the tuning changed")
	}
}

func TestRunChooseTogether(t *testing.T) {
	dir := writeSet(t)
	before := match.Tuning
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--set", dir, "--choose", "BodyTerms=24,48", "--choose", "PoolFactor=4,8",
		"--clusters", filepath.Join(dir, "clusters.tsv"), "--folds", "2"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if want := "BodyTerms+PoolFactor chosen from 24/4, 24/8, 48/4, 48/8"; !strings.Contains(stdout.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, stdout.String())
	}
	if got := strings.Count(stderr.String(), "choose "); got != 5 {
		t.Errorf("%d runs reported, want the 4 combinations and the current values:\n%s", got, stderr.String())
	}
	if match.Tuning != before {
		t.Error("--choose left the tuning changed")
	}
	code = run(t.Context(), []string{"--set", dir, "--choose", "BodyTerms=24", "--choose", "BodyTerms=48",
		"--clusters", filepath.Join(dir, "clusters.tsv")}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "names BodyTerms twice") {
		t.Errorf("a knob chosen twice: exit %d, %s", code, stderr.String())
	}
}
