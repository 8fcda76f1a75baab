package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// appliedKey is the bleve internal key holding the last store sequence
// number whose change the index contains.
var appliedKey = []byte("techmarket.applied")

// versionKey is the bleve internal key holding the mapping version.
var versionKey = []byte("techmarket.mapping")

// Options tune an Index. The zero value is right for production.
type Options struct {
	// Logger receives rebuild and catch-up notes; nil discards them.
	Logger *slog.Logger
	// BatchSize is how many listings go into one bleve batch; 0 means 1000.
	BatchSize int
	// Progress, when set, is told how a rebuild advances; the two sides
	// rebuild at once, but calls come one at a time.
	Progress func(kind store.Kind, done, total int)
	// PostingsCacheBytes is the memory matching may keep for decoded
	// postings; 0 means DefaultPostingsCacheBytes, negative turns the
	// cache off.
	PostingsCacheBytes int64
	// PersistEvery is how long bleve gathers the small in-memory segments
	// that writes make before writing them to disk as one file; 0 means
	// DefaultPersistEvery, negative writes each at once. See openBleve.
	PersistEvery time.Duration
	// CompactAfter and CompactQuiet: once CompactAfter changes have been
	// applied since the last compaction and none has come for
	// CompactQuiet, each side is merged into one segment in the
	// background (see compact.go). 0 means the defaults; a negative
	// CompactAfter never compacts.
	CompactAfter int
	CompactQuiet time.Duration
}

// DefaultPersistEvery is Options.PersistEvery when it is 0.
const DefaultPersistEvery = time.Second

// Index is the full-text view of both sides of the market.
type Index struct {
	dir   string
	st    *store.Store
	opts  Options
	log   *slog.Logger
	sides [3]*side // indexed by store.Kind
	cache *postingsCache

	progressMu sync.Mutex // one Options.Progress call at a time

	mu      sync.Mutex
	applied uint64        // lowest sequence both sides contain
	advance chan struct{} // closed and replaced whenever applied grows
	failure error         // the follower's last error, reported to waiters

	kick chan struct{}
	stop chan struct{}
	done chan struct{}

	compactor compactor
	lastWrite atomic.Int64 // when changes were last applied, Unix nanoseconds
}

type side struct {
	kind    store.Kind
	path    string
	idx     bleve.Index
	gen     uint64 // names idx in the postings cache; see setIndex
	applied uint64
}

// indexGen numbers every bleve index opened in this process.
var indexGen atomic.Uint64

// setIndex makes idx (nil: none) the side's index, dropping what the
// postings cache kept of the previous one: a reopened or rebuilt index
// numbers its segments anew, so each opened index gets a number of its
// own.
func (x *Index) setIndex(s *side, idx bleve.Index) {
	x.cache.forget(s.gen)
	s.idx, s.gen = idx, indexGen.Add(1)
}

