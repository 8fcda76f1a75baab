package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/demo"
	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// vocab is the text the load is written from: the demo listings, and the
// interchange files of --vocab when given, kept as decoded JSON objects so
// that variations can be written back as interchange lines.
type vocab struct {
	offers     []map[string]any
	demands    []map[string]any
	industries []string
	offerKW    []string // keywords of offers
	demandKW   []string // keywords of demands
	extra      []string // the valid lines of --vocab, imported into an in-process market
}

// loadVocab reads the demo listings and, when dir is not empty, every
// *.jsonl file in it. Lines that are not valid listings are skipped.
func loadVocab(dir string) (*vocab, error) {
	v := &vocab{}
	industries := map[string]bool{}
	offerKW, demandKW := map[string]bool{}, map[string]bool{}
	add := func(text string) bool {
		if strings.TrimSpace(text) == "" {
			return false
		}
		msg, err := interchange.Parse([]byte(text))
		if err != nil {
			return false
		}
		if vs := listing.Validate(msg.(listing.Listing)); len(vs) > 0 {
			return false
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return false
		}
		l := msg.(listing.Listing)
		kw := offerKW
		if _, ok := msg.(*techmarketv1.Demand); ok {
			v.demands = append(v.demands, m)
			kw = demandKW
		} else {
			v.offers = append(v.offers, m)
		}
		for _, code := range l.GetIndustries() {
			industries[code] = true
		}
		for _, k := range l.GetKeywords() {
			kw[k] = true
		}
		return true
	}
	for _, line := range demo.Lines() {
		add(line.GetText())
	}
	if dir != "" {
		files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("--vocab %s: no *.jsonl files there", dir)
		}
		for _, f := range files {
			err := eachLine(f, func(text string) {
				if add(text) {
					v.extra = append(v.extra, text)
				}
			})
			if err != nil {
				return nil, err
			}
		}
	}
	if len(v.offers) == 0 || len(v.demands) == 0 {
		return nil, fmt.Errorf("the vocabulary needs offers and demands; it has %d and %d", len(v.offers), len(v.demands))
	}
	v.industries = sortedKeys(industries)
	v.offerKW = sortedKeys(offerKW)
	v.demandKW = sortedKeys(demandKW)
	return v, nil
}

func eachLine(path string, f func(string)) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		f(string(bytes.TrimPrefix(sc.Bytes(), []byte("\xef\xbb\xbf"))))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Words that make a listing a plausible sibling of the one it is written
// from: the next version of a technology, another phase of a project.
var (
	offerTitleSuffixes  = []string{"（第二代）", "（改进型）", "（中试验证）", "（工程化方案）", "（低成本版）", "（模块化）", "（智能化升级）", "（乌海示范）", "（成套装备）", "（技术许可）"}
	demandTitleSuffixes = []string{"（二期）", "（扩能改造）", "（急需）", "（长期合作）", "（节能降碳）", "（示范项目）", "（园区配套）", "（试点）", "（技术攻关）", "（联合研发）"}
	descriptionNotes    = []string{
		"另可结合乌海及周边园区的实际工况调整方案。",
		"可提供现场考察和小试验证。",
		"欢迎有类似项目经验的单位联系洽谈。",
		"希望在一年内完成技术对接并启动实施。",
		"已有合作意向的单位可优先安排技术交流。",
	}
)

// pick returns a random element of s.
func pick[T any](rng *rand.Rand, s []T) T { return s[rng.IntN(len(s))] }

