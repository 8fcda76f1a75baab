package match

import (
	"slices"
	"testing"
	"unicode"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestExplain: the terms a candidate contains are listed most telling
// first, and the snippet is the sentence holding the most weight of
// distinct terms, each marked once with the longest term where terms
// overlap, letters found whatever their case; the coverage is the weight
// of the terms found over that of all the terms looked for.
func TestExplain(t *testing.T) {
	terms := []term{
		{text: "焦炉煤气", weight: 3},
		{text: "pvc", weight: 2.5},
		{text: "余热", weight: 2},
		{text: "焦炉", weight: 1.5},
		{text: "水", weight: 1},
		{text: "电石渣", weight: 1}, // not in the candidate
	}
	cand := &techmarketv1.Offer{
		Title:       "焦炉煤气制氢",
		Keywords:    []string{"PVC"},
		Summary:     "公司简介：我们处理水。",
		Description: "余热余热余热。\n回收焦炉煤气余热产生蒸汽，用于PVC干燥。",
	}
	matched, snippet := explain(terms, cand, 2)
	if want := []string{"焦炉煤气", "pvc", "余热", "焦炉"}; !slices.Equal(matched, want) {
		t.Errorf("matched %q, want %q (most telling first, one-character 水 left out)", matched, want)
	}
	// 9 of the 10 weight of the terms of two characters or more: 电石渣 is missing.
	if covered, coverage := newTermSet(terms, 2).cover(cand); !slices.Equal(covered, matched) || coverage < 0.8999 || coverage > 0.9001 {
		t.Errorf("cover: %q, %.4f; want the terms explain found, and 0.9", covered, coverage)
	}
	if want := "回收【焦炉煤气】【余热】产生蒸汽，用于【PVC】干燥。"; snippet != want {
		t.Errorf("snippet %q, want %q", snippet, want)
	}

	// A search box's single characters count and are marked.
	matched, snippet = explain([]term{{text: "水", weight: 1}}, cand, 1)
	if !slices.Equal(matched, []string{"水"}) || snippet != "公司简介：我们处理【水】。" {
		t.Errorf("one-character term: matched %q, snippet %q", matched, snippet)
	}

	// Nothing found: the summary stands in, unmarked.
	matched, snippet = explain([]term{{text: "电石渣", weight: 1}}, cand, 2)
	_, coverage := newTermSet([]term{{text: "电石渣", weight: 1}}, 2).cover(cand)
	if len(matched) != 0 || snippet != cand.Summary || coverage != 0 {
		t.Errorf("no term found: matched %q, snippet %q, coverage %v", matched, snippet, coverage)
	}
}

// TestLowerInPlace: lowerInPlace skips U+3000–U+9FFF without asking
// unicode, so no character there may change when lower-cased; others are
// lowered where their UTF-8 length stays, and a text where one's would
// not is left as it is.
func TestLowerInPlace(t *testing.T) {
	for r := rune(0x3000); r <= 0x9FFF; r++ {
		if unicode.ToLower(r) != r {
			t.Fatalf("%U lower-cases to %U", r, unicode.ToLower(r))
		}
	}
	for text, want := range map[string]string{
		"焦炉煤气制氢":    "焦炉煤气制氢",
		"PVC干燥，CO2": "pvc干燥，co2",
		"ＰＶＣ":       "ｐｖｃ",
		"ΩMEGA 系统":  "ωmega 系统",
		"İstanbul":  "İstanbul", // İ lower-cases to a longer i̇
		"":          "",
		"\xffAB":    "\xffab",
	} {
		if got := lowerInPlace(text); got != want {
			t.Errorf("lowerInPlace(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestResultTextsAsTwoScans: explaining a result against the telling and
// the need terms in one pass gives what the two passes gave, though the
// lists overlap and a need term alone would pick another sentence for
// the snippet.
func TestResultTextsAsTwoScans(t *testing.T) {
	telling := []term{{text: "焦炉煤气", weight: 3}, {text: "余热", weight: 2}, {text: "蒸汽", weight: 1}}
	need := []term{{text: "焦炉煤气", weight: 2}, {text: "干熄焦", weight: 5}, {text: "电石渣", weight: 1}}
	cand := &techmarketv1.Offer{
		Title:       "焦炉煤气余热利用",
		Summary:     "采用干熄焦工艺，干熄焦装置成熟。",
		Description: "回收焦炉煤气余热产生蒸汽。\n干熄焦、干熄焦、干熄焦。",
	}
	terms, snippet, shared, coverage := newResultTexts(telling, need).explain(cand)
	wantTerms, wantSnippet := explain(telling, cand, 2)
	wantShared, wantCoverage := newTermSet(need, 2).cover(cand)
	if !slices.Equal(terms, wantTerms) || snippet != wantSnippet {
		t.Errorf("one pass: terms %q, snippet %q; two passes: %q, %q", terms, snippet, wantTerms, wantSnippet)
	}
	if !slices.Equal(shared, wantShared) || coverage != wantCoverage {
		t.Errorf("one pass: shared %q, coverage %v; two passes: %q, %v", shared, coverage, wantShared, wantCoverage)
	}
	if want := "回收【焦炉煤气】【余热】产生【蒸汽】。"; snippet != want {
		t.Errorf("snippet %q, want %q: the need's 干熄焦 is not a telling term to show", snippet, want)
	}
	if !slices.Equal(shared, []string{"焦炉煤气", "干熄焦"}) {
		t.Errorf("shared %q, want 焦炉煤气 and 干熄焦", shared)
	}
}
