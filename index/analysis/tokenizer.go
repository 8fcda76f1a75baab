package analysis

import (
	"unicode"
	"unicode/utf8"

	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
	"github.com/go-ego/gse"
)

// tokenize splits input into tokens whose Start/End are byte offsets into
// input and whose Term is the original surface form (folding and
// lower-casing are left to the filters, so a highlighter can always mark
// input[Start:End]).
//
// Runs of CJK characters go to the dictionary segmenter; runs of Latin
// letters and digits become one token each (PVC, 2MW, IE3, 0.6MPa); every
// other rune (punctuation, spaces, symbols such as ℃) only separates tokens.
// Doing the script split here rather than in gse keeps Latin tokens
// independent of gse's dictionary (which holds oddities like 4S店) and its
// package-level lower-casing switch, and lets decimals such as 0.6 stay whole.
//
// Positions are 1-based. In search mode every dictionary word the segmenter
// finds inside a word (焦炉 and 煤气 inside 焦炉煤气), and every domain term
// starting inside it, is emitted after it at the same position, the way a
// synonym would be: phrase queries keep working along the main segmentation
// path, and a query for the shorter word still finds the longer one.
func tokenize(res *resources, input []byte, search bool) bleveanalysis.TokenStream {
	rv := make(bleveanalysis.TokenStream, 0, len(input)/4+1)
	tb := make(tokenBlock, 0, len(input)/4+1)
	pos := 0
	for i := 0; i < len(input); {
		r, n := utf8.DecodeRune(input[i:])
		f := fold(r)
		switch {
		case isCJK(f):
			j := i + n
			for j < len(input) {
				r2, n2 := utf8.DecodeRune(input[j:])
				if !isCJK(fold(r2)) {
					break
				}
				j += n2
			}
			rv, pos = res.appendCJK(rv, &tb, input, i, j, pos, search)
			i = j
		case isWordRune(f):
			j := latinRunEnd(input, i)
			pos++
			typ := bleveanalysis.AlphaNumeric
			if allDigits(input[i:j]) {
				typ = bleveanalysis.Numeric
			}
			rv = append(rv, tb.new(bleveanalysis.Token{
				Term: input[i:j], Start: i, End: j, Position: pos, Type: typ,
			}))
			i = j
		default:
			i += n
		}
	}
	return rv
}

// isWordRune reports whether a folded rune belongs to a Latin token: any
// letter or decimal digit outside the CJK scripts (Greek μ and Cyrillic
// count, so μm stays one token). Other numerals such as ① or Ⅳ only
// separate tokens.
func isWordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !isCJK(r)
}

// latinRunEnd returns the end of the Latin run that starts at i. Combining
// marks continue a run, and a '.' between two digits stays inside it so that
// 0.6MPa and PM2.5 are single tokens rather than "0" and "6mpa".
func latinRunEnd(input []byte, i int) int {
	prevDigit := false
	for i < len(input) {
		r, n := utf8.DecodeRune(input[i:])
		f := fold(r)
		switch {
		case isWordRune(f):
			prevDigit = unicode.IsDigit(f)
		case unicode.In(f, unicode.Mn, unicode.Mc):
			prevDigit = false
		case f == '.' && prevDigit:
			r2, _ := utf8.DecodeRune(input[i+n:])
			if !unicode.IsDigit(fold(r2)) {
				return i
			}
			prevDigit = false
		default:
			return i
		}
		i += n
	}
	return i
}

func allDigits(b []byte) bool {
	for _, r := range string(b) {
		if f := fold(r); !unicode.IsDigit(f) && f != '.' {
			return false
		}
	}
	return true
}

