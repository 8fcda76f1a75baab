// Package federation links markets: the feed of a market's own listings
// that linked markets pull (Pull), read from the store's change log.
//
// The model is exposure-notifications-server's federation: a market pulls
// another's new records with a cursor, authorised per peer, never
// re-exports what it received, and resumes after any failure. The cursor
// is a position in the home market's change log, so the feed is in store
// order and a follower that keeps its cursor with what it applied neither
// loses nor repeats anything.
package federation

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// Page sizes of PullListings.
const (
	DefaultPageSize = 200
	MaxPageSize     = 1000
)

// ErrBadCursor is a cursor this market did not give out.
var ErrBadCursor = errors.New("federation: not a cursor of this feed")

// Cursor is the text form of a position in the change log: 16 hex
// digits, so that cursors sort as their positions do.
func Cursor(seq uint64) string { return fmt.Sprintf("%016x", seq) }

// ParseCursor reads a Cursor; empty is the start of the feed.
func ParseCursor(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	if len(s) != 16 {
		return 0, ErrBadCursor
	}
	seq, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, ErrBadCursor
	}
	return seq, nil
}

// Page is one page of the feed.
type Page struct {
	Events   []*techmarketv1.FeedEvent
	Next     uint64 // the position after the page
	CaughtUp bool   // nothing after Next, for now
}

// Pull reads up to limit changes after position after and returns the
// events the holder of scope may see, each listing as it stands now
// without its contact details. now decides which published listings are
// past their expiry.
func Pull(st *store.Store, after uint64, limit int, scope *techmarketv1.PeerScope, now time.Time) (Page, error) {
	last, err := st.LastSeq()
	if err != nil {
		return Page{}, err
	}
	if after > last {
		return Page{}, ErrBadCursor // from the future: another market's cursor
	}
	changes, err := st.Changes(after, limit)
	if err != nil {
		return Page{}, err
	}
	page := Page{Next: after}
	for _, ch := range changes {
		page.Next = ch.Seq
		ev, err := event(st, ch, scope, now)
		if err != nil {
			return Page{}, err
		}
		if ev != nil {
			ev.Cursor = Cursor(ch.Seq)
			page.Events = append(page.Events, ev)
		}
	}
	page.CaughtUp = page.Next >= last
	return page, nil
}

// event is what a peer learns of change ch: nil for a listing it never
// saw and may not see (a draft, one out of its scope).
func event(st *store.Store, ch store.Change, scope *techmarketv1.PeerScope, now time.Time) (*techmarketv1.FeedEvent, error) {
	name := collection(ch.Kind) + "/" + ch.ID
	if ch.Deleted {
		return &techmarketv1.FeedEvent{Kind: techmarketv1.FeedEventKind_FEED_EVENT_KIND_DELETED, Name: name}, nil
	}
	rec, err := st.Get(ch.Kind, ch.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil // deleted since: a later change says so
	} else if err != nil {
		return nil, err
	}
	if rec.Revision != ch.Seq {
		return nil, nil // changed since: the later change carries it
	}
	l, err := index.DecodeListing(rec)
	if err != nil {
		return nil, err
	}
	if l.GetLinkedFrom() != nil {
		return nil, nil // another market's: re-exported, links in a ring would loop
	}
	if !l.GetPublishTime().IsValid() {
		return nil, nil // never on the market: no peer has it
	}
	ev := &techmarketv1.FeedEvent{Name: name, ChangeTime: l.GetUpdateTime()}
	if ev.ChangeTime == nil {
		ev.ChangeTime = timestamppb.New(now)
	}
	switch {
	case !inScope(ch.Kind, l, scope):
		// The feed keeps no history: a listing changed since it was
		// published may have left the scope, and the peer must drop it;
		// one never changed since was never in it.
		if !l.GetUpdateTime().AsTime().After(l.GetPublishTime().AsTime()) {
			return nil, nil
		}
		ev.Kind = techmarketv1.FeedEventKind_FEED_EVENT_KIND_WITHDRAWN
	case l.GetState() == techmarketv1.ListingState_LISTING_STATE_EXPIRED,
		l.GetState() == techmarketv1.ListingState_LISTING_STATE_PUBLISHED && l.GetExpireTime().IsValid() && !now.Before(l.GetExpireTime().AsTime()):
		ev.Kind = techmarketv1.FeedEventKind_FEED_EVENT_KIND_EXPIRED
	case l.GetState() != techmarketv1.ListingState_LISTING_STATE_PUBLISHED:
		ev.Kind = techmarketv1.FeedEventKind_FEED_EVENT_KIND_WITHDRAWN
	default:
		ev.Kind = techmarketv1.FeedEventKind_FEED_EVENT_KIND_PUBLISHED
		listing.StripContact(l)
		switch v := l.(type) {
		case *techmarketv1.Offer:
			ev.Listing = &techmarketv1.FeedEvent_Offer{Offer: v}
		case *techmarketv1.Demand:
			ev.Listing = &techmarketv1.FeedEvent_Demand{Demand: v}
		}
	}
	return ev, nil
}

func collection(k store.Kind) string {
	if k == store.KindDemand {
		return "demands"
	}
	return "offers"
}

// inScope reports whether scope shares l, a listing of kind k.
func inScope(k store.Kind, l listing.Listing, scope *techmarketv1.PeerScope) bool {
	if s := scope.GetSides(); len(s) > 0 && !slices.Contains(s, collection(k)) {
		return false
	}
	if ind := scope.GetIndustries(); len(ind) > 0 && !slices.ContainsFunc(l.GetIndustries(), func(c string) bool { return slices.Contains(ind, c) }) {
		return false
	}
	if r := scope.GetRegions(); len(r) > 0 && !slices.Contains(r, l.GetRegion()) {
		return false
	}
	return true
}
