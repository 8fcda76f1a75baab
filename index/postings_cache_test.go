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

func cacheEntry(gen, seg uint64, term string) *termInfo {
	return &termInfo{key: cacheKey{seg: segmentKey{gen, seg}, field: FieldBody, term: term}, docs: make([]uint32, 100)}
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
		c.put(cacheEntry(1, seg, "氢"))
		c.put(cacheEntry(1, seg, "储能"))
	}
	c.put(cacheEntry(2, 1, "氢"))
	if got := c.cachedSegments(1); !slices.Equal(got, []uint64{3, 5, 8}) {
		t.Fatalf("cached segments %v, want 3 5 8", got)
	}

	c.retain(1, []uint64{8, 9}) // 3 and 5 merged into 9
	if got := c.cachedSegments(1); !slices.Equal(got, []uint64{8}) {
		t.Errorf("after the merge: cached segments %v, want 8 only", got)
	}
	want := 2*cacheEntry(1, 8, "氢").bytes() + cacheEntry(1, 8, "储能").bytes()
	if st := c.stats(); st.Lists != 3 || st.Bytes != want {
		t.Errorf("after the merge: %+v, want 3 lists (two of segment 8, one of the other index)", st)
	}

	c.retain(1, []uint64{3, 5, 8}) // a view opened before the merge, late
	c.put(cacheEntry(1, 3, "氢"))
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
	if st := c.stats(); st.Lists != 1 {
		t.Errorf("after closing one index: %+v, want the other's one list", st)
	}
}

// TestCacheEvictsLeastRecentlyUsed: over its budget the cache drops the
// lists used longest ago, an eighth of the budget at once, and their
// segment's bookkeeping with them.
func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	one := cacheEntry(1, 1, "a").bytes()
	c := newPostingsCache(8 * one) // room for 8; a list may take an eighth
	c.retain(1, []uint64{1, 2})
	for i := range 8 {
		c.put(cacheEntry(1, uint64(1+i%2), string(rune('a'+i))))
	}
	if c.get(cacheEntry(1, 1, "a").key) == nil {
		t.Fatal("a list put is not there")
	}
	c.put(cacheEntry(1, 2, "z")) // over budget: "b" and "c" are the oldest now
	for _, gone := range []string{"b", "c"} {
		if c.get(cacheEntry(1, uint64(1+(gone[0]-'a')%2), gone).key) != nil {
			t.Errorf("%q, among the least recently used, stayed", gone)
		}
	}
	if c.get(cacheEntry(1, 1, "a").key) == nil || c.get(cacheEntry(1, 2, "z").key) == nil {
		t.Error("a recently used list went")
	}
	if st := c.stats(); st.Bytes > 7*one || st.Lists != 7 {
		t.Errorf("%+v, want 7 lists, within seven eighths of the budget", st)
	}
	c.dropSegment(segmentKey{1, 2})
	if got := c.cachedSegments(1); !slices.Equal(got, []uint64{1}) {
		t.Errorf("after dropping segment 2: cached segments %v, want 1", got)
	}
}
