package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// callType is one kind of call the load makes.
type callType int

const (
	callMatchOffers callType = iota
	callMatchDemands
	callSearchOffers
	callSearchDemands
	callGetOffer
	callGetDemand
	callListOffers
	callListDemands
	callCreateOffer
	callCreateDemand
	callUpdateOffer
	callUpdateDemand
	callImport
	callWatch
	numCallTypes
)

var callNames = [numCallTypes]string{
	callMatchOffers:   "MatchOffers",
	callMatchDemands:  "MatchDemands",
	callSearchOffers:  "SearchOffers",
	callSearchDemands: "SearchDemands",
	callGetOffer:      "GetOffer",
	callGetDemand:     "GetDemand",
	callListOffers:    "ListOffers",
	callListDemands:   "ListDemands",
	callCreateOffer:   "CreateOffer",
	callCreateDemand:  "CreateDemand",
	callUpdateOffer:   "UpdateOffer",
	callUpdateDemand:  "UpdateDemand",
	callImport:        "ImportListings",
	callWatch:         "WatchMatches",
}

func (t callType) String() string { return callNames[t] }

// role is which side of the market a load client is on.
type role int

const (
	roleAgency     role = iota // posts and imports offers
	roleEnterprise             // posts and imports demands, watches for alerts
)

func (r role) String() string {
	if r == roleEnterprise {
		return "enterprise"
	}
	return "agency"
}

func roleOf(i int) role { return role(i % 2) }

// The mix is a deck of 40 cards per client, shuffled for every round, so
// the proportions hold exactly over each 40 calls rather than only on
// average: 40% match, 25% search, 15% get/list, 10% create, 5% update, 5%
// import. Each side leans towards the other side of the market: an agency
// mostly looks for demands its offers serve, an enterprise for offers.
// Before the deck, each client makes one call of each of its kinds, the
// warm-up round, and the clock of --duration starts when every client has
// done so; so every call type runs even in a short run on a slow machine.
type card struct {
	call  callType
	count int
}

func deck(r role) []card {
	if r == roleAgency {
		return []card{
			{callMatchDemands, 10}, {callMatchOffers, 6}, // 16: 40%
			{callSearchDemands, 6}, {callSearchOffers, 4}, // 10: 25%
			{callGetOffer, 2}, {callGetDemand, 2}, {callListOffers, 1}, {callListDemands, 1}, // 6: 15%
			{callCreateOffer, 4}, // 4: 10%
			{callUpdateOffer, 2}, // 2: 5%
			{callImport, 2},      // 2: 5%
		}
	}
	return []card{
		{callMatchOffers, 10}, {callMatchDemands, 6},
		{callSearchOffers, 6}, {callSearchDemands, 4},
		{callGetOffer, 2}, {callGetDemand, 2}, {callListOffers, 1}, {callListDemands, 1},
		{callCreateDemand, 4},
		{callUpdateDemand, 2},
		{callImport, 2},
	}
}

// mixDescription documents the deck for the report.
const mixDescription = "per 40 calls: 16 match (40%), 10 search (25%), 6 get/list (15%), 4 create (10%), 2 update (5%), 2 import of 20 lines (5%); " +
	"agencies post offers and favour MatchDemands/SearchDemands 10+6 vs 6+4, enterprises post demands and favour the offer side; each enterprise keeps one WatchMatches stream open"

// names is a bounded pool of listing names shared by the clients: what
// they match and get. When full, a new name replaces a random old
// one, so the pool keeps up with the market without growing.
type names struct {
	mu    sync.Mutex
	items []string
	max   int
	rng   *rand.Rand
}

func newNames(max int, seed uint64) *names {
	return &names{max: max, rng: rand.New(rand.NewPCG(seed, 0x6e616d6573))}
}

func (n *names) add(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.items) < n.max {
		n.items = append(n.items, name)
		return
	}
	n.items[n.rng.IntN(len(n.items))] = name
}

