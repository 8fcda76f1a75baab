package analysis

import (
	"unicode/utf8"

	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// bigramAnalyzer is the techmarket_bigram analyzer: bleve's unicode
// tokenizer, the fold filter, lower-casing and cjk_bigram. The unicode
// tokenizer yields each Han character as its own Ideographic token, which
// cjk_bigram pairs up; Latin words pass through as whole tokens.
//
// Every listing's whole text is indexed through it, and built that way it
// made three objects per character (a token per character, a token and a
// byte slice per bigram): 7% of a rebuild's CPU and a fifth of its
// allocations (BenchmarkRebuild). So text made only of Han characters
// and the common punctuation, symbols and Latin that surround them takes
// a direct path: Han runs become bigram tokens cut from the input itself,
// allocated together, and only the text between them goes through the
// unicode tokenizer. Any other text (kana, Hangul, combining marks, rare
// ideographs) takes bleve's path. Both give the same tokens
// (TestBigramDirectAsBleve, FuzzBigramDirectAsBleve).
type bigramAnalyzer struct{}

// bigramSlow is bleve's pipeline, the definition of the analyzer.
var bigramSlow = &bleveanalysis.DefaultAnalyzer{
	Tokenizer:    unicode.NewUnicodeTokenizer(),
	TokenFilters: []bleveanalysis.TokenFilter{foldFilter{}, lower, cjk.NewCJKBigramFilter(false)},
}

// bigramLatin analyses the text between Han runs, which holds no token
// cjk_bigram would change.
var bigramLatin = &bleveanalysis.DefaultAnalyzer{
	Tokenizer:    unicode.NewUnicodeTokenizer(),
	TokenFilters: []bleveanalysis.TokenFilter{foldFilter{}, lower},
}

func (bigramAnalyzer) Analyze(input []byte) bleveanalysis.TokenStream {
	if !directBigrams(input) {
		return bigramSlow.Analyze(input)
	}
	rv := make(bleveanalysis.TokenStream, 0, len(input)/3+1)
	tb := make(tokenBlock, 0, len(input)/3+1)
	add := func(t bleveanalysis.Token) { rv = append(rv, tb.new(t)) }
	pos := 1 // as cjk_bigram numbers its output: one after another
	for i := 0; i < len(input); {
		h := i // the next Han run, or the end
		for h < len(input) {
			r, n := utf8.DecodeRune(input[h:])
			if isBigramHan(r) {
				break
			}
			h += n
		}
		if h > i && hasWordBytes(input[i:h]) {
			for _, t := range bigramLatin.Analyze(input[i:h]) {
				t.Start += i
				t.End += i
				t.Position = pos
				pos++
				rv = append(rv, t)
			}
		}
		if h == len(input) {
			break
		}
		_, first := utf8.DecodeRune(input[h:])
		prev, e := h, h+first // the last character's start, the run's end
		for e < len(input) {
			r, n := utf8.DecodeRune(input[e:])
			if !isBigramHan(r) {
				break
			}
			add(bleveanalysis.Token{Term: input[prev : e+n], Start: prev, End: e + n, Position: pos, Type: bleveanalysis.Double})
			pos++
			prev, e = e, e+n
		}
		if prev == h { // a lone character stands as itself
			add(bleveanalysis.Token{Term: input[h:e], Start: h, End: e, Position: pos, Type: bleveanalysis.Single})
			pos++
		}
		i = e
	}
	return rv
}

// directBigrams reports whether every rune of input is one the direct
// path knows bleve's unicode tokenizer to treat as it does: a Han
// character the tokenizer's tables hold, or a rune that is neither kana,
// Hangul, another ideograph, nor a mark or format character that would
// attach itself to the character before it.
func directBigrams(input []byte) bool {
	for i := 0; i < len(input); {
		if input[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(input[i:])
		if !isBigramHan(r) && !bigramNeutral(r) {
			return false
		}
		i += n
	}
	return true
}

// isBigramHan reports whether r is a CJK unified ideograph of the blocks
// bleve's word segmenter knows (its tables predate 4DB6–4DBF and
// 9FD6–9FFF, which take bleve's path).
func isBigramHan(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FD5) || (r >= 0x3400 && r <= 0x4DB5)
}

// bigramNeutral reports whether r is a non-ASCII rune of the blocks that
// surround Chinese technical text (Latin-1, Greek, general punctuation,
// super- and subscripts, currency, letterlike symbols and number forms,
// arrows and mathematical operators, enclosed numbers, box drawing and
// shapes, CJK punctuation, full-width ASCII and signs), none of which
// joins a Han character or is made a bigram by bleve.
func bigramNeutral(r rune) bool {
	switch {
	case r >= 0x00A0 && r <= 0x00FF:
		return r != 0x00AD // the soft hyphen is a format character
	case r >= 0x0370 && r <= 0x03FF,
		r >= 0x2010 && r <= 0x2027,
		r >= 0x2030 && r <= 0x205E,
		r >= 0x2070 && r <= 0x20CF,
		r >= 0x2100 && r <= 0x23FF,
		r >= 0x2460 && r <= 0x25FF,
		r >= 0x3000 && r <= 0x3004,
		r >= 0x3008 && r <= 0x3020,
		r >= 0xFF01 && r <= 0xFF5E,
		r >= 0xFFE0 && r <= 0xFFE6:
		return true
	}
	return false
}

// hasWordBytes reports whether b may hold a token: any letter, digit,
// underscore (which joins words, and stands as a word of its own) or
// non-ASCII rune. Spaces and other ASCII punctuation alone never make one.
func hasWordBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf || c == '_' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z') {
			return true
		}
	}
	return false
}
