package market

import (
	"testing"

	"github.com/wuhai-techmarket/techmarket/auth"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestTokenCacheDropsReadsFromBeforeARevocation: an authentication that
// read its token before a revocation and caches it after must not bring
// the token back; one that read it after is cached.
func TestTokenCacheDropsReadsFromBeforeARevocation(t *testing.T) {
	var c tokenCache
	hash := auth.HashSecret("tmk_example")
	p := auth.Principal{Org: "丙研究院", Role: techmarketv1.Role_ROLE_AGENCY, TokenID: "t1"}
	before := c.generation()
	c.forget() // a revocation commits meanwhile
	c.put(hash, p, before)
	if got, ok := c.get(hash); ok {
		t.Errorf("a principal read before the revocation was cached after it: %+v", got)
	}
	c.put(hash, p, c.generation())
	if got, ok := c.get(hash); !ok || got != p {
		t.Errorf("a principal read after the revocation: cached %+v, %v; want %+v", got, ok, p)
	}
}
