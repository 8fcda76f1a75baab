package analysis_test

import (
	"fmt"
	"log"

	"github.com/blevesearch/bleve/v2"

	"github.com/wuhai-techmarket/techmarket/index/analysis"
)

// Example_indexMapping wires the analyzers into a bleve index: the package
// registers them when imported, so a field mapping only names them. One
// JSON field is indexed twice, as words and as character bigrams.
func Example_indexMapping() {
	words := bleve.NewTextFieldMapping()
	words.Analyzer = analysis.AnalyzerZH
	bigrams := bleve.NewTextFieldMapping()
	bigrams.Analyzer = analysis.AnalyzerBigram
	bigrams.Name = "text_bigram" // the second mapping of "text" needs its own field name

	listing := bleve.NewDocumentMapping()
	listing.AddFieldMappingsAt("text", words, bigrams)
	m := bleve.NewIndexMapping()
	m.DefaultMapping = listing

	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		log.Fatal(err)
	}
	defer idx.Close()
	docs := map[string]string{
		"o1": "电石法聚氯乙烯无汞触媒",
		"o2": "煤矿疏干水深度处理回用",
		"o3": "矿热炉电极烧穿预警",
	}
	for id, text := range docs {
		if err := idx.Index(id, map[string]string{"text": text}); err != nil {
			log.Fatal(err)
		}
	}

	search := func(field, analyzer, text string) {
		q := bleve.NewMatchQuery(text)
		q.SetField(field)
		// Name the analyzer: bleve finds a renamed field's analyzer
		// (text_bigram) only under a TypeMapping, and would otherwise
		// analyse the query with the index's default analyzer.
		q.Analyzer = analyzer
		req := bleve.NewSearchRequest(q)
		req.Highlight = bleve.NewHighlightWithStyle("html")
		res, err := idx.Search(req)
		if err != nil {
			log.Fatal(err)
		}
		for _, hit := range res.Hits {
			fmt.Printf("%s %q → %s %v\n", field, text, hit.ID, hit.Fragments[field])
		}
	}
	search("text", analysis.AnalyzerZH, "PVC")              // synonym: the offer says 聚氯乙烯
	search("text", analysis.AnalyzerZH, "mine water")       // English synonym of 矿井水, as is 煤矿疏干水
	search("text_bigram", analysis.AnalyzerBigram, "炉底烧穿了") // 烧穿 is in no dictionary
	// Output:
	// text "PVC" → o1 [电石法<mark>聚氯乙烯</mark>无汞触媒]
	// text "mine water" → o2 [<mark>煤矿疏干水</mark>深度处理回用]
	// text_bigram "炉底烧穿了" → o3 [矿热炉电极<mark>烧穿</mark>预警]
}

// ExampleTerms shows the tokens a listing title yields: words on the main
// path, sub-words at the same position, synonyms' canonical terms.
func ExampleTerms() {
	for _, tok := range analysis.Terms("ＰＥＭ电解槽，焦炉煤气") {
		fmt.Printf("%d %s %s\n", tok.Position, tok.Kind, tok.Term)
	}
	// Output:
	// 1 word pem
	// 1 synonym 质子交换膜
	// 2 word 电解槽
	// 2 subword 电解
	// 3 word 焦炉煤气
	// 3 subword 焦炉
	// 3 subword 煤气
}
