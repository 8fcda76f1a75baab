package index_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

var postingsClauses = []index.Clause{
	{Field: index.FieldTitle, Term: "氢", Boost: 2},
	{Field: index.FieldBody, Term: "氢", Boost: 1},
	{Field: index.FieldBody, Term: "储能", Boost: 1.3},
	{Field: index.FieldTitle, Term: "疏干水", Boost: 0.7},
	{Field: index.FieldBody, Term: "废水", Boost: 1},
	{Field: index.FieldBody, Term: "技术", Boost: 0.2},
	{Field: index.FieldKeywords, Term: "电石渣", Boost: 1.5},
	{Field: index.FieldBody, Term: "没有这个词", Boost: 1},
}

// TestDisjunctionScoresAsBleve checks that term-at-a-time scoring ranks
// exactly as the bleve disjunction it replaces: same documents, same
// order, scores in one constant ratio (bleve's query norm), across
// several segments; then again from the decoded-postings cache, and again
// after documents the cache holds were replaced.
func TestDisjunctionScoresAsBleve(t *testing.T) {
	f := open(t, t.TempDir())
	defer f.close()
	ctx := context.Background()
	lines := f.importDemo()
	f.create(5, "replaced")

	compareWithBleve(t, f, "cold")
	before := f.idx.PostingsCacheStats()
	compareWithBleve(t, f, "from the cache")
	if after := f.idx.PostingsCacheStats(); after.Hits <= before.Hits || after.Entries == 0 {
		t.Errorf("second match: cache %+v after %+v; want hits", after, before)
	}

	// Replacing documents leaves deleted ones in the cached segments.
	for i, line := range lines[:30] {
		changed := proto.Clone(line).(*techmarketv1.ImportLine)
		changed.Text = line.Text[:len(line.Text)-1] + `,"keywords":["改版` + string(rune('a'+i)) + `"]}`
		if _, err := f.m.Import(ctx, operator, false, []*techmarketv1.ImportLine{changed}); err != nil {
			t.Fatal(err)
		}
	}
	compareWithBleve(t, f, "after replacing cached documents")
}

// compareWithBleve compares the two on one snapshot: scorch merges
// segments in the background, and a merge between the bleve search and
// opening the postings changes the average field length both use, so the
// comparison is repeated until no merge fell between them.
func compareWithBleve(t *testing.T, f *folder, when string) {
	t.Helper()
	for {
		before, err := f.idx.Postings(store.KindOffer)
		if err != nil {
			t.Fatal(err)
		}
		res := bleveDisjunction(t, f)
		after, err := f.idx.Postings(store.KindOffer)
		if err != nil {
			t.Fatal(err)
		}
		stable := index.Fingerprint(before) == index.Fingerprint(after)
		before.Close()
		if !stable {
			after.Close()
			continue
		}
		compareScores(t, after, res, when)
		after.Close()
		return
	}
}

