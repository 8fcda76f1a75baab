package analysis

import bleveanalysis "github.com/blevesearch/bleve/v2/analysis"

// tokenBlock hands out the tokens of one stream from shared blocks. A
// listing makes hundreds of tokens per analyzer, and allocating each on
// its own was half of an analysis's allocations.
type tokenBlock []bleveanalysis.Token

// new returns a token holding t.
func (b *tokenBlock) new(t bleveanalysis.Token) *bleveanalysis.Token {
	if len(*b) == cap(*b) {
		// A new block rather than a grown one: the tokens handed out
		// keep pointing into the old.
		*b = make([]bleveanalysis.Token, 0, max(64, 2*cap(*b)))
	}
	*b = append(*b, t)
	return &(*b)[len(*b)-1]
}
