// Package matchmaking runs offline matchmaking events (对接会): operators
// create an event with time slots and tables, offers and demands are
// registered, and the agenda of one-to-one meetings is planned from the
// match scores with package agenda (the pairs with the highest total
// quality, nobody double-booked, a per-party limit, declined pairs never),
// exported for printing and calendars, and followed up: who came and how
// each meeting went.
package matchmaking

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/agenda"
	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/listing"
	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// Store namespaces.
const (
	bucketEvents  = "events"  // id → Event
	bucketAgendas = "agendas" // event id → Agenda
)

// Limits of an event.
const (
	MaxTitle           = 200
	MaxVenue           = 200
	MaxSlots           = 48
	MaxTables          = 500
	MaxRegistered      = 500 // per side
	MaxNote            = 2000
	DefaultMinQuality  = 0.3
	candidatesPerParty = match.MaxLimit
)

// Service runs events.
type Service struct {
	st  *store.Store
	m   *market.Market
	mt  *match.Matcher
	now func() time.Time
}

// New returns the events service over a market and its matcher.
func New(m *market.Market, mt *match.Matcher, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: m.Store(), m: m, mt: mt, now: now}
}

func invalid(field, format string, args ...any) error { return market.Invalid(field, format, args...) }

func mustOperate(p auth.Principal, what string) error {
	if !p.IsOperator() {
		return fmt.Errorf("%w: only operators %s", market.ErrPermissionDenied, what)
	}
	return nil
}

