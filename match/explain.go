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
	found, best := set.scan(cand, len(set.terms), true)
	matched, _ := set.tally(found, 0, len(set.terms))
	return matched, snippetOf(cand, best)
}

// cover returns the set's terms that cand contains, most telling first,
// and their share of the weight of all the set's terms (Result.Coverage).
// A term counts wherever cand has it.
func (set *termSet) cover(cand listing.Listing) ([]string, float64) {
	found, _ := set.scan(cand, 0, false)
	return set.tally(found, 0, len(set.terms))
}

// resultTexts explains a match's results against two lists of the
// source's terms at once: its telling terms, which a result lists and
// marks in its snippet, and its need terms, whose weight a result covers
// (Result.Coverage). The lists share most of their terms; reading each
// result's text once for both instead of once for each saved about a
// tenth of a match.
type resultTexts struct {
	set   *termSet // the telling terms, then the need terms
	split int      // where the need terms start
}

func newResultTexts(telling, need []term) *resultTexts {
	all := append(append(make([]term, 0, len(telling)+len(need)), telling...), need...)
	return &resultTexts{set: newTermSet(all, 2), split: len(telling)}
}

// explain returns the telling terms cand contains, most telling first,
// with a snippet; and the need terms it contains with their weight share.
func (r *resultTexts) explain(cand listing.Listing) (terms []string, snippet string, shared []string, coverage float64) {
	found, best := r.set.scan(cand, r.split, true)
	terms, _ = r.set.tally(found, 0, r.split)
	shared, coverage = r.set.tally(found, r.split, len(r.set.terms))
	return terms, snippetOf(cand, best), shared, coverage
}

// snippetOf renders the best passage, or stands the candidate's summary
// in for one that holds no term.
func snippetOf(cand listing.Listing, best passage) string {
	if snippet := best.render(); snippet != "" {
		return snippet
	}
	return clip(strings.TrimSpace(firstNonEmpty(cand.GetSummary(), cand.GetDescription(), cand.GetTitle())), snippetRunes)
}

// scan finds the set's terms in cand, reporting which it contains, and
// with passages the passage of its summary or description holding the
// most weight of the terms before shown.
func (set *termSet) scan(cand listing.Listing, shown int, withPassages bool) ([]bool, passage) {
	found := make([]bool, len(set.terms))
	for _, t := range []string{cand.GetTitle(), strings.Join(cand.GetKeywords(), "；")} {
		for _, o := range set.find(lowerInPlace(t)) {
			found[o.term] = true
		}
	}
	var best passage
	var seen []bool // bestPassage's
	for _, text := range []string{cand.GetSummary(), cand.GetDescription()} {
		occ := set.find(lowerInPlace(text))
		for _, o := range occ {
			found[o.term] = true
		}
		if !withPassages || len(occ) == 0 {
			continue
		}
		if seen == nil {
			seen = make([]bool, shown)
		}
		if p := bestPassage(text, occ, set.terms[:shown], seen); p.score > best.score {
			best = p
		}
	}
	return found, best
}

// tally returns the terms lo to hi that found marks, most telling first,
// and their share of the weight of all those terms the set looks for.
func (set *termSet) tally(found []bool, lo, hi int) ([]string, float64) {
	var matched []string
	var have, all float64
	for i := lo; i < hi; i++ {
		if !set.listed(i) {
			continue
		}
		t := set.terms[i]
		all += t.weight
		if found[i] {
			matched = append(matched, t.text)
			have += t.weight
		}
	}
	if all == 0 {
		return matched, 0
	}
	return matched, have / all
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
	text   string
	marks  [][2]int // byte ranges within text, in order, not overlapping
	score  float64  // weight of the distinct terms it contains
	offset int      // where text starts in the whole
}

// bestPassage splits text into sentences and returns the one holding
// the most weight of distinct terms (occ, in order of start; those past
// terms do not count), with its hits marked: a sentence naming the
// technology beats boilerplate that repeats a common word. The first of
// equal sentences wins. seen is scratch space, one flag per term, all
// false.
func bestPassage(text string, occ []occurrence, terms []term, seen []bool) passage {
	var best passage
	var bestOcc []occurrence
	start := 0
	var marked []int // the flags of seen set for this sentence
	sentence := func(end int) {
		var score float64
		from := occ
		for ; len(occ) > 0 && occ[0].start < end; occ = occ[1:] {
			o := occ[0]
			if o.end > end || o.term >= len(terms) {
				continue // runs into the next sentence, or not a term to show
			}
			if !seen[o.term] {
				seen[o.term] = true
				marked = append(marked, o.term)
				score += terms[o.term].weight
			}
		}
		for _, k := range marked {
			seen[k] = false
		}
		marked = marked[:0]
		if score > best.score {
			best = passage{text: text[start:end], score: score, offset: start}
			bestOcc = from[:len(from)-len(occ)]
		}
		start = end
	}
	for i, r := range text {
		if len(occ) == 0 {
			break // no sentence after this one can score
		}
		switch r {
		case '。', '；', '！', '？', '\n':
			sentence(i + utf8.RuneLen(r))
		}
	}
	if start < len(text) && len(occ) > 0 {
		sentence(len(text))
	}
	if best.score == 0 {
		return passage{}
	}
	end := best.offset + len(best.text)
	for _, o := range bestOcc {
		if o.end <= end && o.term < len(terms) {
			best.marks = append(best.marks, [2]int{o.start - best.offset, o.end - best.offset})
		}
	}
	best.marks = disjoint(best.marks)
	return best
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
