package analysis

import (
	"encoding/json"
	"os"
	"testing"
)

// BenchmarkAnalyzeListing analyses one real listing of the development set
// (v-o158: an agency template with boilerplate, Latin terms and figures) as
// an index would, through both analyzers of the recommended mapping.
func BenchmarkAnalyzeListing(b *testing.B) {
	raw, err := os.ReadFile("testdata/listing.json")
	if err != nil {
		b.Fatal(err)
	}
	var l listing
	if err := json.Unmarshal(raw, &l); err != nil {
		b.Fatal(err)
	}
	text := []byte(l.text())
	zh, bi := zhAnalyzer{mode: modeSearch}, bigram
	zh.Analyze(text) // load the dictionary outside the timer
	b.Run(AnalyzerZH, func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			zh.Analyze(text)
		}
	})
	b.Run(AnalyzerBigram, func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			bi.Analyze(text)
		}
	})
	// The same tokens through bleve's pipeline alone (bigram.go).
	b.Run(AnalyzerBigram+"/bleve", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			bigramSlow.Analyze(text)
		}
	})
}

// BenchmarkLoad measures building the segmenter and lists from the
// embedded defaults, which a server pays once at start-up.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := build(Config{}); err != nil {
			b.Fatal(err)
		}
	}
}
