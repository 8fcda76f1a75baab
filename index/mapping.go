package index

import (
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/wuhai-techmarket/techmarket/index/analysis"
)

// Field names of an indexed listing.
const (
	FieldTitle      = "title"       // dictionary words, search mode
	FieldKeywords   = "keywords"    // dictionary words, search mode
	FieldBody       = "body"        // summary and description, search mode
	FieldFocus      = "focus"       // description sections stating the need or problem (also in body)
	FieldAside      = "aside"       // description sections about the poster (profile, market, IP, cooperation)
	FieldBigram     = "bigram"      // every text field, CJK bigrams
	FieldIndustries = "industries"  // industry codes
	FieldRegion     = "region"      // region code
	FieldModes      = "modes"       // transfer mode codes
	FieldState      = "state"       // listing state word: published, draft…
	FieldPoster     = "poster"      // posting organisation
	FieldOrigin     = "origin"      // OriginLocal, or the link a linked listing came through
	FieldTRL        = "trl"         // offer TRL or demand minimum TRL; 0 unknown
	FieldPriceMin   = "price_min"   // offer price or demand budget, yuan
	FieldPriceMax   = "price_max"   // offer price or demand budget, yuan
	FieldPriced     = "priced"      // "yes" when a price or budget is given
	FieldExpire     = "expire_time" // when a published listing expires
	FieldPublish    = "publish_time"
)

// mappingVersion changes whenever the mapping, the documents or the terms
// analysis makes of them change; an index made with another version is
// rebuilt on open.
const mappingVersion = "7"

// newMapping describes listing documents. Everything is explicit: dynamic
// mapping is off so that a field added to the document struct without a
// mapping fails loudly in tests instead of being indexed with defaults.
func newMapping() mapping.IndexMapping {
	text := func(analyzer string) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	keyword := func() *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		// Nothing reads doc values now (facets count postings, searches
		// sort by score and id), but dropping them changes the mapping,
		// and a new mapping rebuilds every index at its next start: they
		// go with the next change that needs a rebuild anyway (they are
		// about 4% of an index on disk).
		f.DocValues = true
		return f
	}
	number := func() *mapping.FieldMapping {
		f := mapping.NewNumericFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		return f
	}
	date := func() *mapping.FieldMapping {
		f := mapping.NewDateTimeFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		return f
	}

	dm := mapping.NewDocumentStaticMapping()
	add := func(name string, f *mapping.FieldMapping) { dm.AddFieldMappingsAt(name, f) }
	add(FieldTitle, text(analysis.AnalyzerZH))
	add(FieldKeywords, text(analysis.AnalyzerZH))
	add(FieldBody, text(analysis.AnalyzerZH))
	add(FieldAside, text(analysis.AnalyzerZH))
	add(FieldFocus, text(analysis.AnalyzerZH))
	add(FieldBigram, text(analysis.AnalyzerBigram))
	for _, k := range []string{FieldIndustries, FieldRegion, FieldModes, FieldState, FieldPoster, FieldOrigin, FieldPriced} {
		add(k, keyword())
	}
	for _, n := range []string{FieldTRL, FieldPriceMin, FieldPriceMax} {
		add(n, number())
	}
	add(FieldExpire, date())
	add(FieldPublish, date())

	im := mapping.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = analysis.AnalyzerZH
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	im.ScoringModel = bleveindex.BM25Scoring
	return im
}
