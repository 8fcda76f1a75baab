package analysis

import (
	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
)

// stopFilter drops stop words. Unlike bleve's stop_tokens filter it also
// drops the search-mode sub-words of a dropped word (the tokens that follow
// it at the same position inside its span), so that stopping the
// boilerplate 有限公司 does not leave 有限 and 公司 behind. Positions are kept
// as they were, leaving a gap, as bleve's filter does.
type stopFilter struct {
	// words holds folded, lower-cased stop words; nil means the shared
	// resources' list, read per call.
	words map[string]struct{}
}

func (f stopFilter) Filter(input bleveanalysis.TokenStream) bleveanalysis.TokenStream {
	words := f.words
	if words == nil {
		words = current().stop
	}
	return filterStop(input, words)
}

func filterStop(input bleveanalysis.TokenStream, words map[string]struct{}) bleveanalysis.TokenStream {
	out := input[:0]
	dropPos, dropStart, dropEnd := 0, 0, 0
	for _, t := range input {
		if t.Position == dropPos && t.Start >= dropStart && t.End <= dropEnd {
			continue
		}
		if _, stop := words[string(t.Term)]; stop && !t.KeyWord {
			dropPos, dropStart, dropEnd = t.Position, t.Start, t.End
			continue
		}
		out = append(out, t)
	}
	return out
}

// latinStemFilter applies the Snowball English (Porter2) stemmer to tokens
// made only of ASCII letters, so electrolyzers and electrolyzer meet as
// electrolyz. Chinese tokens have no inflection to strip, and tokens with
// digits are model numbers or quantities (IE3, 2mw, co2) that a stemmer
// would only damage; both pass through unchanged. Run it after lower-casing.
//
// It hands the eligible tokens to bleve's stemmer_en_snowball filter, which
// rewrites them in place.
type latinStemFilter struct{}

var snowball = en.NewEnglishStemmerFilter()

func (latinStemFilter) Filter(input bleveanalysis.TokenStream) bleveanalysis.TokenStream {
	var latin bleveanalysis.TokenStream
	for _, t := range input {
		if !t.KeyWord && len(t.Term) >= 3 && asciiLetters(t.Term) {
			latin = append(latin, t)
		}
	}
	if len(latin) > 0 {
		snowball.Filter(latin)
	}
	return input
}

func asciiLetters(b []byte) bool {
	for _, c := range b {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}