// appendCJK segments input[start:end], a run of CJK characters, with the
// shortest-path (dictionary) segmenter and appends its words; in search
// mode each word is followed by its sub-words and by the domain terms that
// start inside it but that the path cut differently.
//
// gse's own search mode (CutSearch, Slice(s, true)) returns strings without
// offsets, drops the whole text when it is a single word, and skips some
// sub-words; but every dictionary token carries the search-mode split that
// gse computed for it when the dictionary was loaded (Token.Segments, with
// offsets relative to the token), so walking that tree gives the same
// sub-words with exact offsets and no extra segmentation work.
//
// The domain pass exists because gse gives every single-character word the
// frequency 2, so its shortest path avoids single characters at almost any
// cost: in 矿井水中 the path 矿井+水中 beats 矿井水+中 whatever frequency
// 矿井水 has. Finding the city's terms is the point of the dictionary, so
// the tokenizer looks them up directly as well.
func (r *resources) appendCJK(rv bleveanalysis.TokenStream, tb *tokenBlock, input []byte, start, end, pos int, search bool) (bleveanalysis.TokenStream, int) {
	segs := r.seg.Segment(input[start:end])
	var extra [][2]int // domain-term spans, in text order
	var extraSeg []int // index into segs of the word each one starts in
	if search && len(r.domainPrefix) > 0 {
		extra, extraSeg = r.domainSpans(input, start, end, segs)
	}
	x := 0
	for k, s := range segs {
		pos++
		ts, te := start+s.Start(), start+s.End()
		group := len(rv)
		rv = append(rv, tb.new(bleveanalysis.Token{
			Term: input[ts:te], Start: ts, End: te, Position: pos, Type: bleveanalysis.Ideographic,
		}))
		if !search {
			continue
		}
		rv = appendSubwords(rv, tb, s.Token(), input, ts, pos)
		for ; x < len(extra) && extraSeg[x] == k; x++ {
			sp := extra[x]
			if !hasSpan(rv[group:], sp) {
				rv = append(rv, tb.new(bleveanalysis.Token{
					Term: input[sp[0]:sp[1]], Start: sp[0], End: sp[1], Position: pos, Type: bleveanalysis.Ideographic,
				}))
			}
		}
	}
	return rv, pos
}

// domainSpans finds every domain term in input[start:end] and the segment
// each starts in. A two-character prefix table bounds the work to one map
// lookup per character for text without domain terms.
func (r *resources) domainSpans(input []byte, start, end int, segs []gse.Segment) (spans [][2]int, segOf []int) {
	k := 0
	for i := start; i < end; {
		_, n1 := utf8.DecodeRune(input[i:end])
		if i+n1 >= end {
			break
		}
		_, n2 := utf8.DecodeRune(input[i+n1 : end])
		maxLen, ok := r.domainPrefix[string(input[i:i+n1+n2])]
		if ok {
			for k < len(segs) && start+segs[k].End() <= i {
				k++
			}
			j := i + n1 + n2
			for n := 2; ; n++ {
				if _, ok := r.domain[string(input[i:j])]; ok {
					spans = append(spans, [2]int{i, j})
					segOf = append(segOf, k)
				}
				if n == maxLen || j >= end {
					break
				}
				_, nj := utf8.DecodeRune(input[j:end])
				j += nj
			}
		}
		i += n1
	}
	return spans, segOf
}

func hasSpan(ts bleveanalysis.TokenStream, sp [2]int) bool {
	for _, t := range ts {
		if t.Start == sp[0] && t.End == sp[1] {
			return true
		}
	}
	return false
}

// appendSubwords appends, depth first, the sub-words of tok (which starts at
// byte base) of two or more characters. Single characters are left out: in
// the sub-split of a word they are mostly fragments (the 集 of 碳捕集), and
// the bigram analyzer already covers character-level matching.
func appendSubwords(rv bleveanalysis.TokenStream, tb *tokenBlock, tok *gse.Token, input []byte, base, pos int) bleveanalysis.TokenStream {
	for _, sub := range tok.Segments() {
		ss, se := base+sub.Start(), base+sub.End()
		if utf8.RuneCount(input[ss:se]) >= 2 {
			rv = append(rv, tb.new(bleveanalysis.Token{
				Term: input[ss:se], Start: ss, End: se, Position: pos, Type: bleveanalysis.Ideographic,
			}))
		}
		rv = appendSubwords(rv, tb, sub.Token(), input, ss, pos)
	}
	return rv
}

// zhTokenizer is the techmarket_zh tokenizer. It reads the shared segmenter
// on every call, so an index mapping built before Load still sees the
// dictionary Load installed.
type zhTokenizer struct {
	search bool
}

func (t zhTokenizer) Tokenize(input []byte) bleveanalysis.TokenStream {
	return tokenize(current(), input, t.search)
}