// Open opens the indexes kept in dir for the store st, creating or
// rebuilding them from the store when they are missing or damaged, and
// catches up with the store before returning. It then follows the store
// until Close.
//
// ctx bounds the opening only: a rebuild takes minutes at 100,000
// listings and most of an hour at a million, and an operator's Ctrl-C or
// a service manager's stop must not wait for it. When ctx ends first,
// Open returns its error and leaves no half-built index in place (the
// next Open rebuilds, or catches up from where this one stopped).
func Open(ctx context.Context, dir string, st *store.Store, opts Options) (*Index, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.PostingsCacheBytes == 0 {
		opts.PostingsCacheBytes = DefaultPostingsCacheBytes
	}
	if opts.PersistEvery == 0 {
		opts.PersistEvery = DefaultPersistEvery
	}
	if opts.CompactAfter == 0 {
		opts.CompactAfter = DefaultCompactAfter
	}
	if opts.CompactQuiet == 0 {
		opts.CompactQuiet = DefaultCompactQuiet
	}
	x := &Index{
		dir: dir, st: st, opts: opts, log: opts.Logger,
		advance: make(chan struct{}),
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		cache:   newPostingsCache(opts.PostingsCacheBytes),
	}
	if x.log == nil {
		x.log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("index: creating %s: %w", dir, err)
	}
	// Both sides open (and, when they must, rebuild) at once: a rebuild
	// builds each segment in one goroutine, so two use both cores.
	kinds := []store.Kind{store.KindOffer, store.KindDemand}
	errs := make([]error, len(kinds))
	var wg sync.WaitGroup
	for i, kind := range kinds {
		s := &side{kind: kind, path: filepath.Join(dir, kind.String()+"s.bleve")}
		x.sides[kind] = s
		wg.Go(func() { errs[i] = x.openSide(ctx, s) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		x.closeSides()
		return nil, err
	}
	if _, err := x.catchUp(ctx); err != nil {
		x.closeSides()
		return nil, err
	}
	if err := x.verify(ctx); err != nil {
		x.closeSides()
		return nil, err
	}
	x.applied = min(x.sides[store.KindOffer].applied, x.sides[store.KindDemand].applied)
	x.compactor.ctx, x.compactor.cancel = context.WithCancel(context.Background())
	go x.follow()
	return x, nil
}

// openSide opens one side's index, rebuilding it when it is missing,
// cannot be opened or has no applied sequence.
func (x *Index) openSide(ctx context.Context, s *side) error {
	idx, err := x.openBleve(s.path)
	if err == nil {
		var raw, version []byte
		raw, err = idx.GetInternal(appliedKey)
		if err == nil {
			version, err = idx.GetInternal(versionKey)
		}
		switch {
		case err == nil && len(raw) == 8 && string(version) == mappingVersion:
			x.setIndex(s, idx)
			s.applied = binary.BigEndian.Uint64(raw)
			return nil
		case err == nil && string(version) != mappingVersion:
			err = fmt.Errorf("made with mapping version %q, this build uses %q", version, mappingVersion)
		case err == nil:
			err = errors.New("no applied sequence recorded")
		}
		idx.Close()
	}
	if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		x.log.Warn("index damaged; rebuilding it from the store", "index", s.path, "err", err)
	}
	return x.rebuild(ctx, s)
}

// rebuild indexes every record of s's kind into a fresh index beside the
// old one and swaps it in, so a crash mid-rebuild leaves the old index (or
// none, which means another rebuild) but never a half-built one in place.
func (x *Index) rebuild(ctx context.Context, s *side) error {
	start := time.Now()
	seq, err := x.st.LastSeq()
	if err != nil {
		return err
	}
	total, err := x.st.Count(s.kind)
	if err != nil {
		return err
	}
	tmp := s.path + ".rebuild"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("index: clearing %s: %w", tmp, err)
	}
	idx, err := bleve.NewUsing(tmp, newMapping(), scorch.Name, scorch.Name, rebuildConfig())
	if err != nil {
		return fmt.Errorf("index: creating %s: %w", tmp, err)
	}
	batch, done := idx.NewBatch(), 0
	var scanErr error
	err = x.st.Scan(s.kind, "", func(rec store.Record) bool {
		if scanErr = ctx.Err(); scanErr != nil {
			return false
		}
		doc, err := decodeDocument(rec)
		if err != nil {
			scanErr = err
			return false
		}
		if scanErr = batch.Index(rec.ID, doc); scanErr != nil {
			return false
		}
		if done++; batch.Size() >= x.opts.BatchSize {
			if scanErr = idx.Batch(batch); scanErr != nil {
				return false
			}
			batch.Reset()
			x.progress(s.kind, done, total)
		}
		return true
	})
	if err == nil {
		err = scanErr
	}
	if err == nil && batch.Size() > 0 {
		err = idx.Batch(batch)
	}
	marks := map[string][]byte{string(appliedKey): seqBytes(seq), string(versionKey): []byte(mappingVersion)}
	if err == nil {
		// bleve merges only segments on disk.
		err = persistInternal(ctx, idx, marks)
	}
	if err == nil {
		err = mergeSegments(ctx, idx)
	}
	if err == nil {
		// Closed before the persister wrote the merged snapshot, the
		// index would reopen with the segments from before the merge
		// and merge them again in the background.
		err = persistInternal(ctx, idx, marks)
	}
	if cerr := idx.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// The next rebuild would clear it too; a stopped one tidies up.
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("index: rebuilding %s: %w", s.path, err)
	}
	x.progress(s.kind, done, total)
	if err := os.RemoveAll(s.path); err != nil {
		return fmt.Errorf("index: removing the old %s: %w", s.path, err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("index: moving the rebuilt index in place: %w", err)
	}
	idx, err = x.openBleve(s.path)
	if err != nil {
		return fmt.Errorf("index: opening the rebuilt %s: %w", s.path, err)
	}
	x.setIndex(s, idx)
	s.applied = seq
	x.log.Info("index rebuilt from the store", "index", s.path, "listings", done, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// rebuildConfig returns the bleve configuration of an index being
// rebuilt, a new map each time: bleve writes the index's path into it.
// Its batches return once searchable, not once on disk, and it merges
// nothing until the rebuild merges it into one segment at the end: a
// rebuilt index nobody reads meanwhile need not be kept in few segments,
// and merging it tier by tier as it grew was an eighth of a rebuild's CPU
// (BenchmarkRebuild). The folder is thrown away if the rebuild stops
// halfway, so batches not yet on disk risk nothing.
//
// A MaxSegmentSize of one document makes no segment small enough for
// bleve's merge planner; the final ForceMerge brings its own policy. At
// 1,000,000 listings a side the folder holds up to a thousand segment
// files per side before that merge, each an open file: Go raises the
// soft limit on open files to the hard one at start, and a hard limit
// below a few thousand would need raising.
func rebuildConfig() map[string]any {
	return map[string]any{
		"unsafe_batch":           true,
		"scorchMergePlanOptions": map[string]any{"MaxSegmentSize": 1},
	}
}

// openBleve opens an index whose batches return once searchable, and
// whose in-memory segments are written out together every
// Options.PersistEvery.
//
// Why: by default a bleve batch waits until its segment is on disk, and
// every store change makes a small segment of its own; written out one by
// one, each became a file the merger folded into the others again and
// again. In the load test (4 clients, a write in every call or so) that
// was half the CPU and writes waited ~100 ms for their fsync; gathering a
// second's segments raised throughput from 50 to 82 calls a second
// (techmarket-load --clients 4 --duration 60s, side by side). Nothing
// acknowledged is at risk: the store holds every write before it is
// acknowledged, the index records its applied sequence in the same batch
// as the documents it covers, and changes not yet on disk at a crash are
// replayed from the store's change log on the next start (the SIGKILL
// test checks it).
func (x *Index) openBleve(path string) (bleve.Index, error) {
	nap := int(x.opts.PersistEvery / time.Millisecond)
	return bleve.OpenUsing(path, map[string]any{
		"unsafe_batch":           true,
		"scorchPersisterOptions": map[string]any{"PersisterNapTimeMSec": max(nap, 0)},
		// bleve's default merge policy, said here: bleve keeps the
		// configuration an index was created with and applies it at
		// every open, under what is given here, and a rebuilt index was
		// created merging nothing (rebuildConfig). Options left out keep
		// their defaults.
		"scorchMergePlanOptions": map[string]any{},
	})
}

// mergeSegments merges a freshly built index into one segment, stopped
// early when ctx ends: matching reads every query term's postings in
// every segment, so each segment adds a dictionary lookup per term
// (benchmark: 100,000 offers in 13 segments match about 1.2× slower than
// in one).
//
// One force merge folds at most ten segments into each new one, so it
// runs until one is left: a rebuild writes a segment per batch, 500 a
// side at 500,000 listings, and a single pass left 32 a side there.
func mergeSegments(ctx context.Context, idx bleve.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	before, err := segmentCount(sc)
	for err == nil && before > 1 && ctx.Err() == nil {
		if err = sc.ForceMerge(ctx, nil); err != nil {
			break
		}
		var after int
		if after, err = segmentCount(sc); err == nil && after >= before {
			break // nothing merged, as when another merge holds the segments
		}
		before = after
	}
	return err
}

// segmentCount is the number of segments sc's current snapshot has.
func segmentCount(sc *scorch.Scorch) (int, error) {
	r, err := sc.Reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, fmt.Errorf("index: %T is not a scorch snapshot", r)
	}
	return len(snap.Segments()), nil
}

// progress reports a rebuild's progress, one call at a time although
// both sides rebuild at once.
func (x *Index) progress(kind store.Kind, done, total int) {
	if x.opts.Progress != nil {
		x.progressMu.Lock()
		defer x.progressMu.Unlock()
		x.opts.Progress(kind, done, total)
	}
}

// verify compares document counts with the store once caught up: an index
// that lost documents (a truncated segment, say) is rebuilt.
func (x *Index) verify(ctx context.Context) error {
	for _, s := range x.live() {
		want, err := x.st.Count(s.kind)
		if err != nil {
			return err
		}
		got, err := s.idx.DocCount()
		if err == nil && got == uint64(want) {
			continue
		}
		x.log.Warn("index does not match the store; rebuilding it", "index", s.path, "documents", got, "listings", want, "err", err)
		if err := s.idx.Close(); err != nil {
			x.log.Warn("closing the damaged index", "err", err)
		}
		x.setIndex(s, nil)
		if err := x.rebuild(ctx, s); err != nil {
			return err
		}
	}
	_, err := x.catchUp(ctx)
	return err
}

// follow applies new changes whenever a writer kicks, until Close, and
// compacts the index once enough changes have come and then a pause of
// Options.CompactQuiet.
func (x *Index) follow() {
	defer close(x.done)
	quiet := time.NewTimer(x.opts.CompactQuiet)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-x.stop:
			return
		case <-quiet.C:
			x.startCompaction()
			continue
		case <-x.kick:
		}
		applied, err := x.catchUp(context.Background())
		if applied > 0 && x.compactor.due(x.opts.CompactAfter) {
			// Changes: the pause starts again. Only changes count: the
			// alerter's waits kick the follower too, all through its
			// catch-up after a bulk import, and had put compaction off
			// until after it.
			quiet.Reset(x.opts.CompactQuiet)
		}
		x.mu.Lock()
		x.failure = err
		x.mu.Unlock()
		if err != nil {
			x.log.Error("index cannot follow the store", "err", err)
		}
	}
}

