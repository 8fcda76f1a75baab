package match

import (
	"sort"
	"strings"
	"unicode"
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
	set := newTermSet(terms, minRunes)
	found := make([]bool, len(terms))
	for _, t := range []string{cand.GetTitle(), strings.Join(cand.GetKeywords(), "；")} {
		for _, o := range set.find(lowerInPlace(t)) {
			found[o.term] = true
		}
	}
	var best passage
	for _, text := range []string{cand.GetSummary(), cand.GetDescription()} {
		occ := set.find(lowerInPlace(text))
		for _, o := range occ {
			found[o.term] = true
		}
		for _, p := range passages(text, occ, terms) {
			if p.score > best.score {
				best = p
			}
		}
	}
	var matched []string
	for i, t := range terms {
		if found[i] {
			matched = append(matched, t.text)
		}
	}
	snippet := best.render()
	if snippet == "" {
		snippet = clip(strings.TrimSpace(firstNonEmpty(cand.GetSummary(), cand.GetDescription(), cand.GetTitle())), snippetRunes)
	}
	return matched, snippet
}

// lowerInPlace lower-cases text for finding terms at the same byte
// offsets; a text whose lower case is longer or shorter in UTF-8 (a few
// letters such as İ) is searched as it is.
func lowerInPlace(text string) string {
	if !hasUpper(text) {
		return text // most Chinese text: no copy
	}
	lower := strings.ToLower(text)
	if len(lower) != len(text) {
		return text
	}
	return lower
}

// hasUpper reports whether lower-casing would change text. Han
// characters and CJK punctuation (U+3000–U+9FFF) have no case, and
// asking unicode for each of them was most of the cost of explaining a
// match.
func hasUpper(text string) bool {
	for _, r := range text {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				return true
			}
		case r >= 0x3000 && r <= 0x9FFF:
		case unicode.ToLower(r) != r:
			return true
		}
	}
	return false
}

// termSet finds terms in a text in one pass: a term is looked for only
// where a text position starts with its first two characters (its only
// one, for one-character terms).
//
// Why not strings.Index per term: a match explains ten candidates of up
// to 20,000 characters each against dozens of terms, and in Chinese text
// the first byte of a term's first character is that of most characters,
// so searching term by term cost a quarter of a match.
type termSet struct {
	terms   []term
	byPair  map[string][]int // first two characters → terms
	byFirst map[string][]int // the character → one-character terms
}

// occurrence is where a term (by index) occurs in a text, in bytes.
type occurrence struct {
	start, end, term int
}

func newTermSet(terms []term, minRunes int) *termSet {
	set := &termSet{terms: terms, byPair: map[string][]int{}, byFirst: map[string][]int{}}
	for i, t := range terms {
		n := utf8.RuneCountInString(t.text)
		if n < minRunes || n == 0 {
			continue
		}
		_, n1 := utf8.DecodeRuneInString(t.text)
		if n == 1 {
			set.byFirst[t.text] = append(set.byFirst[t.text], i)
			continue
		}
		_, n2 := utf8.DecodeRuneInString(t.text[n1:])
		key := t.text[:n1+n2]
		set.byPair[key] = append(set.byPair[key], i)
	}
	return set
}

// find returns every occurrence of the set's terms in text, in order of
// their start.
func (set *termSet) find(text string) []occurrence {
	if len(set.byPair) == 0 && len(set.byFirst) == 0 {
		return nil
	}
	var out []occurrence
	for i := 0; i < len(text); {
		_, n1 := utf8.DecodeRuneInString(text[i:])
		for _, k := range set.byFirst[text[i:i+n1]] {
			out = append(out, occurrence{i, i + n1, k})
		}
		if i+n1 < len(text) {
			_, n2 := utf8.DecodeRuneInString(text[i+n1:])
			for _, k := range set.byPair[text[i:i+n1+n2]] {
				if t := set.terms[k].text; strings.HasPrefix(text[i:], t) {
					out = append(out, occurrence{i, i + len(t), k})
				}
			}
		}
		i += n1
	}
	return out
}

// passage is one sentence of a text with the byte ranges of its hits.
type passage struct {
	text  string
	marks [][2]int // byte ranges within text, in order, not overlapping
	score float64  // weight of the distinct terms it contains
}

// passages splits text into sentences and scores each by the weight of
// the distinct terms occurring in it (occ, in order of start), so that a
// sentence naming the technology beats boilerplate that repeats a common
// word.
func passages(text string, occ []occurrence, terms []term) []passage {
	var out []passage
	start := 0
	seen := map[int]bool{}
	flush := func(end int) {
		p := passage{text: text[start:end]}
		clear(seen)
		for ; len(occ) > 0 && occ[0].start < end; occ = occ[1:] {
			o := occ[0]
			if o.end > end {
				continue // runs into the next sentence
			}
			p.marks = append(p.marks, [2]int{o.start - start, o.end - start})
			if !seen[o.term] {
				seen[o.term] = true
				p.score += terms[o.term].weight
			}
		}
		if p.score > 0 {
			p.marks = disjoint(p.marks)
			out = append(out, p)
		}
		start = end
	}
	for i, r := range text {
		switch r {
		case '。', '；', '！', '？', '\n':
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
