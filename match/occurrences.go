package match

import (
	"unicode/utf8"

	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/listing"
)

// occurrences are a source listing's analysed terms with their field- and
// kind-weighted counts: what matching learns from the source's own text,
// before the target index is asked anything.
type occurrences map[string]float64

// occurrencesOf analyses src's fields, or returns what an earlier match of
// the same text found; with remember, it keeps what it analysed for the
// next call.
//
// Why: analysing a listing's text (dictionary segmentation of up to
// 20,000 characters) is the larger part of a match on long texts, and a
// portal matches the same listings on every page view. Entries are keyed
// by the text and weights themselves (a changed listing is another key)
// and by the analysis configuration (analysis.Generation), so none can be
// stale; the least recently used go first.
func occurrencesOf(src listing.Listing, remember bool) occurrences {
	fields := sourceFields(src)
	key := occurrenceKey(fields)
	if occ, ok := sourceCache.get(key); ok {
		return occ
	}
	occ := occurrences{}
	for _, f := range fields {
		for _, tok := range analysis.Terms(f.Text) {
			if isNumber(tok.Term) {
				continue // quantities are everywhere; 2MW or IE3 stay
			}
			w := f.Weight
			if tok.Kind == analysis.Subword {
				w *= Tuning.SubwordWeight
			}
			if utf8.RuneCountInString(tok.Term) == 1 {
				w *= Tuning.SingleCharWeight
			}
			if w == 0 {
				continue
			}
			occ[tok.Term] += w
		}
	}
	addSymptoms(occ, fields)
	if remember {
		sourceCache.put(key, occ)
	}
	return occ
}

// occurrenceKey hashes everything occurrencesOf depends on.
func occurrenceKey(fields []listing.Section) uint64 {
	k := newKeyHash()
	k.num(analysis.Generation())
	k.float(Tuning.SubwordWeight)
	k.float(Tuning.SingleCharWeight)
	k.float(Tuning.SymptomWeight)
	for _, f := range fields {
		k.float(f.Weight)
		k.text(f.Text)
	}
	return k.sum()
}

// sourceCacheSize bounds the cache: a source's occurrences take a few to
// a few tens of kilobytes, so 2,048 of them stay within tens of
// megabytes.
const sourceCacheSize = 2048

var sourceCache = newLRU[uint64, occurrences](sourceCacheSize)
