// Package market is the marketplace's logic below the transport: who may
// post, read and change which listing, how a listing moves between states,
// how a bulk import is applied, and how tokens are issued. It speaks in
// API messages and domain errors (errors.go) and knows nothing of gRPC; the
// server package is a thin layer over it.
//
// Offers and demands follow the same rules, so one generic type,
// Listings[T], serves both sides.
package market

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/pagetoken"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// OfferLifetime is how long a published offer stays on the market before
// it expires and must be renewed by publishing it again.
const OfferLifetime = 12 // months

// Market is the marketplace over one store.
type Market struct {
	st     *store.Store
	pages  *pagetoken.Codec
	now    func() time.Time
	index  Indexer
	review bool // posts go to review before publication
	tokens tokenCache

	// Offers holds the technology offers.
	Offers *Listings[*techmarketv1.Offer]
	// Demands holds the enterprises' technology demands.
	Demands *Listings[*techmarketv1.Demand]
}

// Options tune a Market. The zero value is right for production.
type Options struct {
	// Now is the clock; tests set it to control expiry.
	Now func() time.Time
	// Index, when set, is waited for after every write, so that a write
	// is acknowledged only once it is searchable.
	Index Indexer
	// Review sends posts to operators for review before they are
	// published; operators' own posts and renewals of published listings
	// go straight out.
	Review bool
}

// Indexer is the full-text index as the market sees it.
type Indexer interface {
	// WaitFor returns once the store change seq is searchable.
	WaitFor(ctx context.Context, seq uint64) error
}

// New returns the market kept in st.
func New(st *store.Store, opts Options) (*Market, error) {
	key, err := st.Secret("page-token")
	if err != nil {
		return nil, fmt.Errorf("market: reading the page-token key: %w", err)
	}
	m := &Market{st: st, pages: pagetoken.New(key), now: opts.Now, index: opts.Index, review: opts.Review}
	if m.now == nil {
		m.now = time.Now
	}
	m.Offers = &Listings[*techmarketv1.Offer]{
		m: m, kind: store.KindOffer, side: auth.Offers, collection: "offers", field: "offer",
		newT: func() *techmarketv1.Offer { return new(techmarketv1.Offer) },
	}
	m.Demands = &Listings[*techmarketv1.Demand]{
		m: m, kind: store.KindDemand, side: auth.Demands, collection: "demands", field: "demand",
		newT: func() *techmarketv1.Demand { return new(techmarketv1.Demand) },
	}
	return m, nil
}

// PageTokens returns the codec that signs this market's page tokens, for
// other paged calls such as search.
func (m *Market) PageTokens() *pagetoken.Codec { return m.pages }

// Store returns the store the market keeps its records in.
func (m *Market) Store() *store.Store { return m.st }

// Searchable waits until the store change seq is in the index. The write
// is durable already, so a failure here is not the caller's: the index
// catches up on its own (and on restart), and reporting an error would only
// make the caller retry a write that succeeded.
func (m *Market) Searchable(ctx context.Context, seq uint64) {
	if m.index != nil && seq > 0 {
		_ = m.index.WaitFor(ctx, seq)
	}
}

// requireSignedIn fails for anonymous callers with a hint.
func requireSignedIn(p auth.Principal) error {
	if p.Anonymous() {
		return fmt.Errorf("%w: this call needs a token; pass one as `authorization: Bearer …` (TECHMARKET_TOKEN for the CLI)", ErrUnauthenticated)
	}
	return nil
}

// storeErr passes cancellation through as it is and marks anything else
// as the store's failure, which the server reports as INTERNAL.
func storeErr(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("store: %w", err)
}
