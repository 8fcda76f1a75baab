package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Filtered returns a query for the documents q finds that filter finds
// too, scored by q alone, as bleve's boolean query with q as its only
// must clause and filter as its filter scores them.
//
// Why not that boolean query: bleve reads every document q finds, scores
// it and only then asks the filter, so a search box with a common word
// and a narrow filter (one industry of twenty) scored every listing with
// the word. Here the two leapfrog: each skips ahead to the other's next
// document, so a narrow filter skips most of q's postings, and the filter
// runs unscored, where bleve combines its terms' bitmaps.
func Filtered(q, filter query.Query) query.Query { return &filteredQuery{q: q, filter: filter} }

type filteredQuery struct{ q, filter query.Query }

func (f *filteredQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, opts search.SearcherOptions) (search.Searcher, error) {
	filter, err := f.filter.Searcher(ctx, r, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, err
	}
	s, err := f.q.Searcher(ctx, r, m, opts)
	if err != nil {
		filter.Close()
		return nil, err
	}
	return &filteredSearcher{Searcher: s, filter: filter}, nil
}

// Validate validates both queries, where they can be.
func (f *filteredQuery) Validate() error {
	for _, q := range []query.Query{f.q, f.filter} {
		if v, ok := q.(query.ValidatableQuery); ok {
			if err := v.Validate(); err != nil {
				return err
			}
		}
	}
	return nil
}

// filteredSearcher returns its searcher's matches that its filter matches
// too. Weight, query norm and scores are the searcher's own.
type filteredSearcher struct {
	search.Searcher
	filter search.Searcher
	last   *search.DocumentMatch // the filter's current match
	done   bool                  // the filter has no more
}

func (s *filteredSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Next(ctx)
	if err != nil || d == nil {
		return nil, err
	}
	return s.agree(ctx, d)
}

func (s *filteredSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Advance(ctx, id)
	if err != nil || d == nil {
		return nil, err
	}
	return s.agree(ctx, d)
}

// agree moves both searchers on from d, a match of the searcher, until
// they stand on the same document, and returns the searcher's match there.
func (s *filteredSearcher) agree(ctx *search.SearchContext, d *search.DocumentMatch) (*search.DocumentMatch, error) {
	for {
		if s.done {
			ctx.DocumentMatchPool.Put(d)
			return nil, nil
		}
		if s.last == nil || s.last.IndexInternalID.Compare(d.IndexInternalID) < 0 {
			if s.last != nil {
				ctx.DocumentMatchPool.Put(s.last)
			}
			last, err := s.filter.Advance(ctx, d.IndexInternalID)
			if err != nil {
				return nil, err
			}
			if s.last = last; last == nil {
				s.done = true
				continue
			}
		}
		if s.last.IndexInternalID.Equals(d.IndexInternalID) {
			return d, nil
		}
		// The filter is ahead: skip the searcher to it.
		next := s.last.IndexInternalID
		ctx.DocumentMatchPool.Put(d)
		var err error
		if d, err = s.Searcher.Advance(ctx, next); err != nil || d == nil {
			return nil, err
		}
	}
}

func (s *filteredSearcher) Close() error {
	err := s.Searcher.Close()
	if ferr := s.filter.Close(); err == nil {
		err = ferr
	}
	return err
}

func (s *filteredSearcher) DocumentMatchPoolSize() int {
	return s.Searcher.DocumentMatchPoolSize() + s.filter.DocumentMatchPoolSize()
}
