package match

import (
	"math"
	"reflect"
	"testing"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestOccurrencesCached: a source's analysis is reused while its text,
// its weights and the analysis configuration are what they were, and made
// afresh when any of them changes.
func TestOccurrencesCached(t *testing.T) {
	// Empty, as in a new process: a run before this one (go test
	// -count=2) left its sources in it.
	saved := sourceCache
	sourceCache = newLRU[uint64, occurrences](sourceCacheSize)
	defer func() { sourceCache = saved }()
	src := &techmarketv1.Demand{Title: "焦炉煤气制氢", Description: "需求内容：将焦炉煤气提纯为燃料电池级氢气。"}
	first := occurrencesOf(src, true)
	same := func(a, b occurrences) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	if again := occurrencesOf(src, true); !same(first, again) {
		t.Error("the same text was analysed again")
	}
	if first["焦炉煤气"] == 0 {
		t.Fatalf("occurrences %v lack 焦炉煤气", first)
	}

	changed := &techmarketv1.Demand{Title: "矿井疏干水回用", Description: src.Description}
	occ := occurrencesOf(changed, true)
	if same(first, occ) || occ["疏干水"] == 0 || math.Abs(occ["焦炉煤气"]-(first["焦炉煤气"]-Tuning.TitleWeight)) > 1e-9 {
		t.Errorf("after the title changed: %v", occ)
	}

	// A reverse match (the alerter's, once per new listing) reads the
	// cache but keeps nothing.
	once := &techmarketv1.Demand{Title: "电石渣制水泥"}
	if a, b := occurrencesOf(once, false), occurrencesOf(once, true); same(a, b) {
		t.Error("an analysis not to be remembered was cached")
	}

	defer func(w float64) { Tuning.SubwordWeight = w }(Tuning.SubwordWeight)
	Tuning.SubwordWeight *= 2
	if retuned := occurrencesOf(src, true); same(first, retuned) {
		t.Error("a tuning change reused occurrences weighed the old way")
	}
}
