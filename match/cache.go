package match

import (
	"container/list"
	"encoding/binary"
	"hash/maphash"
	"math"
	"sync"
)

// Caching helpers: a small LRU, and the keys its entries are kept under.

// lru is a small cache that forgets the least recently used entry first,
// safe for concurrent use. Cached values are shared: callers must not
// change them.
type lru[K comparable, V any] struct {
	mu      sync.Mutex
	size    int
	entries map[K]*list.Element
	order   *list.List // of *lruEntry; front: most recently used
}

type lruEntry[K comparable, V any] struct {
	key   K
	value V
}

// newLRU returns an empty cache of at most size entries.
func newLRU[K comparable, V any](size int) *lru[K, V] {
	return &lru[K, V]{size: size, entries: map[K]*list.Element{}, order: list.New()}
}

func (c *lru[K, V]) get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry[K, V]).value, true
}

func (c *lru[K, V]) put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; ok {
		return
	}
	c.entries[key] = c.order.PushFront(&lruEntry[K, V]{key, value})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*lruEntry[K, V]).key)
	}
}

// keySeed seeds every cache key of a process.
var keySeed = maphash.MakeSeed()

// keyHash hashes what a cached value depends on into its key.
type keyHash struct {
	h maphash.Hash
	b [8]byte
}

func newKeyHash() *keyHash {
	k := &keyHash{}
	k.h.SetSeed(keySeed)
	return k
}

func (k *keyHash) num(v uint64) {
	binary.LittleEndian.PutUint64(k.b[:], v)
	k.h.Write(k.b[:])
}

func (k *keyHash) float(x float64) { k.num(math.Float64bits(x)) }

// text hashes s with its length, so that texts in a row are told apart
// however they split.
func (k *keyHash) text(s string) {
	k.num(uint64(len(s)))
	k.h.WriteString(s)
}

func (k *keyHash) sum() uint64 { return k.h.Sum64() }
