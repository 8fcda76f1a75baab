package match

import (
	"strings"
	"unicode/utf8"

	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/listing"
)

// snippetRunes is the longest snippet, in characters.
const snippetRunes = 120

// explain returns the query terms cand contains, most telling first, and
// a snippet of its text with them marked 【like this】. It analyses only
// the listings returned, never the whole candidate pool.
func explain(terms []term, cand listing.Listing) ([]string, string) {
	want := make(map[string]bool, len(terms))
	for _, t := range terms {
		want[t.text] = true
	}
	found := map[string]bool{}
	var best passage
	for _, text := range []string{cand.GetTitle(), strings.Join(cand.GetKeywords(), "；"), cand.GetSummary(), cand.GetDescription()} {
		toks := analysis.Terms(text)
		for _, tok := range toks {
			if want[tok.Term] {
				found[tok.Term] = true
			}
		}
		for _, p := range passages(text, toks, want) {
			if p.hits > best.hits {
				best = p
			}
		}
	}
	var matched []string
	for _, t := range terms {
		if found[t.text] {
			matched = append(matched, t.text)
		}
	}
	snippet := best.render()
	if snippet == "" {
		snippet = clip(firstNonEmpty(cand.GetSummary(), cand.GetDescription(), cand.GetTitle()), snippetRunes)
	}
	return matched, snippet
}

// passage is one sentence of a text with the byte ranges of its hits.
type passage struct {
	text  string
	marks [][2]int // byte ranges within text, in order, not overlapping
	hits  int
}

// passages splits text into sentences and collects where each has hits.
func passages(text string, toks []analysis.Token, want map[string]bool) []passage {
	var out []passage
	start := 0
	flush := func(end int) {
		p := passage{text: text[start:end]}
		last := -1
		for _, tok := range toks {
			if tok.Kind == analysis.Synonym || !want[tok.Term] || tok.Start < start || tok.End > end || tok.Start < last {
				continue
			}
			p.marks = append(p.marks, [2]int{tok.Start - start, tok.End - start})
			p.hits++
			last = tok.End
		}
		if p.hits > 0 {
			out = append(out, p)
		}
		start = end
	}
	for i, r := range text {
		if strings.ContainsRune("。；！？\n", r) {
			flush(i + utf8.RuneLen(r))
		}
	}
	if start < len(text) {
		flush(len(text))
	}
	return out
}

// render marks the hits and clips the sentence around the first of them.
func (p passage) render() string {
	if p.hits == 0 {
		return ""
	}
	var b strings.Builder
	pos := 0
	for _, m := range p.marks {
		b.WriteString(p.text[pos:m[0]])
		b.WriteString("【" + p.text[m[0]:m[1]] + "】")
		pos = m[1]
	}
	b.WriteString(p.text[pos:])
	return clip(strings.TrimSpace(b.String()), snippetRunes)
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
