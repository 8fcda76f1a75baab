// Package alert tells owners when a listing that fits theirs appears.
//
// The Alerter follows the store's change log, like the index does, one
// step behind it: when a listing is published or changed, and the index
// holds the change, the listing is matched against the other side (a
// reverse match, match.Matcher.Reverse) to find the listings it may fit.
// Each of those is then matched forward, as its owner would match it, and
// its owner is alerted only if the new listing stands among its best few
// matches, breaks none of its hard constraints and covers enough of what
// it asks (see fits): the reverse match alone scores a pair against the
// other candidates of the new listing, so the best of poor candidates
// scored as high as a true fit. Alerts, the pairs already alerted and
// the Alerter's place in the change log are written in one store
// transaction, so a crash at any point neither loses an alert nor raises
// one twice: each pair is alerted once, ever.
//
// Owners choose per listing (AlertSettings) how many of the best matches
// alert, the lowest score, and whether alerts come at once, as a daily
// digest (SendDigests) or not at all.
//
// Alerts are kept per organisation in the order they were raised; a
// watcher reads those after its cursor and then waits for more, so a
// client that was away resumes where it stopped.
package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/listing"
	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// Store namespaces.
const (
	bucketAlerts = "alerts"      // org \x00 cursor → Alert
	bucketPairs  = "alert-pairs" // offer id \x00 demand id → cursor of its alert, or "digest"
	bucketState  = "alert-state" // "cursor": last alert; "followed": last change handled
	// kind id \x00 expire time → cursor of the reminder
	bucketReminded = "alert-reminded"
)

// ReminderLead is how long before a listing expires its owner is reminded.
const ReminderLead = 14 * 24 * time.Hour

// Defaults of Options: the rule that techmarket-eval --alerts chose on
// every fold of the development set with its background offers, for the
// most recall at a precision of 0.85 (docs/alerts.md has the figures,
// held out by topic).
const (
	DefaultTopN        = 2
	DefaultCallerTopN  = 1
	DefaultMinScore    = 0.775
	DefaultMinCoverage = 0.075
)

// MaxTopN is the most an owner may widen an alert to: past the first
// page of matches a listing is no news.
const MaxTopN = 10

// Options tune an Alerter.
type Options struct {
	// TopN is how many of a listing's best matches alert its owner, for
	// listings whose owner did not choose; 0 means DefaultTopN.
	TopN int
	// MinScore is the lowest match score worth an alert, for listings
	// whose owner did not choose; 0 means DefaultMinScore, negative none.
	MinScore float64
	// MinCoverage is the lowest text coverage (match.Result.Coverage) of
	// an alert: the share of what the owner's listing asks that the new
	// one answers. 0 means DefaultMinCoverage, negative none.
	MinCoverage float64
	// CallerTopN is how many of a new listing's own best matches may be
	// alerted of it, at most MaxTopN: a fit goes both ways. 0 means
	// DefaultCallerTopN.
	CallerTopN int
	// RemindEvery is how often expiry reminders and due digests are swept,
	// the first time at Start; 0 means hourly, negative never (call
	// RemindExpiring and SendDigests).
	RemindEvery time.Duration
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Leading, when set, reports whether this node of a cluster leads.
	// Only the leader raises alerts (through the log, once per pair for
	// the whole cluster); the others serve the alerts replicated to them
	// (call Poke when their store changed). Nil: the alerter always
	// raises, as a server running alone does.
	Leading func() bool
	// LeadingChanged returns a channel closed when Leading next changes;
	// needed with Leading.
	LeadingChanged func() <-chan struct{}
}

