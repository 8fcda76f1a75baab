package market

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// bucketLinks holds one Link per linked market, by name.
const bucketLinks = "links"

// Link is another market this one follows (docs/federation.md): where it
// is, the peer token it gave this market, and how far its feed has been
// applied. The cursor is written in the transaction that applies the
// events before it, so it never runs ahead of or behind them.
type Link struct {
	Name    string    `json:"name"`    // this market's name for it, such as ordos
	Addr    string    `json:"addr"`    // HOST:PORT of its gRPC port
	Token   string    `json:"token"`   // the peer token it issued this market; kept in the store like the other secrets
	TLSCA   string    `json:"tls_ca"`  // PEM CA certificates to trust, or empty for plain text
	Paused  bool      `json:"paused"`  // not followed while set
	Cursor  string    `json:"cursor"`  // where the next pull starts
	Created time.Time `json:"created"` // when the link was added

	LastContact time.Time `json:"last_contact,omitzero"` // last successful pull
	CaughtUp    bool      `json:"caught_up"`             // the last pull reached the end of the feed
	Newest      time.Time `json:"newest,omitzero"`       // change time of the newest event applied: now − Newest is the lag
	Applied     uint64    `json:"applied"`               // events applied, all time
	Rejected    uint64    `json:"rejected"`              // listings refused for breaking this market's rules
	LastError   string    `json:"last_error,omitempty"`  // why the last pull failed, if it did
	ErrorTime   time.Time `json:"error_time,omitzero"`
}

var linkName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

// CheckOrigin checks an origin filter: empty (everything), "local" (this
// market's own listings) or the name of a link.
func CheckOrigin(field, origin string) error {
	if origin == "" || origin == index.OriginLocal || linkName.MatchString(origin) {
		return nil
	}
	return invalid(field, "must be local, the name of a link (techmarket links list), or empty for every listing")
}

// linkOrg is the store organisation of a link's listings. Organisations
// of tokens never hold control characters, so no local caller can own,
// or collide with, a linked listing.
func linkOrg(name string) string { return "\x01link " + name }

// AddLink records a new link; the follower starts pulling it. Operators only.
func (m *Market) AddLink(ctx context.Context, p auth.Principal, l Link) (Link, error) {
	if err := mayManageLinks(p); err != nil {
		return Link{}, err
	}
	var vs []error
	switch {
	case !linkName.MatchString(l.Name):
		vs = append(vs, invalid("link_id", "must be 1–40 lower-case letters, digits or -, starting with a letter, such as ordos or region"))
	case l.Name == index.OriginLocal:
		vs = append(vs, invalid("link_id", "%q names this market's own listings in the origin filter; choose another", l.Name))
	}
	if _, port, err := net.SplitHostPort(l.Addr); err != nil || port == "" {
		vs = append(vs, invalid("addr", "must be HOST:PORT of the other market's server, such as market.ordos.example.cn:7733"))
	}
	if l.Token == "" {
		vs = append(vs, invalid("token", "must be the peer token the other market's operators issued for this market"))
	}
	if len(vs) > 0 {
		return Link{}, joinInvalid(vs)
	}
	now := m.now()
	l = Link{Name: l.Name, Addr: l.Addr, Token: l.Token, TLSCA: l.TLSCA, Paused: l.Paused, Created: now.UTC()}
	err := m.st.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.GetAux(bucketLinks, l.Name); err == nil {
			return fmt.Errorf("%w: a link named %s exists; remove it first, or choose another name", ErrAlreadyExists, l.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := putLink(tx, l); err != nil {
			return err
		}
		return Audit(tx, now, p, "links.add", "links/"+l.Name, l.Addr)
	})
	if err != nil {
		return Link{}, domainErr(err)
	}
	return l, nil
}

// Links returns every link, by name. Operators only.
func (m *Market) Links(p auth.Principal) ([]Link, error) {
	if err := mayManageLinks(p); err != nil {
		return nil, err
	}
	return m.AllLinks()
}

// AllLinks returns every link, for the follower.
func (m *Market) AllLinks() ([]Link, error) {
	var out []Link
	var bad error
	err := m.st.ScanAux(bucketLinks, "", func(key string, v []byte) bool {
		var l Link
		if bad = json.Unmarshal(v, &l); bad != nil {
			bad = fmt.Errorf("market: link %s does not read: %w", key, bad)
			return false
		}
		out = append(out, l)
		return true
	})
	if err == nil {
		err = bad
	}
	return out, domainErr(err)
}

