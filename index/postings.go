package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/wuhai-techmarket/techmarket/store"
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

	deleted []uint64 // deleted documents in each segment

	*memo // what this view learnt so far; back to memos at Close
	cache *postingsCache
	index uint64 // the side's index, as the cache names it

	hits, misses uint64 // cache lookups, told to the cache at Close
}

// memo is what a view learns as a match goes: a match looks a term up to
// weigh it and again to score it. Memos are reused from view to view,
// emptied, because a match fills maps of a thousand terms and their
// per-segment slices, which were an eighth of the bytes a served match
// allocated.
type memo struct {
	terms   map[string]*termMemo
	avgLens map[string]float64 // by field, as averageLength works them out
	memos   slab[termMemo]     // the values of terms
	infos   slab[*termInfo]    // the slices in termMemo.fields
	entryOf slab[*termEntry]   // the slices in termMemo.entries
}

// termMemo is what a view knows of one term: one map lookup finds it for
// every field.
type termMemo struct {
	entries []*termEntry                 // the cache's entries, by segment
	fields  [len(textFields)][]*termInfo // by field slot, then segment; nil until looked up
}

var memos = sync.Pool{New: func() any {
	return &memo{terms: map[string]*termMemo{}, avgLens: map[string]float64{}}
}}

// release empties m, dropping its references to cache entries (which
// must be free to go when evicted), and returns it to memos.
func (m *memo) release() {
	clear(m.terms)
	clear(m.avgLens)
	m.memos.reset()
	m.infos.reset()
	m.entryOf.reset()
	memos.Put(m)
}

// slab hands out short slices carved from one longer one.
type slab[T any] struct {
	buf  []T
	used int
}

// take returns n zero elements.
func (s *slab[T]) take(n int) []T {
	if s.used+n > len(s.buf) {
		// The old buffer stays with the slices taken from it.
		s.buf, s.used = make([]T, max(1024, 2*len(s.buf), n)), 0
	}
	out := s.buf[s.used : s.used+n : s.used+n]
	s.used += n
	return out
}

// reset zeroes what was taken and makes it all available again.
func (s *slab[T]) reset() {
	clear(s.buf[:s.used])
	s.used = 0
}

// Postings opens a consistent view of one side's index for matching.
// Close it after use.
func (x *Index) Postings(kind store.Kind) (*Postings, error) {
	s := x.sides[kind]
	return openPostings(s.idx, s.gen, x.cache)
}

// PostingsCacheStats describes the decoded-postings cache shared by both
// sides.
func (x *Index) PostingsCacheStats() CacheStats { return x.cache.stats() }

func openPostings(idx bleve.Index, gen uint64, cache *postingsCache) (*Postings, error) {
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
	p := &Postings{snap: snap, segs: snap.Segments(), memo: memos.Get().(*memo), cache: cache, index: gen}
	p.offsets, p.size = segmentOffsets(p.segs)
	ids := make([]uint64, 0, len(p.segs))
	for _, s := range p.segs {
		ids = append(ids, s.Id())
		var deleted uint64
		if d := s.Deleted(); d != nil {
			deleted = d.GetCardinality()
		}
		p.deleted = append(p.deleted, deleted)
	}
	if p.docCount, err = snap.DocCount(); err != nil {
		p.memo.release()
		snap.Close()
		return nil, err
	}
	slices.Sort(ids)
	cache.retain(gen, ids)
	return p, nil
}

// Close releases the view.
func (p *Postings) Close() error {
	p.cache.counted(p.hits, p.misses)
	p.memo.release()
	p.memo = nil // a use after Close fails at once
	return p.snap.Close()
}

// Generation names the side's index the view reads: a rebuild, or a
// reopened folder, is another.
func (p *Postings) Generation() uint64 { return p.index }

// DocCount is the number of live documents.
func (p *Postings) DocCount() uint64 { return p.docCount }

// DocFreq is the number of live documents with term in field.
func (p *Postings) DocFreq(field, term string) (uint64, error) {
	infos, err := p.lookup(field, term)
	if err != nil {
		return 0, err
	}
	var df uint64
	for _, info := range infos {
		df += info.df
	}
	return df, nil
}

