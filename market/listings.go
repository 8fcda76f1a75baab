package market

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/quality"
	"github.com/wuhai-techmarket/techmarket/store"
)

// Listings is one side of the market: offers or demands.
type Listings[T listing.Listing] struct {
	m          *Market
	kind       store.Kind
	side       auth.Side
	collection string // resource collection, "offers"
	field      string // request field holding one, "offer"
	newT       func() T
}

// Create stores a new listing for p, published at once when publish is
// set. With validateOnly it checks everything and stores nothing.
func (l *Listings[T]) Create(ctx context.Context, p auth.Principal, in T, publish, validateOnly bool) (T, error) {
	var zero T
	if err := l.mayPost(p); err != nil {
		return zero, err
	}
	v := proto.Clone(in).(T)
	listing.ClearOutputOnly(v)
	if vs := listing.Validate(v); len(vs) > 0 {
		return zero, prefixed(l.field, vs)
	}
	now := l.m.now()
	l.initialise(v, p, now, publish)
	if validateOnly {
		return v, nil
	}
	var rec store.Record
	err := l.m.st.Update(ctx, func(tx *store.Tx) error {
		if ext := v.GetExternalId(); ext != "" {
			if old, err := tx.LookupExternal(l.kind, p.Org, ext); err == nil {
				return fmt.Errorf("%w: %s already has the external id %q; update it or choose another id", ErrAlreadyExists, l.name(old.ID), ext)
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		var err error
		if rec, err = l.put(tx, newID(now), p.Org, v); err != nil || !p.IsOperator() {
			return err
		}
		return Audit(tx, now, p, l.collection+".create", l.name(rec.ID), listing.StateWord(v.GetState()))
	})
	if err != nil {
		return zero, l.writeErr(err)
	}
	l.m.Searchable(ctx, rec.Revision)
	return l.view(p, rec)
}

// Get returns the listing called name as p may see it.
func (l *Listings[T]) Get(ctx context.Context, p auth.Principal, name string) (T, error) {
	var zero T
	id, err := l.parseName("name", name)
	if err != nil {
		return zero, err
	}
	rec, err := l.m.st.Get(l.kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return zero, l.unseen(p, name)
	} else if err != nil {
		return zero, storeErr(err)
	}
	v, err := l.decode(rec)
	if err != nil {
		return zero, err
	}
	if !auth.CanRead(p, v.GetPoster(), v.GetState()) {
		return zero, l.unseen(p, name)
	}
	l.redact(p, v)
	return v, nil
}

// Query selects listings for List. Zero fields do not filter.
type Query struct {
	PageSize  int32
	PageToken string
	State     techmarketv1.ListingState
	Industry  string
	Region    techmarketv1.Region
	Poster    string
}

// Page sizes of List (AIP-158: larger requests are coerced, not refused).
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// List returns a page of the listings p may see that match q, oldest
// first, and the token of the next page ("" on the last).
func (l *Listings[T]) List(ctx context.Context, p auth.Principal, q Query) ([]T, string, error) {
	size, err := pageSize(q.PageSize)
	if err != nil {
		return nil, "", err
	}
	if _, ok := techmarketv1.ListingState_name[int32(q.State)]; !ok {
		return nil, "", invalid("state", "unknown listing state %d", q.State)
	}
	if _, ok := techmarketv1.Region_name[int32(q.Region)]; !ok {
		return nil, "", invalid("region", "unknown region %d", q.Region)
	}
	if _, ok := listing.LookupIndustry(q.Industry); q.Industry != "" && !ok {
		return nil, "", invalid("industry", "unknown industry code; see industries.tsv for the codes")
	}
	// The token is bound to the filters and to the caller, whose view of the
	// market it reflects.
	digest := fmt.Sprintf("%s\x00%d\x00%s\x00%d\x00%s\x00%d\x00%s", l.collection, q.State, q.Industry, q.Region, q.Poster, p.Role, p.Org)
	after := ""
	if q.PageToken != "" {
		if after, err = l.m.pages.Decode(digest, q.PageToken); err != nil {
			return nil, "", invalid("page_token", "%v", err)
		}
	}
	var (
		page    []T
		lastID  string
		more    bool
		scanErr error
	)
	err = l.m.st.Scan(l.kind, after, func(rec store.Record) bool {
		if ctx.Err() != nil {
			scanErr = ctx.Err()
			return false
		}
		v, err := l.decode(rec)
		if err != nil {
			scanErr = err
			return false
		}
		if !l.matches(p, q, v) {
			return true
		}
		if len(page) == size {
			more = true
			return false
		}
		l.redact(p, v)
		page = append(page, v)
		lastID = rec.ID
		return true
	})
	if err == nil {
		err = scanErr
	}
	if err != nil {
		return nil, "", storeErr(err)
	}
	next := ""
	if more {
		next = l.m.pages.Encode(digest, lastID)
	}
	return page, next, nil
}

// matches applies List's filters and visibility rules: without a state
// filter, callers see published listings plus their own in any state
// (operators see all).
func (l *Listings[T]) matches(p auth.Principal, q Query, v T) bool {
	state := v.GetState()
	switch {
	case !auth.CanRead(p, v.GetPoster(), state):
		return false
	case q.State != techmarketv1.ListingState_LISTING_STATE_UNSPECIFIED && state != q.State:
		return false
	case q.Region != techmarketv1.Region_REGION_UNSPECIFIED && v.GetRegion() != q.Region:
		return false
	case q.Poster != "" && v.GetPoster() != q.Poster:
		return false
	case q.Industry != "" && !slices.Contains(v.GetIndustries(), q.Industry):
		return false
	}
	return true
}

// Update changes the fields of a listing named by paths (all poster fields
// when empty) to their values in in, which carries the name and,
// optionally, the etag the caller last saw.
func (l *Listings[T]) Update(ctx context.Context, p auth.Principal, in T, paths []string) (T, error) {
	return l.change(ctx, p, in.GetName(), l.field+".name", in.GetEtag(), l.collection+".update", func(cur T, now time.Time) (bool, error) {
		if cur.GetState() == techmarketv1.ListingState_LISTING_STATE_CLOSED {
			return false, fmt.Errorf("%w: %s is closed; closed listings keep the text their deal was made on", ErrFailedPrecondition, cur.GetName())
		}
		if err := listing.ApplyMask(cur, in, paths); err != nil {
			return false, invalid("update_mask", "%s", strings.TrimPrefix(err.Error(), "update_mask: "))
		}
		if vs := listing.Validate(cur); len(vs) > 0 {
			return false, prefixed(l.field, vs)
		}
		setTime(cur, "update_time", now)
		return false, nil
	})
}

// Delete removes a listing for good.
func (l *Listings[T]) Delete(ctx context.Context, p auth.Principal, name, etag string) error {
	_, err := l.change(ctx, p, name, "name", etag, l.collection+".delete", func(T, time.Time) (bool, error) { return true, nil })
	return err
}

// Publish puts a draft, withdrawn or expired listing on the market, or
// renews a published one, starting its lifetime again.
func (l *Listings[T]) Publish(ctx context.Context, p auth.Principal, name, etag string) (T, error) {
	return l.change(ctx, p, name, "name", etag, l.collection+".publish", func(cur T, now time.Time) (bool, error) {
		switch cur.GetState() {
		case techmarketv1.ListingState_LISTING_STATE_CLOSED, techmarketv1.ListingState_LISTING_STATE_REJECTED:
			return false, fmt.Errorf("%w: %s is %s and cannot be published again; post a new listing", ErrFailedPrecondition, cur.GetName(), listing.StateWord(cur.GetState()))
		case techmarketv1.ListingState_LISTING_STATE_IN_REVIEW:
			return false, nil // already waiting for an operator
		}
		if d, ok := any(cur).(*techmarketv1.Demand); ok && deadlinePassed(d, now) {
			return false, fmt.Errorf("%w: the deadline of %s (%s) has passed; set a later deadline with an update, then publish", ErrFailedPrecondition, cur.GetName(), d.GetDeadline())
		}
		l.submit(cur, p, now)
		return false, nil
	})
}

// Withdraw takes a published listing off the market.
func (l *Listings[T]) Withdraw(ctx context.Context, p auth.Principal, name, etag string) (T, error) {
	return l.change(ctx, p, name, "name", etag, l.collection+".withdraw", func(cur T, now time.Time) (bool, error) {
		switch cur.GetState() {
		case techmarketv1.ListingState_LISTING_STATE_PUBLISHED, techmarketv1.ListingState_LISTING_STATE_EXPIRED,
			techmarketv1.ListingState_LISTING_STATE_IN_REVIEW:
		default:
			return false, fmt.Errorf("%w: %s is %s; only published listings and listings in review can be withdrawn", ErrFailedPrecondition, cur.GetName(), listing.StateWord(cur.GetState()))
		}
		setState(cur, techmarketv1.ListingState_LISTING_STATE_WITHDRAWN)
		setTime(cur, "update_time", now)
		return false, nil
	})
}

// change runs one read-modify-write of an existing listing in a store
// transaction, after the checks every change shares: the caller may post on
// this side, may change this listing, and still has the current etag.
// apply edits cur in place, or asks for deletion by returning true. An
// operator's change is recorded in the audit log as action.
func (l *Listings[T]) change(ctx context.Context, p auth.Principal, name, nameField, etag, action string, apply func(cur T, now time.Time) (bool, error)) (T, error) {
	var zero T
	if err := l.mayPost(p); err != nil {
		return zero, err
	}
	id, err := l.parseName(nameField, name)
	if err != nil {
		return zero, err
	}
	now := l.m.now()
	var (
		rec     store.Record
		deleted bool
		seq     uint64
	)
	err = l.m.st.Update(ctx, func(tx *store.Tx) error {
		old, err := tx.Get(l.kind, id)
		if errors.Is(err, store.ErrNotFound) {
			return l.unseen(p, name)
		} else if err != nil {
			return err
		}
		cur, err := l.decode(old)
		if err != nil {
			return err
		}
		if home := cur.GetLinkedFrom(); home != nil {
			return fmt.Errorf("%w: %s belongs to the linked market %s, where it is %s; it changes only there", ErrFailedPrecondition, name, home.GetMarket(), home.GetName())
		}
		if !auth.CanChange(p, l.side, old.Org) {
			if auth.CanRead(p, old.Org, cur.GetState()) {
				return fmt.Errorf("%w: only %s or an operator may change %s", ErrPermissionDenied, old.Org, name)
			}
			return l.unseen(p, name)
		}
		if etag != "" && etag != cur.GetEtag() {
			return fmt.Errorf("%w: %s has changed since etag %s (now %s); get it again and redo the change", ErrConflict, name, etag, cur.GetEtag())
		}
		if deleted, err = apply(cur, now); err != nil {
			return err
		}
		if p.IsOperator() {
			detail := "deleted"
			if !deleted {
				detail = listing.StateWord(cur.GetState())
			}
			if err := Audit(tx, now, p, action, name, detail); err != nil {
				return err
			}
		}
		if deleted {
			seq, err = tx.Delete(l.kind, id)
			return err
		}
		rec, err = l.put(tx, id, old.Org, cur)
		seq = rec.Revision
		return err
	})
	if err != nil {
		return zero, l.writeErr(err)
	}
	l.m.Searchable(ctx, seq)
	if deleted {
		return zero, nil
	}
	return l.view(p, rec)
}

// initialise sets the service's fields of a new listing.
func (l *Listings[T]) initialise(v T, p auth.Principal, now time.Time, publish bool) {
	m := v.ProtoReflect()
	m.Set(fieldOf(m, "poster"), protoreflect.ValueOfString(p.Org))
	setTime(v, "create_time", now)
	setTime(v, "update_time", now)
	setState(v, techmarketv1.ListingState_LISTING_STATE_DRAFT)
	if publish {
		l.submit(v, p, now)
	}
}

// submit publishes v, or sends it to review first when the market reviews
// posts and p is not an operator. A listing that was out already (a
// renewal) is not reviewed again.
func (l *Listings[T]) submit(v T, p auth.Principal, now time.Time) {
	switch v.GetState() {
	case techmarketv1.ListingState_LISTING_STATE_PUBLISHED, techmarketv1.ListingState_LISTING_STATE_EXPIRED:
	default:
		if l.m.review && !p.IsOperator() {
			setState(v, techmarketv1.ListingState_LISTING_STATE_IN_REVIEW)
			setTime(v, "update_time", now)
			return
		}
	}
	l.publish(v, now)
}

// publish marks v published from now and sets when it expires: offers
// after OfferLifetime months, demands at the end of their deadline (in
// China Standard Time) or after the same lifetime when they have none.
func (l *Listings[T]) publish(v T, now time.Time) {
	setState(v, techmarketv1.ListingState_LISTING_STATE_PUBLISHED)
	setTime(v, "publish_time", now)
	setTime(v, "update_time", now)
	expire := now.AddDate(0, OfferLifetime, 0)
	if d, ok := any(v).(*techmarketv1.Demand); ok && d.GetDeadline() != "" {
		if day, err := listing.ParseDeadline(d.GetDeadline()); err == nil {
			expire = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, listing.ChinaTime)
		}
	}
	setTime(v, "expire_time", expire)
}

// deadlinePassed reports whether a demand's deadline day is over.
func deadlinePassed(d *techmarketv1.Demand, now time.Time) bool {
	day, err := listing.ParseDeadline(d.GetDeadline())
	if d.GetDeadline() == "" || err != nil {
		return false
	}
	return !now.Before(time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, listing.ChinaTime))
}

