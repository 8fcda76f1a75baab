package market

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/deal"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// Deals are kept in the store's auxiliary area: each deal as its proto
// under its id in dealsBucket, and, while a deal is open, the pair it is
// about under "offerID/demandID" in dealPairsBucket, so that CreateDeal can
// refuse a second open deal on the same pair inside its transaction.
const (
	dealsBucket     = "deals"
	dealPairsBucket = "deal-pairs"
)

// Page sizes of ListDeals.
const (
	DefaultDealPageSize = 20
	MaxDealPageSize     = 100
)

// maxEventName bounds CreateDealRequest.event.
const maxEventName = 200

// CreateDeal opens a deal between a published offer and a published demand
// at the contacted stage. The caller must be an operator or belong to the
// organisation that posted one of them.
func (m *Market) CreateDeal(ctx context.Context, p auth.Principal, req *techmarketv1.CreateDealRequest) (*techmarketv1.Deal, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	var vs []error
	offerID, err := m.Offers.parseName("offer", req.GetOffer())
	if err != nil {
		vs = append(vs, err)
	}
	demandID, err := m.Demands.parseName("demand", req.GetDemand())
	if err != nil {
		vs = append(vs, err)
	}
	if ev := req.GetEvent(); ev != "" {
		if rest, ok := strings.CutPrefix(ev, "events/"); !ok || rest == "" || len(ev) > maxEventName || strings.Contains(rest, "/") {
			vs = append(vs, invalid("event", "%q is not an event name; names look like events/0k3v9q2m7x1c4f8h", clipName(ev)))
		}
	}
	if err := checkNote("note", req.GetNote()); err != nil {
		vs = append(vs, err)
	}
	if len(vs) > 0 {
		return nil, joinInvalid(vs)
	}

	now := m.now()
	var d *techmarketv1.Deal
	err = m.st.Update(ctx, func(tx *store.Tx) error {
		d = nil
		offer, offerPoster, err := readForDeal(tx, m.Offers, p, offerID)
		if err != nil {
			return err
		}
		demand, demandPoster, err := readForDeal(tx, m.Demands, p, demandID)
		if err != nil {
			return err
		}
		if !p.IsOperator() && p.Org != offerPoster && p.Org != demandPoster {
			return fmt.Errorf("%w: only %s, %s or an operator may open a deal between %s and %s", ErrPermissionDenied, offerPoster, demandPoster, offer.GetName(), demand.GetName())
		}
		var unpublished []string
		for _, l := range []struct {
			name  string
			state techmarketv1.ListingState
		}{{offer.GetName(), offer.GetState()}, {demand.GetName(), demand.GetState()}} {
			if l.state != techmarketv1.ListingState_LISTING_STATE_PUBLISHED {
				unpublished = append(unpublished, fmt.Sprintf("%s is %s", l.name, listing.StateWord(l.state)))
			}
		}
		if len(unpublished) > 0 {
			return fmt.Errorf("%w: %s; a deal needs a published offer and a published demand", ErrFailedPrecondition, strings.Join(unpublished, " and "))
		}
		pair := offerID + "/" + demandID
		if existing, err := tx.GetAux(dealPairsBucket, pair); err == nil {
			return fmt.Errorf("%w: %s is still open between %s and %s; move it instead of opening another", ErrAlreadyExists, dealName(string(existing)), offer.GetName(), demand.GetName())
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		id := newID(now)
		d = &techmarketv1.Deal{
			Name:         dealName(id),
			Offer:        offer.GetName(),
			Demand:       demand.GetName(),
			OfferPoster:  offerPoster,
			DemandPoster: demandPoster,
			Stage:        techmarketv1.DealStage_DEAL_STAGE_CONTACTED,
			Event:        req.GetEvent(),
			CreateTime:   timestamppb.New(now),
			UpdateTime:   timestamppb.New(now),
			History: []*techmarketv1.DealStep{{
				Stage: techmarketv1.DealStage_DEAL_STAGE_CONTACTED,
				Actor: p.Org,
				Time:  timestamppb.New(now),
				Note:  req.GetNote(),
			}},
			Etag: nextEtag(""),
		}
		if err := Audit(tx, now, p, "deals.create", dealName(id), d.GetOffer()+" ↔ "+d.GetDemand()); err != nil {
			return err
		}
		if err := putDeal(tx, id, d); err != nil {
			return err
		}
		return tx.PutAux(dealPairsBucket, pair, []byte(id))
	})
	if err != nil {
		return nil, dealErr(err)
	}
	return d, nil
}

// readForDeal reads a listing that a deal is to be opened on and returns
// it with its poster. A listing the caller cannot read is answered as the
// listings service would: PermissionDenied, or NotFound for operators.
func readForDeal[T listing.Listing](tx *store.Tx, l *Listings[T], p auth.Principal, id string) (T, string, error) {
	var zero T
	rec, err := tx.Get(l.kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return zero, "", l.unseen(p, l.name(id))
	} else if err != nil {
		return zero, "", err
	}
	v, err := l.decode(rec)
	if err != nil {
		return zero, "", err
	}
	if !auth.CanRead(p, rec.Org, v.GetState()) {
		return zero, "", l.unseen(p, l.name(id))
	}
	return v, rec.Org, nil
}

// GetDeal returns the deal called name, to its parties and operators.
func (m *Market) GetDeal(ctx context.Context, p auth.Principal, name string) (*techmarketv1.Deal, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	id, err := parseDealName("name", name)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := m.st.GetAux(dealsBucket, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, dealUnseen(p, name)
	} else if err != nil {
		return nil, storeErr(err)
	}
	d, err := decodeDeal(id, b)
	if err != nil {
		return nil, storeErr(err)
	}
	if !mayDeal(p, d) {
		return nil, dealUnseen(p, name)
	}
	return d, nil
}

// DealQuery selects deals for ListDeals. Zero fields do not filter.
type DealQuery struct {
	PageSize  int32
	PageToken string
	Stage     techmarketv1.DealStage
	// Listing is `offers/{id}` or `demands/{id}`.
	Listing string
}

// ListDeals returns a page of the deals p may see that match q, newest
// first, and the token of the next page ("" on the last).
//
// Deals are few next to listings (each is a conversation between two
// organisations), so every page scans the whole bucket and sorts it; an
// index by time can replace the scan when that stops being true.
func (m *Market) ListDeals(ctx context.Context, p auth.Principal, q DealQuery) ([]*techmarketv1.Deal, string, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	size, err := Limit("page_size", q.PageSize, DefaultDealPageSize, MaxDealPageSize)
	if err != nil {
		return nil, "", err
	}
	if _, ok := techmarketv1.DealStage_name[int32(q.Stage)]; !ok {
		return nil, "", invalid("stage", "unknown deal stage %d", q.Stage)
	}
	if q.Listing != "" {
		_, offerErr := m.Offers.parseName("listing", q.Listing)
		_, demandErr := m.Demands.parseName("listing", q.Listing)
		if offerErr != nil && demandErr != nil {
			return nil, "", invalid("listing", "%q is not a listing name; names look like offers/0k3v9q2m7x1c4f8h or demands/0k3v9q2m7x1c4f8h", clipName(q.Listing))
		}
	}
	digest := fmt.Sprintf("deals\x00%d\x00%s\x00%d\x00%s", q.Stage, q.Listing, p.Role, p.Org)
	before := ""
	if q.PageToken != "" {
		if before, err = m.pages.Decode(digest, q.PageToken); err != nil {
			return nil, "", invalid("page_token", "%v", err)
		}
	}
	type entry struct {
		id string
		d  *techmarketv1.Deal
	}
	var (
		all     []entry
		scanErr error
	)
	err = m.st.ScanAux(dealsBucket, "", func(id string, b []byte) bool {
		if err := ctx.Err(); err != nil {
			scanErr = err
			return false
		}
		if before != "" && id >= before {
			return false // ids sort by creation time; the rest is on earlier pages
		}
		d, err := decodeDeal(id, b)
		if err != nil {
			scanErr = err
			return false
		}
		switch {
		case !mayDeal(p, d):
		case q.Stage != techmarketv1.DealStage_DEAL_STAGE_UNSPECIFIED && d.GetStage() != q.Stage:
		case q.Listing != "" && d.GetOffer() != q.Listing && d.GetDemand() != q.Listing:
		default:
			all = append(all, entry{id, d})
		}
		return true
	})
	if err == nil {
		err = scanErr
	}
	if err != nil {
		return nil, "", storeErr(err)
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(b.id, a.id) })
	next := ""
	if len(all) > size {
		all = all[:size]
		next = m.pages.Encode(digest, all[size-1].id)
	}
	page := make([]*techmarketv1.Deal, len(all))
	for i, e := range all {
		page[i] = e.d
	}
	return page, next, nil
}

