package analysis

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// terms returns the terms of text under analyzer, optionally of one kind.
func terms(t *testing.T, analyzer, text string, kinds ...Kind) []string {
	t.Helper()
	toks, err := Analyze(analyzer, text)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tok := range toks {
		if len(kinds) == 0 || slices.Contains(kinds, tok.Kind) {
			out = append(out, tok.Term)
		}
	}
	return out
}

func hasAll(got, want []string) []string {
	var missing []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	return missing
}

func TestDomainTermsStayWhole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		// words must appear on the main segmentation path.
		words []string
	}{
		{"焦炉煤气综合利用", []string{"焦炉煤气", "综合", "利用"}},
		{"焦炉上升管荒煤气余热回收", []string{"焦炉", "上升管", "荒煤气", "余热回收"}},
		{"电石法聚氯乙烯无汞触媒", []string{"电石法", "聚氯乙烯", "无汞触媒"}},
		{"煤矿疏干水处理回用", []string{"处理", "回用"}},
		{"飞灰水泥窑协同处置", []string{"飞灰", "水泥窑协同处置"}},
		{"化学链燃烧与富氧燃烧", []string{"化学链燃烧", "富氧燃烧"}},
		{"有机液体储氢与变压吸附提纯", []string{"有机液体储氢", "变压吸附"}},
		{"动力电池梯次利用储能", []string{"梯次利用", "储能"}},
		{"硅铁矿热炉节能", []string{"硅铁", "矿热炉", "节能"}},
		{"反渗透膜污染控制", []string{"反渗透", "膜污染", "控制"}},
		{"沙棘与枸杞精深加工", []string{"沙棘", "枸杞"}},
		{"焊接机器人与智能制造产线", []string{"焊接机器人", "智能制造"}},
		{"高盐废水零排放", []string{"高盐废水", "零排放"}},
		{"数字孪生与城市大脑", []string{"数字孪生", "城市大脑"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			got := terms(t, AnalyzerZH, tt.text, Word)
			if m := hasAll(got, tt.words); m != nil {
				t.Errorf("main path %v lacks %v", got, m)
			}
		})
	}
}

// TestDictionaryEntriesSegmentWhole checks every entry of the embedded
// dict.txt: alone, it must come out as one word, or the entry is useless
// (usually a typo, or a frequency too low to beat its pieces).
func TestDictionaryEntriesSegmentWhole(t *testing.T) {
	t.Parallel()
	entries, err := parseDict(DefaultDict())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 300 {
		t.Errorf("dict.txt has %d terms; the domain needs a few hundred", len(entries))
	}
	r := current()
	for _, e := range entries {
		if got := mainTerms(r.analyze([]byte(e.text), modeExact, false)); !slices.Equal(got, []string{e.text}) {
			t.Errorf("%s segments as %v", e.text, got)
		}
	}
}

// TestDomainTermsFoundInRunningText covers the domain pass: where the
// shortest path cuts a term differently (矿井+水中), search mode still emits
// the term.
func TestDomainTermsFoundInRunningText(t *testing.T) {
	t.Parallel()
	tests := []struct{ text, term string }{
		{"在模拟矿井水中运行", "矿井水"},
		{"热回收上升管及汽水系统", "上升管"},
		{"以高铝粉煤灰为原料", "粉煤灰"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			if got := terms(t, AnalyzerZH, tt.text); !slices.Contains(got, tt.term) {
				t.Errorf("search mode %v lacks %s", got, tt.term)
			}
			if got := terms(t, AnalyzerZHExact, tt.text); slices.Contains(got, tt.term) {
				t.Errorf("exact mode %v has %s, though the path splits it", got, tt.term)
			}
		})
	}
}