// PauseLink stops (paused) or resumes following a link. Operators only.
func (m *Market) PauseLink(ctx context.Context, p auth.Principal, name string, paused bool) (Link, error) {
	if err := mayManageLinks(p); err != nil {
		return Link{}, err
	}
	var l Link
	err := m.st.Update(ctx, func(tx *store.Tx) error {
		var err error
		if l, err = getLink(tx, name); err != nil {
			return err
		}
		l.Paused = paused
		if err := putLink(tx, l); err != nil {
			return err
		}
		action := "links.resume"
		if paused {
			action = "links.pause"
		}
		return Audit(tx, m.now(), p, action, "links/"+name, "")
	})
	return l, domainErr(err)
}

// RemoveLink forgets a link and takes its listings off this market.
// Operators only.
func (m *Market) RemoveLink(ctx context.Context, p auth.Principal, name string) (removed int, err error) {
	if err := mayManageLinks(p); err != nil {
		return 0, err
	}
	var seq uint64
	err = m.st.Update(ctx, func(tx *store.Tx) error {
		if _, err := getLink(tx, name); err != nil {
			return err
		}
		if err := tx.DeleteAux(bucketLinks, name); err != nil {
			return err
		}
		return Audit(tx, m.now(), p, "links.remove", "links/"+name, "")
	})
	if err != nil {
		return 0, domainErr(err)
	}
	// Its listings go after the link, so a follower still pulling finds
	// no link to apply to. A crash between leaves listings of no link,
	// which the next RemoveLink of the same name, or a new link of that
	// name, takes care of.
	for _, kind := range []store.Kind{store.KindOffer, store.KindDemand} {
		var ids []string
		err := m.st.Scan(kind, "", func(rec store.Record) bool {
			if rec.Org == linkOrg(name) {
				ids = append(ids, rec.ID)
			}
			return true
		})
		if err != nil {
			return removed, storeErr(err)
		}
		for start := 0; start < len(ids); start += 1000 {
			batch := ids[start:min(len(ids), start+1000)]
			err := m.st.Update(ctx, func(tx *store.Tx) error {
				for _, id := range batch {
					s, err := tx.Delete(kind, id)
					if err != nil && !errors.Is(err, store.ErrNotFound) {
						return err
					}
					seq = max(seq, s)
				}
				return nil
			})
			if err != nil {
				return removed, storeErr(err)
			}
			removed += len(batch)
		}
	}
	m.Searchable(ctx, seq)
	return removed, nil
}

// Rejection is a listing of a peer's feed this market refused.
type Rejection struct {
	Name   string // at home
	Reason string
}

// ApplyFeed applies one page of link's feed and moves its cursor, in one
// transaction: the page's listings are written as linked listings, or
// taken off this market, and those that break this market's rules are
// refused and returned with the reason. A link removed or paused
// meanwhile gets nothing applied.
//
// from is the cursor the page was pulled from: a page pulled from
// anywhere but where the link stands is refused with ErrConflict, so
// that two pulls racing can never move the cursor back.
func (m *Market) ApplyFeed(ctx context.Context, link, from string, page *techmarketv1.PullListingsResponse) ([]Rejection, error) {
	now := m.now()
	var (
		rejected []Rejection
		seq      uint64
	)
	err := m.st.Update(ctx, func(tx *store.Tx) error {
		rejected = rejected[:0]
		l, err := getLink(tx, link)
		if err != nil {
			return err
		}
		if l.Paused {
			return fmt.Errorf("%w: the link %s is paused", ErrFailedPrecondition, link)
		}
		if l.Cursor != from {
			return fmt.Errorf("%w: the link %s stands at %q, not %q: pull again from there", ErrConflict, link, l.Cursor, from)
		}
		for _, ev := range page.GetEvents() {
			s, why, err := m.applyEvent(tx, link, ev, now)
			if err != nil {
				return err
			}
			if why != "" {
				rejected = append(rejected, Rejection{Name: ev.GetName(), Reason: why})
			}
			seq = max(seq, s)
			if t := ev.GetChangeTime(); t.IsValid() && t.AsTime().After(l.Newest) {
				l.Newest = t.AsTime()
			}
		}
		l.Cursor = page.GetNextCursor()
		l.CaughtUp = page.GetCaughtUp()
		l.LastContact = now
		l.LastError, l.ErrorTime = "", time.Time{}
		l.Applied += uint64(len(page.GetEvents()) - len(rejected))
		l.Rejected += uint64(len(rejected))
		return putLink(tx, l)
	})
	if err != nil {
		return nil, domainErr(err)
	}
	m.Searchable(ctx, seq)
	return rejected, nil
}