// put encodes v and writes it as the listing id of org.
func (l *Listings[T]) put(tx *store.Tx, id, org string, v T) (store.Record, error) {
	m := v.ProtoReflect()
	m.Set(fieldOf(m, "name"), protoreflect.ValueOfString(l.name(id)))
	m.Clear(fieldOf(m, "etag")) // derived from the revision on every read
	// Assessed once per write, so that ranking reads it for free.
	m.Set(fieldOf(m, "quality_score"), protoreflect.ValueOfFloat64(quality.Assess(v, l.m.now()).Score))
	value, err := proto.Marshal(v)
	if err != nil {
		return store.Record{}, fmt.Errorf("encoding %s: %w", l.name(id), err)
	}
	rec := store.Record{Kind: l.kind, ID: id, Org: org, ExternalID: v.GetExternalId(), Value: value}
	if _, err := tx.Put(&rec); err != nil {
		return store.Record{}, err
	}
	return rec, nil
}

// decode reads a stored listing. A published listing past its expire time
// reads as expired.
func (l *Listings[T]) decode(rec store.Record) (T, error) {
	v := l.newT()
	if err := proto.Unmarshal(rec.Value, v); err != nil {
		var zero T
		return zero, fmt.Errorf("decoding %s: %w", l.name(rec.ID), err)
	}
	m := v.ProtoReflect()
	m.Set(fieldOf(m, "etag"), protoreflect.ValueOfString(etagOf(rec.Revision)))
	if v.GetState() == techmarketv1.ListingState_LISTING_STATE_PUBLISHED {
		if exp := m.Get(fieldOf(m, "expire_time")).Message().Interface().(*timestamppb.Timestamp); exp.IsValid() && !l.m.now().Before(exp.AsTime()) {
			setState(v, techmarketv1.ListingState_LISTING_STATE_EXPIRED)
		}
	}
	return v, nil
}