// MoveDeal moves a deal to another stage, by the rules of package deal,
// and records the step in its history.
func (m *Market) MoveDeal(ctx context.Context, p auth.Principal, req *techmarketv1.MoveDealRequest) (*techmarketv1.Deal, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	name := req.GetName()
	id, err := parseDealName("name", name)
	if err != nil {
		return nil, err
	}
	mv := deal.Move{
		To:             deal.Stage(req.GetStage()),
		Reason:         deal.CloseReason(req.GetCloseReason()),
		Note:           req.GetNote(),
		ContractType:   deal.ContractType(req.GetContractType()),
		AmountYuan:     req.GetAmountYuan(),
		ContractNumber: req.GetContractNumber(),
	}
	now := m.now()
	var d *techmarketv1.Deal
	err = m.st.Update(ctx, func(tx *store.Tx) error {
		d = nil
		b, err := tx.GetAux(dealsBucket, id)
		if errors.Is(err, store.ErrNotFound) {
			return dealUnseen(p, name)
		} else if err != nil {
			return err
		}
		cur, err := decodeDeal(id, b)
		if err != nil {
			return err
		}
		if !mayDeal(p, cur) {
			return dealUnseen(p, name)
		}
		if etag := req.GetEtag(); etag != "" && etag != cur.GetEtag() {
			return fmt.Errorf("%w: %s has changed since etag %s (now %s); get it again and redo the move", ErrConflict, name, etag, cur.GetEtag())
		}
		if err := moveErr(name, deal.ValidateMove(deal.Stage(cur.GetStage()), mv)); err != nil {
			return err
		}
		cur.Stage = req.GetStage()
		cur.UpdateTime = timestamppb.New(now)
		cur.Etag = nextEtag(cur.GetEtag())
		step := &techmarketv1.DealStep{Stage: req.GetStage(), Actor: p.Org, Time: timestamppb.New(now), Note: req.GetNote()}
		switch mv.To {
		case deal.StageContractSigned:
			cur.ContractType = req.GetContractType()
			cur.AmountYuan = req.GetAmountYuan()
		case deal.StageContractRegistered:
			cur.ContractNumber = req.GetContractNumber()
		case deal.StageClosed:
			cur.CloseReason = req.GetCloseReason()
			step.CloseReason = req.GetCloseReason()
		}
		cur.History = append(cur.History, step)
		if err := Audit(tx, now, p, "deals.move", dealName(id), dealStageWord(cur.GetStage())); err != nil {
			return err
		}
		if err := putDeal(tx, id, cur); err != nil {
			return err
		}
		if deal.Terminal(mv.To) {
			if err := releasePair(tx, cur, id); err != nil {
				return err
			}
		}
		d = cur
		return nil
	})
	if err != nil {
		return nil, dealErr(err)
	}
	return d, nil
}

