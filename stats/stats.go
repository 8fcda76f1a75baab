// Package stats shows the city how the market performs: listings by
// industry, region and state, matches served, alerts raised, deals by
// stage, the funnel from listing to registered contract and the contract
// value, over a time range.
//
// Listings, deals and alerts are counted from the store, so those figures
// are exact. Matches served are counted in memory per hour and written to
// the store once a minute and on Close: a crash loses at most the last
// minute's count, a trade made so that serving a match never waits for a
// disk write.
package stats

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/deal"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/listing"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// bucketMatches holds matches served per hour: "2006-01-02T15" → count.
const bucketMatches = "stats-matches"

const hourKey = "2006-01-02T15"

// Stats counts and reports.
type Stats struct {
	st     *store.Store
	m      *market.Market
	alerts *alert.Alerter // nil: no alerts counted
	now    func() time.Time

	mu      sync.Mutex
	pending map[string]int64 // hour → matches not yet written
	events  func(ctx context.Context, from, to time.Time) (events, meetings int64, err error)

	stop chan struct{}
	done chan struct{}
}

// Start begins counting; Close writes what is pending.
func Start(st *store.Store, m *market.Market, alerts *alert.Alerter, now func() time.Time) *Stats {
	if now == nil {
		now = time.Now
	}
	s := &Stats{st: st, m: m, alerts: alerts, now: now, pending: map[string]int64{}, stop: make(chan struct{}), done: make(chan struct{})}
	go s.flushLoop()
	return s
}

// CountEvents gives the statistics the matchmaking events to count.
func (s *Stats) CountEvents(count func(ctx context.Context, from, to time.Time) (events, meetings int64, err error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = count
}

// Close stops and writes the pending counts.
func (s *Stats) Close() error {
	close(s.stop)
	<-s.done
	return s.flush(context.Background())
}

// MatchServed counts one match answer.
func (s *Stats) MatchServed() {
	if s == nil {
		return
	}
	h := s.now().UTC().Format(hourKey)
	s.mu.Lock()
	s.pending[h]++
	s.mu.Unlock()
}

func (s *Stats) flushLoop() {
	defer close(s.done)
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = s.flush(context.Background()) // retried at the next tick
		case <-s.stop:
			return
		}
	}
}

// flush adds the pending counts to the stored ones.
func (s *Stats) flush(ctx context.Context) error {
	s.mu.Lock()
	pending := s.pending
	s.pending = map[string]int64{}
	s.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		for h, n := range pending {
			old, err := storedCount(tx, h)
			if err != nil {
				return err
			}
			if err := tx.PutAux(bucketMatches, h, []byte(strconv.FormatInt(old+n, 10))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil { // keep them for the next try
		s.mu.Lock()
		for h, n := range pending {
			s.pending[h] += n
		}
		s.mu.Unlock()
	}
	return err
}

func storedCount(tx *store.Tx, hour string) (int64, error) {
	v, err := tx.GetAux(bucketMatches, hour)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return 0, nil
		}
		return 0, err
	}
	return strconv.ParseInt(string(v), 10, 64)
}

// Market computes the figures for [from, to); a zero time leaves that end
// open. Operators only.
func (s *Stats) Market(ctx context.Context, p auth.Principal, from, to time.Time) (*techmarketv1.GetMarketStatsResponse, error) {
	if !p.IsOperator() {
		return nil, fmt.Errorf("%w: market statistics are for operators", market.ErrPermissionDenied)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return nil, market.Invalid("end_time", "must be after start_time")
	}
	in := func(t time.Time) bool { return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to)) }
	out := new(techmarketv1.GetMarketStatsResponse)
	var err error
	if out.Offers, err = s.listings(store.KindOffer, in); err != nil {
		return nil, err
	}
	if out.Demands, err = s.listings(store.KindDemand, in); err != nil {
		return nil, err
	}
	if out.MatchesServed, err = s.matches(in); err != nil {
		return nil, err
	}
	if s.alerts != nil {
		if out.AlertsRaised, err = s.alerts.Raised(from, to); err != nil {
			return nil, err
		}
	}
	if err := s.deals(ctx, p, in, out); err != nil {
		return nil, err
	}
	s.mu.Lock()
	countEvents := s.events
	s.mu.Unlock()
	if countEvents != nil {
		if out.Events, out.MeetingsPlanned, err = countEvents(ctx, from, to); err != nil {
			return nil, err
		}
	}
	out.Funnel = append([]*techmarketv1.Count{
		{Key: "listings", Count: out.Offers.GetTotal() + out.Demands.GetTotal()},
		{Key: "matches_served", Count: out.MatchesServed},
	}, out.Funnel...)
	return out, nil
}

