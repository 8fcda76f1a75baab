package match

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/listing"
)

// Field weights of the source listing: where a term appears says how
// central it is to the listing.
var sourceFields = []struct {
	weight float64
	text   func(l listing.Listing) string
}{
	{3.0, func(l listing.Listing) string { return l.GetTitle() }},
	{2.5, func(l listing.Listing) string { return strings.Join(l.GetKeywords(), "；") }},
	{1.5, func(l listing.Listing) string { return l.GetSummary() }},
	{1.0, func(l listing.Listing) string { return l.GetDescription() }},
}

// Limits of the query built from a listing. bleve scores every document
// matching any clause of a disjunction, so the number of terms bounds the
// cost of a match.
const (
	maxQueryTerms = 32
	// commonShare drops terms found in more than this share of the target
	// side: they match too much to tell listings apart. A market smaller
	// than commonFloor listings is too small to say what is common.
	commonShare = 0.25
	commonFloor = 50
	// subwordWeight discounts the shorter words search mode finds inside a
	// longer one: 焦炉 inside 焦炉煤气 is evidence, but weaker.
	subwordWeight = 0.6
)

// term is one weighted query term.
type term struct {
	text   string
	weight float64 // field- and frequency-weighted occurrences × IDF
	df     uint64
}

// telling returns the most telling terms of src against the target index,
// best first.
func telling(ctx context.Context, src listing.Listing, target bleve.Index) ([]term, error) {
	occ := map[string]float64{}
	for _, f := range sourceFields {
		for _, tok := range analysis.Terms(f.text(src)) {
			if !usefulTerm(tok.Term) {
				continue
			}
			w := f.weight
			if tok.Kind == analysis.Subword {
				w *= subwordWeight
			}
			occ[tok.Term] += w
		}
	}
	if len(occ) == 0 {
		return nil, nil
	}
	adv, err := target.Advanced()
	if err != nil {
		return nil, err
	}
	reader, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer reader.Close()
	n, err := reader.DocCount()
	if err != nil || n == 0 {
		return nil, err
	}
	terms := make([]term, 0, len(occ))
	for text, o := range occ {
		df, err := docFreq(ctx, reader, text)
		if err != nil {
			return nil, err
		}
		if df == 0 || (n >= commonFloor && float64(df) > commonShare*float64(n)) {
			continue
		}
		idf := math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
		terms = append(terms, term{text: text, weight: (1 + math.Log(o)) * idf, df: df})
	}
	sort.Slice(terms, func(i, j int) bool {
		if terms[i].weight != terms[j].weight {
			return terms[i].weight > terms[j].weight
		}
		return terms[i].text < terms[j].text
	})
	if len(terms) > maxQueryTerms {
		terms = terms[:maxQueryTerms]
	}
	return terms, nil
}

// docFreq is the number of target listings with the term in their title
// or body, whichever is larger.
func docFreq(ctx context.Context, r bleveindex.IndexReader, text string) (uint64, error) {
	var df uint64
	for _, field := range []string{index.FieldTitle, index.FieldBody} {
		tfr, err := r.TermFieldReader(ctx, []byte(text), field, false, false, false)
		if err != nil {
			return 0, err
		}
		df = max(df, tfr.Count())
		if err := tfr.Close(); err != nil {
			return 0, err
		}
	}
	return df, nil
}

// usefulTerm drops single CJK characters (too ambiguous on their own; the
// bigram field covers them) and one-letter Latin tokens.
func usefulTerm(t string) bool {
	return utf8.RuneCountInString(t) >= 2
}