// releasePair frees the pair of a deal that reached a final stage, so
// that a new deal may be opened on it.
func releasePair(tx *store.Tx, d *techmarketv1.Deal, id string) error {
	pair := strings.TrimPrefix(d.GetOffer(), "offers/") + "/" + strings.TrimPrefix(d.GetDemand(), "demands/")
	held, err := tx.GetAux(dealPairsBucket, pair)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if string(held) != id {
		return nil
	}
	return tx.DeleteAux(dealPairsBucket, pair)
}

// moveErr turns what deal.ValidateMove says into a domain error, naming
// the request's fields.
func moveErr(name string, err error) error {
	var fe *deal.FieldError
	var me *deal.MoveError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return invalid(moveField(fe.Field), "%s", fe.Reason)
	case errors.As(err, &me):
		return fmt.Errorf("%w: %s cannot move from %s to %s: %s", ErrFailedPrecondition, name, me.From, me.To, me.Reason)
	}
	return err
}

// moveField maps deal.FieldError's field names to MoveDealRequest's.
func moveField(f string) string {
	switch f {
	case "to":
		return "stage"
	case "reason":
		return "close_reason"
	}
	return f
}

// mayDeal reports whether p is a party to d or an operator.
func mayDeal(p auth.Principal, d *techmarketv1.Deal) bool {
	return p.IsOperator() || (!p.Anonymous() && (p.Org == d.GetOfferPoster() || p.Org == d.GetDemandPoster()))
}

