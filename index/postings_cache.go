package index

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultPostingsCacheBytes is the memory kept for decoded postings when
// Options.PostingsCacheBytes is 0. The cache takes only what matches
// read, so a small market never fills it; at 500,000 listings a side,
// 400 matches a side read some 515 MB of postings again and again: with
// 256 MiB a third of the lookups missed and evicted (p50 36–42 ms, 49
// matches/s under 8 clients), with 512 MiB none (18–20 ms, 107/s), for
// 1.25 GiB of anonymous memory in all.
const DefaultPostingsCacheBytes = 512 << 20

// postingsCache keeps what matching learnt of a term in a segment (its
// live document count, and its postings decoded into flat arrays), least
// recently used out first.
//
// Why: decoding a posting inside zap (roaring iteration, varint
// frequency and norm) costs several times what adding its score costs,
// and a market's matches keep asking for the same domain terms. Segments
// never change once written, so a decoded list stays right for the life
// of its segment; documents deleted from a segment later are taken out
// after scoring (Disjunction). Entries name their segment by number, not
// by reference, and the lists of segments merged away are dropped as soon
// as a newer view no longer has them: a market that writes all day
// replaces its small segments every few seconds, and their lists would
// otherwise fill the cache with dead entries (and, when keyed by the
// segment itself, keep every dead segment alive: the load test's memory
// grew threefold in five minutes). The count is right as long as the segment's deletions are
// what they were when it was taken; deletions only grow, so their number
// says whether it still holds. Terms a segment lacks are cached too
// (all as one shared absent): most of a match's dictionary lookups find
// nothing.
//
// Hits, nearly every lookup once a market has been matching for a while,
// take only a read lock and leave recency as a stamp on the entry (the
// number of additions so far), so concurrent matches do not queue behind
// one another; when the budget is exceeded, the least recently stamped
// eighth of it goes at once.
type postingsCache struct {
	mu      sync.RWMutex
	max     int64
	used    int64
	entries map[cacheKey]*termEntry
	epoch   atomic.Uint64 // entries added and slots filled so far: the recency stamp of a use

	// bySegment holds the keys cached for each segment, so that a
	// merged-away segment's lists go at once; live holds each index's
	// segments as of the newest view opened on it.
	bySegment map[segmentKey]map[cacheKey]struct{}
	live      map[uint64]liveSegments

	hits, misses atomic.Uint64 // added by each view as it closes
	evictions    uint64        // entries dropped for room; guarded by mu
}

// segmentKey names a segment: the bleve index it belongs to (a number
// given to each index opened, as a rebuilt index numbers its segments
// from the start again) and its number there.
type segmentKey struct{ index, segment uint64 }

// cacheKey names a term in a segment. An entry holds the term in every
// text field: a match looks each source term up in the title and body to
// weigh it and the best terms in three more fields to score them, and one
// lookup in a map of millions of entries is a cache miss or three (the
// lookups of one entry per field were a quarter of a match's CPU at
// 100,000 listings a side).
type cacheKey struct {
	seg  segmentKey
	term string
}

// textFields are the fields Postings reads, in the order of an entry's
// slots.
var textFields = [...]string{FieldTitle, FieldKeywords, FieldBody, FieldAside, FieldFocus, FieldBigram}

// fieldSlot is the field's slot in an entry.
func fieldSlot(field string) (int, error) {
	for i, f := range textFields {
		if f == field {
			return i, nil
		}
	}
	return 0, fmt.Errorf("index: field %q is not a text field matching reads", field)
}

// termEntry is what is known of one term in one segment, field by field.
// A slot is nil until the term is looked up in its field; slots are
// filled as views learn more, and a slot's termInfo never changes once
// stored (a newer one replaces it), so views read entries without locks.
type termEntry struct {
	key    cacheKey
	fields [len(textFields)]atomic.Pointer[termInfo]
	bytes  int64         // what the filled slots take; guarded by the cache's mu
	used   atomic.Uint64 // the cache's epoch when last looked up
}

// liveSegments are the segments of one view of an index. Segment numbers
// only grow, and a merge replaces segments by a higher-numbered one, so
// of two views the newer has the higher newest segment.
type liveSegments struct {
	newest uint64
	ids    []uint64
}

// termInfo is what is known of one term in one field of one segment.
type termInfo struct {
	deleted uint64 // the segment's deleted documents when df was counted
	df      uint64 // live documents with the term

	// The postings, deleted documents included; docs is nil until
	// decoded.
	docs []uint32 // segment-local document numbers, ascending
	// norm is each posting's BM25 term-frequency part,
	// tf / (tf + k1·(1 − b + b·length/avgLen)) with tf = √frequency,
	// for the field's average length avgLen: what a match multiplies by
	// the clause's weight. The average changes only when the field's
	// dictionary grows past another multiple of the document count, so
	// computing the part once per decode takes the division out of the
	// inner loop of every match.
	norm   []float32
	avgLen float64
}

// absent is the termInfo of a term no live document of the segment has
// in the field. It holds for good: segments never change, and deletions
// only grow. Most of a match's lookups find nothing, and they share it.
var absent = &termInfo{docs: []uint32{}}

// entryBytes is an entry's own size: the key, the slots and the map's
// share.
func entryBytes(k cacheKey) int64 { return 160 + int64(len(k.term)) }

