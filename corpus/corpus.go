// Package corpus writes synthetic market listings at any size, for
// benchmarks and load: offers and demands in the interchange format, made
// deterministically from a seed.
//
// The text is the market's own: sentences, titles and keywords are drawn
// from real listings (the embedded demo market, plus any interchange files
// given, such as the development and background sets), industry by
// industry, so each term keeps roughly the share of documents it has in
// real listings and the postings of common and rare terms grow with the
// corpus as they would. Listing i of a kind is a function of the seed and
// i alone, so a corpus can be written in parts, and a benchmark of 10,000
// listings is the first tenth of one of 100,000.
package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wuhai-techmarket/techmarket/demo"
	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// Vocabulary is the text listings are made of, by side and industry:
// offers and demands are phrased differently (an offer describes what it
// achieved, a demand what it wants).
type Vocabulary struct {
	industries []string            // codes, in the order first seen
	pools      [2]map[string]*pool // [0] offers, [1] demands; by industry code
	sources    []source            // the real listings, for industry mixes and regions
	owners     []string
	buyers     []string
}

// pool is what one industry's listings say.
type pool struct {
	titles    []string
	sentences []string
	keywords  []string
}

// source is what a generated listing copies from one real listing: the
// mix of industries and the region.
type source struct {
	demand     bool
	industries []string
	region     techmarketv1.Region
}

// Load builds a vocabulary from the embedded demo market and the listings
// of the given interchange files. Lines that are not valid listings are
// skipped, as an import would reject them.
func Load(files ...string) (*Vocabulary, error) {
	v := &Vocabulary{pools: [2]map[string]*pool{{}, {}}}
	for _, line := range demo.Lines() {
		v.add(line.GetText())
	}
	for _, name := range files {
		if err := v.addFile(name); err != nil {
			return nil, err
		}
	}
	for _, side := range v.pools {
		for _, p := range side {
			p.keywords = dedupe(p.keywords)
			p.sentences = dedupe(p.sentences)
			p.titles = dedupe(p.titles)
		}
	}
	v.owners, v.buyers = dedupe(v.owners), dedupe(v.buyers)
	return v, nil
}

func (v *Vocabulary) addFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		v.add(sc.Text())
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("corpus: reading %s: %w", name, err)
	}
	return nil
}

func (v *Vocabulary) add(text string) {
	msg, err := interchange.Parse([]byte(text))
	if err != nil {
		return
	}
	l := msg.(listing.Listing)
	if len(listing.Validate(l)) > 0 || len(l.GetIndustries()) == 0 {
		return
	}
	d, isDemand := msg.(*techmarketv1.Demand)
	if isDemand {
		v.buyers = append(v.buyers, d.GetEnterprise().GetName())
	} else {
		v.owners = append(v.owners, msg.(*techmarketv1.Offer).GetOwner().GetName())
	}
	v.sources = append(v.sources, source{demand: isDemand, industries: l.GetIndustries(), region: l.GetRegion()})
	for _, code := range l.GetIndustries() {
		if v.pools[0][code] == nil && v.pools[1][code] == nil {
			v.industries = append(v.industries, code)
		}
		p := v.pools[side(isDemand)][code]
		if p == nil {
			p = &pool{}
			v.pools[side(isDemand)][code] = p
		}
		p.titles = append(p.titles, l.GetTitle())
		p.keywords = append(p.keywords, l.GetKeywords()...)
		p.sentences = append(p.sentences, sentences(l.GetSummary())...)
		p.sentences = append(p.sentences, sentences(l.GetDescription())...)
	}
}

// sentences splits text after each sentence end, keeping the mark; very
// short pieces (list numbers, stray marks) are dropped.
func sentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		if !strings.ContainsRune("。；！？\n", r) {
			continue
		}
		end := i + utf8.RuneLen(r)
		if s := strings.TrimSpace(text[start:end]); utf8.RuneCountInString(s) >= 6 {
			out = append(out, s)
		}
		start = end
	}
	if s := strings.TrimSpace(text[start:]); utf8.RuneCountInString(s) >= 6 {
		out = append(out, s+"。")
	}
	return out
}

func side(demand bool) int {
	if demand {
		return 1
	}
	return 0
}

// pool is what listings of a side say about an industry, or, when none
// of that side has it, what the other side's say.
func (v *Vocabulary) pool(demand bool, code string) *pool {
	if p := v.pools[side(demand)][code]; p != nil {
		return p
	}
	return v.pools[1-side(demand)][code]
}

func dedupe(s []string) []string {
	s = slices.DeleteFunc(s, func(x string) bool { return strings.TrimSpace(x) == "" })
	slices.Sort(s)
	return slices.Compact(s)
}

// Listings is how many real listings the vocabulary was built from.
func (v *Vocabulary) Listings() int { return len(v.sources) }

// Generator makes listings from a vocabulary.
type Generator struct {
	v    *Vocabulary
	seed uint64
	now  time.Time
}

// New returns a generator of the listings seed names. now dates the
// demands' deadlines (all in the year after it), so that they can be
// published.
func New(v *Vocabulary, seed uint64, now time.Time) *Generator {
	return &Generator{v: v, seed: seed, now: now}
}

