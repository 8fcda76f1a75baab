package analysis

import (
	"fmt"

	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Names under which this package registers its components with bleve.
// Importing the package registers them; an index mapping refers to them by
// name only, so every process that opens an index built with them must
// import this package too (otherwise bleve reports "no analyzer with name
// or type ... registered").
const (
	// AnalyzerZH is the analyzer for listing text, Chinese and English
	// alike: techmarket_zh tokenizer in search mode, then the fold,
	// to_lower, stop, Latin stem and synonym filters.
	AnalyzerZH = "techmarket_zh"
	// AnalyzerZHExact is AnalyzerZH without search-mode sub-words: only
	// the main segmentation path (焦炉煤气, not also 焦炉 and 煤气). A field
	// analysed this way rewards whole-word matches, which keeps 葡萄糖酸钠
	// away from a query for 葡萄.
	AnalyzerZHExact = "techmarket_zh_exact"
	// AnalyzerBigram is bleve's unicode tokenizer, the fold filter,
	// to_lower and cjk_bigram: every pair of adjacent CJK characters is a
	// term, which finds words the dictionary does not know.
	AnalyzerBigram = "techmarket_bigram"

	// TokenizerZH is the dictionary tokenizer. Its config takes
	// "search_mode" (bool, default true).
	TokenizerZH = "techmarket_zh"

	// FilterFold folds full-width ASCII, the ideographic space and
	// sub/superscript digits to ASCII.
	FilterFold = "techmarket_fold"
	// FilterStop drops stop words and the sub-words of a dropped word.
	FilterStop = "techmarket_stop"
	// FilterLatinStem applies the Snowball English stemmer to tokens of
	// ASCII letters only.
	FilterLatinStem = "techmarket_latin_stem"
	// FilterSynonym adds the canonical term of each synonym group seen.
	FilterSynonym = "techmarket_synonym"
)

// Kind tells how a token came about.
type Kind uint8

const (
	// Word is a token on the main segmentation path, one per position.
	Word Kind = iota
	// Subword is a shorter dictionary word found inside the Word at the
	// same position (search mode only).
	Subword
	// Synonym is the canonical term of a synonym group, added at the
	// position of the member that was seen.
	Synonym
)

func (k Kind) String() string {
	switch k {
	case Word:
		return "word"
	case Subword:
		return "subword"
	case Synonym:
		return "synonym"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Token is one analysed term with its place in the text.
type Token struct {
	// Term is the indexed form (folded, lower-cased, stemmed, canonical).
	Term string
	// Start and End are byte offsets into the analysed text; for a Word or
	// Subword, text[Start:End] is the surface form the term came from.
	Start, End int
	// Position is the 1-based token position; sub-words and synonyms
	// share the position of the word they belong to.
	Position int
	Kind     Kind
}

// Terms analyses text with AnalyzerZH, as an index would; query building
// uses it to pick the telling terms of a listing.
func Terms(text string) []Token {
	return convert(current().analyze([]byte(text), modeSearch, true))
}

// Analyze analyses text with one of this package's analyzers, named by its
// constant.
func Analyze(analyzer, text string) ([]Token, error) {
	switch analyzer {
	case AnalyzerZH:
		return Terms(text), nil
	case AnalyzerZHExact:
		return convert(current().analyze([]byte(text), modeExact, true)), nil
	case AnalyzerBigram:
		return convert(bigram.Analyze([]byte(text))), nil
	}
	return nil, fmt.Errorf("analysis: %q is not an analyzer of this package", analyzer)
}

func convert(ts bleveanalysis.TokenStream) []Token {
	out := make([]Token, len(ts))
	for i, t := range ts {
		k := Word
		switch {
		case t.KeyWord:
			k = Synonym
		case i > 0 && t.Position == ts[i-1].Position:
			k = Subword
		}
		out[i] = Token{Term: string(t.Term), Start: t.Start, End: t.End, Position: t.Position, Kind: k}
	}
	return out
}

type mode bool

const (
	modeSearch mode = true
	modeExact  mode = false
)

var lower = lowerFilter{}

// analyze runs the techmarket_zh chain with r's lists. Doing it in one
// function (rather than as a bleve DefaultAnalyzer of registered parts)
// makes a whole document see one configuration even if Load swaps lists
// in the middle.
func (r *resources) analyze(input []byte, m mode, synonyms bool) bleveanalysis.TokenStream {
	ts := tokenize(r, input, bool(m))
	ts = foldFilter{}.Filter(ts)
	ts = lower.Filter(ts)
	ts = filterStop(ts, r.stop)
	ts = latinStemFilter{}.Filter(ts)
	if synonyms {
		ts = r.syn.filter(ts)
	}
	return ts
}

// zhAnalyzer is the techmarket_zh and techmarket_zh_exact analyzer.
type zhAnalyzer struct{ mode mode }

func (a zhAnalyzer) Analyze(input []byte) bleveanalysis.TokenStream {
	return current().analyze(input, a.mode, true)
}

// bigram is the techmarket_bigram analyzer (bigram.go).
var bigram = bigramAnalyzer{}

func init() {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(registry.RegisterTokenizer(TokenizerZH, func(config map[string]interface{}, _ *registry.Cache) (bleveanalysis.Tokenizer, error) {
		search := true
		if v, ok := config["search_mode"]; ok {
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("%s: search_mode must be a bool, not %T", TokenizerZH, v)
			}
			search = b
		}
		return zhTokenizer{search: search}, nil
	}))
	filter := func(f bleveanalysis.TokenFilter) registry.TokenFilterConstructor {
		return func(map[string]interface{}, *registry.Cache) (bleveanalysis.TokenFilter, error) { return f, nil }
	}
	must(registry.RegisterTokenFilter(FilterFold, filter(foldFilter{})))
	must(registry.RegisterTokenFilter(FilterStop, filter(stopFilter{})))
	must(registry.RegisterTokenFilter(FilterLatinStem, filter(latinStemFilter{})))
	must(registry.RegisterTokenFilter(FilterSynonym, filter(synonymFilter{})))
	analyzer := func(a bleveanalysis.Analyzer) registry.AnalyzerConstructor {
		return func(map[string]interface{}, *registry.Cache) (bleveanalysis.Analyzer, error) { return a, nil }
	}
	must(registry.RegisterAnalyzer(AnalyzerZH, analyzer(zhAnalyzer{mode: modeSearch})))
	must(registry.RegisterAnalyzer(AnalyzerZHExact, analyzer(zhAnalyzer{mode: modeExact})))
	must(registry.RegisterAnalyzer(AnalyzerBigram, analyzer(bigram)))
}