// Alerter raises alerts and serves them to watchers.
type Alerter struct {
	st   *store.Store
	idx  *index.Index
	mt   *match.Matcher
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	raised   chan struct{} // closed and replaced whenever alerts are raised
	last     uint64        // cursor of the newest alert
	moved    chan struct{} // closed and replaced whenever followed moves
	followed atomic.Uint64 // the last change handled, for Followed
	poke     chan struct{} // the store changed under a standby alerter (Poke)

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Start opens the alerter over a store, its index and a matcher, and
// starts following the change log. A market that never had an alerter
// starts from its newest change: listings published before are not news.
func Start(st *store.Store, idx *index.Index, mt *match.Matcher, opts Options) (*Alerter, error) {
	if opts.TopN <= 0 {
		opts.TopN = DefaultTopN
	}
	opts.TopN = min(opts.TopN, MaxTopN)
	if opts.MinScore == 0 {
		opts.MinScore = DefaultMinScore
	}
	if opts.MinCoverage == 0 {
		opts.MinCoverage = DefaultMinCoverage
	}
	if opts.CallerTopN <= 0 {
		opts.CallerTopN = DefaultCallerTopN
	}
	opts.CallerTopN = min(opts.CallerTopN, MaxTopN)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &Alerter{st: st, idx: idx, mt: mt, opts: opts, log: opts.Logger, raised: make(chan struct{}), moved: make(chan struct{}), poke: make(chan struct{}, 1)}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	followed, err := a.state("followed")
	if errors.Is(err, store.ErrNotFound) {
		if followed, err = st.LastSeq(); err == nil {
			err = st.Update(context.Background(), func(tx *store.Tx) error {
				return tx.PutAux(bucketState, "followed", seqBytes(followed))
			})
		}
		if errors.Is(err, store.ErrNotLeader) {
			err = nil // a follower: the leader records where alerts start
		}
	}
	if err != nil {
		return nil, fmt.Errorf("alert: reading where the alerter stopped: %w", err)
	}
	if a.last, err = a.state("cursor"); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("alert: reading the last alert: %w", err)
	}
	a.followed.Store(followed)
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	a.wg.Add(1)
	go a.follow(ctx, followed)
	if opts.RemindEvery == 0 {
		opts.RemindEvery = time.Hour
	}
	if opts.RemindEvery > 0 {
		a.wg.Add(1)
		go a.remindEvery(ctx, opts.RemindEvery)
	}
	return a, nil
}

// Followed is the last store change the alerter has handled; the store's
// last sequence minus it is the alert backlog.
func (a *Alerter) Followed() uint64 { return a.followed.Load() }