func bleveDisjunction(t *testing.T, f *folder) *bleve.SearchResult {
	t.Helper()
	var should []query.Query
	for _, c := range postingsClauses {
		q := query.NewTermQuery(c.Term)
		q.SetField(c.Field)
		q.SetBoost(c.Boost)
		should = append(should, q)
	}
	res, err := f.idx.Side(store.KindOffer).Search(bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(should), 1000, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func compareScores(t *testing.T, p *index.Postings, res *bleve.SearchResult, when string) {
	t.Helper()
	if len(res.Hits) < 10 {
		t.Fatalf("%s: bleve found %d offers; the demo set should give more", when, len(res.Hits))
	}
	scores, err := p.Disjunction(context.Background(), postingsClauses)
	if err != nil {
		t.Fatal(err)
	}
	defer scores.Release()
	if scores.Len() != len(res.Hits) {
		t.Errorf("%s: term at a time matched %d offers, bleve %d", when, scores.Len(), len(res.Hits))
	}
	var got []index.Hit
	seen := map[string]bool{}
	if err := scores.Top(func(h index.Hit) error {
		if seen[h.ID] {
			t.Errorf("%s: %s returned twice", when, h.ID)
		}
		seen[h.ID] = true
		got = append(got, h)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(res.Hits) {
		t.Fatalf("%s: %d hits, bleve %d", when, len(got), len(res.Hits))
	}
	ratio := res.Hits[0].Score / got[0].Score
	for i, h := range res.Hits {
		if diff := math.Abs(got[i].Score*ratio - h.Score); diff > 1e-5*h.Score {
			t.Errorf("%s: rank %d: %s scores %.6f, bleve has %s at %.6f", when, i+1, got[i].ID, got[i].Score*ratio, h.ID, h.Score)
		}
	}
}

// TestConcurrentDisjunctions: matches running at once over a cache too
// small for their lists (so that they evict one another's) rank as one
// match alone does. Run with the race detector, as CI does.
func TestConcurrentDisjunctions(t *testing.T) {
	f := openWith(t, t.TempDir(), index.Options{BatchSize: 7, PostingsCacheBytes: 2 << 10})
	defer f.close()
	ctx := context.Background()
	f.importDemo()
	var clauses []index.Clause // more lists than the cache holds
	for _, term := range []string{"氢", "储能", "废水", "技术", "煤", "电石渣", "疏干水", "回收", "催化", "工艺", "设备", "系统"} {
		for _, field := range []string{index.FieldTitle, index.FieldKeywords, index.FieldBody} {
			clauses = append(clauses, index.Clause{Field: field, Term: term, Boost: 1})
		}
	}
	ranking := func() ([]string, error) {
		p, err := f.idx.Postings(store.KindOffer)
		if err != nil {
			return nil, err
		}
		defer p.Close()
		scores, err := p.Disjunction(ctx, clauses)
		if err != nil {
			return nil, err
		}
		defer scores.Release()
		var ids []string
		err = scores.Top(func(h index.Hit) error {
			ids = append(ids, fmt.Sprintf("%s %.5g", h.ID, h.Score))
			return nil
		})
		return ids, err
	}
	if err := f.idx.Compact(ctx); err != nil { // no merge may change scores meanwhile
		t.Fatal(err)
	}
	want, err := ranking()
	if err != nil || len(want) < 10 {
		t.Fatalf("alone: %d hits, %v", len(want), err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := ranking()
				if err != nil {
					t.Error(err)
					return
				}
				if !slices.Equal(got, want) {
					t.Errorf("concurrently: %v\nalone: %v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	if st := f.idx.PostingsCacheStats(); st.Bytes > st.MaxBytes || st.Hits == 0 || st.Evictions == 0 {
		t.Errorf("cache %+v: want it within budget, with hits and evictions", st)
	}
}

// TestClauseLimit: a disjunction of as many clauses as its limit counts
// each document once, however many clauses it matched; one more clause
// is refused.
func TestClauseLimit(t *testing.T) {
	f := open(t, t.TempDir())
	defer f.close()
	f.create(3, "limit")
	p, err := f.idx.Postings(store.KindOffer)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	clauses := make([]index.Clause, 1<<15)
	for i := range clauses {
		clauses[i] = index.Clause{Field: index.FieldTitle, Term: "疏干水", Boost: 1}
	}
	scores, err := p.Disjunction(context.Background(), clauses)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := scores.Top(func(index.Hit) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	scores.Release()
	if n != 3 {
		t.Errorf("%d clauses: %d hits, want the 3 offers once each", len(clauses), n)
	}
	if _, err := p.Disjunction(context.Background(), append(clauses, clauses[0])); err == nil {
		t.Errorf("%d clauses: no error", len(clauses)+1)
	}
}

// TestTopVisitsEachOnceBestFirst: past the first few hundred hits Top
// picks the next best in wider and wider batches below the last one's
// least score; every matched offer must come exactly once, best first,
// across those boundaries, ties included.
func TestTopVisitsEachOnceBestFirst(t *testing.T) {
	f := open(t, t.TempDir())
	t.Cleanup(f.close) // after the scores and their view (Cleanup runs last first)

	const n = 700 // past the first batch (256) and the second (1,024 more)
	for i := range n {
		// Titles of 40 lengths: 40 scores, each shared by many offers.
		if _, err := f.m.Offers.Create(context.Background(), agency, &techmarketv1.Offer{
			ExternalId: fmt.Sprintf("len-%d", i), Title: "疏干水" + strings.Repeat("处理", i%40),
			Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI,
		}, true, false); err != nil {
			t.Fatal(err)
		}
	}
	scores := titleScores(t, f)
	seen := map[string]bool{}
	last := math.Inf(1)
	levels := 0
	if err := scores.Top(func(h index.Hit) error {
		if seen[h.ID] {
			t.Fatalf("%s visited twice", h.ID)
		}
		seen[h.ID] = true
		if h.Score > last {
			t.Fatalf("hit %d: score %g after %g", len(seen), h.Score, last)
		}
		if h.Score < last {
			levels++
		}
		last = h.Score
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || scores.Len() != n {
		t.Errorf("Top visited %d offers, Len says %d; want %d", len(seen), scores.Len(), n)
	}
	if levels != 40 {
		t.Errorf("%d distinct scores, want 40: the test no longer spreads the scores", levels)
	}
}

// titleScores scores the offers of f for 疏干水 in their titles, until
// the test ends; register f's close with t.Cleanup first.
func titleScores(t *testing.T, f *folder) *index.Scores {
	t.Helper()
	p, err := f.idx.Postings(store.KindOffer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	scores, err := p.Disjunction(context.Background(), []index.Clause{{Field: index.FieldTitle, Term: "疏干水", Boost: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(scores.Release)
	return scores
}

func TestTopStops(t *testing.T) {
	f := open(t, t.TempDir())
	t.Cleanup(f.close) // after the scores and their view (Cleanup runs last first)
	f.create(10, "stop")
	scores := titleScores(t, f)
	n := 0
	if err := scores.Top(func(index.Hit) error {
		if n++; n == 3 {
			return index.ErrStop
		}
		return nil
	}); err != nil || n != 3 {
		t.Errorf("Top after ErrStop: %d hits, error %v; want 3 and nil", n, err)
	}
	boom := errors.New("boom")
	if err := scores.Top(func(index.Hit) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Top returned %v, want the visitor's error", err)
	}
}

// offersWithDeletions opens the offers' postings of the demo set with 20
// of its offers replaced, so that older segments hold deleted documents.
func offersWithDeletions(t *testing.T) *index.Postings {
	t.Helper()
	f := open(t, t.TempDir())
	t.Cleanup(f.close)
	lines := f.importDemo()
	for i, line := range lines[:20] {
		changed := proto.Clone(line).(*techmarketv1.ImportLine)
		changed.Text = line.Text[:len(line.Text)-1] + `,"keywords":["改版` + string(rune('a'+i)) + `"]}`
		if _, err := f.m.Import(context.Background(), operator, false, []*techmarketv1.ImportLine{changed}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := f.idx.Postings(store.KindOffer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestScoreHitsScoresAsDisjunction: scoring a few hits' documents gives
// each the score a disjunction over the whole side gives it, in segments
// with deleted documents too, and 0 to a document no clause matches.
func TestScoreHitsScoresAsDisjunction(t *testing.T) {
	ctx := context.Background()
	p := offersWithDeletions(t)
	all := func(clauses []index.Clause) []index.Hit {
		t.Helper()
		scores, err := p.Disjunction(ctx, clauses)
		if err != nil {
			t.Fatal(err)
		}
		defer scores.Release()
		var hits []index.Hit
		if err := scores.Top(func(h index.Hit) error { hits = append(hits, h); return nil }); err != nil {
			t.Fatal(err)
		}
		return hits
	}
	want := map[string]float64{}
	for _, h := range all(postingsClauses) {
		want[h.ID] = h.Score
	}
	// The hits of another query, every other one: some match no clause
	// of postingsClauses.
	var some []index.Hit
	for i, h := range all([]index.Clause{{Field: index.FieldBody, Term: "技术", Boost: 1}, {Field: index.FieldTitle, Term: "系统", Boost: 1}}) {
		if i%2 == 0 {
			some = append(some, h)
		}
	}
	if len(some) < 10 {
		t.Fatalf("%d hits to score; the demo set should give more", len(some))
	}
	got, err := p.ScoreHits(ctx, postingsClauses, some)
	if err != nil {
		t.Fatal(err)
	}
	unmatched := 0
	for i, h := range some {
		if got[i] != want[h.ID] {
			t.Errorf("%s: ScoreHits %v, the disjunction %v", h.ID, got[i], want[h.ID])
		}
		if want[h.ID] == 0 {
			unmatched++
		}
	}
	if unmatched == 0 || unmatched == len(some) {
		t.Errorf("%d of %d scored hits match no clause; the test needs some of both", unmatched, len(some))
	}
}

// TestAddSumsTwoSearches: adding one disjunction to another gives every
// document the sum of its scores, those only the second matched
// included, and leaves out documents deleted since the segments were
// written.
func TestAddSumsTwoSearches(t *testing.T) {
	p := offersWithDeletions(t)
	first := postingsClauses
	second := []index.Clause{{Field: index.FieldBody, Term: "技术", Boost: 0.5}, {Field: index.FieldTitle, Term: "系统", Boost: 1}}
	scoresOf := func(s *index.Scores) map[string]float64 {
		t.Helper()
		out := map[string]float64{}
		if err := s.Top(func(h index.Hit) error { out[h.ID] = h.Score; return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	search := func(clauses []index.Clause) *index.Scores { return disjunction(t, p, clauses) }
	a, b := search(first), search(second)
	wantA, wantB := scoresOf(a), scoresOf(b)
	b.Release()
	a.Add(search(second))
	got := scoresOf(a)
	a.Release()

	onlySecond := 0
	for id := range wantB {
		if _, ok := wantA[id]; !ok {
			onlySecond++
		}
	}
	if onlySecond == 0 || len(wantA) == 0 {
		t.Fatalf("%d documents matched the first search, %d only the second; the test needs both", len(wantA), onlySecond)
	}
	want := map[string]float64{}
	for id, s := range wantA {
		want[id] = s
	}
	for id, s := range wantB {
		want[id] += s
	}
	if len(got) != len(want) {
		t.Errorf("the blend has %d documents, want %d", len(got), len(want))
	}
	for id, w := range want {
		if g := got[id]; math.Abs(g-w) > 1e-6*w {
			t.Errorf("%s: blended %v, want %v", id, g, w)
		}
	}
}

// TestTopAfterAddAsWithoutLead: once Top has picked a first batch (as
// feedback does, reading the first round's best), Add keeps a lead and
// the next Top picks from it alone. Walked to the end, that order must be
// the one the blend gives when nothing noted a lead, with far more
// documents than one batch and documents the second search lifted from
// below the first one's batch into the blend's.
func TestTopAfterAddAsWithoutLead(t *testing.T) {
	f := open(t, t.TempDir())
	defer f.close()
	g := testutil.BenchCorpus(t)
	for start := 0; start < 1200; start += market.MaxImportBatch {
		var lines []*techmarketv1.ImportLine
		for i := start; i < min(start+market.MaxImportBatch, 1200); i++ {
			lines = append(lines, &techmarketv1.ImportLine{Number: int64(i + 1), Text: string(g.Line(false, i))})
		}
		testutil.ImportAll(t, f.m, lines)
	}
	p, err := f.idx.Postings(store.KindOffer)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	first := []index.Clause{{Field: index.FieldBody, Term: "技术", Boost: 1}, {Field: index.FieldBody, Term: "系统", Boost: 0.8}, {Field: index.FieldTitle, Term: "工艺", Boost: 1.2}}
	second := []index.Clause{{Field: index.FieldBody, Term: "回收", Boost: 3}, {Field: index.FieldTitle, Term: "氢", Boost: 2}}
	search := func(clauses []index.Clause) *index.Scores { return disjunction(t, p, clauses) }
	walk := func(s *index.Scores, n int) []index.Hit {
		t.Helper()
		var hits []index.Hit
		if err := s.Top(func(h index.Hit) error {
			if hits = append(hits, h); len(hits) == n {
				return index.ErrStop
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return hits
	}

	alone := search(first)
	firstOrder := walk(alone, -1)
	alone.Release()
	plain := search(first) // no Top before Add: no lead
	plain.Add(search(second))
	want := walk(plain, -1)
	plain.Release()

	led := search(first)
	walk(led, 10) // as feedback reads the first round's best
	led.Add(search(second))
	got := walk(led, -1)
	again := walk(led, 80) // a second walk stops within the lead
	led.Release()

	rank := map[string]int{}
	for i, h := range firstOrder {
		rank[h.ID] = i
	}
	lifted, fresh := 0, 0 // of the blend's best 256: below the first's, or not in it
	for _, h := range want[:256] {
		if r, ok := rank[h.ID]; !ok {
			fresh++
		} else if r >= 256 {
			lifted++
		}
	}
	if len(firstOrder) <= 2*256 || lifted == 0 || fresh == 0 {
		t.Fatalf("the first search scored %d documents; of the blend's best 256, %d were below its own best 256 and %d new to it; the test needs several batches and both kinds", len(firstOrder), lifted, fresh)
	}
	if !slices.Equal(got, want) {
		t.Errorf("after a lead, Top walks %d documents; want the %d of the plain blend in its order", len(got), len(want))
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("first difference at %d: %+v, want %+v", i, got[i], want[i])
			}
		}
	}
	if !slices.Equal(again, want[:80]) {
		t.Errorf("a second walk of 80 after a lead differs from the blend's first 80")
	}
}

// disjunction searches p for clauses, failing t on an error.
func disjunction(t *testing.T, p *index.Postings, clauses []index.Clause) *index.Scores {
	t.Helper()
	s, err := p.Disjunction(context.Background(), clauses)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