// lookup returns what is known of the term in each segment, from the
// cache when it still holds for the segment's deletions, else from the
// segment's dictionary (a lookup that costs about a microsecond, and a
// match makes hundreds).
func (p *Postings) lookup(field, term string) ([]*termInfo, error) {
	slot, err := fieldSlot(field)
	if err != nil {
		return nil, err
	}
	tm := p.termMemo(term)
	if infos := tm.fields[slot]; infos != nil {
		return infos, nil
	}
	infos := p.infos.take(len(p.segs))
	for i, e := range tm.entries {
		cached := e.fields[slot].Load()
		if cached == absent || (cached != nil && cached.deleted == p.deleted[i]) {
			p.hits++
			infos[i] = cached
			continue
		}
		p.misses++
		pl, err := p.liveList(i, field, term)
		if err != nil {
			return nil, err
		}
		info := &termInfo{deleted: p.deleted[i]}
		if pl != nil {
			info.df = pl.Count()
		}
		switch {
		case info.df == 0:
			info = absent
		case cached != nil: // more deletions since: the postings still hold
			info.docs, info.norm, info.avgLen = cached.docs, cached.norm, cached.avgLen
		}
		p.cache.fill(e, slot, info)
		infos[i] = info
	}
	tm.fields[slot] = infos
	return infos, nil
}

// termMemo returns what the view knows of term, with the cache's entries
// of it found.
func (p *Postings) termMemo(term string) *termMemo {
	if tm, ok := p.terms[term]; ok {
		return tm
	}
	tm := &p.memos.take(1)[0]
	tm.entries = p.entryOf.take(len(p.segs))
	for i, s := range p.segs {
		tm.entries[i] = p.cache.entry(cacheKey{seg: segmentKey{p.index, s.Id()}, term: term})
	}
	p.terms[term] = tm
	return tm
}

// liveList is a term's postings list in segment i without the deleted
// documents; nil when the segment lacks the field.
func (p *Postings) liveList(i int, field, term string) (segment.PostingsList, error) {
	return p.list(i, field, term, p.segs[i].Deleted())
}

// fullList is the list with the deleted documents left in, as the cache
// keeps it.
func (p *Postings) fullList(i int, field, term string) (segment.PostingsList, error) {
	return p.list(i, field, term, nil)
}

func (p *Postings) list(i int, field, term string, except *roaring.Bitmap) (segment.PostingsList, error) {
	dict, err := p.segs[i].Segment().Dictionary(field)
	if err != nil || dict == nil {
		return nil, err
	}
	return dict.PostingsList([]byte(term), except, nil)
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

	// front is how many of touched's first entries are the batch Top
	// picked first, every document scoring frontMin or more; 0 until
	// Top runs. Add keeps it in mind as lead: see there.
	front    int
	frontMin float32
	lead     []uint32
	added    bool // Add ran
}

// accumulator is a score per document number, reused between matches:
// at a million listings it is megabytes, and only the touched entries
// need clearing. A cell is eight bytes so that adding a posting's score
// costs one cache line; float32 sums differ from bleve's float64 ones
// only in the seventh digit.
type accumulator struct {
	cells   []cell
	touched []uint32 // kept for its capacity
	lead    []uint32 // kept for its capacity
	runs    [][]run  // by segment, kept for their capacity (a match appends thousands)
}

// runsFor returns a list of runs for each of n segments, empty.
func (a *accumulator) runsFor(n int) [][]run {
	if len(a.runs) < n {
		a.runs = append(a.runs, make([][]run, n-len(a.runs))...)
	}
	return a.runs[:n]
}

// dropRuns empties the runs, dropping their postings: the pool must not
// keep lists the cache has evicted.
func (a *accumulator) dropRuns() {
	for i := range a.runs {
		clear(a.runs[i])
		a.runs[i] = a.runs[i][:0]
	}
}

type cell struct {
	score   float32
	matched uint16 // clauses the document matched, for bleve's coord factor
}

var accumulators sync.Pool

