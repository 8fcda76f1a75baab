package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Postings reads one side's inverted index directly, segment by segment,
// for matching.
//
// Why not a bleve query: a match is an OR of a few hundred term clauses,
// and bleve's disjunction searcher merges them document at a time through
// a heap, which costs about three times as much per posting as reading
// the posting itself. Postings sums the same BM25 scores term at a time
// into an array instead; the scores are bleve's own (see Disjunction), so
// the ranking is the one the equivalent bleve query gives.
type Postings struct {
	snap     *scorch.IndexSnapshot
	segs     []*scorch.SegmentSnapshot
	offsets  []uint64 // first document number of each segment
	size     uint64   // document numbers in all segments, deleted ones too
	docCount uint64   // live documents

	// lists keeps the postings lists read so far: a match reads a term's
	// lists to weigh it and again to score it.
	lists map[listKey][]segment.PostingsList
}

type listKey struct{ field, term string }

// OpenPostings opens a consistent view of idx, which must be one of the
// indexes an Index keeps (scorch). Close it after use.
func OpenPostings(idx bleve.Index) (*Postings, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		r.Close()
		return nil, fmt.Errorf("index: %T is not a scorch index", r)
	}
	p := &Postings{snap: snap, segs: snap.Segments(), lists: map[listKey][]segment.PostingsList{}}
	for _, s := range p.segs {
		p.offsets = append(p.offsets, p.size)
		p.size += s.Segment().Count()
	}
	if p.docCount, err = snap.DocCount(); err != nil {
		snap.Close()
		return nil, err
	}
	return p, nil
}

// Close releases the view.
func (p *Postings) Close() error { return p.snap.Close() }

// DocCount is the number of live documents.
func (p *Postings) DocCount() uint64 { return p.docCount }

// DocFreq is the number of live documents with term in field.
func (p *Postings) DocFreq(field, term string) (uint64, error) {
	_, df, err := p.postingsLists(field, term)
	return df, err
}

// postingsLists returns the term's postings list in each segment (nil
// where it is absent) and how many live documents they hold.
func (p *Postings) postingsLists(field, term string) ([]segment.PostingsList, uint64, error) {
	key := listKey{field, term}
	lists, ok := p.lists[key]
	if !ok {
		lists = make([]segment.PostingsList, len(p.segs))
		for i, s := range p.segs {
			dict, err := s.Segment().Dictionary(field)
			if err != nil {
				return nil, 0, err
			}
			if dict == nil {
				continue
			}
			if lists[i], err = dict.PostingsList([]byte(term), s.Deleted(), nil); err != nil {
				return nil, 0, err
			}
		}
		p.lists[key] = lists
	}
	var df uint64
	for _, pl := range lists {
		if pl != nil {
			df += pl.Count()
		}
	}
	return lists, df, nil
}

// Clause is one term searched in one field.
type Clause struct {
	Field, Term string
	Boost       float64
}

// Scores holds the score of every document a disjunction matched.
type Scores struct {
	p       *Postings
	acc     *accumulator
	touched []uint32 // document numbers with a score, in no order
}

// accumulator is a score per document number, reused between matches:
// at a million listings it is megabytes, and only the touched entries
// need clearing. A cell is eight bytes so that adding a posting's score
// costs one cache line; float32 sums differ from bleve's float64 ones
// only in the seventh digit.
type accumulator []cell

type cell struct {
	score   float32
	matched uint16 // clauses the document matched, for bleve's coord factor
}

var accumulators sync.Pool

func getAccumulator(size uint64) *accumulator {
	a, _ := accumulators.Get().(*accumulator)
	if a == nil || uint64(len(*a)) < size {
		a = new(accumulator)
		*a = make([]cell, size)
	}
	return a
}

// sqrtFreq caches the square roots of the small term frequencies that
// nearly every posting has.
var sqrtFreq = func() (t [64]float64) {
	for i := range t {
		t[i] = math.Sqrt(float64(i))
	}
	return t
}()

