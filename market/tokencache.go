package market

import (
	"sync"

	"github.com/wuhai-techmarket/techmarket/auth"
)

// maxCachedTokens bounds the token cache; a market has a few hundred
// posters, each with a token or two.
const maxCachedTokens = 4096

// tokenCache remembers whom recently presented tokens speak for. Every
// call authenticates, and reading and decoding the token's record was a
// third of the server's time for a GetOffer (pprof). Tokens change only
// by revocation in this process (the command line works on a stopped
// folder), which empties the cache; unknown tokens are never cached, so
// a new token works at once and guessing fills nothing.
type tokenCache struct {
	mu sync.RWMutex
	// gen counts revocations: a principal read from the store before a
	// revocation is not cached after it.
	gen    uint64
	byHash map[[32]byte]auth.Principal
}

// get returns the cached principal of a token hash, if any.
func (c *tokenCache) get(hash [32]byte) (auth.Principal, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.byHash[hash]
	return p, ok
}

// generation is taken before reading a token from the store, and given
// back to put.
func (c *tokenCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// put caches p for hash, unless a revocation came since gen was taken.
func (c *tokenCache) put(hash [32]byte, p auth.Principal, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.byHash == nil || len(c.byHash) >= maxCachedTokens {
		c.byHash = map[[32]byte]auth.Principal{}
	}
	c.byHash[hash] = p
}

// forget empties the cache; call it once a revocation is committed.
func (c *tokenCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.byHash = nil
}
