package eval

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wuhai-techmarket/techmarket/listing"
)

// Floors of TestShippedOnDevSet: mean nDCG@10 of the service as built
// on the whole dev set with the CSL background offers, the set its knobs
// and weights were chosen on. They sit just below the measured figures
// so that a change that makes matching worse fails the build; that it
// generalises is TestDevSetQualityFloor's to hold.
const (
	floorDemandToOfferNDCG = 0.855
	floorOfferToDemandNDCG = 0.855
)

// The shared data folder beside the repository (see README.md).
const (
	devSet        = "../../shared/data/dev"
	cslBackground = "../../shared/data/background/csl-offers.jsonl"
)

// devGroups checks that the dev set and its background are there and
// reads the dev set's groups of demands.
func devGroups(t *testing.T) map[string]string {
	t.Helper()
	for _, path := range []string{devSet, cslBackground} {
		// Fail, never skip: a missing data folder must not pass as a
		// quality check.
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%v: the evaluation data lives in ../shared/data beside the repository; put it there", err)
		}
	}
	groups, err := ReadGroups("testdata/dev-groups.tsv")
	if err != nil {
		t.Fatal(err)
	}
	return groups
}

// TestShippedOnDevSet matches the whole dev set with the shipped knobs and
// weights and holds the figures to floors; it also checks the harness
// still measures every judged query.
func TestShippedOnDevSet(t *testing.T) {
	groups := devGroups(t)
	start := time.Now()
	rep, err := Run(t.Context(), Config{SetDir: devSet, Background: []string{cslBackground}, Groups: groups, Progress: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := WriteTable(&table, rep, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("dev + CSL background, %v:\n%s", time.Since(start).Round(time.Second), table.String())

	for _, f := range []struct {
		d     Direction
		floor float64
		// queries is how many listings of the dev set have a judged
		// match: a harness that lost queries would make any floor easy.
		queries int
	}{
		{DemandToOffer, floorDemandToOfferNDCG, 100},
		{OfferToDemand, floorOfferToDemandNDCG, 207},
	} {
		row, ok := rep.Row(f.d, AllGroup)
		switch {
		case !ok:
			t.Errorf("no %s row", f.d)
		case row.Queries != f.queries:
			t.Errorf("%s: %d queries, want %d", f.d, row.Queries, f.queries)
		case row.NDCG < f.floor:
			t.Errorf("%s: nDCG@10 %.3f is below the floor %.2f: matching got worse", f.d, row.NDCG, f.floor)
		}
	}
	for _, g := range []string{"original", "vague", "adjacent", "background"} {
		if _, ok := rep.Row(DemandToOffer, g); !ok {
			t.Errorf("no row for group %s", g)
		}
	}
}

// TestBaselineReproducesREADME checks the harness against figures computed
// independently: the dev README's baseline on the first release (offers
// v-o001…v-o111, demands v-d001…v-d030) is nDCG@10 0.917, recall@10 0.933
// and P@1 1.000 for demand→offer. nDCG gets a little slack for the one
// first-release judgment corrected since (v-d010/v-o029, 2 → 1). The
// README's offer→demand figure is not compared: it averages only over
// offers with a demand of grade ≥ 2, where Run averages over every judged
// offer.
func TestBaselineReproducesREADME(t *testing.T) {
	dir := t.TempDir()
	first := func(id string, most int) bool {
		n, err := strconv.Atoi(id[len("v-o"):])
		return err == nil && n <= most
	}
	filter(t, filepath.Join(devSet, "offers.jsonl"), filepath.Join(dir, "offers.jsonl"), func(line string) bool {
		return first(externalID(t, line), 111)
	})
	filter(t, filepath.Join(devSet, "demands.jsonl"), filepath.Join(dir, "demands.jsonl"), func(line string) bool {
		return first(externalID(t, line), 30)
	})
	filter(t, filepath.Join(devSet, "qrels.tsv"), filepath.Join(dir, "qrels.tsv"), func(line string) bool {
		f := strings.Split(line, "\t")
		return first(f[0], 30) && first(f[1], 111)
	})
	rep, err := Baseline(t.Context(), Config{SetDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	row, _ := rep.Row(DemandToOffer, AllGroup)
	if row.Queries != 30 || row.NDCG < 0.912 || row.NDCG > 0.922 || !near(row.Recall, 28.0/30) || row.P1 != 1 {
		t.Errorf("baseline on the first release: %+v; want 30 queries, nDCG@10 0.917 ± 0.005, recall@10 0.933, P@1 1", row)
	}
}

// filter copies the lines of from that keep accepts to to.
func filter(t *testing.T, from, to string, keep func(string) bool) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatalf("%v: the evaluation data lives in ../shared/data beside the repository", err)
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" && keep(line) {
			fmt.Fprintln(&out, line)
		}
	}
	if err := os.WriteFile(to, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func externalID(t *testing.T, line string) string {
	var l struct{ ExternalID string }
	if err := json.Unmarshal([]byte(line), &l); err != nil {
		t.Fatal(err)
	}
	return l.ExternalID
}

// testLog sends progress lines to the test log, so that a slow CI run
// shows where the time went.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// A tiny set, small enough to check the harness in a second.
var (
	tinyOffers = `{"kind": "offer", "externalId": "o1", "title": "碱性电解水制氢装备", "summary": "兆瓦级碱性电解槽，电解水制氢，直流电耗低。", "industries": ["hydrogen"], "region": "domestic", "trl": 8}
{"kind": "offer", "externalId": "o2", "title": "焦炉上升管荒煤气余热回收技术", "summary": "上升管换热器回收荒煤气显热，副产蒸汽。", "industries": ["coal-chemical"], "region": "wuhai", "trl": 9}

{"kind": "offer", "externalId": "o3", "title": "葡萄酒低温发酵工艺", "industries": ["agriculture"], "region": "wuhai"}
`
	tinyDemands = `{"kind": "demand", "externalId": "d1", "title": "寻求电解水制氢装备", "description": "风光制氢项目需要碱性电解槽，要求直流电耗低。", "industries": ["hydrogen"], "region": "wuhai", "deadline": "2027-06-30"}
{"kind": "demand", "externalId": "d2", "title": "焦炉荒煤气余热利用", "description": "焦炉上升管荒煤气温度高，希望回收余热产生蒸汽。", "industries": ["coal-chemical"], "region": "wuhai"}
`
	tinyQrels = "d1\to1\t3\nd2\to2\t3\nd2\to1\t1\nd1\to3\t0\n"
)

func writeSet(t *testing.T, offers, demands, qrels string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"offers.jsonl": offers, "demands.jsonl": demands, "qrels.tsv": qrels} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRunTiny runs the real service on the tiny set and checks what the
// harness makes of its answers, whatever they are: the matching itself is
// the floor test's business.
func TestRunTiny(t *testing.T) {
	dir := writeSet(t, tinyOffers, tinyDemands, tinyQrels)
	cfg := Config{SetDir: dir, Groups: map[string]string{"d1": "h2"}, K: 2}
	rep, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkTiny(t, rep)
	base, err := Baseline(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkTiny(t, base)
	// The baseline is plain text overlap, and each demand's one relevant
	// offer shares most of its words: it must come first.
	if row, _ := base.Row(DemandToOffer, AllGroup); row.P1 != 1 {
		t.Errorf("baseline demand→offer on the tiny set: %+v, want P@1 1", row)
	}

	var out bytes.Buffer
	if err := WriteTable(&out, rep, base); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"nDCG@2", "recall@2", "baseline nDCG@2", "ΔnDCG@2", "demand→offer  h2", "demand→offer  ungrouped", "offer→demand  all"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := WriteWorst(&out, base, 1); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "worst demand→offer queries (baseline)") || !strings.Contains(out.String(), "← first relevant") {
		t.Errorf("worst listing:\n%s", out.String())
	}
}

func checkTiny(t *testing.T, rep *Report) {
	t.Helper()
	grades := map[string]int{"d1 o1": 3, "d2 o2": 3, "d2 o1": 1}
	var sources []string
	for _, q := range rep.Queries {
		sources = append(sources, string(q.Direction)+" "+q.Source)
		if len(q.Hits) > 2 {
			t.Errorf("%s %s: %d hits, more than K = 2", rep.System, q.Source, len(q.Hits))
		}
		for _, h := range q.Hits {
			pair := q.Source + " " + h.ExternalID
			if q.Direction == OfferToDemand {
				pair = h.ExternalID + " " + q.Source
			}
			if h.Grade != grades[pair] {
				t.Errorf("%s: %s graded %d, want %d", rep.System, pair, h.Grade, grades[pair])
			}
		}
	}
	// d1/o3 is judged 0 only, so o3 is no query; d1 and d2 are in
	// different groups.
	want := "demand→offer d1,demand→offer d2,offer→demand o1,offer→demand o2"
	if got := strings.Join(sources, ","); got != want {
		t.Errorf("%s: queries %s, want %s", rep.System, got, want)
	}
	if r, _ := rep.Row(DemandToOffer, "h2"); r.Queries != 1 {
		t.Errorf("%s: group h2 row %+v, want 1 query", rep.System, r)
	}
	if r, _ := rep.Row(DemandToOffer, ungrouped); r.Queries != 1 {
		t.Errorf("%s: ungrouped row %+v, want 1 query", rep.System, r)
	}
}

func TestLoadSetErrors(t *testing.T) {
	tests := []struct {
		name    string
		offers  string
		demands string
		qrels   string
		cfg     Config
		want    string
	}{
		{name: "no set", cfg: Config{SetDir: ""}, want: "no evaluation set"},
		{name: "bad JSON", offers: tinyOffers + "{\"kind\": \"offer\",\n", want: "offers.jsonl line 5:"},
		{name: "id twice in one kind", offers: tinyOffers + strings.Split(tinyOffers, "\n")[0] + "\n", want: "offers.jsonl line 5: offer o1 is already at"},
		{name: "qrels names an unknown demand", qrels: tinyQrels + "d9\to1\t2\n", want: "judges demand d9"},
		{name: "qrels names an unknown offer", qrels: tinyQrels + "d1\to9\t2\n", want: "judges offer o9"},
		{name: "groups name an unknown demand", cfg: Config{Groups: map[string]string{"o1": "x"}}, want: "groups name demand o1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if tt.name != "no set" {
				cfg.SetDir = writeSet(t, cmp.Or(tt.offers, tinyOffers), cmp.Or(tt.demands, tinyDemands), cmp.Or(tt.qrels, tinyQrels))
			}
			_, err := loadSet(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("loadSet: %v, want an error containing %q", err, tt.want)
			}
		})
	}
	t.Run("background reuses an id of the set", func(t *testing.T) {
		dir := writeSet(t, tinyOffers, tinyDemands, tinyQrels)
		bg := filepath.Join(dir, "bg.jsonl")
		if err := os.WriteFile(bg, []byte(strings.Split(tinyOffers, "\n")[1]+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := loadSet(Config{SetDir: dir, Background: []string{bg}}); err == nil || !strings.Contains(err.Error(), "bg.jsonl line 1: offer o2 is already at") {
			t.Errorf("loadSet: %v, want the duplicate o2 named", err)
		}
	})
	t.Run("missing background file", func(t *testing.T) {
		dir := writeSet(t, tinyOffers, tinyDemands, tinyQrels)
		if _, err := loadSet(Config{SetDir: dir, Background: []string{filepath.Join(dir, "nope.jsonl")}}); err == nil || !strings.Contains(err.Error(), "nope.jsonl") {
			t.Errorf("loadSet: %v, want the missing file named", err)
		}
	})
}

func TestQueryRefusesBadRankings(t *testing.T) {
	s, err := loadSet(Config{SetDir: writeSet(t, tinyOffers, tinyDemands, tinyQrels)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.query(DemandToOffer, "d1", []ranked{{id: "o1"}, {id: "o1"}}, 10); err == nil || !strings.Contains(err.Error(), "o1 is ranked twice") {
		t.Errorf("a repeated hit: %v, want an error", err)
	}
	if _, err := s.query(DemandToOffer, "d1", []ranked{{id: "d2"}}, 10); err == nil || !strings.Contains(err.Error(), "d2 is not a listing") {
		t.Errorf("a hit of the wrong side: %v, want an error", err)
	}
	q, err := s.query(DemandToOffer, "d2", []ranked{{id: "o3"}, {id: "o1"}, {id: "o2"}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// o2, the one relevant offer, is past K = 2: missed, and nothing found.
	if len(q.Hits) != 2 || len(q.Missed) != 1 || q.Missed[0].ExternalID != "o2" || q.Recall != 0 || q.Relevant != 1 {
		t.Errorf("query = %+v, want 2 hits and o2 missed", q)
	}
}

func TestClockStart(t *testing.T) {
	s, err := loadSet(Config{SetDir: writeSet(t, tinyOffers, tinyDemands, tinyQrels)})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.clockStart(); !got.Equal(evalEpoch) {
		t.Errorf("deadlines after the epoch: clock starts %v, want %v", got, evalEpoch)
	}
	early := strings.Replace(tinyDemands, "2027-06-30", "2024-03-05", 1)
	if s, err = loadSet(Config{SetDir: writeSet(t, tinyOffers, early, tinyQrels)}); err != nil {
		t.Fatal(err)
	}
	if got, want := s.clockStart(), time.Date(2024, 3, 5, 0, 0, 0, 0, listing.ChinaTime); !got.Equal(want) {
		t.Errorf("a deadline before the epoch: clock starts %v, want %v", got, want)
	}
}

// Alert floors of TestAlertReplayHeldOut: precision and recall of the
// alerts raised replaying the dev set, held out by topic. Precision sits
// at the 0.8 an alert service must keep; recall just below the measured
// figure, to be raised as matching improves.
const (
	floorAlertPrecision = 0.8
	floorAlertRecall    = 0.35
	alertFolds          = 5
)

// TestAlertReplayHeldOut replays the dev set's arrivals through the
// alerter, both ways, and holds the alerts of each direction, with the
// rule chosen on the other topics, to the floors.
func TestAlertReplayHeldOut(t *testing.T) {
	if _, err := os.Stat(devSet); err != nil {
		t.Fatalf("%v: the evaluation data lives in ../shared/data beside the repository; put it there", err)
	}
	clusters, err := ReadClusters("testdata/dev-clusters.tsv")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	replay, err := ReplayAlerts(t.Context(), Config{SetDir: devSet, Progress: testLog{t}}, clusters)
	if err != nil {
		t.Fatal(err)
	}
	held, err := replay.CrossValidate(alertFolds)
	if err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	if err := WriteAlerts(&report, replay, held, alertFolds); err != nil {
		t.Fatal(err)
	}
	t.Logf("dev set, %v:\n%s", time.Since(start).Round(time.Second), report.String())
	for _, f := range held.Figures {
		if f.Precision < floorAlertPrecision || f.Recall < floorAlertRecall {
			t.Errorf("%s alerts held out: precision %.3f, recall %.3f; want at least %.2f and %.2f", f.Direction, f.Precision, f.Recall, floorAlertPrecision, floorAlertRecall)
		}
	}
}

// Held-out floors of TestDevSetQualityFloor: the mean nDCG@10 of rank
// weights fitted on four folds of topic clusters and scored on the fifth,
// just below the measured figures (0.861 and 0.865), and above issue 17's
// 0.85; and how far every group must stay ahead of the naive baseline.
const (
	floorHeldOutDemandToOffer = 0.855
	floorHeldOutOfferToDemand = 0.855
	floorAheadOfBaseline      = 0.05
)

// TestDevSetQualityFloor fits the rank weights on folds of topic clusters
// (Learn) and holds the figures on the folds left out, the figures a set
// the code was not tuned on would see, to floors: every group of demands
// must also stay floorAheadOfBaseline ahead of the naive baseline on the
// same queries in nDCG, and at least level in recall, and the
// well-specified demands in P@1.
func TestDevSetQualityFloor(t *testing.T) {
	groups := devGroups(t)
	clusters, err := ReadClusters("testdata/dev-clusters.tsv")
	if err != nil {
		t.Fatal(err)
	}
	l, err := Learn(t.Context(), Config{SetDir: devSet, Background: []string{cslBackground}, Groups: groups, Progress: testLog{t}}, clusters, 5)
	if err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	if err := WriteLearned(&report, l); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", report.String())
	floors := map[Direction]float64{DemandToOffer: floorHeldOutDemandToOffer, OfferToDemand: floorHeldOutOfferToDemand}
	seen := 0
	for _, r := range l.Rows {
		if r.Group == AllGroup {
			seen++
			if r.Learned < floors[r.Direction] {
				t.Errorf("%s held out: nDCG@10 %.3f is below the floor %.2f", r.Direction, r.Learned, floors[r.Direction])
			}
		}
		if r.Learned < r.Baseline+floorAheadOfBaseline {
			t.Errorf("%s, %s held out: nDCG@10 %.3f, less than %.2f ahead of the baseline's %.3f", r.Direction, r.Group, r.Learned, floorAheadOfBaseline, r.Baseline)
		}
		if r.Recall < r.BaselineRecall {
			t.Errorf("%s, %s held out: recall@10 %.3f, below the baseline's %.3f", r.Direction, r.Group, r.Recall, r.BaselineRecall)
		}
		// A well-specified demand must find its offer first at least as
		// often as a plain engine does.
		if r.Group == "original" && r.PrecisionAt1 < r.BaselinePrecision {
			t.Errorf("%s, original held out: P@1 %.3f, below the baseline's %.3f", r.Direction, r.PrecisionAt1, r.BaselinePrecision)
		}
	}
	if seen != len(Directions) {
		t.Errorf("%d directions reported, want %d", seen, len(Directions))
	}
}