// view decodes rec as p may see it.
func (l *Listings[T]) view(p auth.Principal, rec store.Record) (T, error) {
	v, err := l.decode(rec)
	if err == nil {
		l.redact(p, v)
	}
	return v, err
}

func (l *Listings[T]) redact(p auth.Principal, v T) {
	if !auth.SeesContact(p) {
		listing.StripContact(v)
	}
}

// mayPost checks the caller's role before anything else is looked at.
func (l *Listings[T]) mayPost(p auth.Principal) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if !auth.CanPost(p, l.side) {
		return fmt.Errorf("%w: %s tokens cannot post or change %s", ErrPermissionDenied, auth.RoleName(p.Role), l.collection)
	}
	return nil
}

// unseen is the answer for a name the caller cannot see: NotFound for
// operators, who see everything, and PermissionDenied for everyone else,
// whether or not it exists, so that drafts cannot be probed for.
func (l *Listings[T]) unseen(p auth.Principal, name string) error {
	if p.IsOperator() {
		return fmt.Errorf("%w: there is no %s", ErrNotFound, name)
	}
	return fmt.Errorf("%w: %s does not exist or is not visible to you", ErrPermissionDenied, name)
}

// writeErr maps store errors from a write to domain errors.
func (l *Listings[T]) writeErr(err error) error {
	if errors.Is(err, store.ErrExternalIDTaken) {
		return fmt.Errorf("%w: another of your %s already uses this external id", ErrAlreadyExists, l.collection)
	}
	return domainErr(err)
}

