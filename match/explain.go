package match

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/wuhai-techmarket/techmarket/listing"
)

// snippetRunes is the longest snippet, in characters.
const snippetRunes = 120

// explain returns the query terms cand contains, most telling first, and
// a snippet of its text with them marked 【like this】. It looks for the
// terms as substrings of the lower-cased text rather than analysing the
// candidate again: analysis is the costliest step of a match, and the
// terms are already what the analyser made of the source.
//
// Terms shorter than minRunes are neither listed nor marked: a single
// character of the source found inside other words (水 in 废水) says
// nothing a reader can use, though it counts in the score. A search box's
// own single characters are worth marking.
func explain(terms []term, cand listing.Listing, minRunes int) ([]string, string) {
	texts := []string{cand.GetTitle(), strings.Join(cand.GetKeywords(), "；"), cand.GetSummary(), cand.GetDescription()}
	var all strings.Builder
	for _, t := range texts {
		all.WriteString(strings.ToLower(t))
		all.WriteString("\n")
	}
	haystack := all.String()
	var matched []string
	weight := map[string]float64{}
	for _, t := range terms {
		if utf8.RuneCountInString(t.text) < minRunes {
			continue
		}
		if strings.Contains(haystack, t.text) {
			matched = append(matched, t.text)
			weight[t.text] = t.weight
		}
	}
	var best passage
	for _, text := range texts[2:] {
		for _, p := range passages(text, weight) {
			if p.score > best.score {
				best = p
			}
		}
	}
	snippet := best.render()
	if snippet == "" {
		snippet = clip(strings.TrimSpace(firstNonEmpty(cand.GetSummary(), cand.GetDescription(), cand.GetTitle())), snippetRunes)
	}
	return matched, snippet
}

// passage is one sentence of a text with the byte ranges of its hits.
type passage struct {
	text  string
	marks [][2]int // byte ranges within text, in order, not overlapping
	score float64  // weight of the distinct terms it contains
}

// passages splits text into sentences and scores each by the weight of
// the distinct matched terms in it, so that a sentence naming the
// technology beats boilerplate that repeats a common word.
func passages(text string, weight map[string]float64) []passage {
	var out []passage
	start := 0
	flush := func(end int) {
		p := passage{text: text[start:end]}
		lower := strings.ToLower(p.text)
		if len(lower) != len(p.text) {
			lower = p.text // marks must index the original bytes
		}
		for t, w := range weight {
			found := false
			for from := 0; ; {
				i := strings.Index(lower[from:], t)
				if i < 0 {
					break
				}
				p.marks = append(p.marks, [2]int{from + i, from + i + len(t)})
				from += i + len(t)
				found = true
			}
			if found {
				p.score += w
			}
		}
		if p.score > 0 {
			p.marks = disjoint(p.marks)
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

// disjoint sorts marks and keeps the longest of overlapping ones.
func disjoint(marks [][2]int) [][2]int {
	sort.Slice(marks, func(i, j int) bool {
		if marks[i][0] != marks[j][0] {
			return marks[i][0] < marks[j][0]
		}
		return marks[i][1] > marks[j][1]
	})
	var out [][2]int
	for _, m := range marks {
		if len(out) > 0 && m[0] < out[len(out)-1][1] {
			continue
		}
		out = append(out, m)
	}
	return out
}

// render marks the hits and clips the sentence.
func (p passage) render() string {
	if p.score == 0 {
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
