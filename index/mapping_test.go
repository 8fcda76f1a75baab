package index

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"github.com/wuhai-techmarket/techmarket/index/analysis"
)

// The embedded word lists the current mapping version was recorded with.
// A deployed index made with other lists holds other terms and would
// match wrongly until rebuilt, and only a new mappingVersion makes a
// server rebuild it on start.
const (
	wordListsVersion = "7"
	wordListsDigest  = "393ead4b370c8a30a6a6940c15b95f8368095e0169d59f86ca9e67f5bb215e12"
)

// TestWordListsChangeTheMappingVersion fails when dict.txt, synonyms.txt
// or stopwords.txt change without a new mappingVersion.
func TestWordListsChangeTheMappingVersion(t *testing.T) {
	h := sha256.New()
	for _, r := range []io.Reader{analysis.DefaultDict(), analysis.DefaultSynonyms(), analysis.DefaultStopWords()} {
		if _, err := io.Copy(h, r); err != nil {
			t.Fatal(err)
		}
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != wordListsDigest || mappingVersion != wordListsVersion {
		t.Errorf("the word lists (digest %s) or mappingVersion (%q) changed since version %q was recorded with digest %s.\n"+
			"If the lists changed, raise mappingVersion in mapping.go so that servers rebuild their indexes on start; "+
			"then record the version and the digest here.", got, mappingVersion, wordListsVersion, wordListsDigest)
	}
}
