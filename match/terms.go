package match

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/listing"
)

// sourceFields are the source listing's texts with their weights: its
// fields, and the description section by section (listing.Sections).
func sourceFields(l listing.Listing) []listing.Section {
	out := []listing.Section{
		{Text: l.GetTitle(), Weight: Tuning.TitleWeight},
		{Text: strings.Join(l.GetKeywords(), "；"), Weight: Tuning.KeywordsWeight},
		{Text: l.GetSummary(), Weight: Tuning.SummaryWeight},
	}
	for _, s := range listing.Sections(l.GetDescription()) {
		out = append(out, listing.Section{Text: s.Text, Weight: Tuning.DescriptionWeight * s.Weight})
	}
	return out
}

// term is one weighted query term.
type term struct {
	text   string
	weight float64 // field- and frequency-weighted occurrences × IDF
	df     uint64
}

// telling returns the most telling terms of src against the target index,
// best first.
func telling(src listing.Listing, target *index.Postings, remember bool) ([]term, error) {
	return tellingOf(occurrencesOf(src, remember), target)
}

// tellingOf is telling for the source's occurrences.
func tellingOf(occ occurrences, target *index.Postings) ([]term, error) {
	if len(occ) == 0 {
		return nil, nil
	}
	n := target.DocCount()
	if n == 0 {
		return nil, nil
	}
	terms := make([]term, 0, len(occ))
	for text, o := range occ {
		// 1 + log o is below 0 for a term the source barely mentions (o
		// under 1/e: once in an aside, found inside a longer word): such a
		// term would count against the candidates that have it, and
		// against coverage. Known before the index is asked.
		tf := 1 + math.Log(o)
		if tf <= 0 {
			continue
		}
		df, err := docFreq(target, text)
		if err != nil {
			return nil, err
		}
		if df == 0 || (n >= uint64(Tuning.CommonFloor) && float64(df) > Tuning.CommonShare*float64(n)) {
			continue
		}
		idf := math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
		terms = append(terms, term{text: text, weight: tf * idf, df: df})
	}
	return bestFirst(terms, Tuning.MaxQueryTerms), nil
}

// bestFirst sorts terms by weight, heaviest first (ties by text, so that
// a query is the same from run to run), and keeps the first n.
func bestFirst(terms []term, n int) []term {
	slices.SortFunc(terms, func(a, b term) int {
		if c := cmp.Compare(b.weight, a.weight); c != 0 {
			return c
		}
		return strings.Compare(a.text, b.text)
	})
	return terms[:min(n, len(terms))]
}

// docFreq is the number of target listings with the term in their title
// or body, whichever is larger.
func docFreq(target *index.Postings, text string) (uint64, error) {
	var df uint64
	for _, field := range []string{index.FieldTitle, index.FieldBody} {
		n, err := target.DocFreq(field, text)
		if err != nil {
			return 0, err
		}
		df = max(df, n)
	}
	return df, nil
}

// isNumber reports whether t is digits only (with a decimal point).
func isNumber(t string) bool {
	return strings.Trim(t, "0123456789.") == ""
}

// needTerms are the source's own most telling terms, of two characters
// or more, best first: what Result.Coverage measures a candidate's text
// against. They are weighed like telling's, but against both sides of the
// market together (sides), and a term no listing has counts at the
// highest weight instead of dropping out. The target side alone would
// not do: while it holds few listings, every term they lack drops out of
// telling's, and the first offer on a new market would cover "all" of
// any demand.
func needTerms(occ occurrences, sides ...*index.Postings) ([]term, error) {
	var n uint64
	for _, p := range sides {
		n += p.DocCount()
	}
	terms := make([]term, 0, len(occ))
	for text, o := range occ {
		tf := 1 + math.Log(o)
		if tf <= 0 || utf8.RuneCountInString(text) < 2 {
			continue
		}
		var df uint64
		for _, p := range sides {
			d, err := docFreq(p, text)
			if err != nil {
				return nil, err
			}
			df += d
		}
		if n >= uint64(Tuning.CommonFloor) && float64(df) > Tuning.CommonShare*float64(n) {
			continue
		}
		df = min(df, n) // a side's view may count a term its DocCount has not caught up with
		idf := math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
		terms = append(terms, term{text: text, weight: tf * idf, df: df})
	}
	return bestFirst(terms, Tuning.NeedTerms), nil
}