// WaitFollowed returns once the alerter has handled every change up to
// seq, or with ctx's error when ctx ends first.
func (a *Alerter) WaitFollowed(ctx context.Context, seq uint64) error {
	for {
		a.mu.Lock()
		moved := a.moved
		a.mu.Unlock()
		if a.followed.Load() >= seq {
			return nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// setFollowed records that every change up to seq has been handled.
func (a *Alerter) setFollowed(seq uint64) {
	a.followed.Store(seq)
	a.mu.Lock()
	close(a.moved)
	a.moved = make(chan struct{})
	a.mu.Unlock()
}

// Poke tells a standby alerter (a cluster's follower) that its store
// changed: alerts the leader raised may have arrived, for its watchers.
func (a *Alerter) Poke() {
	select {
	case a.poke <- struct{}{}:
	default:
	}
}

func (a *Alerter) leading() bool { return a.opts.Leading == nil || a.opts.Leading() }

// leadingChanged is closed when leadership next changes; never, alone.
func (a *Alerter) leadingChanged() <-chan struct{} {
	if a.opts.LeadingChanged == nil {
		return nil
	}
	return a.opts.LeadingChanged()
}

// standby serves a follower's watchers: it takes the leader's progress
// from the store, wakes the watchers when alerts arrived, and waits for
// the store or the leadership to change. It returns the stored followed.
func (a *Alerter) standby(ctx context.Context, followed uint64) uint64 {
	changed := a.leadingChanged()
	if a.leading() {
		return followed
	}
	if stored, err := a.state("followed"); err == nil && stored > followed {
		followed = stored
		a.setFollowed(followed)
	}
	if cursor, err := a.state("cursor"); err == nil {
		a.mu.Lock()
		last := a.last
		a.mu.Unlock()
		if cursor > last {
			if err := a.announce(); err != nil {
				a.log.Warn("alerts: reading the replicated alerts", "err", err)
			}
		}
	}
	select {
	case <-ctx.Done():
	case <-changed:
	case <-a.poke:
	}
	return followed
}

// Close stops following and waits for the follower to end.
func (a *Alerter) Close() {
	a.cancel()
	a.wg.Wait()
}

// remindEvery runs RemindExpiring and SendDigests now and every d.
func (a *Alerter) remindEvery(ctx context.Context, d time.Duration) {
	defer a.wg.Done()
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		if a.leading() { // a follower's sweep would be refused: the leader's writes
			if _, err := a.RemindExpiring(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("expiry reminders failed; retrying at the next sweep", "err", err)
			}
			if _, err := a.SendDigests(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("daily digests failed; retrying at the next sweep", "err", err)
			}
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

func (a *Alerter) state(key string) (uint64, error) {
	v, err := a.st.GetAux(bucketState, key)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(string(v), 10, 64)
}

// follow handles each change once the index holds it.
func (a *Alerter) follow(ctx context.Context, followed uint64) {
	defer a.wg.Done()
	for {
		if !a.leading() {
			if followed = a.standby(ctx, followed); ctx.Err() != nil {
				return
			}
			continue
		}
		if a.opts.Leading != nil {
			// A new leader goes on from where the last one stopped.
			if stored, err := a.state("followed"); err == nil && stored > followed {
				followed = stored
				a.setFollowed(followed)
			}
		}
		// Blocks until a change after followed is indexed, or this node
		// stops leading.
		if err := a.waitIndexed(ctx, followed+1); err != nil {
			if ctx.Err() != nil {
				return
			}
			if !a.leading() {
				continue
			}
			a.log.Warn("alerts wait for the index", "err", err)
			if !pause(ctx, time.Second) {
				return
			}
			continue
		}
		changes, err := a.st.Changes(followed, groupChanges)
		if err == nil {
			applied := a.idx.Applied()
			n := 0
			for n < len(changes) && changes[n].Seq <= applied {
				n++
			}
			var done uint64
			done, err = a.handle(ctx, changes[:n])
			if done > followed {
				followed = done
				a.setFollowed(followed)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			a.log.Error("raising alerts failed; retrying", "err", err)
			if !pause(ctx, time.Second) {
				return
			}
		}
	}
}

// waitIndexed waits until the index holds seq, or leadership changes.
func (a *Alerter) waitIndexed(ctx context.Context, seq uint64) error {
	changed := a.leadingChanged()
	if changed == nil {
		return a.idx.WaitFor(ctx, seq)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-changed:
			cancel()
		case <-wctx.Done():
		}
	}()
	return a.idx.WaitFor(wctx, seq)
}

// A group of changes is matched first and its alerts written in one
// transaction: one fsync per group rather than per change, which a bulk
// import of thousands of listings would otherwise pay. The group ends
// after groupChanges changes or groupTime of matching, whichever comes
// first, so the first alert of a group waits little.
const (
	groupChanges = 100
	groupTime    = 250 * time.Millisecond
)

// writeQuiet is how long after the index last applied changes the
// alerter still counts writers as busy (see matchGroup).
const writeQuiet = time.Second

// pause waits d unless ctx ends first; it reports whether to go on.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// reverse is one change and the listings it fits.
type reverse struct {
	c    store.Change
	src  listing.Listing
	fits []fit
}

// handle raises the alerts of a group of changes and records the last one
// handled as followed, in one transaction; it returns the sequence
// followed through.
func (a *Alerter) handle(ctx context.Context, changes []store.Change) (uint64, error) {
	group, err := a.matchGroup(ctx, changes)
	if len(group) == 0 {
		return 0, err // nil when there was nothing to handle
	}
	var raised bool
	err = a.st.Update(ctx, func(tx *store.Tx) error {
		raised = false
		cursor, err := txState(tx, "cursor")
		if err != nil {
			return err
		}
		for _, r := range group {
			n, err := raise(tx, r, cursor, a.opts.Now())
			if err != nil {
				return err
			}
			cursor += n
			raised = raised || n > 0
		}
		if err := tx.PutAux(bucketState, "cursor", seqBytes(cursor)); err != nil {
			return err
		}
		return tx.PutAux(bucketState, "followed", seqBytes(group[len(group)-1].c.Seq))
	})
	if err != nil {
		return 0, err
	}
	if raised {
		if err := a.announce(); err != nil {
			return 0, err
		}
	}
	return group[len(group)-1].c.Seq, nil
}

// matchGroup matches changes in order, as many at once as there are
// cores, and starts no new one after groupTime; it returns the leading run
// of changes matched, and the error of the first that failed, if any
// failed before any was matched (those after a failure come again with
// the next group).
//
// Why at once: a reverse match is read-only and mostly CPU (analysis and
// scoring), and after a bulk import the alerter alone has thousands to
// catch up with while the other cores idle. But while writes are still
// coming in (a bulk import streaming) it matches one change at a time:
// the import has a user waiting on it, and alerts can come a little
// later.
func (a *Alerter) matchGroup(ctx context.Context, changes []store.Change) ([]reverse, error) {
	begin := time.Now()
	workers := runtime.GOMAXPROCS(0)
	if a.idx.WrittenWithin(writeQuiet) {
		workers = 1
	}
	group := make([]reverse, len(changes))
	errs := make([]error, len(changes))
	// Workers take changes in order, so those taken are always a leading
	// run; the first is taken at once, so a group is never empty.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(changes)) {
		wg.Go(func() {
			for next.Load() == 0 || time.Since(begin) <= groupTime {
				i := int(next.Add(1)) - 1
				if i >= len(changes) {
					return
				}
				group[i], errs[i] = a.match(ctx, changes[i])
			}
		})
	}
	wg.Wait()
	taken := min(int(next.Load()), len(changes))
	for i, err := range errs[:taken] {
		if err != nil {
			if i == 0 {
				return nil, err
			}
			return group[:i], nil
		}
	}
	return group[:taken], nil
}

// match finds the listings a change's listing fits: none when it was
// deleted, is not published or has expired.
//
// The alerter may run behind the index (a bulk import, a restart), and
// the index then already holds listings written after the change. Those
// are left to their own, later turn, as if the alerter had kept up: when
// a demand and then an offer that fits it arrive, the offer is the news
// and the demand's owner is the one to tell. Matched from the demand's
// turn, the pair would go to the offer's owner instead, and since a pair
// is alerted once, the demand's owner would never hear of it. For the
// same reason a change whose listing has been written again since is
// skipped: the later change matches the version that stands, and the
// reverse match and the forward matches of fits see the market as it
// stood at the change.
//
// Revisions tell "written after", which is "appeared after" unless both
// listings of a pair were written during the lag and the older one again
// after the newer; the pair then goes to the newer one's owner.
func (a *Alerter) match(ctx context.Context, c store.Change) (reverse, error) {
	r := reverse{c: c}
	if c.Deleted {
		return r, nil
	}
	rec, err := a.st.Get(c.Kind, c.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && rec.Revision > c.Seq) {
		return r, nil
	} else if err != nil {
		return r, err
	}
	if r.src, err = index.DecodeListing(rec); err != nil {
		return r, err
	}
	if r.src.GetState() != techmarketv1.ListingState_LISTING_STATE_PUBLISHED || !r.src.GetExpireTime().AsTime().After(a.opts.Now()) {
		return r, nil
	}
	// Only the first CallerTopN of the new listing's own matches are
	// proposed: a fit goes both ways, and the owners of listings further
	// down its list were mostly told of a near miss. They are ranked as
	// the poster of the new listing sees them (see fits on the limit).
	candidates, err := a.mt.Reverse(ctx, r.src, max(a.opts.CallerTopN, match.DefaultLimit), match.Filters{WrittenBy: c.Seq})
	if err != nil {
		return r, err
	}
	for ri, cand := range candidates[:min(a.opts.CallerTopN, len(candidates))] {
		if cand.Listing.GetPoster() == r.src.GetPoster() {
			continue // nobody needs telling about their own listing
		}
		if cand.Listing.GetLinkedFrom() != nil {
			continue // its owner is another market's user: that market tells them
		}
		f, ok, err := a.fits(ctx, cand.Listing, r.src, c.Seq, ri+1)
		if err != nil {
			return r, err
		}
		if ok {
			r.fits = append(r.fits, f)
		}
	}
	return r, nil
}

// raise writes the alerts of one change after cursor, at most one per
// pair ever, and returns how many it wrote; a pair for a listing whose
// owner takes a daily digest waits for it (SendDigests) instead.
func raise(tx *store.Tx, r reverse, cursor uint64, now time.Time) (uint64, error) {
	var n uint64
	src := r.src
	for _, f := range r.fits {
		pair := pairKey(src, f.owner)
		if _, err := tx.GetAux(bucketPairs, pair); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return 0, err
		}
		al := &techmarketv1.Alert{
			Listing:    f.owner.GetName(),
			Match:      f.result.Proto(), // the new listing, as the owner's own match ranks it
			CreateTime: timestamppb.New(now),
			Kind:       techmarketv1.AlertKind_ALERT_KIND_MATCH,
			Rank:       int32(f.rank),
			CallerRank: int32(f.callerRank),
			Message: fmt.Sprintf("%s（%s）fits your %s: #%d of its matches, score %.2f",
				src.GetName(), src.GetTitle(), f.owner.GetName(), f.rank, f.result.Score),
		}
		if f.delivery == techmarketv1.AlertDelivery_ALERT_DELIVERY_DAILY_DIGEST {
			if err := holdForDigest(tx, f.owner, pair, al); err != nil {
				return 0, err
			}
			if err := tx.PutAux(bucketPairs, pair, []byte("digest")); err != nil {
				return 0, err
			}
			continue
		}
		n++
		al.Cursor = cursorText(cursor + n)
		if err := putAlert(tx, f.owner.GetPoster(), al); err != nil {
			return 0, err
		}
		if err := tx.PutAux(bucketPairs, pair, []byte(al.Cursor)); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// announce wakes the watchers after alerts were written.
func (a *Alerter) announce() error {
	cursor, err := a.state("cursor")
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.last = cursor
	close(a.raised)
	a.raised = make(chan struct{})
	a.mu.Unlock()
	return nil
}

func putAlert(tx *store.Tx, owner string, al *techmarketv1.Alert) error {
	value, err := proto.Marshal(al)
	if err != nil {
		return err
	}
	cursor, _ := ParseCursor(al.GetCursor())
	return tx.PutAux(bucketAlerts, alertKey(owner, cursor), value)
}

// RemindExpiring raises a reminder for every published listing that
// expires within ReminderLead and has not been reminded of that expiry
// (a renewal sets a new one, which is reminded again). The alerter runs
// it hourly; it returns how many reminders it raised.
func (a *Alerter) RemindExpiring(ctx context.Context) (int, error) {
	now := a.opts.Now()
	type due struct {
		l   listing.Listing
		key string
	}
	var dues []due
	for _, kind := range []store.Kind{store.KindOffer, store.KindDemand} {
		var decodeErr error
		err := a.st.Scan(kind, "", func(rec store.Record) bool {
			l, err := index.DecodeListing(rec)
			if err != nil {
				decodeErr = err
				return false
			}
			exp := l.GetExpireTime().AsTime()
			// A linked listing's poster is reminded by its home market.
			if l.GetState() == techmarketv1.ListingState_LISTING_STATE_PUBLISHED && l.GetLinkedFrom() == nil && exp.After(now) && exp.Sub(now) <= ReminderLead {
				dues = append(dues, due{l, fmt.Sprintf("%d/%s\x00%d", kind, rec.ID, exp.Unix())})
			}
			return true
		})
		if err == nil {
			err = decodeErr
		}
		if err != nil {
			return 0, err
		}
	}
	raised := 0
	err := a.st.Update(ctx, func(tx *store.Tx) error {
		raised = 0
		cursor, err := txState(tx, "cursor")
		if err != nil {
			return err
		}
		for _, d := range dues {
			if _, err := tx.GetAux(bucketReminded, d.key); err == nil {
				continue
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			cursor++
			exp := d.l.GetExpireTime().AsTime()
			al := &techmarketv1.Alert{
				Cursor:     cursorText(cursor),
				Listing:    d.l.GetName(),
				CreateTime: timestamppb.New(now),
				Kind:       techmarketv1.AlertKind_ALERT_KIND_EXPIRY_REMINDER,
				Message: fmt.Sprintf("%s（%s）expires on %s; publish it again to renew it", d.l.GetName(), d.l.GetTitle(),
					exp.In(listing.ChinaTime).Format(time.DateOnly)),
			}
			if err := putAlert(tx, d.l.GetPoster(), al); err != nil {
				return err
			}
			if err := tx.PutAux(bucketReminded, d.key, []byte(cursorText(cursor))); err != nil {
				return err
			}
			raised++
		}
		return tx.PutAux(bucketState, "cursor", seqBytes(cursor))
	})
	if err != nil || raised == 0 {
		return 0, err
	}
	return raised, a.announce()
}

func txState(tx *store.Tx, key string) (uint64, error) {
	v, err := tx.GetAux(bucketState, key)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return strconv.ParseUint(string(v), 10, 64)
}

func seqBytes(n uint64) []byte { return []byte(strconv.FormatUint(n, 10)) }

// cursorText is a cursor as clients see it: fixed width, so that keys
// sort by it.
func cursorText(n uint64) string { return fmt.Sprintf("%016d", n) }

func alertKey(org string, cursor uint64) string { return org + "\x00" + cursorText(cursor) }

// pairKey names an offer–demand pair whichever side is new.
func pairKey(a, b listing.Listing) string {
	offer, demand := a.GetName(), b.GetName()
	if _, ok := a.(*techmarketv1.Demand); ok {
		offer, demand = demand, offer
	}
	return strings.TrimPrefix(offer, "offers/") + "\x00" + strings.TrimPrefix(demand, "demands/")
}

// ErrBadCursor means a cursor that no alert stream gave out.
var ErrBadCursor = errors.New("alert: not a cursor this service gave out")

// ParseCursor checks a client's cursor; empty means from the start.
func ParseCursor(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || len(s) != 16 {
		return 0, ErrBadCursor
	}
	return n, nil
}

// Watch sends org's alerts after cursor to send, in order, then waits for
// new ones, until ctx ends or send fails. listings, when not empty, keeps
// only alerts for those of org's listings.
func (a *Alerter) Watch(ctx context.Context, org string, after uint64, listings []string, send func(*techmarketv1.Alert) error) error {
	for {
		a.mu.Lock()
		raised, last := a.raised, a.last
		a.mu.Unlock()
		if last > after {
			var sendErr error
			err := a.Alerts(org, after, func(al *techmarketv1.Alert) bool {
				after, _ = ParseCursor(al.GetCursor())
				if len(listings) > 0 && !slices.Contains(listings, al.GetListing()) {
					return true
				}
				sendErr = send(al)
				return sendErr == nil
			})
			if err == nil {
				err = sendErr
			}
			if err != nil {
				return err
			}
			// Alerts for other organisations moved last; this watcher
			// has seen all of its own up to there.
			after = max(after, last)
		}
		select {
		case <-raised:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Alerts calls fn with org's alerts after cursor after, in order, until
// fn returns false; unlike Watch it returns at the last one raised.
func (a *Alerter) Alerts(org string, after uint64, fn func(*techmarketv1.Alert) bool) error {
	var decodeErr error
	err := a.st.ScanAux(bucketAlerts, alertKey(org, after), func(key string, value []byte) bool {
		if !strings.HasPrefix(key, org+"\x00") {
			return false
		}
		al := new(techmarketv1.Alert)
		if decodeErr = proto.Unmarshal(value, al); decodeErr != nil {
			return false
		}
		return fn(al)
	})
	if err == nil {
		err = decodeErr
	}
	return err
}

// Raised counts the alerts raised in [from, to); zero times leave that
// end open.
func (a *Alerter) Raised(from, to time.Time) (int64, error) {
	var n int64
	var decodeErr error
	err := a.st.ScanAux(bucketAlerts, "", func(_ string, value []byte) bool {
		al := new(techmarketv1.Alert)
		if decodeErr = proto.Unmarshal(value, al); decodeErr != nil {
			return false
		}
		t := al.GetCreateTime().AsTime()
		if (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to)) {
			n++
		}
		return true
	})
	if err == nil {
		err = decodeErr
	}
	return n, err
}