// variant writes a listing of kind ("offer" or "demand") with external id
// ext as an interchange line: one of the vocabulary's listings with another
// title, a few keywords of a listing of the same industry, readiness and
// money moved a little, and for demands a deadline in the coming months.
func (v *vocab) variant(rng *rand.Rand, kind, ext string, now time.Time) []byte {
	pool, suffixes := v.offers, offerTitleSuffixes
	if kind == "demand" {
		pool, suffixes = v.demands, demandTitleSuffixes
	}
	base := pick(rng, pool)
	m := make(map[string]any, len(base)+2)
	for k, val := range base {
		m[k] = val
	}
	m["externalId"] = ext
	m["title"] = clipRunes(fmt.Sprint(base["title"]), listing.MaxTitle-12) + pick(rng, suffixes)

	// Keywords of a sibling in the same industry, when one turns up.
	sibling := pick(rng, pool)
	for range 5 {
		if sharesIndustry(base, sibling) {
			break
		}
		sibling = pick(rng, pool)
	}
	kws := stringsOf(base["keywords"])
	for _, k := range stringsOf(sibling["keywords"]) {
		if len(kws) >= listing.MaxKeywords-1 || rng.IntN(3) != 0 {
			continue
		}
		if !slices.Contains(kws, k) {
			kws = append(kws, k)
		}
	}
	m["keywords"] = kws
	if d, ok := base["description"].(string); ok && d != "" {
		m["description"] = clipRunes(d, listing.MaxDescription-100) + "\n" + pick(rng, descriptionNotes)
	}

	switch kind {
	case "offer":
		if trl, ok := number(base["trl"]); ok {
			m["trl"] = clamp(trl+int64(rng.IntN(3))-1, 1, 9)
		}
		if p, ok := yuanRange(base["price"], rng); ok {
			m["price"] = p
		}
	case "demand":
		if trl, ok := number(base["minTrl"]); ok {
			m["minTrl"] = clamp(trl+int64(rng.IntN(3))-1, 1, 9)
		}
		if b, ok := yuanRange(base["budget"], rng); ok {
			m["budget"] = b
		}
		m["deadline"] = now.AddDate(0, 0, 120+rng.IntN(420)).In(listing.ChinaTime).Format(time.DateOnly)
	}
	line, err := json.Marshal(m)
	if err != nil {
		panic(err) // only strings, numbers, slices and maps: cannot fail
	}
	return line
}

// offer and demand write a variant as the API's message, for Create.
func (v *vocab) offer(rng *rand.Rand, ext string, now time.Time) (*techmarketv1.Offer, error) {
	o, err := parseAs[*techmarketv1.Offer](v.variant(rng, "offer", ext, now))
	return o, err
}

func (v *vocab) demand(rng *rand.Rand, ext string, now time.Time) (*techmarketv1.Demand, error) {
	return parseAs[*techmarketv1.Demand](v.variant(rng, "demand", ext, now))
}

func parseAs[T proto.Message](line []byte) (T, error) {
	var zero T
	msg, err := interchange.Parse(line)
	if err != nil {
		return zero, fmt.Errorf("generated listing does not parse: %w", err)
	}
	t, ok := msg.(T)
	if !ok {
		return zero, fmt.Errorf("generated listing is a %T", msg)
	}
	return t, nil
}

// query is what someone would type into the portal's search box: one or
// two keywords of the side searched.
func (v *vocab) query(rng *rand.Rand, kind string) string {
	kws := v.offerKW
	if kind == "demand" {
		kws = v.demandKW
	}
	q := pick(rng, kws)
	if rng.IntN(2) == 0 {
		if k := pick(rng, kws); k != q {
			q += " " + k
		}
	}
	return q
}

// filters narrow a search the way portal users do: by industry, by
// readiness or by region.
func (v *vocab) filters(rng *rand.Rand) *techmarketv1.SearchFilters {
	switch rng.IntN(4) {
	case 0, 1:
		return &techmarketv1.SearchFilters{Industries: []string{pick(rng, v.industries)}}
	case 2:
		return &techmarketv1.SearchFilters{MinTrl: int32(4 + rng.IntN(4))}
	default:
		return &techmarketv1.SearchFilters{Regions: []techmarketv1.Region{
			techmarketv1.Region_REGION_WUHAI, techmarketv1.Region_REGION_INNER_MONGOLIA, techmarketv1.Region_REGION_DOMESTIC,
		}[:1+rng.IntN(3)]}
	}
}

func sharesIndustry(a, b map[string]any) bool {
	bs := stringsOf(b["industries"])
	for _, code := range stringsOf(a["industries"]) {
		if slices.Contains(bs, code) {
			return true
		}
	}
	return false
}

func stringsOf(v any) []string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items)+2)
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func number(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// yuanRange scales a price or budget by 0.7–1.4, in whole ten thousands.
func yuanRange(v any, rng *rand.Rand) (map[string]int64, bool) {
	r, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	lo, ok1 := number(r["minYuan"])
	hi, ok2 := number(r["maxYuan"])
	if !ok1 || !ok2 {
		return nil, false
	}
	f := 0.7 + 0.7*rng.Float64()
	lo = int64(float64(lo)*f) / 10000 * 10000
	hi = max(lo, int64(float64(hi)*f)/10000*10000)
	return map[string]int64{"minYuan": lo, "maxYuan": hi}, true
}

func clamp(v, lo, hi int64) int64 { return max(lo, min(hi, v)) }

// clipRunes keeps at most n characters of s.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
