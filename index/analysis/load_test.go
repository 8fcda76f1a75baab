package analysis

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// small builds resources from the given lists without gse's general
// dictionary, which takes milliseconds instead of seconds.
func small(t *testing.T, dict, synonyms, stop string) *resources {
	t.Helper()
	r, err := build(Config{
		Dict:      strings.NewReader(dict),
		Synonyms:  strings.NewReader(synonyms),
		StopWords: strings.NewReader(stop),
		noBase:    true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func analyzed(r *resources, text string) []string {
	var out []string
	for _, tok := range r.analyze([]byte(text), modeSearch, true) {
		out = append(out, string(tok.Term))
	}
	return out
}

func TestOperatorLists(t *testing.T) {
	t.Parallel()
	r := small(t,
		"# comment\n乌海湖 50 ns\n\n甘德尔山\n",
		"乌海湖 = Wuhai Lake = 黄河海勃湾水利枢纽库区 # trailing comment\n",
		"甘德尔山 # not really a stop word, but a test one\n")
	tests := []struct {
		text string
		want []string
	}{
		// Operator term kept whole; the English member matches as a
		// two-token sequence; the long Chinese member was added to the
		// segmenter so it is one token.
		{"乌海湖", []string{"乌海湖"}},
		{"wuhai lakes", []string{"wuhai", "乌海湖", "lake"}},
		{"黄河海勃湾水利枢纽库区", []string{"黄河海勃湾水利枢纽库区", "乌海湖"}},
		// Stop phrase removed with everything inside it.
		{"甘德尔山", nil},
	}
	for _, tt := range tests {
		if got := analyzed(r, tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("%s → %v, want %v", tt.text, got, tt.want)
		}
	}
	if r.info.DomainTerms != 2 || r.info.SynonymGroups != 1 {
		t.Errorf("info %+v", r.info)
	}
}

func TestListErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		dict, synonyms, stops string
		want                  string
	}{
		{"latin term", "PVC管\n", "", "", "dictionary line 1"},
		{"bad frequency", "焦炉\n焦炉煤气 often\n", "", "", "dictionary line 2"},
		{"negative frequency", "焦炉煤气 -3\n", "", "", "frequency"},
		{"too many fields", "焦炉煤气 5 n extra\n", "", "", "fields"},
		{"one member", "", "# x\nPVC\n", "", "synonyms line 2"},
		{"empty member", "", "PVC = = 聚氯乙烯\n", "", "empty member"},
		{"no single-token member", "", "reverse osmosis = RO filtration\n", "", "single token"},
		{"stop-word member", "", "the = 的确\n", "", "analyses to nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := build(Config{
				Dict:      strings.NewReader(tt.dict),
				Synonyms:  strings.NewReader(tt.synonyms),
				StopWords: strings.NewReader(tt.stops),
				noBase:    true,
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk gone") }

// The Load tests do not run in parallel: they swap the package's lists,
// which the parallel tests read.
func TestLoadKeepsOldListsOnError(t *testing.T) {
	before := current()
	for _, c := range []Config{
		{Dict: strings.NewReader("PVC\n")},
		{Synonyms: failingReader{}},
		{StopWords: io.MultiReader(strings.NewReader("的\n"), failingReader{})},
	} {
		if _, err := Load(c); err == nil {
			t.Errorf("Load(%+v) succeeded", c)
		}
	}
	if current() != before {
		t.Error("a failed Load replaced the installed lists")
	}
}

// TestLoadDefaults loads the embedded lists explicitly, as a server does at
// start-up, and reports how long gse takes.
func TestLoadDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("loads gse's dictionary again (seconds)")
	}
	extended := Config{Dict: io.MultiReader(DefaultDict(), strings.NewReader("\n乌海湖\n"))}
	info, err := Load(extended)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %+v", info)
	if info.SegmenterTerms < 300000 || info.DomainTerms < 300 || info.SynonymGroups < 100 || info.StopWords < 100 {
		t.Errorf("info %+v", info)
	}
	if got := terms(t, AnalyzerZH, "乌海湖", Word); !slices.Equal(got, []string{"乌海湖"}) {
		t.Errorf("extended dictionary not in use: %v", got)
	}
}

func TestEmbeddedListsParse(t *testing.T) {
	t.Parallel()
	if _, err := parseDict(DefaultDict()); err != nil {
		t.Error(err)
	}
	groups, err := parseSynonyms(DefaultSynonyms())
	if err != nil {
		t.Error(err)
	}
	if len(groups) < 100 {
		t.Errorf("synonyms.txt has %d groups, want about a hundred or more", len(groups))
	}
	if _, err := parseStopWords(DefaultStopWords()); err != nil {
		t.Error(err)
	}
	// Every group has a usable canonical in the real analyzer.
	if _, err := buildSynonyms(groups, func(m string) []string {
		return mainTerms(current().analyze([]byte(m), modeSearch, false))
	}); err != nil {
		t.Error(err)
	}
}

// TestAnalysisWaitsForTheFirstLoad starts a load and analyses at once, as a
// server opening its index during the load does: the analysis must use the
// lists being loaded, not build the defaults beside them.
func TestAnalysisWaitsForTheFirstLoad(t *testing.T) {
	installed := active.Load()
	active.Store(nil) // as in a fresh process
	defer active.Store(installed)

	wait := LoadInBackground(Config{
		Dict:      strings.NewReader("乌海湖\n"),
		Synonyms:  strings.NewReader(""),
		StopWords: strings.NewReader(""),
		noBase:    true,
	})
	used := current()
	info, err := wait()
	if err != nil {
		t.Fatal(err)
	}
	if used.info.DomainTerms != 1 || info.DomainTerms != 1 {
		t.Errorf("analysis during the load used %d domain terms, the load installed %d; want 1 and 1", used.info.DomainTerms, info.DomainTerms)
	}
	if current() != used {
		t.Error("the load's lists are not the ones installed")
	}
}
