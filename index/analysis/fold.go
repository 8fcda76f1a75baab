package analysis

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
)

// fold maps one rune to the form under which it is matched: full-width
// ASCII (ＰＶＣ, ０-９, ，．) to ASCII, the ideographic space to a space, and
// sub- and superscript digits to plain digits, so that CO₂, CO2 and ＣＯ２
// all become co2 and m³ becomes m3. Listings are typed on Chinese input
// methods, which switch to full width without the writer noticing, and
// pasted from papers, which use subscripts; neither difference means
// anything to a buyer.
//
// The tokenizer classifies runes by their folded form (so ＩＥ３ is one
// Latin token, not three CJK characters) but keeps the original bytes as the
// term, so that Start/End stay offsets into the original text; the fold
// filter then rewrites the term.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII block
		return r - 0xFEE0
	case r == 0x3000: // ideographic space
		return ' '
	case r >= 0x2080 && r <= 0x2089: // ₀…₉
		return '0' + (r - 0x2080)
	case r == 0x2070: // ⁰
		return '0'
	case r >= 0x2074 && r <= 0x2079: // ⁴…⁹
		return '4' + (r - 0x2074)
	case r == 0x00B9: // ¹
		return '1'
	case r == 0x00B2: // ²
		return '2'
	case r == 0x00B3: // ³
		return '3'
	}
	return r
}

// foldBytes returns b with every rune folded, or b itself when nothing
// changes (the common case, which then costs no allocation).
func foldBytes(b []byte) []byte {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if f := fold(r); f != r {
			out := make([]byte, i, len(b))
			copy(out, b[:i])
			for _, r := range string(b[i:]) {
				out = utf8.AppendRune(out, fold(r))
			}
			return out
		}
		i += n
	}
	return b
}

// isCJK reports whether r is handed to the dictionary segmenter. Han covers
// the Chinese characters (and 〇); kana and Hangul are included so that a
// stray Japanese or Korean word is at least split per character rather than
// glued to a Latin run.
func isCJK(r rune) bool {
	switch {
	case r < 0x2E80: // below the CJK radicals: ASCII, Latin, Greek, punctuation
		return false
	case r >= 0x4E00 && r <= 0x9FFF: // CJK Unified Ideographs, nearly all of any listing
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// foldFilter is the techmarket_fold token filter.
type foldFilter struct{}

func (foldFilter) Filter(input bleveanalysis.TokenStream) bleveanalysis.TokenStream {
	for _, t := range input {
		t.Term = foldBytes(t.Term)
	}
	return input
}

// lowerFilter lower-cases terms. It replaces bleve's to_lower, which
// writes each rune's lower case back in place and garbles the term when
// that is shorter in UTF-8 than the rune: "İĸ" (İ is two bytes, i one)
// became the invalid "i\xb0\xc4" (found by FuzzQueryBuilding).
type lowerFilter struct{}

func (lowerFilter) Filter(input bleveanalysis.TokenStream) bleveanalysis.TokenStream {
	for _, t := range input {
		if hasUpper(t.Term) {
			t.Term = bytes.ToLower(t.Term)
		}
	}
	return input
}

// hasUpper says whether any rune of b has a different lower case; most
// terms (Chinese, or lower-case already) have none and are left as they
// are, without a copy.
func hasUpper(b []byte) bool {
	for i := 0; i < len(b); {
		if c := b[i]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if unicode.ToLower(r) != r {
			return true
		}
		i += size
	}
	return false
}
