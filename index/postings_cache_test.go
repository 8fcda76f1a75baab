package index

import (
	"slices"
	"testing"
)

// cachedSegments lists the segments of index gen that hold cached lists.
func (c *postingsCache) cachedSegments(gen uint64) []uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var ids []uint64
	for k := range c.bySegment {
		if k.index == gen {
			ids = append(ids, k.segment)
		}
	}
	slices.Sort(ids)
	return ids
}

func cacheKeyOf(gen, seg uint64, term string) cacheKey {
	return cacheKey{seg: segmentKey{gen, seg}, term: term}
}

// put caches a body list of 100 documents for term in segment seg of
// index gen, as a match's decode does.
func (c *postingsCache) put(gen, seg uint64, term string) {
	slot, _ := fieldSlot(FieldBody)
	c.fill(c.entry(cacheKeyOf(gen, seg, term)), slot, &termInfo{df: 100, docs: make([]uint32, 100)})
}

// putSize is what put adds for term.
func putSize(term string) int64 {
	return entryBytes(cacheKey{term: term}) + (&termInfo{docs: make([]uint32, 100)}).bytes()
}

// TestCacheFollowsSegments: a market that writes all day replaces its
// segments every second; the lists of segments a newer view no longer
// has go at once (they held dead segments alive and filled the budget),
// an older view cannot bring them back, another index's lists stay, and
// a closed index's lists all go.
func TestCacheFollowsSegments(t *testing.T) {
	c := newPostingsCache(1 << 20)
	c.retain(1, []uint64{3, 5, 8})
	c.retain(2, []uint64{1})
	for _, seg := range []uint64{3, 5, 8} {
		c.put(1, seg, "氢")
		c.put(1, seg, "储能")
	}
	c.put(2, 1, "氢")
	if got := c.cachedSegments(1); !slices.Equal(got, []uint64{3, 5, 8}) {
		t.Fatalf("cached segments %v, want 3 5 8", got)
	}

	c.retain(1, []uint64{8, 9}) // 3 and 5 merged into 9
	if got := c.cachedSegments(1); !slices.Equal(got, []uint64{8}) {
		t.Errorf("after the merge: cached segments %v, want 8 only", got)
	}
	want := 2*putSize("氢") + putSize("储能")
	if st := c.stats(); st.Entries != 3 || st.Bytes != want {
		t.Errorf("after the merge: %+v, want 3 entries (two of segment 8, one of the other index)", st)
	}

	c.retain(1, []uint64{3, 5, 8}) // a view opened before the merge, late
	c.put(1, 3, "氢")
	if got := c.cachedSegments(1); !slices.Equal(got, []uint64{8}) {
		t.Errorf("an older view brought back segments: %v", got)
	}
	if got := c.cachedSegments(2); !slices.Equal(got, []uint64{1}) {
		t.Errorf("the other index's lists: %v, want segment 1", got)
	}

	c.forget(1)
	if got := c.cachedSegments(1); len(got) != 0 {
		t.Errorf("after closing the index: %v", got)
	}
	if st := c.stats(); st.Entries != 1 {
		t.Errorf("after closing one index: %+v, want the other's one entry", st)
	}
}

// TestCacheEvictsLeastRecentlyUsed: over its budget the cache drops the
// lists used longest ago, an eighth of the budget at once, and their
// segment's bookkeeping with them.
func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	one := putSize("a")
	c := newPostingsCache(8 * one) // room for 8; a list may take an eighth
	c.retain(1, []uint64{1, 2})
	for i := range 8 {
		c.put(1, uint64(1+i%2), string(rune('a'+i)))
	}
	if c.get(cacheKeyOf(1, 1, "a")) == nil {
		t.Fatal("a list put is not there")
	}
	c.put(1, 2, "z") // over budget: "b" and "c" are the oldest now
	for _, gone := range []string{"b", "c"} {
		if c.get(cacheKeyOf(1, uint64(1+(gone[0]-'a')%2), gone)) != nil {
			t.Errorf("%q, among the least recently used, stayed", gone)
		}
	}
	if c.get(cacheKeyOf(1, 1, "a")) == nil || c.get(cacheKeyOf(1, 2, "z")) == nil {
		t.Error("a recently used list went")
	}
	if st := c.stats(); st.Bytes > 7*one || st.Entries != 7 {
		t.Errorf("%+v, want 7 entries, within seven eighths of the budget", st)
	}
	c.dropSegment(segmentKey{1, 2})
	if got := c.cachedSegments(1); !slices.Equal(got, []uint64{1}) {
		t.Errorf("after dropping segment 2: cached segments %v, want 1", got)
	}
}

// TestCacheEntryHoldsEveryField: a term's lists in all fields of a
// segment are one entry, counted once each: a replaced list gives its
// bytes back, absent terms cost only the entry, and filling an entry
// evicted meanwhile changes nothing the cache counts.
func TestCacheEntryHoldsEveryField(t *testing.T) {
	c := newPostingsCache(1 << 20)
	c.retain(1, []uint64{1})
	k := cacheKeyOf(1, 1, "氢")
	e := c.entry(k)
	title, _ := fieldSlot(FieldTitle)
	body, _ := fieldSlot(FieldBody)
	focus, _ := fieldSlot(FieldFocus)
	list := func(n int) *termInfo { return &termInfo{df: uint64(n), docs: make([]uint32, n)} }

	c.fill(e, title, list(10))
	c.fill(e, body, list(100))
	c.fill(e, body, list(50)) // more deletions: the list is replaced
	c.fill(e, focus, absent)
	if c.entry(k) != e || c.get(k) != e {
		t.Fatal("a second lookup of the term made another entry")
	}
	want := entryBytes(k) + list(10).bytes() + list(50).bytes()
	if st := c.stats(); st.Entries != 1 || st.Bytes != want {
		t.Errorf("%+v, want one entry of %d bytes", st, want)
	}
	if e.fields[body].Load().df != 50 || e.fields[focus].Load() != absent || e.fields[title].Load().df != 10 {
		t.Error("the entry does not hold what was filled in")
	}

	c.forget(1)
	c.fill(e, body, list(100)) // a view still holding the entry
	if st := c.stats(); st.Entries != 0 || st.Bytes != 0 {
		t.Errorf("after the index closed: %+v, want nothing counted", st)
	}
}