// domainErr passes the market's own errors through, for the server to
// map to a status, and marks any other as the store's.
func domainErr(err error) error {
	if err == nil {
		return nil
	}
	for _, domain := range []error{ErrInvalidArgument, ErrPermissionDenied, ErrNotFound, ErrAlreadyExists, ErrConflict, ErrFailedPrecondition, ErrUnauthenticated} {
		if errors.Is(err, domain) {
			return err
		}
	}
	return storeErr(err)
}

func (l *Listings[T]) name(id string) string { return l.collection + "/" + id }

// parseName reads `offers/{id}` (or `demands/{id}`).
func (l *Listings[T]) parseName(field, name string) (string, error) {
	id, ok := strings.CutPrefix(name, l.collection+"/")
	if !ok || !validID(id) {
		return "", invalid(field, "%q is not a valid %s name; names look like %s/0k3v9q2m7x1c4f8h", clipName(name), l.field, l.collection)
	}
	return id, nil
}

func pageSize(n int32) (int, error) { return Limit("page_size", n, DefaultPageSize, MaxPageSize) }

// Limit reads a requested count: negative is invalid, 0 means def, and
// more than most is coerced to most (AIP-158).
func Limit(field string, n int32, def, most int) (int, error) {
	switch {
	case n < 0:
		return 0, invalid(field, "must not be negative")
	case n == 0:
		return def, nil
	case int(n) > most:
		return most, nil
	}
	return int(n), nil
}

// Check validates a listing held to the rules of a create, such as an
// unsaved draft to match; field names the request field holding it.
func (l *Listings[T]) Check(field string, v T) error {
	if vs := listing.Validate(v); len(vs) > 0 {
		return prefixed(field, vs)
	}
	return nil
}

func fieldOf(m protoreflect.Message, name protoreflect.Name) protoreflect.FieldDescriptor {
	return m.Descriptor().Fields().ByName(name)
}

func setTime(v listing.Listing, field protoreflect.Name, t time.Time) {
	m := v.ProtoReflect()
	m.Set(fieldOf(m, field), protoreflect.ValueOfMessage(timestamppb.New(t).ProtoReflect()))
}

func setState(v listing.Listing, s techmarketv1.ListingState) {
	m := v.ProtoReflect()
	m.Set(fieldOf(m, "state"), protoreflect.ValueOfEnum(s.Number()))
}

func clipName(s string) string {
	if len(s) > 60 {
		return strings.ToValidUTF8(s[:60], "") + "…"
	}
	return s
}
