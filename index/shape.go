package index

import (
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Shape is how the indexes are laid out on disk right now, summed over
// both sides.
type Shape struct {
	// Segments is the number of segments searches read: every match
	// looks each query term up in each one.
	Segments int
	// Merging is the number of segment merges running. bleve merges in
	// the background after writes, a core per merge; speed figures taken
	// meanwhile are not those of a settled index.
	Merging int
	// Compacting is true while a compaction (index/compact.go) is due
	// or running: enough changes have come, and each side will be merged
	// into one segment once writing pauses.
	Compacting bool
}

// Shape reports the indexes' current segments and merges.
func (x *Index) Shape() Shape {
	sh := Shape{Compacting: x.compactor.running.Load() || x.compactor.due(x.opts.CompactAfter)}
	for _, s := range x.live() {
		if s.idx == nil {
			continue // closed
		}
		adv, err := s.idx.Advanced()
		if err != nil {
			continue
		}
		sc, ok := adv.(*scorch.Scorch)
		if !ok {
			continue
		}
		if st, ok := sc.Stats().(*scorch.Stats); ok {
			// Ends first: a merge that begins and ends between the two
			// reads then counts in both, never in the ends alone.
			ended := atomic.LoadUint64(&st.TotFileMergeZapEnd)
			sh.Merging += int(atomic.LoadUint64(&st.TotFileMergeZapBeg) - ended)
		}
		if n, err := segmentCount(sc); err == nil {
			sh.Segments += n
		}
	}
	return sh
}