// listings counts the listings of one side created in range, by state now.
func (s *Stats) listings(kind store.Kind, in func(time.Time) bool) (*techmarketv1.ListingCounts, error) {
	byIndustry, byRegion, byState, byOrigin := map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}
	var total int64
	var decodeErr error
	now := s.now()
	err := s.st.Scan(kind, "", func(rec store.Record) bool {
		l, err := index.DecodeListing(rec)
		if err != nil {
			decodeErr = err
			return false
		}
		if !in(l.GetCreateTime().AsTime()) {
			return true
		}
		total++
		for _, code := range l.GetIndustries() {
			byIndustry[code]++
		}
		byRegion[interchange.RegionCode(l.GetRegion())]++
		byOrigin[index.Origin(l)]++
		state := l.GetState()
		if state == techmarketv1.ListingState_LISTING_STATE_PUBLISHED && !l.GetExpireTime().AsTime().After(now) {
			state = techmarketv1.ListingState_LISTING_STATE_EXPIRED
		}
		byState[listing.StateWord(state)]++
		return true
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return nil, err
	}
	return &techmarketv1.ListingCounts{Total: total, ByIndustry: counts(byIndustry), ByRegion: counts(byRegion), ByState: counts(byState), ByOrigin: counts(byOrigin)}, nil
}

// matches sums the stored and pending hourly counts in range.
func (s *Stats) matches(in func(time.Time) bool) (int64, error) {
	var n int64
	var parseErr error
	add := func(hour string, c int64) {
		if t, err := time.Parse(hourKey, hour); err == nil && in(t) {
			n += c
		}
	}
	err := s.st.ScanAux(bucketMatches, "", func(key string, value []byte) bool {
		c, err := strconv.ParseInt(string(value), 10, 64)
		if err != nil {
			parseErr = err
			return false
		}
		add(key, c)
		return true
	})
	if err == nil {
		err = parseErr
	}
	s.mu.Lock()
	for h, c := range s.pending {
		add(h, c)
	}
	s.mu.Unlock()
	return n, err
}

// deals counts the deals opened in range by stage now and their funnel,
// and the value of the contracts signed in range.
func (s *Stats) deals(ctx context.Context, p auth.Principal, in func(time.Time) bool, out *techmarketv1.GetMarketStatsResponse) error {
	byStage := map[string]int64{}
	var histories [][]deal.Stage
	q := market.DealQuery{PageSize: 100}
	for {
		page, next, err := s.m.ListDeals(ctx, p, q)
		if err != nil {
			return err
		}
		for _, d := range page {
			for _, step := range d.GetHistory() {
				if step.GetStage() == techmarketv1.DealStage_DEAL_STAGE_CONTRACT_SIGNED && in(step.GetTime().AsTime()) {
					out.ContractValueYuan += d.GetAmountYuan()
				}
			}
			if !in(d.GetCreateTime().AsTime()) {
				continue
			}
			byStage[dealWord(d.GetStage())]++
			var h []deal.Stage
			for _, step := range d.GetHistory() {
				h = append(h, deal.Stage(step.GetStage()))
			}
			histories = append(histories, h)
		}
		if next == "" {
			break
		}
		q.PageToken = next
	}
	out.DealsByStage = counts(byStage)
	f := deal.Funnel(histories)
	for _, st := range []deal.Stage{deal.StageContacted, deal.StageNegotiating, deal.StageMeeting, deal.StageContractSigned, deal.StageContractRegistered} {
		out.Funnel = append(out.Funnel, &techmarketv1.Count{Key: st.String(), Count: int64(f.Reached[st])})
	}
	return nil
}

func dealWord(s techmarketv1.DealStage) string { return deal.Stage(s).String() }

// counts sorts a tally by count, largest first, then by key.
func counts(m map[string]int64) []*techmarketv1.Count {
	out := make([]*techmarketv1.Count, 0, len(m))
	for k, n := range m {
		out = append(out, &techmarketv1.Count{Key: k, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}
