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
	return newTermSet(terms, minRunes).explain(cand)
}

// explain is explain for the set's terms; a set explains any number of
// candidates.
func (set *termSet) explain(cand listing.Listing) ([]string, string) {
	matched, best, _ := set.scan(cand, true)
	snippet := best.render()
	if snippet == "" {
		snippet = clip(strings.TrimSpace(firstNonEmpty(cand.GetSummary(), cand.GetDescription(), cand.GetTitle())), snippetRunes)
	}
	return matched, snippet
}

// cover returns the set's terms that cand contains, most telling first,
// and their share of the weight of all the set's terms (Result.Coverage).
// A term counts wherever cand has it.
func (set *termSet) cover(cand listing.Listing) ([]string, float64) {
	matched, _, coverage := set.scan(cand, false)
	return matched, coverage
}

// scan finds the set's terms in cand: those it contains, most telling
// first, the weight share they hold, and with passages the passage of
// its summary or description holding the most weight.
func (set *termSet) scan(cand listing.Listing, withPassages bool) ([]string, passage, float64) {
	found := make([]bool, len(set.terms))
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
		if !withPassages {
			continue
		}
		for _, p := range passages(text, occ, set.terms) {
			if p.score > best.score {
				best = p
			}
		}
	}
	var matched []string
	var have, all float64
	for i, t := range set.terms {
		if !set.listed(i) {
			continue
		}
		all += t.weight
		if found[i] {
			matched = append(matched, t.text)
			have += t.weight
		}
	}
	coverage := 0.0
	if all > 0 {
		coverage = have / all
	}
	return matched, best, coverage
}

// lowerInPlace lower-cases text for finding terms at the same byte
// offsets; a text whose lower case is longer or shorter in UTF-8 (a few
// letters such as İ) is searched as it is. Han characters and CJK
// punctuation (U+3000–U+9FFF) have no case and are passed over without
// asking unicode, which strings.ToLower does for every one of them: that
// was most of the cost of explaining a match.
func lowerInPlace(text string) string {
	var lower []byte // a copy, once something changes
	for i, r := range text {
		var l rune
		switch {
		case r < utf8.RuneSelf:
			if r < 'A' || r > 'Z' {
				continue
			}
			l = r + 'a' - 'A'
		case r >= 0x3000 && r <= 0x9FFF:
			continue
		default:
			if l = unicode.ToLower(r); l == r {
				continue
			}
			if utf8.RuneLen(l) != utf8.RuneLen(r) {
				return text
			}
		}
		if lower == nil {
			lower = []byte(text)
		}
		utf8.EncodeRune(lower[i:], l)
	}
	if lower == nil {
		return text
	}
	return string(lower)
}

// termSet finds terms in a text in one pass: a term is looked for only
// where a text position starts with its first two characters (its only
// one, for one-character terms), and most positions are passed over at
// one bit test.
//
// Why not strings.Index per term: a match explains ten candidates of up
// to 20,000 characters each against dozens of terms, and in Chinese text
// the first byte of a term's first character is that of most characters,
// so searching term by term cost a quarter of a match.
type termSet struct {
	terms    []term
	minRunes int
	starts   [1 << 16 / 64]uint64 // bit r mod 2¹⁶: some term starts with r
	byPair   map[[2]rune][]int    // first two characters → terms
	byFirst  map[rune][]int       // the character → one-character terms
}

// occurrence is where a term (by index) occurs in a text, in bytes.
type occurrence struct {
	start, end, term int
}

func newTermSet(terms []term, minRunes int) *termSet {
	set := &termSet{terms: terms, minRunes: minRunes, byPair: map[[2]rune][]int{}, byFirst: map[rune][]int{}}
	for i, t := range terms {
		if !set.listed(i) {
			continue
		}
		n := utf8.RuneCountInString(t.text)
		r1, n1 := utf8.DecodeRuneInString(t.text)
		set.starts[uint16(r1)/64] |= 1 << (uint16(r1) % 64)
		if n == 1 {
			set.byFirst[r1] = append(set.byFirst[r1], i)
			continue
		}
		r2, _ := utf8.DecodeRuneInString(t.text[n1:])
		set.byPair[[2]rune{r1, r2}] = append(set.byPair[[2]rune{r1, r2}], i)
	}
	return set
}

// listed reports whether the set looks for term i: those shorter than
// minRunes are neither found nor counted in coverage.
func (set *termSet) listed(i int) bool {
	n := utf8.RuneCountInString(set.terms[i].text)
	return n > 0 && n >= set.minRunes
}

// find returns every occurrence of the set's terms in text, in order of
// their start.
func (set *termSet) find(text string) []occurrence {
	if len(set.byPair) == 0 && len(set.byFirst) == 0 {
		return nil
	}
	var out []occurrence
	for i := 0; i < len(text); {
		r1, n1 := utf8.DecodeRuneInString(text[i:])
		if set.starts[uint16(r1)/64]&(1<<(uint16(r1)%64)) == 0 {
			i += n1
			continue
		}
		for _, k := range set.byFirst[r1] {
			out = append(out, occurrence{i, i + n1, k})
		}
		if i+n1 < len(text) {
			r2, _ := utf8.DecodeRuneInString(text[i+n1:])
			for _, k := range set.byPair[[2]rune{r1, r2}] {
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
