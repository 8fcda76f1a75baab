package analysis

import (
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/mapping"
)

// TestRegisteredComponents builds analyzers the way an index mapping does,
// by name, including a custom analyzer assembled from the registered
// tokenizer and filters. (The "custom" analyzer type is registered by
// importing bleve's analysis/analyzer/custom package; the bleve package
// itself does not import it.)
func TestRegisteredComponents(t *testing.T) {
	t.Parallel()
	im := mapping.NewIndexMapping()
	if err := im.AddCustomTokenizer("zh_exact_tokens", map[string]interface{}{
		"type":        TokenizerZH,
		"search_mode": false,
	}); err != nil {
		t.Fatal(err)
	}
	if err := im.AddCustomAnalyzer("zh_custom", map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     "zh_exact_tokens",
		"token_filters": []interface{}{FilterFold, "to_lower", FilterStop, FilterLatinStem, FilterSynonym},
	}); err != nil {
		t.Fatal(err)
	}
	if err := im.AddCustomTokenizer("bad", map[string]interface{}{"type": TokenizerZH, "search_mode": "yes"}); err == nil {
		t.Error("search_mode accepted a string")
	}
	if err := im.Validate(); err != nil {
		t.Fatal(err)
	}
	text := []byte("ＰＶＣ的焦炉煤气Electrolyzers")
	for _, tt := range []struct {
		analyzer string
		want     []string
	}{
		{AnalyzerZH, []string{"pvc", "聚氯乙烯", "焦炉煤气", "焦炉", "煤气", "electrolyz", "电解槽"}},
		{AnalyzerZHExact, []string{"pvc", "聚氯乙烯", "焦炉煤气", "electrolyz", "电解槽"}},
		{"zh_custom", []string{"pvc", "聚氯乙烯", "焦炉煤气", "electrolyz", "电解槽"}},
		{AnalyzerBigram, []string{"pvc", "的焦", "焦炉", "炉煤", "煤气", "electrolyzers"}},
	} {
		ts, err := im.AnalyzeText(tt.analyzer, text)
		if err != nil {
			t.Fatalf("%s: %v", tt.analyzer, err)
		}
		var got []string
		for _, tok := range ts {
			got = append(got, string(tok.Term))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.analyzer, got, tt.want)
		}
	}
}
