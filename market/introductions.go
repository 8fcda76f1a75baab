package market

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// Introductions live in two buckets: the introductions by id, and on the
// listing's home market the ids by the peer's market and its own name for
// them, so that a delivery repeated after a lost answer stores nothing new.
// A third holds, on the requester's market, the ids of those not answered
// yet, with their link: the follower looks at these on every pull, and
// the answered ones would otherwise grow its work for ever.
const (
	bucketIntroductions = "introductions"
	bucketIntroByPeer   = "introductions-by-peer"
	bucketIntroOpen     = "introductions-open"
)

// MaxIntroductionText bounds a request's message and an answer.
const MaxIntroductionText = 1000

// intro is an introduction as stored: what the API shows, and what only
// this market needs to carry it on.
type intro struct {
	Shown []byte `json:"shown"` // techmarketv1.Introduction
	// On the requester's market: the introduction's name at the listing's
	// home market once delivered, and the listing's name there.
	HomeName    string `json:"home_name,omitempty"`
	HomeListing string `json:"home_listing,omitempty"`
	// On the home market: the listing's poster, who answers.
	Poster string `json:"poster,omitempty"`
}

// Introduction is one introduction as the follower carries it.
type Introduction struct {
	ID          string
	HomeName    string // set once delivered
	HomeListing string
	Shown       *techmarketv1.Introduction
}