func TestSearchModeSubwords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text     string
		word     string   // a main-path word
		subwords []string // emitted at its position
	}{
		{"碳捕集利用与封存", "碳捕集利用与封存", []string{"碳捕集", "捕集", "利用", "封存"}},
		{"焦炉煤气", "焦炉煤气", []string{"焦炉", "煤气"}},
		{"水泥窑协同处置", "水泥窑协同处置", []string{"水泥窑", "水泥", "协同处置", "协同", "处置"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			toks := Terms(tt.text)
			pos := -1
			for _, tok := range toks {
				if tok.Kind == Word && tok.Term == tt.word {
					pos = tok.Position
				}
			}
			if pos < 0 {
				t.Fatalf("%v has no word %s", toks, tt.word)
			}
			var subs []string
			for _, tok := range toks {
				if tok.Kind == Subword && tok.Position == pos {
					subs = append(subs, tok.Term)
				}
			}
			if m := hasAll(subs, tt.subwords); m != nil {
				t.Errorf("sub-words %v lack %v", subs, m)
			}
			if got := terms(t, AnalyzerZHExact, tt.text, Subword); got != nil {
				t.Errorf("exact analyzer emitted sub-words %v", got)
			}
		})
	}
}

func TestLatinAndFolding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want []string // main-path terms, in order
	}{
		{"PVC、PEM、2MW、IE3", []string{"pvc", "pem", "2mw", "ie3"}},
		{"ＰＶＣ管材，ＩＥ３电机", []string{"pvc", "管材", "ie3", "电机"}},
		{"压力０.６ＭＰａ，PM2.5≤35", []string{"压力", "0.6mpa", "pm2.5", "35"}},
		{"CO₂与ＣＯ２和CO2", []string{"co2", "co2", "co2"}},
		{"m³/h　　（全角空格）", []string{"m3", "h", "全角", "空格"}},
		{"版本2.然后", []string{"版本", "2", "然后"}},
		{"Electrolyzers for the PEM stack", []string{"electrolyz", "pem", "stack"}},
		{"membranes, fouling; cleaning!", []string{"membran", "foul", "clean"}},
		{"μm级颗粒", []string{"μm", "级", "颗粒"}},
		// Lower case shorter than the rune in UTF-8 (İ two bytes, i one;
		// the Kelvin sign K three, k one): still whole, valid words.
		{"İSTANBUL", []string{"istanbul"}},
		{"300\u212a", []string{"300k"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, terms(t, AnalyzerZHExact, tt.text, Word)); diff != "" {
				t.Errorf("terms (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStemmingIsForLatinOnly(t *testing.T) {
	t.Parallel()
	// The stemmer would turn these into something else; they must pass
	// unchanged because they hold digits or are Chinese.
	for _, text := range []string{"ie3", "h2s", "2mws", "储能"} {
		if got := terms(t, AnalyzerZHExact, text, Word); !slices.Equal(got, []string{text}) {
			t.Errorf("%s → %v", text, got)
		}
	}
	// Both spellings and the plural meet once stemmed.
	a, b := terms(t, AnalyzerZHExact, "electrolyzers"), terms(t, AnalyzerZHExact, "Electrolyzer")
	if !slices.Equal(a, b) {
		t.Errorf("electrolyzers %v, Electrolyzer %v", a, b)
	}
}

func TestStopWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text       string
		gone, kept []string
	}{
		{"焦炉煤气的综合利用和余热回收", []string{"的", "和"}, []string{"焦炉煤气", "余热回收"}},
		{"本公司合作方式：技术转让。联系人：张工", []string{"本公司", "合作方式", "合作", "方式", "联系人"}, []string{"技术转让", "技术", "转让"}},
		{"山东某染料化工有限公司", []string{"有限公司", "有限", "公司", "某"}, []string{"染料", "化工"}},
		{"the recovery of waste heat", []string{"the", "of"}, []string{"recoveri", "wast", "heat"}},
		// Meaningful single characters are not stop words.
		{"无汞触媒低汞", nil, []string{"无汞触媒"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			got := terms(t, AnalyzerZH, tt.text)
			for _, g := range tt.gone {
				if slices.Contains(got, g) {
					t.Errorf("%v still has %s", got, g)
				}
			}
			if m := hasAll(got, tt.kept); m != nil {
				t.Errorf("%v lacks %v", got, m)
			}
		})
	}
}

// TestSynonymsMeet checks that two wordings of one thing share a term, so a
// demand in one wording finds an offer in the other.
func TestSynonymsMeet(t *testing.T) {
	t.Parallel()
	tests := []struct{ a, b, shared string }{
		{"电石法聚氯乙烯", "PVC paste resin", "聚氯乙烯"},
		{"ＰＶＣ", "polyvinyl chloride", "聚氯乙烯"},
		{"矿井水深度处理", "煤矿疏干水回用", "矿井水"},
		{"在模拟矿井水中运行", "疏干水", "矿井水"},
		{"CCUS示范项目", "碳捕集利用与封存", "碳捕集"},
		{"二氧化碳捕集", "carbon capture and storage", "碳捕集"},
		{"PSA提纯氢气", "变压吸附", "变压吸附"},
		{"PEM电解槽", "质子交换膜", "质子交换膜"},
		{"Electrolyzers", "碱性电解槽与电解槽", "电解槽"},
		{"reverse osmosis membrane fouling", "反渗透膜污染", "反渗透"},
		{"reverse osmosis membrane fouling", "反渗透膜污染", "膜污染"},
		{"SCR脱硝", "选择性催化还原", "选择性催化还原"},
		{"MVR蒸发", "机械蒸汽再压缩", "机械蒸汽再压缩"},
		{"荒煤气", "粗煤气降温", "荒煤气"},
		{"CO₂", "二氧化碳", "二氧化碳"},
		{"二恶英", "二噁英", "二噁英"},
		{"hydrotreating of coal tar", "煤焦油加氢", "加氢"},
		{"biological denitrification", "反硝化脱氮", "反硝化"},
	}
	for _, tt := range tests {
		t.Run(tt.a+"~"+tt.b, func(t *testing.T) {
			t.Parallel()
			a, b := terms(t, AnalyzerZH, tt.a), terms(t, AnalyzerZH, tt.b)
			if !slices.Contains(a, tt.shared) || !slices.Contains(b, tt.shared) {
				t.Errorf("want both to hold %s:\n%s → %v\n%s → %v", tt.shared, tt.a, a, tt.b, b)
			}
		})
	}
}

// TestNearMissesStayApart guards against synonyms or sub-words joining terms
// the market must tell apart (the dev set's distractors).
func TestNearMissesStayApart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		analyzer string
		a, b     string
		notBoth  string
	}{
		{AnalyzerZH, "飞灰水洗", "粉煤灰制备", "飞灰"},
		{AnalyzerZH, "过氧化氢", "氢气", "氢气"},
		// Words the market uses for different things: the stemmer turns
		// hydrogenation into hydrogen, PAC is a coagulant and a carbon,
		// SOC a battery's charge and a solid oxide cell, denitrification
		// is done to wastewater, DeNOx to flue gas.
		{AnalyzerZH, "green hydrogen supply", "苯胺加氢", "加氢"},
		{AnalyzerZH, "PAC dosing", "聚合氯化铝", "聚合氯化铝"},
		{AnalyzerZH, "SOC stack", "荷电状态估计", "荷电状态"},
		{AnalyzerZH, "biological denitrification", "焦炉烟气脱硝", "脱硝"},
		// Search mode finds 盐酸 inside 盐酸小檗碱 and 葡萄 inside 葡萄糖
		// by design; the exact analyzer is the field that keeps them
		// apart.
		{AnalyzerZHExact, "盐酸小檗碱缓释微丸", "副产盐酸利用", "盐酸"},
		{AnalyzerZHExact, "葡萄糖酸钠", "葡萄种植", "葡萄"},
	}
	for _, tt := range tests {
		t.Run(tt.a+"~"+tt.b, func(t *testing.T) {
			t.Parallel()
			a, b := terms(t, tt.analyzer, tt.a), terms(t, tt.analyzer, tt.b)
			if slices.Contains(a, tt.notBoth) && slices.Contains(b, tt.notBoth) {
				t.Errorf("both hold %s:\n%s → %v\n%s → %v", tt.notBoth, tt.a, a, tt.b, b)
			}
		})
	}
}