// Line is interchange line number i (from 0) of the demands when demand is
// set, else of the offers.
func (g *Generator) Line(demand bool, i int) []byte {
	kind := uint64(0)
	if demand {
		kind = 1
	}
	rng := rand.New(rand.NewPCG(g.seed, uint64(i)<<1|kind))
	src := g.v.sources[rng.IntN(len(g.v.sources))]
	for src.demand != demand && rng.IntN(4) > 0 { // prefer a source of the same side
		src = g.v.sources[rng.IntN(len(g.v.sources))]
	}
	main := g.v.pool(demand, src.industries[0])
	used := map[string]bool{}
	l := line{
		Kind:        "offer",
		ExternalID:  fmt.Sprintf("gen%d-o-%08d", g.seed, i),
		Title:       g.title(rng, main),
		Summary:     g.text(rng, demand, src, used, 1, 3, 900),
		Description: g.text(rng, demand, src, used, 3, 12, 6000),
		Keywords:    pickN(rng, main.keywords, 2+rng.IntN(4)),
		Industries:  src.industries,
		Region:      interchange.RegionCode(src.region),
	}
	modes := []string{"assignment", "license", "equity", "joint-development", "service"}
	l.TransferModes = pickN(rng, modes, 1+rng.IntN(2))
	low := int64(10+rng.IntN(300)) * 10_000
	money := &yuan{Min: low, Max: low * int64(2+rng.IntN(4))}
	if demand {
		l.Kind = "demand"
		l.ExternalID = fmt.Sprintf("gen%d-d-%08d", g.seed, i)
		l.MinTRL = 3 + rng.IntN(5)
		l.Budget = money
		l.Enterprise = &named{Name: pick(rng, g.v.buyers, "乌海市某企业")}
		l.Deadline = g.now.AddDate(0, 1+rng.IntN(11), rng.IntN(28)).Format(time.DateOnly)
	} else {
		l.TRL = 2 + rng.IntN(8)
		if rng.IntN(4) > 0 {
			l.Price = money
		}
		l.Owner = &owner{Name: pick(rng, g.v.owners, "某高校"), Type: []string{"university", "institute", "enterprise"}[rng.IntN(3)]}
	}
	b, err := json.Marshal(l)
	if err != nil {
		panic(err) // plain strings and numbers always marshal
	}
	return b
}

// Write writes offers then demands, one line each.
func (g *Generator) Write(w io.Writer, offers, demands int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	for i := range offers {
		bw.Write(g.Line(false, i))
		bw.WriteByte('\n')
	}
	for i := range demands {
		bw.Write(g.Line(true, i))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// title is a real title of the industry, or one of its keywords made into
// a title as listings phrase them.
func (g *Generator) title(rng *rand.Rand, p *pool) string {
	if len(p.keywords) == 0 || rng.IntN(2) == 0 {
		return clip(pick(rng, p.titles, "技术成果"), 200)
	}
	suffixes := []string{"技术", "关键技术", "工艺", "成套装备", "集成应用", "优化技术", "系统", "技术研发", "技术改造"}
	t := p.keywords[rng.IntN(len(p.keywords))]
	if rng.IntN(3) == 0 {
		t = p.keywords[rng.IntN(len(p.keywords))] + t
	}
	return clip(t+suffixes[rng.IntN(len(suffixes))], 200)
}

// text strings min to max sentences of the side, mostly of the source's
// industries and now and then of another, up to limit characters; used
// keeps a listing from saying one sentence twice.
func (g *Generator) text(rng *rand.Rand, demand bool, src source, used map[string]bool, min, max, limit int) string {
	var b bytes.Buffer
	n := min + rng.IntN(max-min+1)
	for range n {
		code := src.industries[rng.IntN(len(src.industries))]
		if rng.IntN(10) == 0 {
			code = g.v.industries[rng.IntN(len(g.v.industries))]
		}
		s := pick(rng, g.v.pool(demand, code).sentences, "")
		if used[s] {
			continue
		}
		if utf8.RuneCount(b.Bytes())+utf8.RuneCountInString(s) > limit {
			break
		}
		used[s] = true
		b.WriteString(s)
	}
	return b.String()
}

func pick(rng *rand.Rand, from []string, otherwise string) string {
	if len(from) == 0 {
		return otherwise
	}
	return from[rng.IntN(len(from))]
}

// pickN picks up to n distinct elements.
func pickN(rng *rand.Rand, from []string, n int) []string {
	if n >= len(from) {
		return slices.Clone(from)
	}
	var out []string
	for _, i := range rng.Perm(len(from))[:n] {
		out = append(out, from[i])
	}
	return out
}

func clip(s string, runes int) string {
	if r := []rune(s); len(r) > runes {
		return string(r[:runes])
	}
	return s
}

// line is one interchange line; field order follows FORMAT.md.
type line struct {
	Kind          string   `json:"kind"`
	ExternalID    string   `json:"externalId"`
	Title         string   `json:"title"`
	Summary       string   `json:"summary,omitempty"`
	Description   string   `json:"description,omitempty"`
	Keywords      []string `json:"keywords,omitempty"`
	Industries    []string `json:"industries"`
	Region        string   `json:"region"`
	TransferModes []string `json:"transferModes,omitempty"`
	TRL           int      `json:"trl,omitempty"`
	Price         *yuan    `json:"price,omitempty"`
	Owner         *owner   `json:"owner,omitempty"`
	MinTRL        int      `json:"minTrl,omitempty"`
	Budget        *yuan    `json:"budget,omitempty"`
	Enterprise    *named   `json:"enterprise,omitempty"`
	Deadline      string   `json:"deadline,omitempty"`
}

type yuan struct {
	Min int64 `json:"minYuan"`
	Max int64 `json:"maxYuan"`
}

type owner struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type named struct {
	Name string `json:"name"`
}
