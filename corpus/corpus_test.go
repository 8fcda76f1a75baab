package corpus_test

import (
	"bufio"
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuhai-techmarket/techmarket/corpus"
	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// TestEveryLineImports: each generated line is a valid listing of its
// kind, as an import takes it, with its own external id, text, keywords,
// and (demands) a deadline after now.
func TestEveryLineImports(t *testing.T) {
	v, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	g := corpus.New(v, 7, now)
	var buf bytes.Buffer
	if err := g.Write(&buf, 600, 400); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	offers, demands := 0, 0
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		msg, err := interchange.Parse(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d: %v\n%s", n, err, sc.Text())
		}
		l := msg.(listing.Listing)
		if vs := listing.Validate(l); len(vs) > 0 {
			t.Fatalf("line %d: %v\n%s", n, vs, sc.Text())
		}
		if ids[l.GetExternalId()] {
			t.Fatalf("line %d: external id %s again", n, l.GetExternalId())
		}
		ids[l.GetExternalId()] = true
		if l.GetTitle() == "" || l.GetDescription() == "" || len(l.GetKeywords()) == 0 {
			t.Errorf("line %d lacks title, description or keywords: %s", n, sc.Text())
		}
		switch d := msg.(type) {
		case *techmarketv1.Demand:
			demands++
			if d.GetDeadline() <= now.Format(time.DateOnly) {
				t.Errorf("line %d: deadline %s is not after %v", n, d.GetDeadline(), now)
			}
		default:
			offers++
		}
	}
	if offers != 600 || demands != 400 {
		t.Errorf("%d offers and %d demands, want 600 and 400", offers, demands)
	}
}

// TestDeterministic: a line is a function of the seed and its number, so
// corpora of different sizes share their beginnings; another seed makes
// another corpus.
func TestDeterministic(t *testing.T) {
	v, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := corpus.New(v, 1, now), corpus.New(v, 1, now), corpus.New(v, 2, now)
	for _, demand := range []bool{false, true} {
		for i := range 50 {
			if !bytes.Equal(a.Line(demand, i), b.Line(demand, i)) {
				t.Fatalf("line %d (demand %v) differs between two generators of seed 1", i, demand)
			}
		}
	}
	var small, large bytes.Buffer
	if err := a.Write(&small, 10, 0); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(&large, 100, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(large.String(), small.String()) {
		t.Error("the 10-offer corpus is not the start of the 100-offer one")
	}
	same := 0
	for i := range 50 {
		if bytes.Equal(a.Line(false, i)[20:], c.Line(false, i)[20:]) { // past the id
			same++
		}
	}
	if same > 5 {
		t.Errorf("seeds 1 and 2 made %d of 50 offers alike", same)
	}
}

// TestIndustriesFollowTheSources: the generated market has the real
// listings' industries in about their proportions, so each industry's
// terms keep their share of the index.
func TestIndustriesFollowTheSources(t *testing.T) {
	v, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	g := corpus.New(v, 3, now)
	counts := map[string]int{}
	const n = 4000
	for i := range n {
		msg, err := interchange.Parse(g.Line(i%2 == 1, i/2))
		if err != nil {
			t.Fatal(err)
		}
		counts[msg.(listing.Listing).GetIndustries()[0]]++
	}
	var codes []string
	for code := range counts {
		codes = append(codes, code)
	}
	if len(codes) < 8 {
		t.Errorf("only %d industries in %d listings: %v", len(codes), n, counts)
	}
	slices.SortFunc(codes, func(a, b string) int { return counts[b] - counts[a] })
	if top := counts[codes[0]]; top > n/2 {
		t.Errorf("%s has %d of %d listings; the demo market is not that lopsided", codes[0], top, n)
	}
}