// applyEvent applies one event of link's feed in tx, returning the
// change's sequence number, or why the listing was refused.
func (m *Market) applyEvent(tx *store.Tx, link string, ev *techmarketv1.FeedEvent, now time.Time) (uint64, string, error) {
	var kind store.Kind
	var in listing.Listing
	switch {
	case ev.GetOffer() != nil:
		kind, in = store.KindOffer, ev.GetOffer()
	case ev.GetDemand() != nil:
		kind, in = store.KindDemand, ev.GetDemand()
	default:
		kind = kindOfName(ev.GetName())
	}
	if kind == 0 || len(ev.GetName()) > maxHomeName {
		return 0, "not the name of an offer or a demand", nil
	}
	old, err := tx.LookupExternal(kind, linkOrg(link), ev.GetName())
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, "", err
	}
	if ev.GetKind() != techmarketv1.FeedEventKind_FEED_EVENT_KIND_PUBLISHED {
		if !found {
			return 0, "", nil
		}
		seq, err := tx.Delete(kind, old.ID)
		return seq, "", err
	}
	if in == nil {
		return 0, "a published event without its listing", nil
	}
	v := proto.Clone(in).(listing.Listing)
	home := &techmarketv1.LinkedFrom{Market: link, Name: ev.GetName(), SeenTime: timestamppb.New(now)}
	listing.StripContact(v) // the home market strips it; a peer that does not is not trusted with it
	if vs := listing.Validate(v); len(vs) > 0 {
		return 0, vs[0].Field + ": " + vs[0].Description, nil
	}
	setState(v, techmarketv1.ListingState_LISTING_STATE_PUBLISHED)
	mr := v.ProtoReflect()
	mr.Set(fieldOf(mr, "linked_from"), protoreflect.ValueOfMessage(home.ProtoReflect()))
	// Its name at home is its external id here: what finds it again.
	mr.Set(fieldOf(mr, "external_id"), protoreflect.ValueOfString(ev.GetName()))
	mr.Clear(fieldOf(mr, "review"))
	// Times as its home market gave them; a peer that gives none gets
	// this market's, so that the listing expires here too.
	if !v.GetPublishTime().IsValid() {
		setTime(v, "publish_time", now)
	}
	if !v.GetUpdateTime().IsValid() {
		setTime(v, "update_time", now)
	}
	if !v.GetExpireTime().IsValid() {
		setTime(v, "expire_time", now.AddDate(0, OfferLifetime, 0))
	}
	id := newID(now)
	if found {
		id = old.ID
	}
	var rec store.Record
	if kind == store.KindOffer {
		rec, err = m.Offers.put(tx, id, linkOrg(link), v.(*techmarketv1.Offer))
	} else {
		rec, err = m.Demands.put(tx, id, linkOrg(link), v.(*techmarketv1.Demand))
	}
	return rec.Revision, "", err
}

// maxHomeName bounds a listing's name at home: it is its external id here.
const maxHomeName = 200

// RecordLinkError notes why a pull of link failed, for `links list`.
func (m *Market) RecordLinkError(ctx context.Context, link string, cause error) error {
	return domainErr(m.st.Update(ctx, func(tx *store.Tx) error {
		l, err := getLink(tx, link)
		if err != nil {
			return err
		}
		l.LastError, l.ErrorTime = cause.Error(), m.now()
		return putLink(tx, l)
	}))
}

func kindOfName(name string) store.Kind {
	switch {
	case len(name) > len("offers/") && name[:len("offers/")] == "offers/":
		return store.KindOffer
	case len(name) > len("demands/") && name[:len("demands/")] == "demands/":
		return store.KindDemand
	}
	return 0
}

func getLink(tx *store.Tx, name string) (Link, error) {
	v, err := tx.GetAux(bucketLinks, name)
	if errors.Is(err, store.ErrNotFound) {
		return Link{}, fmt.Errorf("%w: no link named %s; `techmarket links list` shows them", ErrNotFound, name)
	} else if err != nil {
		return Link{}, err
	}
	var l Link
	if err := json.Unmarshal(v, &l); err != nil {
		return Link{}, fmt.Errorf("market: link %s does not read: %w", name, err)
	}
	return l, nil
}

func putLink(tx *store.Tx, l Link) error {
	v, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return tx.PutAux(bucketLinks, l.Name, v)
}

func mayManageLinks(p auth.Principal) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if !p.IsOperator() {
		return fmt.Errorf("%w: only operators manage links to other markets", ErrPermissionDenied)
	}
	return nil
}