func (t *termInfo) bytes() int64 {
	if t == nil || t == absent {
		return 0
	}
	return int64(len(t.docs))*8 + 64
}

// newPostingsCache returns a cache of max bytes; nil when max ≤ 0, which
// turns caching off.
func newPostingsCache(max int64) *postingsCache {
	if max <= 0 {
		return nil
	}
	return &postingsCache{
		max: max, entries: map[cacheKey]*termEntry{},
		bySegment: map[segmentKey]map[cacheKey]struct{}{}, live: map[uint64]liveSegments{},
	}
}

// retain tells the cache the segments of a view just opened on index:
// when the view is the newest yet, lists of the index's segments it no
// longer has are dropped. ids must be sorted.
func (c *postingsCache) retain(index uint64, ids []uint64) {
	if c == nil || len(ids) == 0 {
		return
	}
	newest := ids[len(ids)-1]
	c.mu.Lock()
	defer c.mu.Unlock()
	was, known := c.live[index]
	if known && (newest < was.newest || slices.Equal(ids, was.ids)) {
		return // an older view, or the same segments
	}
	for _, id := range was.ids {
		if _, still := slices.BinarySearch(ids, id); !still {
			c.dropSegment(segmentKey{index, id})
		}
	}
	c.live[index] = liveSegments{newest: newest, ids: slices.Clone(ids)}
}

// forget drops everything cached for a closed index.
func (c *postingsCache) forget(index uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range c.live[index].ids {
		c.dropSegment(segmentKey{index, id})
	}
	delete(c.live, index)
}

func (c *postingsCache) isLive(k segmentKey) bool {
	_, ok := slices.BinarySearch(c.live[k.index].ids, k.segment)
	return ok
}

func (c *postingsCache) dropSegment(k segmentKey) {
	for key := range c.bySegment[k] {
		c.remove(c.entries[key])
	}
	delete(c.bySegment, k)
}

// remove takes one entry out; c.mu is held.
func (c *postingsCache) remove(e *termEntry) {
	delete(c.entries, e.key)
	if keys := c.bySegment[e.key.seg]; keys != nil {
		delete(keys, e.key)
		if len(keys) == 0 {
			delete(c.bySegment, e.key.seg)
		}
	}
	c.used -= e.bytes
}

// get returns the entry of k, or nil.
func (c *postingsCache) get(k cacheKey) *termEntry {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	e := c.entries[k]
	c.mu.RUnlock()
	if e != nil {
		if now := c.epoch.Load(); e.used.Load() != now { // most hits write nothing
			e.used.Store(now)
		}
	}
	return e
}

// counted adds a view's hits and misses to the totals.
func (c *postingsCache) counted(hits, misses uint64) {
	if c != nil {
		c.hits.Add(hits)
		c.misses.Add(misses)
	}
}

// entry returns the entry of k, adding an empty one when there is none.
// A view older than the newest gets an entry of its own, not cached: its
// segment may be gone already.
func (c *postingsCache) entry(k cacheKey) *termEntry {
	if e := c.get(k); e != nil {
		return e
	}
	if c == nil {
		return &termEntry{key: k}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[k]; e != nil {
		return e // added by another view meanwhile
	}
	e := &termEntry{key: k}
	if !c.isLive(k.seg) {
		return e
	}
	e.bytes = entryBytes(k)
	e.used.Store(c.epoch.Add(1))
	c.entries[k] = e
	keys := c.bySegment[k.seg]
	if keys == nil {
		keys = map[cacheKey]struct{}{}
		c.bySegment[k.seg] = keys
	}
	keys[k] = struct{}{}
	c.used += e.bytes
	c.evictIfOver()
	return e
}

// fill stores t in the entry's slot for a field, replacing what was
// there. An entry no longer cached (evicted, or a late view's own) is
// filled all the same: the view that holds it keeps using it.
func (c *postingsCache) fill(e *termEntry, slot int, t *termInfo) {
	if c == nil {
		e.fields[slot].Store(t)
		return
	}
	if t.bytes() > c.max/8 {
		return // one huge list must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := e.fields[slot].Swap(t)
	if c.entries[e.key] != e {
		return
	}
	grown := t.bytes() - old.bytes()
	e.bytes += grown
	c.used += grown
	e.used.Store(c.epoch.Add(1))
	c.evictIfOver()
}

// evictIfOver drops the least recently used entries, an eighth of the
// budget at once, when the cache is over it; c.mu is held. Evicting an
// eighth at a time keeps the sort rare.
func (c *postingsCache) evictIfOver() {
	if c.used <= c.max {
		return
	}
	keep := c.max - c.max/8
	all := make([]*termEntry, 0, len(c.entries))
	for _, e := range c.entries {
		all = append(all, e)
	}
	slices.SortFunc(all, func(a, b *termEntry) int { return cmp.Compare(a.used.Load(), b.used.Load()) })
	for _, e := range all {
		if c.used <= keep {
			return
		}
		c.remove(e)
		c.evictions++
	}
}

// CacheStats describes the decoded-postings cache.
type CacheStats struct {
	Bytes, MaxBytes int64
	Entries         int    // terms known in a segment, in any of its fields
	Hits, Misses    uint64 // lookups of a term in a field of a segment
	Evictions       uint64 // entries dropped for room
}

func (c *postingsCache) stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return CacheStats{Bytes: c.used, MaxBytes: c.max, Entries: len(c.entries), Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions}
}