// dealUnseen is the answer for a deal the caller cannot see: NotFound for
// operators, PermissionDenied for everyone else whether or not it exists.
func dealUnseen(p auth.Principal, name string) error {
	if p.IsOperator() {
		return fmt.Errorf("%w: there is no %s", ErrNotFound, name)
	}
	return fmt.Errorf("%w: %s does not exist or is not visible to you; only the parties and operators see a deal", ErrPermissionDenied, name)
}

func dealName(id string) string { return "deals/" + id }

// parseDealName reads `deals/{id}`.
func parseDealName(field, name string) (string, error) {
	id, ok := strings.CutPrefix(name, "deals/")
	if !ok || !validID(id) {
		return "", invalid(field, "%q is not a deal name; names look like deals/0k3v9q2m7x1c4f8h", clipName(name))
	}
	return id, nil
}

func checkNote(field, s string) error {
	switch {
	case !utf8.ValidString(s):
		return invalid(field, "is not valid UTF-8")
	case utf8.RuneCountInString(s) > deal.MaxNote:
		return invalid(field, "must be at most %d characters", deal.MaxNote)
	}
	return nil
}

// nextEtag returns the etag after etag: a revision counter, quoted.
func nextEtag(etag string) string {
	n, err := strconv.ParseUint(strings.Trim(etag, `"`), 36, 64)
	if err != nil {
		n = 0
	}
	return etagOf(n + 1)
}

func putDeal(tx *store.Tx, id string, d *techmarketv1.Deal) error {
	b, err := proto.Marshal(d)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", dealName(id), err)
	}
	return tx.PutAux(dealsBucket, id, b)
}

func decodeDeal(id string, b []byte) (*techmarketv1.Deal, error) {
	d := new(techmarketv1.Deal)
	if err := proto.Unmarshal(b, d); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", dealName(id), err)
	}
	return d, nil
}

// dealErr passes domain errors through and marks the rest as the store's.
func dealErr(err error) error {
	for _, domain := range []error{ErrInvalidArgument, ErrPermissionDenied, ErrNotFound, ErrAlreadyExists, ErrConflict, ErrFailedPrecondition, ErrUnauthenticated} {
		if errors.Is(err, domain) {
			return err
		}
	}
	return storeErr(err)
}

// dealStageWord is a stage in one lower-case word, for the audit log.
func dealStageWord(s techmarketv1.DealStage) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "DEAL_STAGE_"))
}