func getAccumulator(size uint64) *accumulator {
	a, _ := accumulators.Get().(*accumulator)
	if a == nil || uint64(len(a.cells)) < size {
		// touched has room for every document and one more: accumulate
		// writes a posting's document there before knowing whether to
		// keep it.
		a = &accumulator{cells: make([]cell, size), touched: make([]uint32, 0, size+1)}
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

// maxClauses bounds a disjunction: accumulate tells a document's first
// score from the sign bit of its 16-bit clause count less one. A match
// makes a few hundred.
const maxClauses = 1 << 15

// Disjunction scores every live document matching any clause as bleve
// scores a disjunction of term queries under BM25: per clause
// boost × idf² × tf-norm with bleve's idf, field length and average
// length, summed, times coord (matched clauses / all clauses). Only
// bleve's query norm is left out: it scales every score alike. Release
// the Scores after use.
func (p *Postings) Disjunction(ctx context.Context, clauses []Clause) (*Scores, error) {
	if len(clauses) > maxClauses {
		return nil, fmt.Errorf("index: %d clauses, at most %d", len(clauses), maxClauses)
	}
	s := &Scores{p: p, acc: getAccumulator(p.size)}
	s.touched = s.acc.touched[:0]
	acc := s.acc.cells
	runs := s.acc.runsFor(len(p.segs)) // by segment, in clause order; emptied by Release
	if err := p.clauseRuns(ctx, clauses, runs); err != nil {
		s.Release()
		return nil, err
	}
	for i, segRuns := range runs {
		s.touched = accumulateBlocks(acc[p.offsets[i]:p.offsets[i]+p.segs[i].Segment().Count()], s.touched, uint32(p.offsets[i]), segRuns)
	}
	// Decoded lists include documents deleted since: drop them.
	for i, segRuns := range runs {
		if deleted := p.segs[i].Deleted(); len(segRuns) > 0 && deleted != nil {
			for it := deleted.Iterator(); it.HasNext(); {
				acc[p.offsets[i]+uint64(it.Next())] = cell{}
			}
		}
	}
	coord := 1 / float32(len(clauses))
	for _, doc := range s.touched {
		acc[doc].score *= float32(acc[doc].matched) * coord
	}
	return s, nil
}

// clauseRuns appends each clause's postings to runs, by segment in clause
// order, with the clause's BM25 weight. The lists include documents
// deleted since they were decoded.
func (p *Postings) clauseRuns(ctx context.Context, clauses []Clause, runs [][]run) error {
	for _, c := range clauses {
		if err := ctx.Err(); err != nil {
			return err
		}
		infos, err := p.lookup(c.Field, c.Term)
		if err != nil {
			return err
		}
		var df uint64
		for _, info := range infos {
			df += info.df
		}
		if df == 0 {
			continue
		}
		avgLen, err := p.averageLength(c.Field)
		if err != nil {
			return err
		}
		// BM25 as bleve computes it: boost·idf² · k1·norm, norm being
		// the posting's term-frequency part (see termInfo).
		idf := math.Log(1 + (float64(p.docCount)-float64(df)+0.5)/(float64(df)+0.5))
		weight := float32(c.Boost * idf * idf * search.BM25_k1)
		for i, info := range infos {
			if info.df == 0 {
				continue
			}
			if info.docs == nil || info.avgLen != avgLen {
				// Decode the whole list, deleted documents included, and
				// keep it.
				if info, err = p.decode(i, c.Field, c.Term, info, avgLen); err != nil {
					return err
				}
				infos[i] = info
			}
			runs[i] = append(runs[i], run{docs: info.docs, norm: info.norm[:len(info.docs)], weight: weight})
		}
	}
	return nil
}

// ScoreHits scores only the given hits' documents, as Disjunction would
// score them for clauses: the same sum in the same order, coord included.
// The hits must come from a Scores of the same view (they carry its
// document numbers).
//
// Why: a match mixes a second score, the source's whole-text bigrams,
// into the text of its pool of a few dozen candidates. A disjunction
// over the whole side added up half a million postings at 100,000
// offers for a score only the pool's candidates read, each addition into
// a cell somewhere in megabytes; here a posting costs a test of one bit.
func (p *Postings) ScoreHits(ctx context.Context, clauses []Clause, hits []Hit) ([]float64, error) {
	if len(clauses) > maxClauses {
		return nil, fmt.Errorf("index: %d clauses, at most %d", len(clauses), maxClauses)
	}
	out := make([]float64, len(hits))
	if len(hits) == 0 || len(clauses) == 0 {
		return out, nil
	}
	runs := make([][]run, len(p.segs))
	if err := p.clauseRuns(ctx, clauses, runs); err != nil {
		return nil, err
	}
	// The wanted documents by segment, as segment-local numbers in
	// ascending order, each with its hit's place.
	type want struct {
		doc uint32
		hit int
	}
	wanted := make([][]want, len(p.segs))
	for i, h := range hits {
		seg := segmentOf(p.offsets, uint64(h.doc))
		wanted[seg] = append(wanted[seg], want{h.doc - uint32(p.offsets[seg]), i})
	}
	sums := make([]float32, len(hits)) // float32, in clause order: Disjunction's sums
	matched := make([]int, len(hits))
	for seg, ws := range wanted {
		if len(ws) == 0 {
			continue
		}
		slices.SortFunc(ws, func(a, b want) int { return cmp.Compare(a.doc, b.doc) })
		// A bitmap of the wanted documents (12 KB at 100,000): a list is
		// read front to back, each posting costing a test of one bit; a
		// binary search of it for each document cost a dozen jumps
		// across the list, most of them cache misses, and was two thirds
		// of this function's time.
		bits := make([]uint64, (p.segs[seg].Segment().Count()+63)/64)
		for _, w := range ws {
			bits[w.doc/64] |= 1 << (w.doc % 64)
		}
		for _, r := range runs[seg] {
			for j, doc := range r.docs {
				if bits[doc/64]&(1<<(doc%64)) == 0 {
					continue
				}
				k, _ := slices.BinarySearchFunc(ws, doc, func(w want, doc uint32) int { return cmp.Compare(w.doc, doc) })
				w := ws[k]
				sums[w.hit] += r.weight * r.norm[j]
				matched[w.hit]++
			}
		}
	}
	coord := 1 / float32(len(clauses))
	for i, sum := range sums {
		out[i] = float64(sum * (float32(matched[i]) * coord)) // Disjunction's rounding
	}
	return out, nil
}

// run is one clause's postings in one segment, and how far scoring has
// got through them.
type run struct {
	docs   []uint32
	norm   []float32 // as long as docs
	weight float32
	next   int
}

// blockDocs is how many documents' cells accumulateBlocks keeps hot at
// once: 128 KiB of cells, well inside a core's L2 cache.
const blockDocs = 1 << 14

// accumulateBlocks adds each run's score, weight × norm, of each of its
// postings to acc, the cells of the runs' segment, and appends the
// documents scored for the first time to touched (as numbers from
// offset, the segment's first).
//
// Why in blocks: a match adds a few hundred thousand postings into
// cells spread over megabytes at 100,000 listings and more, and run
// after run through all of them missed the cache on most additions (a
// third of a served match's CPU). Taking every run's postings of one
// block of documents before the next keeps the block's cells in cache,
// while each list is still read front to back. A document's clauses are
// still added in clause order, so its score is the same float32 sum.
func accumulateBlocks(acc []cell, touched []uint32, offset uint32, runs []run) []uint32 {
	for lo := 0; lo < len(acc); lo += blockDocs {
		hi := uint32(min(lo+blockDocs, len(acc)))
		for r := range runs {
			touched = accumulate(acc, touched, offset, &runs[r], hi)
		}
	}
	return touched
}

// accumulate adds the run's postings below document hi; it is the inner
// loop of every match, hence a plain function over slices the compiler
// can check once.
func accumulate(acc []cell, touched []uint32, offset uint32, r *run, hi uint32) []uint32 {
	docs, norm, weight := r.docs, r.norm, r.weight
	n := len(touched)
	all := touched[:cap(touched)]
	j := r.next
	for ; j < len(docs) && j < len(norm); j++ {
		doc := docs[j]
		if doc >= hi {
			break
		}
		cl := &acc[doc]
		// Written always, kept only for a first score: whether a
		// posting is a document's first is as good as random, and a
		// branch on it was mispredicted half the time.
		all[n] = offset + doc
		n += int((cl.matched - 1) >> 15) // 1 when matched is 0 (see maxClauses)
		cl.score += weight * norm[j]
		cl.matched++
	}
	r.next = j
	return all[:n]
}

// Add adds other's scores to s's, document by document, and releases
// other. Both must come from the same view.
//
// Why: pseudo-relevance feedback searches again with the source's query
// blended with the feedback's terms. A disjunction's sum is linear in its
// clauses' boosts, so the first round's scores plus a search of the
// feedback's terms alone give that blend (each part with its own coord
// factor) for a fraction of searching the whole blended query again: the
// source's query is the long one.
//
// When Top ran on s before, Add also notes the lead: the documents of
// Top's first batch and those other scored. Adding only raises scores,
// so any other document still scores below every one of that batch,
// which holds firstBatch of them: the next Top's first batch can be
// picked from the lead alone, not from every document the two searches
// touched (for feedback, tens of thousands, of which a match needs 80).
func (s *Scores) Add(other *Scores) {
	defer other.Release()
	lead := s.front > 0 && !s.added
	if lead {
		s.lead = append(s.acc.lead[:0], s.touched[:s.front]...)
	}
	s.added = true
	acc, add := s.acc.cells, other.acc.cells
	for _, doc := range other.touched {
		o := add[doc]
		if o.matched == 0 {
			continue // deleted: in s too, the view being the same
		}
		c := &acc[doc]
		if lead && (c.matched == 0 || c.score < s.frontMin) {
			s.lead = append(s.lead, doc) // not in the front already
		}
		if c.matched == 0 {
			// s has room: touched can hold every document once.
			s.touched = append(s.touched, doc)
		}
		c.score += o.score
		c.matched = max(c.matched, o.matched)
	}
}

// Release hands the score memory back for the next match; s must not be
// used afterwards.
func (s *Scores) Release() {
	if s.acc == nil {
		return
	}
	acc := s.acc.cells
	for _, doc := range s.touched {
		acc[doc] = cell{}
	}
	s.acc.touched = s.touched
	if s.lead != nil {
		s.acc.lead = s.lead[:0]
	}
	s.acc.dropRuns()
	accumulators.Put(s.acc)
	s.acc = nil
}

// decode reads a term's whole postings list in segment i into a copy of
// info, with its norms for the field's average length avgLen, and caches
// it.
func (p *Postings) decode(i int, field, term string, info *termInfo, avgLen float64) (*termInfo, error) {
	slot, err := fieldSlot(field)
	if err != nil {
		return nil, err
	}
	pl, err := p.fullList(i, field, term)
	if err != nil {
		return nil, err
	}
	d := &termInfo{deleted: info.deleted, df: info.df, docs: []uint32{}, avgLen: avgLen}
	if pl == nil {
		return d, nil
	}
	n := pl.Count()
	d.docs, d.norm = make([]uint32, 0, n), make([]float32, 0, n)
	base := search.BM25_k1 * (1 - search.BM25_b)
	perLength := search.BM25_k1 * search.BM25_b / avgLen
	it := pl.Iterator(true, true, false, nil)
	for {
		posting, err := it.Next()
		if err != nil {
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
		length := 1 / (norm * norm)
		d.docs = append(d.docs, uint32(posting.Number()))
		d.norm = append(d.norm, float32(tf/(tf+base+perLength*length)))
	}
	p.cache.fill(p.termMemo(term).entries[i], slot, d)
	return d, nil
}

// averageLength is bleve's BM25 average field length: the field's
// dictionary size over the document count, rounded up.
func (p *Postings) averageLength(field string) (float64, error) {
	if avg, ok := p.avgLens[field]; ok {
		return avg, nil
	}
	card, err := p.snap.FieldCardinality(field)
	if err != nil {
		return 0, err
	}
	avg := 1.0
	if p.docCount > 0 {
		avg = max(1, math.Ceil(float64(card)/float64(p.docCount)))
	}
	p.avgLens[field] = avg
	return avg, nil
}

// Len is the number of documents that matched a clause.
func (s *Scores) Len() int {
	n := 0
	for _, doc := range s.touched {
		if s.acc.cells[doc].matched > 0 {
			n++
		}
	}
	return n
}

// Hit is a scored document.
type Hit struct {
	ID    string
	Score float64
	doc   uint32 // its number in the view it was scored in
}

// ErrStop, returned by a Top callback, ends the walk without an error.
var ErrStop = errors.New("index: stop")

// firstBatch is how many documents Top picks and sorts first; more only
// when its caller walks past them.
const firstBatch = 256

// Top calls visit with the matched documents, best first, until visit
// returns ErrStop or an error, or the documents run out. Equal scores go
// in document-number order. A caller normally needs the best few hundred
// of tens of thousands, so they are picked without sorting the rest.
func (s *Scores) Top(visit func(Hit) error) error {
	skip := 0
	if s.lead != nil {
		// The first batch of all is the lead's (see Add).
		batch, _ := s.best(s.lead, firstBatch)
		n, done, err := s.visitSorted(batch, 0, visit)
		if done || err != nil {
			return err
		}
		skip = n // walked past it: the rest is all documents'
	}
	rest := s.touched
	for want := firstBatch; len(rest) > 0; want *= 4 {
		var batch []uint32
		batch, rest = s.best(rest, want)
		if want == firstBatch && !s.added { // the first batch of all
			s.front, s.frontMin = len(batch), s.lowest(batch)
		}
		n, done, err := s.visitSorted(batch, skip, visit)
		if done || err != nil {
			return err
		}
		skip = max(0, skip-n)
	}
	return nil
}

// visitSorted sorts batch best first and visits its live documents, the
// first skip of them silently, as Top does. It returns how many it
// passed over or visited, and whether the walk is over.
func (s *Scores) visitSorted(batch []uint32, skip int, visit func(Hit) error) (int, bool, error) {
	acc := s.acc.cells
	slices.SortFunc(batch, func(a, b uint32) int {
		if c := cmp.Compare(acc[b].score, acc[a].score); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	n := 0
	for _, doc := range batch {
		if acc[doc].matched == 0 {
			continue // deleted
		}
		if n++; n <= skip {
			continue
		}
		id, err := s.p.docID(doc)
		if err != nil {
			return n, true, err
		}
		if err := visit(Hit{ID: id, Score: float64(acc[doc].score), doc: doc}); err != nil {
			if errors.Is(err, ErrStop) {
				return n, true, nil
			}
			return n, true, err
		}
	}
	return n, false, nil
}

// lowest is the lowest score of docs.
func (s *Scores) lowest(docs []uint32) float32 {
	low := float32(math.Inf(1))
	for _, doc := range docs {
		low = min(low, s.acc.cells[doc].score)
	}
	return low
}

// best moves the documents scoring at least the n-th best score to the
// front of docs and splits there: best holds n documents or a few more
// (ties), both parts unordered. One pass keeps the n best scores in a
// min-heap; most documents lose to its root at a single comparison.
func (s *Scores) best(docs []uint32, n int) (best, rest []uint32) {
	if len(docs) <= n {
		return docs, nil
	}
	acc := s.acc.cells
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

// segmentOffsets numbers a snapshot's documents as scorch does: each
// segment's first document comes after all of the segments before it.
// It returns each segment's first number and the count of all.
func segmentOffsets(segs []*scorch.SegmentSnapshot) (offsets []uint64, size uint64) {
	offsets = make([]uint64, len(segs))
	for i, s := range segs {
		offsets[i] = size
		size += s.Segment().Count()
	}
	return offsets, size
}

// segmentOf is the segment holding document number doc.
func segmentOf(offsets []uint64, doc uint64) int {
	i, _ := slices.BinarySearch(offsets, doc+1)
	return i - 1
}

// docID is the external id (the listing id) of a document number.
func (p *Postings) docID(doc uint32) (string, error) {
	i := segmentOf(p.offsets, uint64(doc))
	id, err := p.segs[i].DocID(uint64(doc) - p.offsets[i])
	if err != nil {
		return "", err
	}
	return string(id), nil
}