func TestSynonymTokens(t *testing.T) {
	t.Parallel()
	text := "采用reverse osmosis工艺"
	var syn []Token
	for _, tok := range Terms(text) {
		if tok.Kind == Synonym {
			syn = append(syn, tok)
		}
	}
	if len(syn) != 1 || syn[0].Term != "反渗透" {
		t.Fatalf("synonym tokens %v, want one 反渗透", syn)
	}
	// A multi-token member's synonym spans the whole member and sits at
	// the position of its first token.
	if got := text[syn[0].Start:syn[0].End]; got != "reverse osmosis" {
		t.Errorf("synonym covers %q", got)
	}
	for _, tok := range Terms(text) {
		if tok.Term == "revers" && tok.Position != syn[0].Position {
			t.Errorf("synonym at position %d, member at %d", syn[0].Position, tok.Position)
		}
	}
	// A member equal to its canonical adds nothing.
	for _, tok := range Terms("反渗透") {
		if tok.Kind == Synonym {
			t.Errorf("canonical term repeated as synonym: %v", tok)
		}
	}
}

func TestBigramsFindUnknownWords(t *testing.T) {
	t.Parallel()
	// 烧穿 (burn-through) is in neither dictionary: the word analyzer splits
	// it into characters, the bigram analyzer keeps the pair.
	a, b := "电极烧穿", "炉底烧穿了"
	if got := terms(t, AnalyzerZH, a); slices.Contains(got, "烧穿") {
		t.Fatalf("烧穿 became a dictionary word (%v); pick another unknown word for this test", got)
	}
	ba, bb := terms(t, AnalyzerBigram, a), terms(t, AnalyzerBigram, b)
	if !slices.Contains(ba, "烧穿") || !slices.Contains(bb, "烧穿") {
		t.Errorf("bigrams %v and %v should share 烧穿", ba, bb)
	}
	// Width folding and lower-casing apply to the bigram analyzer too.
	if got := terms(t, AnalyzerBigram, "ＰＶＣ管材"); !slices.Equal(got, []string{"pvc", "管材"}) {
		t.Errorf("ＰＶＣ管材 → %v", got)
	}
	// bleve's own to_lower made "i\xb0\xc4" of this (FuzzQueryBuilding).
	if got := terms(t, AnalyzerBigram, "İĸ"); !slices.Equal(got, []string{"iĸ"}) {
		t.Errorf("İĸ → %q", got)
	}
}

