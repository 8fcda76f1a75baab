package analysis

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"

	"github.com/wuhai-techmarket/techmarket/demo"
)

// bigramCases are texts at the edges of the direct path: Han next to
// Latin, figures and punctuation, lone characters, full-width forms, and
// runes that must send the text down bleve's path (kana, Hangul, a
// combining mark or variation selector after a Han character, a soft
// hyphen, ideographs newer than bleve's tables, compatibility ideographs).
var bigramCases = []string{
	"", "煤", "煤焦", "煤焦油", "电极烧穿", "炉底烧穿了", "ＰＶＣ管材", "PVC树脂", "树脂PVC", "3号炉", "0.6MPa蒸汽",
	"树，脂", "树脂，管材。", "a树b", "CO₂捕集", "≥95%的回收率", "降低20％能耗", "（一）技术背景：", "【关键词】氢能；储能",
	"e.g. 树脂", "can't停", "3,000吨/年", "a_b树", "树_脂", "İĸ树", "μm级过滤", "℃ 以上", "①②③工艺", "—— 乌海 ——",
	"カタカナ树脂", "树脂ひらがな", "한국어树", "树\u0301脂", "树\ufe0f脂", "树\u00ad脂", "树\u200d脂", "\u9fd6\u9fd7", "\u4db6煤",
	"\uf900煤", "〇〇七", "々々", "树　脂", "\n\t煤 焦\r\n", "x", "３", "ＡＢＣ", "中文English混排123测试",
}

// TestBigramDirectAsBleve: the direct path gives exactly the tokens of
// bleve's pipeline, on the edge cases and on every field of the demo
// market's listings.
func TestBigramDirectAsBleve(t *testing.T) {
	t.Parallel()
	texts := append([]string(nil), bigramCases...)
	direct := 0
	for _, line := range demo.Lines() {
		var fields map[string]any
		if err := json.Unmarshal([]byte(line.GetText()), &fields); err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, v := range fields {
			if s, ok := v.(string); ok {
				texts = append(texts, s)
				all = append(all, s)
			}
		}
		texts = append(texts, strings.Join(all, "\n"))
	}
	for _, text := range texts {
		if directBigrams([]byte(text)) {
			direct++
		}
		if diff := bigramDiff(text); diff != "" {
			t.Errorf("%q: %s", text, diff)
		}
	}
	// The demo market must exercise the direct path, not only bleve's.
	if direct < len(texts)/2 {
		t.Errorf("only %d of %d texts took the direct path", direct, len(texts))
	}
}

// FuzzBigramDirectAsBleve: on any valid text, the direct path and
// bleve's pipeline agree. Text is valid UTF-8 by the time it is analysed
// (protobuf checks every string), and cjk_bigram itself panics on
// invalid bytes.
func FuzzBigramDirectAsBleve(f *testing.F) {
	for _, s := range bigramCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if utf8.ValidString(text) {
			if diff := bigramDiff(text); diff != "" {
				t.Errorf("%q: %s", text, diff)
			}
		}
		// Random runes almost never make text the direct path takes;
		// the same bytes spelled in the runes of technical Chinese do.
		var b strings.Builder
		for _, c := range []byte(text) {
			b.WriteRune(fuzzAlphabet[int(c)%len(fuzzAlphabet)])
		}
		if diff := bigramDiff(b.String()); diff != "" {
			t.Errorf("%q: %s", b.String(), diff)
		}
	})
}

// fuzzAlphabet: Han characters, Latin letters and digits, punctuation
// and symbols of both widths, spaces, and a few runes of bleve's path.
var fuzzAlphabet = []rune("煤焦化氢储能水烧穿乌海aZq09_.,;:-/%'’ ，。；：、（）【】“”—…％．０Ｚｑ℃°μ²₂≥①×\u3000 \n\tカ한\u0301\u00ad\u9fd6")

// bigramDiff compares the analyzer with bleve's pipeline on text and
// describes the first difference.
func bigramDiff(text string) string {
	got := bigram.Analyze([]byte(text))
	want := bigramSlow.Analyze([]byte(text))
	show := func(t *bleveanalysis.Token) string {
		return fmt.Sprintf("%q@%d[%d:%d]%v", t.Term, t.Position, t.Start, t.End, t.Type)
	}
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			return fmt.Sprintf("token %d missing, bleve has %s", i, show(want[i]))
		case i >= len(want):
			return fmt.Sprintf("extra token %d %s", i, show(got[i]))
		case show(got[i]) != show(want[i]) || got[i].KeyWord != want[i].KeyWord:
			return fmt.Sprintf("token %d is %s, bleve has %s", i, show(got[i]), show(want[i]))
		}
	}
	return ""
}