// RequestIntroduction asks the poster of the linked listing named
// listingName to get in touch with p.
func (m *Market) RequestIntroduction(ctx context.Context, p auth.Principal, listingName, message string) (*techmarketv1.Introduction, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	if err := checkIntroText("message", message, true); err != nil {
		return nil, err
	}
	l, err := m.listingNamed(ctx, p, "listing", listingName)
	if err != nil {
		return nil, err
	}
	home := l.GetLinkedFrom()
	if home == nil {
		return nil, fmt.Errorf("%w: %s is this market's own listing: signed in, you see its contact details on it", ErrFailedPrecondition, listingName)
	}
	now := m.now()
	id := newID(now)
	shown := &techmarketv1.Introduction{
		Name: "introductions/" + id, Listing: l.GetName(), ListingTitle: l.GetTitle(), Requester: p.Org,
		HomeMarket: home.GetMarket(), Message: message, State: techmarketv1.IntroductionState_INTRODUCTION_STATE_PENDING,
		CreateTime: timestamppb.New(now),
	}
	err = m.st.Update(ctx, func(tx *store.Tx) error {
		if err := putIntro(tx, id, intro{HomeListing: home.GetName()}, shown); err != nil {
			return err
		}
		return tx.PutAux(bucketIntroOpen, id, []byte(home.GetMarket()))
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return shown, nil
}

// ListIntroductions returns the introductions p asked for and those asked
// of p's listings, newest first; operators see all.
func (m *Market) ListIntroductions(ctx context.Context, p auth.Principal) ([]*techmarketv1.Introduction, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	var out []*techmarketv1.Introduction
	err := m.scanIntros(func(_ string, in intro, shown *techmarketv1.Introduction) {
		asked := shown.GetRequesterMarket() == "" && shown.GetRequester() == p.Org
		if p.IsOperator() || asked || in.Poster == p.Org {
			out = append(out, shown)
		}
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].GetName() > out[j].GetName() }) // ids sort by creation
	return out, ctx.Err()
}

// AnswerIntroduction accepts or declines an introduction delivered to
// this market about one of p's listings; accepting sends the listing's
// contact details back.
func (m *Market) AnswerIntroduction(ctx context.Context, p auth.Principal, name string, accept bool, answer string) (*techmarketv1.Introduction, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	id, ok := strings.CutPrefix(name, "introductions/")
	if !ok || !validID(id) {
		return nil, invalid("name", "%q is not an introduction's name; names look like introductions/0k3v9q2m7x1c4f8h", clipName(name))
	}
	if err := checkIntroText("answer", answer, false); err != nil {
		return nil, err
	}
	var shown *techmarketv1.Introduction
	err := m.st.Update(ctx, func(tx *store.Tx) error {
		in, s, err := getIntro(tx, id)
		if err != nil {
			return err
		}
		switch {
		case s.GetRequesterMarket() == "":
			return fmt.Errorf("%w: %s was asked here, of another market's listing: its poster answers there", ErrFailedPrecondition, name)
		case in.Poster != p.Org && !p.IsOperator():
			return fmt.Errorf("%w: only the poster of %s or an operator answers %s", ErrPermissionDenied, s.GetListing(), name)
		case s.GetState() != techmarketv1.IntroductionState_INTRODUCTION_STATE_DELIVERED:
			return fmt.Errorf("%w: %s was answered already", ErrFailedPrecondition, name)
		}
		s.State, s.Answer, s.AnswerTime = techmarketv1.IntroductionState_INTRODUCTION_STATE_DECLINED, answer, timestamppb.New(m.now())
		if accept {
			s.State = techmarketv1.IntroductionState_INTRODUCTION_STATE_ACCEPTED
			l, err := listingAt(tx, s.GetListing())
			if err != nil {
				return err
			}
			s.Contact = l.GetContact()
		}
		shown = s
		if err := putIntro(tx, id, in, s); err != nil {
			return err
		}
		return Audit(tx, m.now(), p, "introductions.answer", name, s.GetState().String())
	})
	if err != nil {
		return nil, domainErr(err)
	}
	return shown, nil
}

// DeliverIntroduction stores a request for contact that the peer p's
// market carried here, about listing, one of this market's own published
// listings, and returns its name here. The same peerName twice from one
// peer stores it once.
func (m *Market) DeliverIntroduction(ctx context.Context, p auth.Principal, peerName, listingName, requester, message string) (string, error) {
	if !p.IsPeer() {
		return "", fmt.Errorf("%w: introductions are delivered by linked markets, with their peer tokens", ErrPermissionDenied)
	}
	var vs []error
	if peerName == "" || len(peerName) > 200 {
		vs = append(vs, invalid("peer_name", "must be the introduction's name on your market"))
	}
	if err := CheckOrganization(requester); err != nil {
		vs = append(vs, invalid("requester", "must be the organisation that asked, 1–%d characters on one line", MaxOrganization))
	}
	if err := checkIntroText("message", message, true); err != nil {
		vs = append(vs, err)
	}
	if len(vs) > 0 {
		return "", joinInvalid(vs)
	}
	now := m.now()
	var name string
	err := m.st.Update(ctx, func(tx *store.Tx) error {
		peerKey := p.Org + "\x00" + peerName
		if id, err := tx.GetAux(bucketIntroByPeer, peerKey); err == nil {
			name = "introductions/" + string(id)
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		l, err := listingAt(tx, listingName)
		if errors.Is(err, ErrNotFound) || (err == nil && (l.GetLinkedFrom() != nil || l.GetState() != techmarketv1.ListingState_LISTING_STATE_PUBLISHED)) {
			return invalid("listing", "%q is no published listing of this market", clipName(listingName))
		} else if err != nil {
			return err
		}
		id := newID(now)
		name = "introductions/" + id
		shown := &techmarketv1.Introduction{
			Name: name, Listing: l.GetName(), ListingTitle: l.GetTitle(), Requester: requester, RequesterMarket: p.Org,
			Message: message, State: techmarketv1.IntroductionState_INTRODUCTION_STATE_DELIVERED,
			CreateTime: timestamppb.New(now), DeliverTime: timestamppb.New(now),
		}
		if err := putIntro(tx, id, intro{Poster: l.GetPoster()}, shown); err != nil {
			return err
		}
		return tx.PutAux(bucketIntroByPeer, peerKey, []byte(id))
	})
	if err != nil {
		return "", domainErr(err)
	}
	return name, nil
}

// IntroductionAnswers returns the introductions of names that the peer p
// delivered here, as they stand.
func (m *Market) IntroductionAnswers(ctx context.Context, p auth.Principal, names []string) ([]*techmarketv1.Introduction, error) {
	if !p.IsPeer() {
		return nil, fmt.Errorf("%w: for linked markets, with their peer tokens", ErrPermissionDenied)
	}
	if len(names) > 100 {
		return nil, invalid("names", "at most 100, got %d", len(names))
	}
	var out []*techmarketv1.Introduction
	for _, name := range names {
		id, ok := strings.CutPrefix(name, "introductions/")
		if !ok || !validID(id) {
			continue
		}
		v, err := m.st.GetAux(bucketIntroductions, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, storeErr(err)
		}
		_, s, err := decodeIntro(id, v)
		if err != nil {
			return nil, err
		}
		if s.GetRequesterMarket() == p.Org {
			out = append(out, s)
		}
	}
	return out, ctx.Err()
}

// IntroductionsToCarry returns the introductions asked here of listings
// of link's market that are not answered yet: the follower delivers the
// pending ones and asks after the delivered ones.
func (m *Market) IntroductionsToCarry(link string) ([]Introduction, error) {
	var ids []string
	err := m.st.ScanAux(bucketIntroOpen, "", func(id string, v []byte) bool {
		if string(v) == link {
			ids = append(ids, id)
		}
		return true
	})
	if err != nil {
		return nil, storeErr(err)
	}
	var out []Introduction
	for _, id := range ids {
		v, err := m.st.GetAux(bucketIntroductions, id)
		if err != nil {
			return nil, storeErr(err)
		}
		in, s, err := decodeIntro(id, v)
		if err != nil {
			return nil, err
		}
		out = append(out, Introduction{ID: id, HomeName: in.HomeName, HomeListing: in.HomeListing, Shown: s})
	}
	return out, nil
}

// IntroductionDelivered records that the home market took introduction
// id under homeName.
func (m *Market) IntroductionDelivered(ctx context.Context, id, homeName string) error {
	return m.updateIntro(ctx, id, func(_ *store.Tx, in *intro, s *techmarketv1.Introduction) error {
		if s.GetState() == techmarketv1.IntroductionState_INTRODUCTION_STATE_PENDING {
			in.HomeName, s.State, s.DeliverTime = homeName, techmarketv1.IntroductionState_INTRODUCTION_STATE_DELIVERED, timestamppb.New(m.now())
		}
		return nil
	})
}

// IntroductionAnswered records the home market's answer to introduction id.
func (m *Market) IntroductionAnswered(ctx context.Context, id string, home *techmarketv1.Introduction) error {
	st := home.GetState()
	if st != techmarketv1.IntroductionState_INTRODUCTION_STATE_ACCEPTED && st != techmarketv1.IntroductionState_INTRODUCTION_STATE_DECLINED {
		return nil // not answered yet
	}
	if err := checkIntroText("answer", home.GetAnswer(), false); err != nil {
		return err // a peer's bad data: not stored
	}
	return m.updateIntro(ctx, id, func(tx *store.Tx, _ *intro, s *techmarketv1.Introduction) error {
		s.State, s.Answer, s.AnswerTime = st, home.GetAnswer(), home.GetAnswerTime()
		if st == techmarketv1.IntroductionState_INTRODUCTION_STATE_ACCEPTED {
			s.Contact = home.GetContact()
		}
		err := tx.DeleteAux(bucketIntroOpen, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil // answered already
		}
		return err
	})
}

func (m *Market) updateIntro(ctx context.Context, id string, change func(*store.Tx, *intro, *techmarketv1.Introduction) error) error {
	return domainErr(m.st.Update(ctx, func(tx *store.Tx) error {
		in, s, err := getIntro(tx, id)
		if err != nil {
			return err
		}
		if err := change(tx, &in, s); err != nil {
			return err
		}
		return putIntro(tx, id, in, s)
	}))
}

// listingNamed reads the listing called name as p may see it.
func (m *Market) listingNamed(ctx context.Context, p auth.Principal, field, name string) (listing.Listing, error) {
	switch {
	case strings.HasPrefix(name, "offers/"):
		return m.Offers.Get(ctx, p, name)
	case strings.HasPrefix(name, "demands/"):
		return m.Demands.Get(ctx, p, name)
	}
	return nil, invalid(field, "%q is not the name of an offer or a demand", clipName(name))
}

// listingAt reads the listing called name in tx, whole.
func listingAt(tx *store.Tx, name string) (listing.Listing, error) {
	kind, id := kindOfName(name), ""
	if kind != 0 {
		id = name[strings.IndexByte(name, '/')+1:]
	}
	if kind == 0 || !validID(id) {
		return nil, fmt.Errorf("%w: %q is not the name of an offer or a demand", ErrNotFound, clipName(name))
	}
	rec, err := tx.Get(kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: no listing %s", ErrNotFound, name)
	} else if err != nil {
		return nil, err
	}
	return index.DecodeListing(rec)
}

func checkIntroText(field, s string, required bool) error {
	switch {
	case !utf8.ValidString(s):
		return invalid(field, "is not valid UTF-8")
	case required && strings.TrimSpace(s) == "":
		return invalid(field, "must not be empty: say who you are and what you want to discuss")
	case utf8.RuneCountInString(s) > MaxIntroductionText:
		return invalid(field, "must be at most %d characters", MaxIntroductionText)
	}
	return nil
}

func getIntro(tx *store.Tx, id string) (intro, *techmarketv1.Introduction, error) {
	v, err := tx.GetAux(bucketIntroductions, id)
	if errors.Is(err, store.ErrNotFound) {
		return intro{}, nil, fmt.Errorf("%w: no introductions/%s", ErrNotFound, id)
	} else if err != nil {
		return intro{}, nil, err
	}
	return decodeIntro(id, v)
}

func decodeIntro(id string, v []byte) (intro, *techmarketv1.Introduction, error) {
	var in intro
	if err := json.Unmarshal(v, &in); err != nil {
		return intro{}, nil, fmt.Errorf("market: introduction %s does not read: %w", id, err)
	}
	s := &techmarketv1.Introduction{}
	if err := proto.Unmarshal(in.Shown, s); err != nil {
		return intro{}, nil, fmt.Errorf("market: introduction %s does not read: %w", id, err)
	}
	return in, s, nil
}

func putIntro(tx *store.Tx, id string, in intro, shown *techmarketv1.Introduction) error {
	var err error
	if in.Shown, err = proto.Marshal(shown); err != nil {
		return err
	}
	v, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return tx.PutAux(bucketIntroductions, id, v)
}

func (m *Market) scanIntros(fn func(id string, in intro, s *techmarketv1.Introduction)) error {
	var bad error
	err := m.st.ScanAux(bucketIntroductions, "", func(id string, v []byte) bool {
		in, s, err := decodeIntro(id, v)
		if err != nil {
			bad = err
			return false
		}
		fn(id, in, s)
		return true
	})
	if err == nil {
		err = bad
	}
	return domainErr(err)
}
