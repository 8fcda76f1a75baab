package index

import (
	"container/list"
	"sync"
	"sync/atomic"

	segment "github.com/blevesearch/scorch_segment_api/v2"
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
// after scoring (Disjunction), and lists of merged-away segments simply
// age out. The count is right as long as the segment's deletions are
// what they were when it was taken; deletions only grow, so their number
// says whether it still holds. Terms a segment lacks are cached too:
// most of a match's dictionary lookups find nothing.
type postingsCache struct {
	mu      sync.Mutex
	max     int64
	used    int64
	entries map[cacheKey]*list.Element
	order   *list.List // front: most recently used

	hits, misses atomic.Uint64
}

type cacheKey struct {
	seg         segment.Segment
	field, term string
}

// termInfo is what is known of one term in one field of one segment.
type termInfo struct {
	key     cacheKey
	deleted uint64 // the segment's deleted documents when df was counted
	df      uint64 // live documents with the term

	// The postings, deleted documents included; docs is nil until
	// decoded.
	docs   []uint32  // segment-local document numbers, ascending
	tf     []float32 // √frequency
	length []float32 // field length, from the norm
}

func (t *termInfo) bytes() int64 {
	return int64(len(t.docs))*12 + 128 + int64(len(t.key.field)+len(t.key.term))
}

// newPostingsCache returns a cache of max bytes; nil when max ≤ 0, which
// turns caching off.
func newPostingsCache(max int64) *postingsCache {
	if max <= 0 {
		return nil
	}
	return &postingsCache{max: max, entries: map[cacheKey]*list.Element{}, order: list.New()}
}

func (c *postingsCache) get(k cacheKey) *termInfo {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	c.order.MoveToFront(e)
	return e.Value.(*termInfo)
}

// put adds t, replacing what was cached for its key. Entries are never
// changed in place: concurrent matches may be reading them.
func (c *postingsCache) put(t *termInfo) {
	if c == nil || t.bytes() > c.max/8 {
		return // one huge list must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[t.key]; ok {
		c.used -= e.Value.(*termInfo).bytes()
		c.order.Remove(e)
	}
	c.entries[t.key] = c.order.PushFront(t)
	c.used += t.bytes()
	for c.used > c.max {
		last := c.order.Back()
		old := last.Value.(*termInfo)
		c.order.Remove(last)
		delete(c.entries, old.key)
		c.used -= old.bytes()
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
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Bytes: c.used, MaxBytes: c.max, Lists: len(c.entries), Hits: c.hits.Load(), Misses: c.misses.Load()}
}