func TestOffsets(t *testing.T) {
	t.Parallel()
	text := "乌海ＰＶＣ管材，焦炉煤气（COG）综合利用；Reverse Osmosis膜污染。"
	for _, name := range []string{AnalyzerZH, AnalyzerZHExact, AnalyzerBigram} {
		toks, err := Analyze(name, text)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range toks {
			surface := text[tok.Start:tok.End]
			switch {
			case tok.Kind == Synonym:
				// spans its member, checked in TestSynonymTokens
			case isCJKString(surface):
				if surface != tok.Term {
					t.Errorf("%s: %q at [%d:%d] is %q", name, tok.Term, tok.Start, tok.End, surface)
				}
			default:
				if norm := normalizeTerm(surface); !strings.HasPrefix(norm, tok.Term[:min(len(tok.Term), 4)]) {
					t.Errorf("%s: %q at [%d:%d] is %q", name, tok.Term, tok.Start, tok.End, surface)
				}
			}
		}
	}
	// The full-width token's offsets cover its full-width bytes.
	for _, tok := range Terms(text) {
		if tok.Term == "pvc" && text[tok.Start:tok.End] != "ＰＶＣ" {
			t.Errorf("pvc at %q", text[tok.Start:tok.End])
		}
	}
}

func isCJKString(s string) bool { return allCJK(s) }