// catchUp applies every change after the sides' applied sequences and
// returns how many it applied.
func (x *Index) catchUp(ctx context.Context) (int, error) {
	applied := 0
	for {
		if err := ctx.Err(); err != nil {
			return applied, err
		}
		from := min(x.sides[store.KindOffer].applied, x.sides[store.KindDemand].applied)
		changes, err := x.st.Changes(from, x.opts.BatchSize)
		if err != nil || len(changes) == 0 {
			return applied, err
		}
		if err := x.apply(changes); err != nil {
			return applied, err
		}
		applied += len(changes)
	}
}

// apply writes one run of changes: per side one bleve batch with the
// documents and the new applied sequence together.
func (x *Index) apply(changes []store.Change) error {
	last := changes[len(changes)-1].Seq
	// The sides are separate indexes: each analyses and builds its own
	// segment at once, so a batch of both kinds uses both cores (bleve
	// analyses a batch's documents in parallel, but builds its segment in
	// one goroutine).
	sides := x.live()
	errs := make([]error, len(sides))
	var wg sync.WaitGroup
	for i, s := range sides {
		wg.Go(func() { errs[i] = x.applySide(s, changes, last) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	x.compactor.applied(len(changes))
	x.lastWrite.Store(time.Now().UnixNano())
	x.mu.Lock()
	x.applied = last
	close(x.advance)
	x.advance = make(chan struct{})
	x.mu.Unlock()
	return nil
}

// applySide applies the changes of one side's kind and then records last
// as applied.
//
// bleve analyses a batch's documents in parallel but builds its segment in
// one goroutine, so a large batch is split in two built at once. The
// applied sequence goes in a batch of its own after both: were it in one
// of them, a crash between their introductions could leave an index
// claiming changes it lacks.
func (x *Index) applySide(s *side, changes []store.Change, last uint64) error {
	var ids []string
	seen := map[string]bool{}
	for _, c := range changes {
		if c.Kind != s.kind || c.Seq <= s.applied || seen[c.ID] {
			continue
		}
		seen[c.ID] = true // the store has the newest version; index it once
		ids = append(ids, c.ID)
	}
	parts := [][]string{ids}
	if len(ids) >= 2*minSplitBatch {
		parts = [][]string{ids[:len(ids)/2], ids[len(ids)/2:]}
	}
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Go(func() { errs[i] = x.indexBatch(s, part) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	batch := s.idx.NewBatch()
	batch.SetInternal(appliedKey, seqBytes(last))
	if err := s.idx.Batch(batch); err != nil {
		return fmt.Errorf("index: recording the applied sequence in %s: %w", s.path, err)
	}
	s.applied = last
	return nil
}

// minSplitBatch is the least documents in each half of a split batch:
// below it, building two segments (and merging them later) costs more
// than the second core gains.
const minSplitBatch = 100

// indexBatch indexes the store's current version of each listing of ids
// in one bleve batch, deleting those the store no longer has.
func (x *Index) indexBatch(s *side, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	batch := s.idx.NewBatch()
	for _, id := range ids {
		rec, err := x.st.Get(s.kind, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			batch.Delete(id)
			continue
		case err != nil:
			return err
		}
		doc, err := decodeDocument(rec)
		if err != nil {
			return err
		}
		if err := batch.Index(id, doc); err != nil {
			return fmt.Errorf("index: %s %s: %w", s.kind, id, err)
		}
	}
	if err := s.idx.Batch(batch); err != nil {
		return fmt.Errorf("index: applying changes to %s: %w", s.path, err)
	}
	return nil
}

// Notify tells the follower that the store has new changes.
func (x *Index) Notify() {
	select {
	case x.kick <- struct{}{}:
	default: // a kick is already pending; it will see this change too
	}
}

// WaitFor returns once the change with sequence seq is searchable.
func (x *Index) WaitFor(ctx context.Context, seq uint64) error {
	x.Notify()
	for {
		x.mu.Lock()
		applied, advance, failure := x.applied, x.advance, x.failure
		x.mu.Unlock()
		if applied >= seq {
			return nil
		}
		if failure != nil {
			return fmt.Errorf("index is behind the store: %w", failure)
		}
		select {
		case <-advance:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Applied returns the last store sequence both indexes contain.
func (x *Index) Applied() uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.applied
}

// WrittenWithin reports whether the index applied changes within the
// last d: writers are at work, a bulk import perhaps, and background work
// should leave them the cores.
func (x *Index) WrittenWithin(d time.Duration) bool {
	return time.Since(time.Unix(0, x.lastWrite.Load())) < d
}

// Side returns the bleve index of one side, for searching.
func (x *Index) Side(kind store.Kind) bleve.Index { return x.sides[kind].idx }

// Close stops following the store and closes the indexes.
func (x *Index) Close() error {
	close(x.stop)
	<-x.done
	x.stopCompaction()
	return x.closeSides()
}

func (x *Index) closeSides() error {
	var errs []error
	for _, s := range x.live() {
		if s.idx != nil {
			errs = append(errs, s.idx.Close())
			x.setIndex(s, nil)
		}
	}
	return errors.Join(errs...)
}

func (x *Index) live() []*side {
	var out []*side
	for _, s := range x.sides {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// decodeDocument turns a stored record into its bleve document.
func decodeDocument(rec store.Record) (document, error) {
	l, err := DecodeListing(rec)
	if err != nil {
		return document{}, err
	}
	return newDocument(l), nil
}

// DecodeListing decodes a stored record into its API message.
func DecodeListing(rec store.Record) (listing.Listing, error) {
	var l listing.Listing = &techmarketv1.Offer{}
	if rec.Kind == store.KindDemand {
		l = &techmarketv1.Demand{}
	}
	if err := proto.Unmarshal(rec.Value, l); err != nil {
		return nil, fmt.Errorf("index: decoding %s %s: %w", rec.Kind, rec.ID, err)
	}
	return l, nil
}

func seqBytes(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, seq)
}