func (n *names) pick(rng *rand.Rand) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.items) == 0 {
		return "", false
	}
	return n.items[rng.IntN(len(n.items))], true
}

func (n *names) len() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.items)
}

// shared is what every worker of a run sees.
type shared struct {
	vocab   *vocab
	rec     *recorder
	offers  *names
	demands *names
	runID   string
}

// own is a listing the worker posted, with the etag it last saw.
type own struct {
	name, title, etag string
	keywords          []string
	edits             int
}

// maxOwn bounds the listings a worker remembers for updates.
const maxOwn = 32

// importIDs is how many external ids a worker's imports draw from, so
// that later imports update or leave unchanged what earlier ones took, as
// an agency re-sending its catalogue does.
const importIDs = 100

// importBatch is the number of lines per import.
const importBatch = 20

// callTimeout bounds one unary call, as a portal would.
const callTimeout = 30 * time.Second

// worker is one load client: one organisation with its own token and
// connection, making one call at a time.
type worker struct {
	id   int
	role role
	c    *client.Client
	sh   *shared
	rng  *rand.Rand
	seq  int
	own  []own
}

// warmupOrder is the order of the warm-up round, the order a newcomer
// would try things in: post before editing, read before matching.
var warmupOrder = []callType{
	callCreateOffer, callCreateDemand, callUpdateOffer, callUpdateDemand, callImport,
	callGetOffer, callGetDemand, callListOffers, callListDemands,
	callMatchOffers, callMatchDemands, callSearchOffers, callSearchDemands,
}

// run makes one call of each of the worker's kinds (the warm-up round),
// calls warmedUp, then makes calls from the shuffled deck until ctx is
// done. Calls cut short by the end of the run are not counted.
func (w *worker) run(ctx context.Context, warmedUp func()) {
	var all []callType
	for _, c := range deck(w.role) {
		for range c.count {
			all = append(all, c.call)
		}
	}
	for _, kind := range warmupOrder {
		if !slices.Contains(all, kind) {
			continue
		}
		if ctx.Err() != nil {
			return
		}
		w.do(ctx, kind)
	}
	warmedUp()
	for {
		w.rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		for _, call := range all {
			if ctx.Err() != nil {
				return
			}
			w.do(ctx, call)
		}
	}
}