// TestDevListings analyses every listing of the shared development set and
// checks the invariants a bleve index relies on.
func TestDevListings(t *testing.T) {
	t.Parallel()
	texts := devTexts(t)
	for _, text := range texts {
		for _, name := range []string{AnalyzerZH, AnalyzerBigram} {
			toks, err := Analyze(name, text)
			if err != nil {
				t.Fatal(err)
			}
			last := 0
			for i, tok := range toks {
				if tok.Start < 0 || tok.End > len(text) || tok.Start >= tok.End ||
					!utf8.ValidString(text[tok.Start:tok.End]) {
					t.Fatalf("%s: bad span %+v in %.40q", name, tok, text)
				}
				if tok.Position < last || (tok.Kind == Word && i > 0 && tok.Position == last) {
					t.Fatalf("%s: position %d after %d in %.40q", name, tok.Position, last, text)
				}
				last = tok.Position
				if s := text[tok.Start:tok.End]; tok.Kind != Synonym && allCJK(s) && name == AnalyzerZH && s != tok.Term {
					t.Fatalf("%s: %q at %q", name, tok.Term, s)
				}
			}
		}
	}
}

// devTexts returns the title, summary, description and keywords of every
// listing in the development set, which sits beside the repository.
func devTexts(tb testing.TB) []string {
	tb.Helper()
	var texts []string
	for _, name := range []string{"offers.jsonl", "demands.jsonl"} {
		f, err := os.Open(filepath.Join("..", "..", "..", "shared", "data", "dev", name))
		if err != nil {
			tb.Fatalf("%v (the shared data folder sits beside the repository)", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var l listing
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				tb.Fatal(err)
			}
			texts = append(texts, l.text())
		}
		f.Close()
		if err := sc.Err(); err != nil {
			tb.Fatal(err)
		}
	}
	return texts
}

type listing struct {
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	Description string   `json:"description"`
	Keywords    []string `json:"keywords"`
}

func (l listing) text() string {
	return strings.Join([]string{l.Title, l.Summary, l.Description, strings.Join(l.Keywords, "，")}, "\n")
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	texts := []string{
		"焦炉上升管荒煤气余热回收",
		"Electrolyzers for PEM water electrolysis, 2MW",
		"矿井水与疏干水深度处理回用，ＰＶＣ管材",
		"碳捕集利用与封存（CCUS）示范",
	}
	want := make([][]Token, len(texts))
	for i, text := range texts {
		want[i] = Terms(text)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Go(func() {
			for n := range 50 {
				i := (g + n) % len(texts)
				if diff := cmp.Diff(want[i], Terms(texts[i])); diff != "" {
					errs <- diff
					return
				}
				if _, err := Analyze(AnalyzerBigram, texts[i]); err != nil {
					errs <- err.Error()
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestAnalyzeUnknownAnalyzer(t *testing.T) {
	t.Parallel()
	if _, err := Analyze("standard", "x"); err == nil {
		t.Error("Analyze accepted an analyzer of another package")
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	got := fmt.Sprint(Word, Subword, Synonym, Kind(9))
	if got != "word subword synonym Kind(9)" {
		t.Errorf("got %q", got)
	}
}

// TestDomainTermsDoNotSteal pins the other side of the dictionary
// frequency: a domain term must not pull characters away from common words
// around it on the main path.
func TestDomainTermsDoNotSteal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want []string
	}{
		{"上升管道", []string{"上升", "管道"}},
		{"改变频率", []string{"改变", "频率"}},
		{"剩余热量", []string{"剩余", "热量"}},
		{"葡萄糖酸钠", []string{"葡萄糖", "酸钠"}},
	}
	for _, tt := range tests {
		if got := terms(t, AnalyzerZHExact, tt.text, Word); !slices.Equal(got, tt.want) {
			t.Errorf("%s → %v, want %v", tt.text, got, tt.want)
		}
	}
}
