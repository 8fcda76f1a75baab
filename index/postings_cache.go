package index

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultPostingsCacheBytes is the memory kept for decoded postings when
// Options.PostingsCacheBytes is 0.
const DefaultPostingsCacheBytes = 256 << 20

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
// says whether it still holds. Terms a segment lacks are cached too:
// most of a match's dictionary lookups find nothing.
//
// Hits, nearly every lookup once a market has been matching for a while,
// take only a read lock and leave recency as a stamp on the entry (the
// number of puts so far), so concurrent matches do not queue behind one
// another; when the budget is exceeded, the least recently stamped
// eighth of it goes at once.
type postingsCache struct {
	mu      sync.RWMutex
	max     int64
	used    int64
	entries map[cacheKey]*termInfo
	epoch   atomic.Uint64 // puts so far: the recency stamp of a use

	// bySegment holds the keys cached for each segment, so that a
	// merged-away segment's lists go at once; live holds each index's
	// segments as of the newest view opened on it.
	bySegment map[segmentKey]map[cacheKey]struct{}
	live      map[uint64]liveSegments

	hits, misses atomic.Uint64 // added by each view as it closes
}

// segmentKey names a segment: the bleve index it belongs to (a number
// given to each index opened, as a rebuilt index numbers its segments
// from the start again) and its number there.
type segmentKey struct{ index, segment uint64 }

type cacheKey struct {
	seg         segmentKey
	field, term string
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
	key     cacheKey
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

	used atomic.Uint64 // the cache's epoch when last looked up
}

func (t *termInfo) bytes() int64 {
	return int64(len(t.docs))*8 + 128 + int64(len(t.key.field)+len(t.key.term))
}

// newPostingsCache returns a cache of max bytes; nil when max ≤ 0, which
// turns caching off.
func newPostingsCache(max int64) *postingsCache {
	if max <= 0 {
		return nil
	}
	return &postingsCache{
		max: max, entries: map[cacheKey]*termInfo{},
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
func (c *postingsCache) remove(t *termInfo) {
	delete(c.entries, t.key)
	if keys := c.bySegment[t.key.seg]; keys != nil {
		delete(keys, t.key)
		if len(keys) == 0 {
			delete(c.bySegment, t.key.seg)
		}
	}
	c.used -= t.bytes()
}

// get returns the entry of k, or nil.
func (c *postingsCache) get(k cacheKey) *termInfo {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	t := c.entries[k]
	c.mu.RUnlock()
	if t != nil {
		if now := c.epoch.Load(); t.used.Load() != now { // most hits write nothing
			t.used.Store(now)
		}
	}
	return t
}

// counted adds a view's hits and misses to the totals.
func (c *postingsCache) counted(hits, misses uint64) {
	if c != nil {
		c.hits.Add(hits)
		c.misses.Add(misses)
	}
}

// put adds t, replacing what was cached for its key. Entries are never
// changed in place, but for their recency stamp: concurrent matches may
// be reading them.
func (c *postingsCache) put(t *termInfo) {
	if c == nil || t.bytes() > c.max/8 {
		return // one huge list must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.isLive(t.key.seg) {
		return // a view older than the newest: its segment may be gone
	}
	if old, ok := c.entries[t.key]; ok {
		c.remove(old)
	}
	t.used.Store(c.epoch.Add(1))
	c.entries[t.key] = t
	keys := c.bySegment[t.key.seg]
	if keys == nil {
		keys = map[cacheKey]struct{}{}
		c.bySegment[t.key.seg] = keys
	}
	keys[t.key] = struct{}{}
	c.used += t.bytes()
	if c.used > c.max {
		c.evict(c.max - c.max/8)
	}
}

// evict drops the least recently used entries until at most keep bytes
// are left; c.mu is held. Evicting an eighth of the budget at a time
// keeps the sort rare.
func (c *postingsCache) evict(keep int64) {
	all := make([]*termInfo, 0, len(c.entries))
	for _, t := range c.entries {
		all = append(all, t)
	}
	slices.SortFunc(all, func(a, b *termInfo) int { return cmp.Compare(a.used.Load(), b.used.Load()) })
	for _, t := range all {
		if c.used <= keep {
			return
		}
		c.remove(t)
	}
}

// CacheStats describes the decoded-postings cache.
type CacheStats struct {
	Bytes, MaxBytes int64
	Lists           int
	Hits, Misses    uint64
}

func (c *postingsCache) stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return CacheStats{Bytes: c.used, MaxBytes: c.max, Lists: len(c.entries), Hits: c.hits.Load(), Misses: c.misses.Load()}
}
