package index

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// TestMergeSegmentsLeavesOne: merging leaves one segment however many
// there were. A force merge folds at most ten into each new one; a
// rebuild at 500,000 listings a side writes some 500.
func TestMergeSegmentsLeavesOne(t *testing.T) {
	// Safe batches are each on disk before the next, a segment apiece,
	// and nothing merges them in the background.
	idx, err := bleve.NewUsing(filepath.Join(t.TempDir(), "offers.bleve"), newMapping(), scorch.Name, scorch.Name,
		map[string]any{"scorchMergePlanOptions": map[string]any{"MaxSegmentSize": 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	const batches = 25
	for i := range batches {
		b := idx.NewBatch()
		if err := b.Index(fmt.Sprint(i), document{Title: fmt.Sprintf("焦炉煤气制氢 %d", i)}); err != nil {
			t.Fatal(err)
		}
		if err := idx.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
	adv, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	sc := adv.(*scorch.Scorch)
	if n, err := segmentCount(sc); err != nil || n <= 10 {
		t.Fatalf("%d batches made %d segments (%v); the test needs more than one merge takes", batches, n, err)
	}
	if err := mergeSegments(context.Background(), idx); err != nil {
		t.Fatal(err)
	}
	if n, err := segmentCount(sc); err != nil || n != 1 {
		t.Errorf("merged: %d segments (%v), want 1", n, err)
	}
	if n, err := idx.DocCount(); err != nil || n != batches {
		t.Errorf("merged: %d documents (%v), want %d", n, err, batches)
	}
}
