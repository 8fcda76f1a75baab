package market_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// TestRevokedTokenStopsAtOnce: a token in use, authenticated again and
// again from other goroutines while it is revoked, is refused by the
// first authentication after RevokeToken returns, although
// authentications are cached. (That one read just before the revocation
// is not cached after it, TestTokenCacheDropsReadsFromBeforeARevocation
// checks; here the race detector watches the cache under load.)
func TestRevokedTokenStopsAtOnce(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "techmarket.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := market.New(st, market.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	op := auth.Principal{Org: "乌海科技大市场", Role: techmarketv1.Role_ROLE_OPERATOR}
	for round := range 30 {
		tok, secret, err := m.IssueToken(ctx, "丙研究院", techmarketv1.Role_ROLE_AGENCY, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := m.Authenticate(secret); err != nil || p.Org != "丙研究院" {
			t.Fatalf("round %d: a new token authenticates as %+v, %v", round, p, err)
		}
		var stop atomic.Bool
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for !stop.Load() {
					_, _ = m.Authenticate(secret)
				}
			})
		}
		_, err = m.RevokeToken(ctx, op, tok.GetName())
		if err == nil {
			_, err = m.Authenticate(secret)
			if !errors.Is(err, market.ErrUnauthenticated) {
				t.Errorf("round %d: the revoked token still authenticates (%v)", round, err)
			}
		} else {
			t.Error(err)
		}
		stop.Store(true)
		wg.Wait()
		if _, err := m.Authenticate(secret); !errors.Is(err, market.ErrUnauthenticated) {
			t.Errorf("round %d: once the others stopped, the revoked token authenticates (%v)", round, err)
		}
	}
}
