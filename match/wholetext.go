package match

import (
	"context"
	"slices"
	"strings"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/listing"
)

// The whole-text bigram score (Tuning.BigramFusion): the source's whole
// text searched as character bigrams, as a plain full-text engine
// matches, over the pool's candidates only.

// maxWholeTextBigrams bounds the distinct bigrams wholeTextClauses looks
// up: a description at the 20,000-character limit has thousands, and each
// is a posting list to search.
const maxWholeTextBigrams = 100

// fuseWholeText mixes into each result's text fit, by
// Tuning.BigramFusion, its score for the source's whole-text bigrams
// relative to the best of the pool's: the terms' and the bigrams' scores
// are each relative to their best, so neither scale outweighs the other.
func fuseWholeText(ctx context.Context, results []Result, hits []index.Hit, whole []index.Clause, target *index.Postings) error {
	if len(results) == 0 {
		return nil
	}
	if len(whole) == 0 {
		if Tuning.BigramFusion > 0 { // no bigram to score: the pool has 0 of them
			for i := range results {
				results[i].text *= 1 - Tuning.BigramFusion
			}
		}
		return nil
	}
	scores, err := target.ScoreHits(ctx, whole, hits)
	if err != nil {
		return err
	}
	best := slices.Max(scores)
	for i := range results {
		var rel float64
		if best > 0 {
			rel = scores[i] / best
		}
		results[i].text = (1-Tuning.BigramFusion)*results[i].text + Tuning.BigramFusion*rel
	}
	return nil
}

// wholeTextClauses are the character bigrams of src's whole text as a
// plain full-text engine would search them: a bigram written twice weighs
// twice, and those common on the target side are left out.
func wholeTextClauses(src listing.Listing, target *index.Postings, remember bool) ([]index.Clause, error) {
	var cs []index.Clause
	for _, b := range wholeTextBigrams(src, remember) {
		if common, err := commonBigram(target, b.text); err != nil {
			return nil, err
		} else if common {
			continue
		}
		cs = append(cs, index.Clause{Field: index.FieldBigram, Term: b.text, Boost: b.count})
	}
	return cs, nil
}

// bigramCount is one distinct bigram of a text and how often it occurs.
type bigramCount struct {
	text  string
	count float64
}

// wholeTextBigrams are the first maxWholeTextBigrams distinct character
// bigrams of src's whole text, in order, with their counts in all of it;
// with remember, kept for the next match of the same text, as
// occurrencesOf keeps the source's terms.
func wholeTextBigrams(src listing.Listing, remember bool) []bigramCount {
	text := strings.Join([]string{src.GetTitle(), strings.Join(src.GetKeywords(), "；"), src.GetSummary(), src.GetDescription()}, "\n")
	k := newKeyHash()
	k.num(analysis.Generation())
	k.text(text)
	key := k.sum()
	if bs, ok := bigramCache.get(key); ok {
		return bs
	}
	tokens, _ := analysis.Analyze(analysis.AnalyzerBigram, text)
	at := map[string]int{}
	var bs []bigramCount
	for _, t := range tokens {
		if i, ok := at[t.Term]; ok {
			if i >= 0 {
				bs[i].count++
			}
			continue
		}
		if len(at) >= maxWholeTextBigrams {
			at[t.Term] = -1 // past the bound: not counted
			continue
		}
		at[t.Term] = len(bs)
		bs = append(bs, bigramCount{text: t.Term, count: 1})
	}
	if remember {
		bigramCache.put(key, bs)
	}
	return bs
}

// bigramCache keeps wholeTextBigrams by a hash of the text and the
// analysis configuration; an entry is at most maxWholeTextBigrams short
// strings, so it holds as many sources as sourceCache.
var bigramCache = newLRU[uint64, []bigramCount](sourceCacheSize)