// Disjunction scores every live document matching any clause as bleve
// scores a disjunction of term queries under BM25: per clause
// boost × idf² × tf-norm with bleve's idf, field length and average
// length, summed, times coord (matched clauses / all clauses). Only
// bleve's query norm is left out: it scales every score alike. Release
// the Scores after use.
func (p *Postings) Disjunction(ctx context.Context, clauses []Clause) (*Scores, error) {
	if len(clauses) > math.MaxUint16 {
		return nil, fmt.Errorf("index: %d clauses, at most %d", len(clauses), math.MaxUint16)
	}
	s := &Scores{p: p, acc: getAccumulator(p.size)}
	acc := *s.acc
	var it segment.PostingsIterator
	for _, c := range clauses {
		if err := ctx.Err(); err != nil {
			s.Release()
			return nil, err
		}
		lists, df, err := p.postingsLists(c.Field, c.Term)
		if err != nil || df == 0 {
			if err != nil {
				s.Release()
				return nil, err
			}
			continue
		}
		avgLen, err := p.averageLength(c.Field)
		if err != nil {
			s.Release()
			return nil, err
		}
		// BM25 as bleve computes it, with the per-clause parts hoisted:
		// weight·tf·k1 / (tf + k1(1−b) + k1·b·length/avgLen).
		idf := math.Log(1 + (float64(p.docCount)-float64(df)+0.5)/(float64(df)+0.5))
		weight := c.Boost * idf * idf * search.BM25_k1
		base0 := search.BM25_k1 * (1 - search.BM25_b)
		perLength := search.BM25_k1 * search.BM25_b / avgLen
		for i, pl := range lists {
			if pl == nil {
				continue
			}
			it = pl.Iterator(true, true, false, it)
			offset := p.offsets[i]
			for {
				posting, err := it.Next()
				if err != nil {
					s.Release()
					return nil, err
				}
				if posting == nil {
					break
				}
				var tf float64
				if f := posting.Frequency(); f < uint64(len(sqrtFreq)) {
					tf = sqrtFreq[f]
				} else {
					tf = math.Sqrt(float64(f))
				}
				norm := posting.Norm() // 1/√length
				c := &acc[offset+posting.Number()]
				if c.matched == 0 {
					s.touched = append(s.touched, uint32(offset+posting.Number()))
				}
				c.score += float32(weight * tf / (tf + base0 + perLength/(norm*norm)))
				c.matched++
			}
		}
	}
	coord := 1 / float32(len(clauses))
	for _, doc := range s.touched {
		acc[doc].score *= float32(acc[doc].matched) * coord
	}
	return s, nil
}

// Release hands the score memory back for the next match; s must not be
// used afterwards.
func (s *Scores) Release() {
	if s.acc == nil {
		return
	}
	acc := *s.acc
	for _, doc := range s.touched {
		acc[doc] = cell{}
	}
	accumulators.Put(s.acc)
	s.acc = nil
}

// averageLength is bleve's BM25 average field length: the field's
// dictionary size over the document count, rounded up.
func (p *Postings) averageLength(field string) (float64, error) {
	card, err := p.snap.FieldCardinality(field)
	if err != nil {
		return 0, err
	}
	if p.docCount == 0 {
		return 1, nil
	}
	return max(1, math.Ceil(float64(card)/float64(p.docCount))), nil
}

// Len is the number of documents that matched a clause.
func (s *Scores) Len() int { return len(s.touched) }

// Hit is a scored document.
type Hit struct {
	ID    string
	Score float64
}

// ErrStop, returned by a Top callback, ends the walk without an error.
var ErrStop = errors.New("index: stop")

// Top calls visit with the matched documents, best first, until visit
// returns ErrStop or an error, or the documents run out. Equal scores go
// in document-number order. A caller normally needs the best few hundred
// of tens of thousands, so they are picked without sorting the rest.
func (s *Scores) Top(visit func(Hit) error) error {
	acc := *s.acc
	byScore := func(a, b uint32) int {
		if c := cmp.Compare(acc[b].score, acc[a].score); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
	rest := s.touched
	for want := 256; len(rest) > 0; want *= 4 {
		var batch []uint32
		batch, rest = s.best(rest, want)
		slices.SortFunc(batch, byScore)
		for _, doc := range batch {
			id, err := s.p.docID(doc)
			if err != nil {
				return err
			}
			if err := visit(Hit{ID: id, Score: float64(acc[doc].score)}); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
	}
	return nil
}

// best moves the documents scoring at least the n-th best score to the
// front of docs and splits there: best holds n documents or a few more
// (ties), both parts unordered. One pass keeps the n best scores in a
// min-heap; most documents lose to its root at a single comparison.
func (s *Scores) best(docs []uint32, n int) (best, rest []uint32) {
	if len(docs) <= n {
		return docs, nil
	}
	acc := *s.acc
	h := make(minHeap, 0, n)
	for _, doc := range docs {
		score := acc[doc].score
		if len(h) < n {
			h.push(score)
		} else if score > h[0] {
			h[0] = score
			h.down()
		}
	}
	threshold := h[0]
	i := 0
	for j, doc := range docs {
		if acc[doc].score >= threshold {
			docs[i], docs[j] = docs[j], docs[i]
			i++
		}
	}
	return docs[:i], docs[i:]
}

// minHeap is a binary min-heap of scores.
type minHeap []float32

func (h *minHeap) push(x float32) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		parent := (i - 1) / 2
		if a[parent] <= a[i] {
			break
		}
		a[parent], a[i] = a[i], a[parent]
		i = parent
	}
}

// down restores the heap after its root grew.
func (h minHeap) down() {
	for i := 0; ; {
		least, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l] < h[least] {
			least = l
		}
		if r < len(h) && h[r] < h[least] {
			least = r
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}

// docID is the external id (the listing id) of a document number.
func (p *Postings) docID(doc uint32) (string, error) {
	i, _ := slices.BinarySearch(p.offsets, uint64(doc)+1)
	i--
	id, err := p.segs[i].DocID(uint64(doc) - p.offsets[i])
	if err != nil {
		return "", err
	}
	return string(id), nil
}
