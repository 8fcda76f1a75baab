package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// FacetTally counts a search's facets from the index's postings instead
// of bleve's doc values.
//
// Why: bleve counts a facet by reading every hit's doc values, a chunk
// decoded per few hundred documents; at 100,000 listings a side that was
// 45% of a filtered search's CPU (pprof of the live server), and a search
// with a broad filter finds thousands. A tally notes each hit's number as
// the search finds it (a bit in a bitmap per segment) and counts each
// facet value afterwards as the size of its postings list's intersection
// with those bits: a few dozen bitmap intersections a search, whatever
// its number of hits.
//
// A tally serves one search: Wrap its query, run the search, read the
// counts, then Close it.
type FacetTally struct {
	snap    *scorch.IndexSnapshot
	segs    []*scorch.SegmentSnapshot
	offsets []uint64
	hits    []*roaring.Bitmap
}

// FacetTerm is how many hits have one term of a keyword field.
type FacetTerm struct {
	Term  string
	Count uint64
}

// NumericRange is one bucket of a numeric facet: values in [Min, Max).
type NumericRange struct {
	Name     string
	Min, Max float64
}

// Wrap returns q, recording in t every document the search finds.
func (t *FacetTally) Wrap(q query.Query) query.Query { return &tallyQuery{q: q, t: t} }

// Found is the number of documents the search found.
func (t *FacetTally) Found() uint64 {
	var n uint64
	for _, h := range t.hits {
		if h != nil {
			n += h.GetCardinality()
		}
	}
	return n
}

// Close releases the index snapshot the search read.
func (t *FacetTally) Close() error {
	if t.snap == nil {
		return nil
	}
	err := t.snap.DecRef()
	t.snap, t.segs, t.hits = nil, nil, nil
	return err
}

// Terms counts the hits with each term of a keyword field: the n most
// frequent, most first, ties in term order (as bleve's terms facet).
func (t *FacetTally) Terms(field string, n int) ([]FacetTerm, error) {
	counts := map[string]uint64{}
	err := t.each(field, nil, nil, func(term string, c uint64) {
		counts[term] += c
	})
	if err != nil {
		return nil, err
	}
	out := make([]FacetTerm, 0, len(counts))
	for term, c := range counts {
		out = append(out, FacetTerm{Term: term, Count: c})
	}
	slices.SortFunc(out, func(a, b FacetTerm) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Term, b.Term))
	})
	return out[:min(n, len(out))], nil
}

// Ranges counts the hits with a value of a numeric field in each range,
// in the order given.
func (t *FacetTally) Ranges(field string, ranges []NumericRange) ([]uint64, error) {
	counts := make([]uint64, len(ranges))
	// A number is indexed as one term per precision; those of full
	// precision (shift 0) carry the exact value, and all begin with the
	// same byte.
	lo := numeric.MustNewPrefixCodedInt64(0, 0)[:1]
	hi := []byte{lo[0] + 1}
	err := t.each(field, lo, hi, func(term string, c uint64) {
		i64, err := numeric.PrefixCoded(term).Int64()
		if err != nil {
			return
		}
		v := numeric.Int64ToFloat64(i64)
		for i, r := range ranges {
			if v >= r.Min && v < r.Max {
				counts[i] += c
			}
		}
	})
	return counts, err
}

// each calls count with every term of field in [lo, hi) (nil: no bound)
// and the number of hits that have it, segment by segment.
func (t *FacetTally) each(field string, lo, hi []byte, count func(term string, hits uint64)) error {
	if t.snap == nil {
		return errors.New("index: facet tally read before its search ran")
	}
	for i, s := range t.segs {
		hits := t.hits[i]
		if hits == nil {
			continue
		}
		dict, err := s.Segment().Dictionary(field)
		if err != nil {
			return err
		}
		if dict == nil {
			continue
		}
		it := dict.AutomatonIterator(nil, lo, hi)
		var pl segment.PostingsList
		var pi segment.PostingsIterator
		for {
			entry, err := it.Next()
			if err != nil {
				return err
			}
			if entry == nil {
				break
			}
			if pl, err = dict.PostingsList([]byte(entry.Term), nil, pl); err != nil {
				return err
			}
			pi = pl.Iterator(false, false, false, pi)
			n, err := intersection(pi, hits)
			if err != nil {
				return err
			}
			if n > 0 {
				count(entry.Term, n)
			}
		}
	}
	return nil
}

// intersection is how many of a postings list's documents are among hits.
// Deleted documents are no hits, so the list need not leave them out.
func intersection(pi segment.PostingsIterator, hits *roaring.Bitmap) (uint64, error) {
	if o, ok := pi.(segment.OptimizablePostingsIterator); ok {
		if bm := o.ActualBitmap(); bm != nil {
			return bm.AndCardinality(hits), nil
		}
		if doc, ok := o.DocNum1Hit(); ok { // a list of one, kept inline
			if hits.Contains(uint32(doc)) {
				return 1, nil
			}
			return 0, nil
		}
	}
	var n uint64
	for {
		p, err := pi.Next()
		if err != nil || p == nil {
			return n, err
		}
		if hits.Contains(uint32(p.Number())) {
			n++
		}
	}
}

// start takes hold of the snapshot the search reads.
func (t *FacetTally) start(r bleveindex.IndexReader) error {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return fmt.Errorf("index: %T is not a scorch snapshot", r)
	}
	if t.snap != nil {
		return errors.New("index: a facet tally serves one search")
	}
	snap.AddRef()
	t.snap, t.segs = snap, snap.Segments()
	t.offsets, _ = segmentOffsets(t.segs)
	t.hits = make([]*roaring.Bitmap, len(t.segs))
	return nil
}

// add records a found document by its number in the snapshot.
func (t *FacetTally) add(id bleveindex.IndexInternalID) {
	doc := id.Value()
	i := segmentOf(t.offsets, doc)
	if t.hits[i] == nil {
		t.hits[i] = roaring.New()
	}
	t.hits[i].Add(uint32(doc - t.offsets[i]))
}

// tallyQuery is a query whose searcher records what it finds.
type tallyQuery struct {
	q query.Query
	t *FacetTally
}

func (q *tallyQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, opts search.SearcherOptions) (search.Searcher, error) {
	if err := q.t.start(r); err != nil {
		return nil, err
	}
	s, err := q.q.Searcher(ctx, r, m, opts)
	if err != nil {
		return nil, err
	}
	return &tallySearcher{Searcher: s, t: q.t}, nil
}

// Validate validates the wrapped query, if it can be.
func (q *tallyQuery) Validate() error {
	if v, ok := q.q.(query.ValidatableQuery); ok {
		return v.Validate()
	}
	return nil
}

// tallySearcher records every match its searcher returns: the collector
// counts each as a hit, before or after a search-after position.
type tallySearcher struct {
	search.Searcher
	t *FacetTally
}

func (s *tallySearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Next(ctx)
	if d != nil {
		s.t.add(d.IndexInternalID)
	}
	return d, err
}

func (s *tallySearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Advance(ctx, id)
	if d != nil {
		s.t.add(d.IndexInternalID)
	}
	return d, err
}
