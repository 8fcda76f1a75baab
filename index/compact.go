package index

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// Defaults of Options.CompactAfter and Options.CompactQuiet.
const (
	DefaultCompactAfter = 5000
	DefaultCompactQuiet = 10 * time.Second
)

// compactor merges each side into one segment once many changes have
// been applied and writes have paused.
//
// Why: every match looks each of its few hundred terms up in every
// segment and caches their postings segment by segment, and bleve's merge
// policy leaves a bulk-imported side in many segments (8–9 a side after
// 100,000 listings each). Served over gRPC to 8 clients, that market
// matched 132 times a second in those segments, and 299–317 times once
// rebuilt into one segment a side (single runs, not quite the same source
// listings). A full merge costs a core for a while, so it waits
// for a pause in writing (a bulk import keeps writing) and for enough
// changes to be worth it; the small segments that daily writes make are
// left to bleve's own merging.
type compactor struct {
	pending atomic.Int64 // changes applied since the last compaction began
	running atomic.Bool
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
}

// applied counts n changes applied.
func (c *compactor) applied(n int) { c.pending.Add(int64(n)) }

// due reports whether enough changes wait for a compaction.
func (c *compactor) due(after int) bool {
	return after > 0 && c.pending.Load() >= int64(after)
}

// startCompaction merges both sides into one segment each in the background,
// unless a compaction is running.
func (x *Index) startCompaction() {
	c := &x.compactor
	if !c.running.CompareAndSwap(false, true) {
		return
	}
	c.pending.Store(0)
	sides := x.live()
	c.wg.Go(func() {
		defer c.running.Store(false)
		begin, before := time.Now(), x.Shape().Segments
		err := compactSides(c.ctx, sides)
		if c.ctx.Err() != nil {
			return // closing
		}
		if err != nil {
			x.log.Warn("index compaction failed; bleve's own merging goes on", "err", err)
			return
		}
		x.log.Info("index compacted", "segments before", before, "after", x.Shape().Segments, "took", time.Since(begin).Round(time.Millisecond))
	})
}

// Compact merges each side into one segment now and returns when done,
// or when ctx ends. Matching reads the same scores either way; what
// changes is speed, and the order of equal scores. The evaluation
// compacts after its import so that its figures do not depend on how far
// bleve's background merging had got when matching began.
func (x *Index) Compact(ctx context.Context) error {
	return compactSides(ctx, x.live())
}

func compactSides(ctx context.Context, sides []*side) error {
	for _, s := range sides {
		err := awaitPersisted(ctx, s)
		if err == nil {
			err = mergeSegments(ctx, s.idx)
		}
		if err != nil {
			return fmt.Errorf("index: compacting %s: %w", s.path, err)
		}
	}
	return nil
}

// compactedKey is the bleve internal key of the last compaction's time;
// writing it is what lets a compaction wait for the persister.
var compactedKey = []byte("techmarket.compacted")

// awaitPersisted returns once every segment s's index had is on disk:
// bleve merges only segments on disk, and batches return before they are
// (openBleve).
func awaitPersisted(ctx context.Context, s *side) error {
	return persistInternal(ctx, s.idx, map[string][]byte{
		string(compactedKey): []byte(time.Now().UTC().Format(time.RFC3339)),
	})
}

// persistInternal writes internal values in one batch and returns once
// that batch is on disk. A batch is persisted with the snapshot that holds
// everything introduced before it, so this also waits for every earlier
// batch and merge.
func persistInternal(ctx context.Context, idx bleve.Index, values map[string][]byte) error {
	batch := idx.NewBatch()
	for k, v := range values {
		batch.SetInternal([]byte(k), v)
	}
	persisted := make(chan error, 1)
	batch.SetPersistedCallback(func(err error) { persisted <- err })
	if err := idx.Batch(batch); err != nil {
		return err
	}
	select {
	case err := <-persisted:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stopCompaction cancels a running compaction and waits for it.
func (x *Index) stopCompaction() {
	x.compactor.cancel()
	x.compactor.wg.Wait()
}
