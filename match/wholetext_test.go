package match

import (
	"testing"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestWholeTextBigramsCounted: a source's bigrams are counted over its
// whole text, first occurrence first, kept while its text is what it
// was, and made afresh when the text changes or is not to be kept.
func TestWholeTextBigramsCounted(t *testing.T) {
	saved := bigramCache
	bigramCache = newLRU[uint64, []bigramCount](sourceCacheSize)
	defer func() { bigramCache = saved }()
	src := &techmarketv1.Demand{Title: "焦炉煤气", Summary: "焦炉煤气富余。"}
	first := wholeTextBigrams(src, true)
	counts := map[string]float64{}
	for _, b := range first {
		counts[b.text] = b.count
	}
	if len(first) == 0 || first[0].text != "焦炉" || counts["焦炉"] != 2 || counts["富余"] != 1 {
		t.Fatalf("bigrams %v; want 焦炉 first, twice, and 富余 once", first)
	}
	if again := wholeTextBigrams(src, true); &again[0] != &first[0] {
		t.Error("the same text was analysed again")
	}
	changed := &techmarketv1.Demand{Title: src.Title, Summary: "焦炉煤气放散。"}
	if bs := wholeTextBigrams(changed, true); &bs[0] == &first[0] {
		t.Error("a changed summary reused the old bigrams")
	}
	once := &techmarketv1.Demand{Title: "电石渣制水泥"}
	if a, b := wholeTextBigrams(once, false), wholeTextBigrams(once, true); &a[0] == &b[0] {
		t.Error("bigrams not to be remembered were cached")
	}
}