// do makes one call and records it; after a refusal it waits as long as
// the server asked, as a well-behaved client does.
func (w *worker) do(ctx context.Context, call callType) {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	start := time.Now()
	err := w.call(cctx, call)
	d := time.Since(start)
	if ctx.Err() != nil {
		return // the run ended during the call
	}
	if w.sh.rec.record(call, d, err) == outcomeRefused {
		t := time.NewTimer(retryDelay(err))
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
}

func (w *worker) call(ctx context.Context, call callType) error {
	sh := w.sh
	switch call {
	case callMatchOffers:
		req := &techmarketv1.MatchOffersRequest{Limit: 10, Filters: w.matchFilters()}
		if name, ok := sh.demands.pick(w.rng); ok {
			req.Demand = name
		} else {
			d, err := sh.vocab.demand(w.rng, "draft", time.Now())
			if err != nil {
				return err
			}
			req.Draft = d
		}
		_, err := w.c.Match.MatchOffers(ctx, req)
		return err
	case callMatchDemands:
		req := &techmarketv1.MatchDemandsRequest{Limit: 10, Filters: w.matchFilters()}
		if name, ok := sh.offers.pick(w.rng); ok {
			req.Offer = name
		} else {
			o, err := sh.vocab.offer(w.rng, "draft", time.Now())
			if err != nil {
				return err
			}
			req.Draft = o
		}
		_, err := w.c.Match.MatchDemands(ctx, req)
		return err
	case callSearchOffers:
		_, err := w.c.Match.SearchOffers(ctx, &techmarketv1.SearchOffersRequest{
			Query: sh.vocab.query(w.rng, "offer"), Filters: sh.vocab.filters(w.rng), PageSize: 20,
		})
		return err
	case callSearchDemands:
		_, err := w.c.Match.SearchDemands(ctx, &techmarketv1.SearchDemandsRequest{
			Query: sh.vocab.query(w.rng, "demand"), Filters: sh.vocab.filters(w.rng), PageSize: 20,
		})
		return err
	case callGetOffer:
		name, ok := sh.offers.pick(w.rng)
		if !ok {
			return w.call(ctx, callListOffers)
		}
		_, err := w.c.GetOffer(ctx, name)
		return err
	case callGetDemand:
		name, ok := sh.demands.pick(w.rng)
		if !ok {
			return w.call(ctx, callListDemands)
		}
		_, err := w.c.GetDemand(ctx, name)
		return err
	case callListOffers:
		req := &techmarketv1.ListOffersRequest{PageSize: 20, State: techmarketv1.ListingState_LISTING_STATE_PUBLISHED}
		if w.rng.IntN(2) == 0 {
			req.Industry = pick(w.rng, sh.vocab.industries)
		}
		_, err := w.c.Offers.ListOffers(ctx, req)
		return err
	case callListDemands:
		req := &techmarketv1.ListDemandsRequest{PageSize: 20, State: techmarketv1.ListingState_LISTING_STATE_PUBLISHED}
		if w.rng.IntN(2) == 0 {
			req.Industry = pick(w.rng, sh.vocab.industries)
		}
		_, err := w.c.Demands.ListDemands(ctx, req)
		return err
	case callCreateOffer:
		o, err := sh.vocab.offer(w.rng, w.nextID("o"), time.Now())
		if err != nil {
			return err
		}
		got, err := w.c.CreateOffer(ctx, o, true)
		if err == nil {
			sh.offers.add(got.GetName())
			w.remember(own{name: got.GetName(), title: o.GetTitle(), etag: got.GetEtag(), keywords: o.GetKeywords()})
		}
		return err
	case callCreateDemand:
		d, err := sh.vocab.demand(w.rng, w.nextID("d"), time.Now())
		if err != nil {
			return err
		}
		got, err := w.c.CreateDemand(ctx, d, true)
		if err == nil {
			sh.demands.add(got.GetName())
			w.remember(own{name: got.GetName(), title: d.GetTitle(), etag: got.GetEtag(), keywords: d.GetKeywords()})
		}
		return err
	case callUpdateOffer, callUpdateDemand:
		return w.update(ctx, call)
	case callImport:
		return w.importBatch(ctx)
	}
	return status.Errorf(codes.Internal, "load: no call %v", call)
}

// matchFilters are strict now and then, as a portal's "only strict fits"
// switch would be.
func (w *worker) matchFilters() *techmarketv1.MatchFilters {
	if w.rng.IntN(4) != 0 {
		return nil
	}
	return &techmarketv1.MatchFilters{StrictReadiness: true, StrictTransferModes: w.rng.IntN(2) == 0}
}

// nextID is a new external id, unique across runs and clients.
func (w *worker) nextID(kind string) string {
	w.seq++
	return fmt.Sprintf("load-%s-c%02d-%s%06d", w.sh.runID, w.id, kind, w.seq)
}

func (w *worker) remember(o own) {
	if len(w.own) < maxOwn {
		w.own = append(w.own, o)
		return
	}
	w.own[w.rng.IntN(len(w.own))] = o
}

// update edits one of the worker's own listings (title and keywords,
// with the etag it last saw), or posts one first when it has none.
func (w *worker) update(ctx context.Context, call callType) error {
	if len(w.own) == 0 {
		if call == callUpdateOffer {
			return w.call(ctx, callCreateOffer)
		}
		return w.call(ctx, callCreateDemand)
	}
	i := w.rng.IntN(len(w.own))
	o := &w.own[i]
	o.edits++
	title := clipRunes(o.title, 180) + fmt.Sprintf("（修订%d）", o.edits)
	kws := append([]string(nil), o.keywords...)
	if len(kws) > 1 && w.rng.IntN(2) == 0 {
		kws = kws[:len(kws)-1]
	}
	var etag string
	var err error
	if call == callUpdateOffer {
		var got *techmarketv1.Offer
		got, err = w.c.UpdateOffer(ctx, &techmarketv1.Offer{Name: o.name, Etag: o.etag, Title: title, Keywords: kws}, "title", "keywords")
		etag = got.GetEtag()
	} else {
		var got *techmarketv1.Demand
		got, err = w.c.UpdateDemand(ctx, &techmarketv1.Demand{Name: o.name, Etag: o.etag, Title: title, Keywords: kws}, "title", "keywords")
		etag = got.GetEtag()
	}
	if err == nil {
		o.etag = etag
	}
	return err
}

// importBatch sends 20 lines of the worker's side over one ImportListings
// stream. Ids come from a pool of importIDs, and the text of an id has
// one of three versions, so the outcomes mix taken, updated and unchanged.
func (w *worker) importBatch(ctx context.Context) error {
	kind := "offer"
	if w.role == roleEnterprise {
		kind = "demand"
	}
	var b strings.Builder
	for range importBatch {
		id := fmt.Sprintf("load-%s-c%02d-imp%03d", w.sh.runID, w.id, w.rng.IntN(importIDs))
		version := uint64(w.rng.IntN(3))
		h := fnv.New64a()
		h.Write([]byte(id))
		lineRng := rand.New(rand.NewPCG(h.Sum64(), version))
		// A fixed day keeps a version's deadline, and so its text, the same.
		b.Write(w.sh.vocab.variant(lineRng, kind, id, importEpoch))
		b.WriteByte('\n')
	}
	sum, err := w.c.Import(ctx, strings.NewReader(b.String()), client.ImportOptions{BatchSize: importBatch})
	rec := w.sh.rec
	rec.importLines.Add(int64(sum.Lines))
	rec.importTaken.Add(int64(sum.Taken))
	rec.importUpdated.Add(int64(sum.Updated))
	rec.importSame.Add(int64(sum.Unchanged))
	if sum.Rejected > 0 {
		rec.importReject.Add(int64(sum.Rejected))
		if ctx.Err() == nil {
			rec.recordExtra(callImport, rejectedLines, int64(sum.Rejected))
		}
	}
	return err
}

// importEpoch is the day imported demands' deadlines count from (4 to 18
// months later): fixed for the process, so that a version of a line keeps
// its text and importing it again leaves the listing unchanged.
var importEpoch = time.Now().Truncate(24 * time.Hour)

// watch keeps one WatchMatches stream open for the worker's organisation
// until ctx is done, counting alerts. Each stream is one call, recorded
// when it ends, with the time it took to open (until the server's headers
// said the watch was in place) as its latency: a success when the run
// ended it, an error when it failed, after which it is opened again from
// the last cursor.
func (w *worker) watch(ctx context.Context) {
	rec := w.sh.rec
	cursor := ""
	for ctx.Err() == nil {
		start := time.Now()
		stream, err := w.c.Alerts.WatchMatches(ctx, &techmarketv1.WatchMatchesRequest{Cursor: cursor})
		if err == nil {
			_, err = stream.Header()
		}
		opened, inPlace := time.Since(start), err == nil
		if inPlace {
			for {
				resp, rerr := stream.Recv()
				if rerr != nil {
					err = rerr
					break
				}
				rec.alerts.Add(1)
				if resp.GetAlert().GetKind() == techmarketv1.AlertKind_ALERT_KIND_MATCH {
					rec.matchAlerts.Add(1)
				}
				cursor = resp.GetAlert().GetCursor()
			}
		}
		if ctx.Err() != nil {
			if inPlace {
				rec.record(callWatch, opened, nil)
			}
			return
		}
		wait := time.Second
		if rec.record(callWatch, opened, err) == outcomeRefused {
			wait = retryDelay(err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