// Create stores a new event. Operators only.
func (s *Service) Create(ctx context.Context, p auth.Principal, in *techmarketv1.Event) (*techmarketv1.Event, error) {
	if err := mustOperate(p, "create events"); err != nil {
		return nil, err
	}
	if err := checkEvent(in); err != nil {
		return nil, err
	}
	now := s.now()
	ev := &techmarketv1.Event{
		Title: in.GetTitle(), Venue: in.GetVenue(), Slots: in.GetSlots(), Tables: in.GetTables(),
		MaxMeetingsPerParty: in.GetMaxMeetingsPerParty(), Organiser: p.Org, CreateTime: timestamppb.New(now),
	}
	// Time first, so ids sort by creation; random last, so two events
	// created in the same instant (a test clock) do not collide.
	id := strconv.FormatInt(now.UnixNano(), 36) + strconv.FormatUint(uint64(rand.Uint32()), 36)
	ev.Name = "events/" + id
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.GetAux(bucketEvents, id); err == nil {
			return fmt.Errorf("%w: %s exists; try again", market.ErrConflict, ev.Name)
		}
		if err := market.Audit(tx, now, p, "events.create", ev.Name, ev.GetTitle()); err != nil {
			return err
		}
		return putEvent(tx, id, ev)
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

func checkEvent(ev *techmarketv1.Event) error {
	text := func(field, s string, most int, required bool) error {
		switch n := utf8.RuneCountInString(s); {
		case !utf8.ValidString(s):
			return invalid(field, "not valid UTF-8")
		case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return invalid(field, "must not contain control characters")
		case required && strings.TrimSpace(s) == "":
			return invalid(field, "required")
		case n > most:
			return invalid(field, "%d characters, at most %d", n, most)
		}
		return nil
	}
	if err := text("event.title", ev.GetTitle(), MaxTitle, true); err != nil {
		return err
	}
	if err := text("event.venue", ev.GetVenue(), MaxVenue, false); err != nil {
		return err
	}
	slots := ev.GetSlots()
	if len(slots) == 0 || len(slots) > MaxSlots {
		return invalid("event.slots", "give 1 to %d time slots, got %d", MaxSlots, len(slots))
	}
	for i, sl := range slots {
		field := fmt.Sprintf("event.slots[%d]", i)
		if !sl.GetStartTime().IsValid() || !sl.GetEndTime().IsValid() {
			return invalid(field, "needs a start_time and an end_time")
		}
		if !sl.GetEndTime().AsTime().After(sl.GetStartTime().AsTime()) {
			return invalid(field+".end_time", "must be after start_time")
		}
		if i > 0 && sl.GetStartTime().AsTime().Before(slots[i-1].GetEndTime().AsTime()) {
			return invalid(field+".start_time", "slots must be in order and not overlap")
		}
	}
	if ev.GetTables() < 1 || ev.GetTables() > MaxTables {
		return invalid("event.tables", "1 to %d tables", MaxTables)
	}
	if ev.GetMaxMeetingsPerParty() < 0 {
		return invalid("event.max_meetings_per_party", "must not be negative (0 means one per slot)")
	}
	return nil
}

func putEvent(tx *store.Tx, id string, ev *techmarketv1.Event) error {
	rev, _ := strconv.Atoi(ev.GetEtag())
	ev.Etag = strconv.Itoa(rev + 1)
	b, err := proto.Marshal(ev)
	if err != nil {
		return err
	}
	return tx.PutAux(bucketEvents, id, b)
}

func parseName(field, name string) (string, error) {
	id, ok := strings.CutPrefix(name, "events/")
	if !ok || id == "" || len(id) > 32 || strings.ContainsFunc(id, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z') }) {
		return "", invalid(field, "want events/{event}, got %q", name)
	}
	return id, nil
}

func (s *Service) load(name, field string) (string, *techmarketv1.Event, error) {
	id, err := parseName(field, name)
	if err != nil {
		return "", nil, err
	}
	b, err := s.st.GetAux(bucketEvents, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, fmt.Errorf("%w: there is no %s", market.ErrNotFound, name)
	} else if err != nil {
		return "", nil, err
	}
	ev := new(techmarketv1.Event)
	return id, ev, proto.Unmarshal(b, ev)
}

// Get returns an event; events are public.
func (s *Service) Get(_ context.Context, name string) (*techmarketv1.Event, error) {
	_, ev, err := s.load(name, "name")
	return ev, err
}

// Page sizes of List.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// List returns a page of events, soonest first (by first slot, then name),
// and the token of the next page ("" on the last). Events are public, so
// the token is bound to nothing but the collection.
func (s *Service) List(ctx context.Context, pageSize int32, pageToken string) ([]*techmarketv1.Event, string, error) {
	size, err := market.Limit("page_size", pageSize, DefaultPageSize, MaxPageSize)
	if err != nil {
		return nil, "", err
	}
	const digest = "events"
	after := ""
	if pageToken != "" {
		if after, err = s.m.PageTokens().Decode(digest, pageToken); err != nil {
			return nil, "", invalid("page_token", "%v", err)
		}
	}
	all, err := s.all(ctx)
	if err != nil {
		return nil, "", err
	}
	first, _ := slices.BinarySearchFunc(all, after, func(ev *techmarketv1.Event, key string) int { return strings.Compare(sortKey(ev), key) })
	if after != "" && first < len(all) && sortKey(all[first]) == after {
		first++
	}
	page := all[first:]
	next := ""
	if len(page) > size {
		page = page[:size]
		next = s.m.PageTokens().Encode(digest, sortKey(page[size-1]))
	}
	return page, next, nil
}

// sortKey orders events by their first slot, then by name; it sorts as a
// string, the first slot's start written at a fixed width.
func sortKey(ev *techmarketv1.Event) string {
	return ev.GetSlots()[0].GetStartTime().AsTime().UTC().Format("20060102T150405.000000000") + "/" + ev.GetName()
}

// all returns every event, soonest first.
func (s *Service) all(ctx context.Context) ([]*techmarketv1.Event, error) {
	var out []*techmarketv1.Event
	var decodeErr error
	err := s.st.ScanAux(bucketEvents, "", func(_ string, v []byte) bool {
		ev := new(techmarketv1.Event)
		if decodeErr = proto.Unmarshal(v, ev); decodeErr != nil {
			return false
		}
		out = append(out, ev)
		if decodeErr = ctx.Err(); decodeErr != nil {
			return false
		}
		return true
	})
	if err == nil {
		err = decodeErr
	}
	slices.SortFunc(out, func(a, b *techmarketv1.Event) int { return strings.Compare(sortKey(a), sortKey(b)) })
	return out, err
}

// errUnchanged, returned by a change's apply, means there is nothing to
// write: the event, etag included, stays as it is.
var errUnchanged = errors.New("unchanged")

// change runs one read-modify-write of an event, recorded in the audit
// log as action by p with detail.
func (s *Service) change(ctx context.Context, p auth.Principal, name, field, action, detail string, apply func(ev *techmarketv1.Event) error) (*techmarketv1.Event, error) {
	id, err := parseName(field, name)
	if err != nil {
		return nil, err
	}
	var ev *techmarketv1.Event
	err = s.st.Update(ctx, func(tx *store.Tx) error {
		b, err := tx.GetAux(bucketEvents, id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: there is no %s", market.ErrNotFound, name)
		} else if err != nil {
			return err
		}
		ev = new(techmarketv1.Event)
		if err := proto.Unmarshal(b, ev); err != nil {
			return err
		}
		if err := apply(ev); err != nil {
			return err
		}
		if err := market.Audit(tx, s.now(), p, action, ev.GetName(), detail); err != nil {
			return err
		}
		return putEvent(tx, id, ev)
	})
	if errors.Is(err, errUnchanged) {
		err = nil
	}
	return ev, err
}

// listing reads a published listing p may see, by name.
func (s *Service) listing(ctx context.Context, p auth.Principal, field, name string) (listing.Listing, error) {
	var (
		l   listing.Listing
		err error
	)
	switch {
	case strings.HasPrefix(name, "offers/"):
		l, err = s.m.Offers.Get(ctx, p, name)
	case strings.HasPrefix(name, "demands/"):
		l, err = s.m.Demands.Get(ctx, p, name)
	default:
		return nil, invalid(field, "want offers/{offer} or demands/{demand}, got %q", name)
	}
	if err != nil {
		return nil, err
	}
	if l.GetState() != techmarketv1.ListingState_LISTING_STATE_PUBLISHED {
		return nil, fmt.Errorf("%w: %s is %s; only published listings take part in events", market.ErrFailedPrecondition, name, listing.StateWord(l.GetState()))
	}
	return l, nil
}

// Register adds a published listing to an event: its poster or an
// operator. Registering twice changes nothing.
func (s *Service) Register(ctx context.Context, p auth.Principal, event, name string) (*techmarketv1.Event, error) {
	if _, _, err := s.load(event, "event"); err != nil {
		return nil, err
	}
	l, err := s.listing(ctx, p, "listing", name)
	if err != nil {
		return nil, err
	}
	if !p.IsOperator() && l.GetPoster() != p.Org {
		return nil, fmt.Errorf("%w: only %s or an operator may register %s", market.ErrPermissionDenied, l.GetPoster(), name)
	}
	return s.change(ctx, p, event, "event", "events.register", name, func(ev *techmarketv1.Event) error {
		list := &ev.Offers
		if strings.HasPrefix(name, "demands/") {
			list = &ev.Demands
		}
		if slices.Contains(*list, name) {
			return errUnchanged
		}
		if len(*list) >= MaxRegistered {
			return fmt.Errorf("%w: %s has %d listings of that side registered, the most", market.ErrFailedPrecondition, event, MaxRegistered)
		}
		*list = append(*list, name)
		return nil
	})
}

// Decline records that a pair will not meet: an owner of either listing,
// or an operator.
func (s *Service) Decline(ctx context.Context, p auth.Principal, event string, pair *techmarketv1.MeetingPair) (*techmarketv1.Event, error) {
	if p.Anonymous() {
		return nil, fmt.Errorf("%w: sign in to decline a meeting", market.ErrUnauthenticated)
	}
	_, ev, err := s.load(event, "event")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(ev.GetOffers(), pair.GetOffer()) {
		return nil, invalid("pair.offer", "%q is not registered for %s", pair.GetOffer(), event)
	}
	if !slices.Contains(ev.GetDemands(), pair.GetDemand()) {
		return nil, invalid("pair.demand", "%q is not registered for %s", pair.GetDemand(), event)
	}
	if !p.IsOperator() {
		o, err := s.m.Offers.Get(ctx, p, pair.GetOffer())
		if err != nil {
			return nil, err
		}
		d, err := s.m.Demands.Get(ctx, p, pair.GetDemand())
		if err != nil {
			return nil, err
		}
		if o.GetPoster() != p.Org && d.GetPoster() != p.Org {
			return nil, fmt.Errorf("%w: only the two parties or an operator may decline a meeting", market.ErrPermissionDenied)
		}
	}
	return s.change(ctx, p, event, "event", "events.decline", pair.GetOffer()+" ↔ "+pair.GetDemand(), func(ev *techmarketv1.Event) error {
		for _, d := range ev.GetDeclined() {
			if d.GetOffer() == pair.GetOffer() && d.GetDemand() == pair.GetDemand() {
				return errUnchanged
			}
		}
		ev.Declined = append(ev.Declined, &techmarketv1.MeetingPair{Offer: pair.GetOffer(), Demand: pair.GetDemand()})
		return nil
	})
}

// Plan plans the agenda from the match scores of the registered pairs and
// replaces any earlier one. Operators only.
func (s *Service) Plan(ctx context.Context, p auth.Principal, event string, minQuality float64) (*techmarketv1.Agenda, error) {
	if err := mustOperate(p, "plan agendas"); err != nil {
		return nil, err
	}
	if minQuality < 0 || minQuality > 1 {
		return nil, invalid("min_quality", "between 0 and 1")
	}
	if minQuality == 0 {
		minQuality = DefaultMinQuality
	}
	id, ev, err := s.load(event, "event")
	if err != nil {
		return nil, err
	}
	offers := map[string]bool{}
	for _, o := range ev.GetOffers() {
		offers[o] = true
	}
	titles := map[string]string{}
	var candidates []agenda.Candidate
	for _, name := range ev.GetDemands() {
		d, err := s.m.Demands.Get(ctx, p, name)
		if err != nil {
			return nil, err
		}
		titles[name] = d.GetTitle()
		results, err := s.mt.Match(ctx, d, candidatesPerParty, match.Filters{})
		if err != nil {
			return nil, err
		}
		for _, r := range results {
			oname := r.Listing.GetName()
			if offers[oname] && r.Score >= minQuality {
				titles[oname] = r.Listing.GetTitle()
				candidates = append(candidates, agenda.Candidate{Pair: agenda.Pair{Offer: oname, Demand: name}, Quality: min(r.Score, 1)})
			}
		}
	}
	prob := problem(ev, candidates)
	plan, err := agenda.Solve(ctx, prob)
	if err != nil {
		return nil, err
	}
	greedy := agenda.Greedy(prob)
	ag := &techmarketv1.Agenda{Event: ev.GetName(), TotalQuality: plan.TotalQuality, GreedyQuality: greedy.TotalQuality, PlanTime: timestamppb.New(s.now())}
	for _, m := range plan.Meetings {
		ag.Meetings = append(ag.Meetings, &techmarketv1.Meeting{
			Slot: int32(m.Slot + 1), Table: int32(m.Table + 1),
			Pair:       &techmarketv1.MeetingPair{Offer: m.Offer, Demand: m.Demand},
			OfferTitle: titles[m.Offer], DemandTitle: titles[m.Demand], Quality: m.Quality,
		})
	}
	err = s.st.Update(ctx, func(tx *store.Tx) error {
		b, err := proto.Marshal(ag)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("%d meetings, quality %.2f", len(ag.GetMeetings()), ag.GetTotalQuality())
		if err := market.Audit(tx, s.now(), p, "events.plan", ev.GetName(), detail); err != nil {
			return err
		}
		return tx.PutAux(bucketAgendas, id, b)
	})
	return ag, err
}

func problem(ev *techmarketv1.Event, candidates []agenda.Candidate) agenda.Problem {
	prob := agenda.Problem{Tables: int(ev.GetTables()), MaxMeetingsPerParty: int(ev.GetMaxMeetingsPerParty()), Candidates: candidates}
	for _, sl := range ev.GetSlots() {
		prob.Slots = append(prob.Slots, agenda.Slot{Start: sl.GetStartTime().AsTime(), End: sl.GetEndTime().AsTime()})
	}
	if prob.MaxMeetingsPerParty == 0 {
		prob.MaxMeetingsPerParty = len(prob.Slots)
	}
	for _, d := range ev.GetDeclined() {
		prob.Declined = append(prob.Declined, agenda.Pair{Offer: d.GetOffer(), Demand: d.GetDemand()})
	}
	return prob
}

// Agenda returns the planned agenda of an event.
func (s *Service) Agenda(_ context.Context, event string) (*techmarketv1.Agenda, error) {
	id, _, err := s.load(event, "event")
	if err != nil {
		return nil, err
	}
	b, err := s.st.GetAux(bucketAgendas, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s has no agenda yet; an operator plans it with PlanAgenda", market.ErrFailedPrecondition, event)
	} else if err != nil {
		return nil, err
	}
	ag := new(techmarketv1.Agenda)
	return ag, proto.Unmarshal(b, ag)
}

// Export renders the agenda as CSV or iCalendar.
func (s *Service) Export(ctx context.Context, event string, format techmarketv1.AgendaFormat) (*techmarketv1.ExportAgendaResponse, error) {
	if format != techmarketv1.AgendaFormat_AGENDA_FORMAT_CSV && format != techmarketv1.AgendaFormat_AGENDA_FORMAT_ICALENDAR {
		return nil, invalid("format", "csv or icalendar")
	}
	id, ev, err := s.load(event, "event")
	if err != nil {
		return nil, err
	}
	ag, err := s.Agenda(ctx, event)
	if err != nil {
		return nil, err
	}
	prob := problem(ev, nil)
	plan := agenda.Plan{TotalQuality: ag.GetTotalQuality()}
	parties := map[string]agenda.Party{}
	for _, m := range ag.GetMeetings() {
		plan.Meetings = append(plan.Meetings, agenda.Meeting{Slot: int(m.GetSlot() - 1), Table: int(m.GetTable() - 1),
			Pair: agenda.Pair{Offer: m.GetPair().GetOffer(), Demand: m.GetPair().GetDemand()}, Quality: m.GetQuality()})
		parties[m.GetPair().GetOffer()] = agenda.Party{ID: m.GetPair().GetOffer(), Title: m.GetOfferTitle()}
		parties[m.GetPair().GetDemand()] = agenda.Party{ID: m.GetPair().GetDemand(), Title: m.GetDemandTitle()}
	}
	info := agenda.Event{Title: ev.GetTitle(), Venue: ev.GetVenue(), Location: listing.ChinaTime, UID: id}
	var buf bytes.Buffer
	out := &techmarketv1.ExportAgendaResponse{}
	if format == techmarketv1.AgendaFormat_AGENDA_FORMAT_CSV {
		err = agenda.WriteCSV(&buf, info, plan, prob.Slots, parties)
		out.ContentType, out.FileName = "text/csv; charset=utf-8", id+"-agenda.csv"
	} else {
		err = agenda.WriteICalendar(&buf, info, plan, prob.Slots, parties, s.now())
		out.ContentType, out.FileName = "text/calendar; charset=utf-8", id+"-agenda.ics"
	}
	out.Content = buf.Bytes()
	return out, err
}

// Attend records which registered listings' people came. Operators only.
func (s *Service) Attend(ctx context.Context, p auth.Principal, event string, attended []string) (*techmarketv1.Event, error) {
	if err := mustOperate(p, "record attendance"); err != nil {
		return nil, err
	}
	return s.change(ctx, p, event, "event", "events.attend", fmt.Sprintf("%d listings attended", len(attended)), func(ev *techmarketv1.Event) error {
		for i, name := range attended {
			if !slices.Contains(ev.GetOffers(), name) && !slices.Contains(ev.GetDemands(), name) {
				return invalid(fmt.Sprintf("attended[%d]", i), "%q is not registered for %s", name, event)
			}
		}
		ev.Attended = slices.Compact(slices.Sorted(slices.Values(attended)))
		return nil
	})
}

// Outcome records how a planned meeting went. Operators only.
func (s *Service) Outcome(ctx context.Context, p auth.Principal, event string, pair *techmarketv1.MeetingPair, outcome techmarketv1.MeetingOutcome, note string) (*techmarketv1.Agenda, error) {
	if err := mustOperate(p, "record meeting outcomes"); err != nil {
		return nil, err
	}
	if _, ok := techmarketv1.MeetingOutcome_name[int32(outcome)]; !ok || outcome == techmarketv1.MeetingOutcome_MEETING_OUTCOME_UNSPECIFIED {
		return nil, invalid("outcome", "follow_up, deal_opened, no_fit or no_show")
	}
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > MaxNote {
		return nil, invalid("note", "valid UTF-8, at most %d characters", MaxNote)
	}
	id, _, err := s.load(event, "event")
	if err != nil {
		return nil, err
	}
	var ag *techmarketv1.Agenda
	err = s.st.Update(ctx, func(tx *store.Tx) error {
		b, err := tx.GetAux(bucketAgendas, id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: %s has no agenda yet", market.ErrFailedPrecondition, event)
		} else if err != nil {
			return err
		}
		ag = new(techmarketv1.Agenda)
		if err := proto.Unmarshal(b, ag); err != nil {
			return err
		}
		i := slices.IndexFunc(ag.GetMeetings(), func(m *techmarketv1.Meeting) bool { return proto.Equal(m.GetPair(), pair) })
		if i < 0 {
			return fmt.Errorf("%w: %s ↔ %s has no meeting in the agenda of %s", market.ErrNotFound, pair.GetOffer(), pair.GetDemand(), event)
		}
		ag.Meetings[i].Outcome, ag.Meetings[i].Note = outcome, note
		if b, err = proto.Marshal(ag); err != nil {
			return err
		}
		detail := pair.GetOffer() + " ↔ " + pair.GetDemand() + ": " + strings.ToLower(strings.TrimPrefix(outcome.String(), "MEETING_OUTCOME_"))
		if err := market.Audit(tx, s.now(), p, "events.outcome", event, detail); err != nil {
			return err
		}
		return tx.PutAux(bucketAgendas, id, b)
	})
	return ag, err
}

// Counts are the events whose first slot falls in [from, to) and the
// meetings planned at them, for the market statistics.
func (s *Service) Counts(ctx context.Context, from, to time.Time) (events, meetings int64, err error) {
	all, err := s.all(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, ev := range all {
		t := ev.GetSlots()[0].GetStartTime().AsTime()
		if (!from.IsZero() && t.Before(from)) || (!to.IsZero() && !t.Before(to)) {
			continue
		}
		events++
		if ag, err := s.Agenda(ctx, ev.GetName()); err == nil {
			meetings += int64(len(ag.GetMeetings()))
		}
	}
	return events, meetings, nil
}
