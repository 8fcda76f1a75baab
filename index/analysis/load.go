package analysis

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/go-ego/gse"
)

var (
	//go:embed dict.txt
	defaultDict string
	//go:embed synonyms.txt
	defaultSynonyms string
	//go:embed stopwords.txt
	defaultStopWords string
)

// DefaultDict returns the embedded domain dictionary (dict.txt). An operator
// who only wants to add terms passes
// io.MultiReader(analysis.DefaultDict(), strings.NewReader("\n"), own) as
// Config.Dict.
func DefaultDict() io.Reader { return strings.NewReader(defaultDict) }

// DefaultSynonyms returns the embedded synonym groups (synonyms.txt).
func DefaultSynonyms() io.Reader { return strings.NewReader(defaultSynonyms) }

// DefaultStopWords returns the embedded stop list (stopwords.txt).
func DefaultStopWords() io.Reader { return strings.NewReader(defaultStopWords) }

// DefaultTermFreq is the frequency given to a dictionary term whose line
// names none, and to the Chinese synonym members and stop phrases that are
// added to the segmenter automatically. gse picks the split with the highest
// product of word probabilities (frequencies out of a total of about 58
// million), and it gives every single-character word the frequency 2, so a
// split that leaves a lone character is expensive. At 1000, about the 98th
// percentile of gse's own words, a domain term beats any split of itself
// (焦炉煤气 over 焦炉+煤气) but does not pull a character away from a common
// neighbouring word (上升管道 stays 上升+管道 on the main path). Where the
// main path cuts a term, search mode still emits it (see appendCJK).
const DefaultTermFreq = 1000

// Config selects the word lists. A nil reader means the embedded default
// for that list; a non-nil one replaces the default entirely (see
// DefaultDict for extending instead).
type Config struct {
	// Dict lists terms the segmenter must keep whole; format in dict.txt.
	Dict io.Reader
	// Synonyms lists groups of equivalent terms; format in synonyms.txt.
	Synonyms io.Reader
	// StopWords lists words that carry no matching signal; format in
	// stopwords.txt. Bleve's English (Snowball) stop list is always added.
	StopWords io.Reader

	// noBase skips gse's embedded general dictionary; tests use it to
	// build small segmenters in milliseconds.
	noBase bool
}

// Info describes a loaded configuration, for the server's start-up log.
type Info struct {
	// SegmenterTerms counts the words the segmenter knows: gse's general
	// dictionary plus the domain terms.
	SegmenterTerms int
	// DomainTerms counts the terms from Config.Dict.
	DomainTerms int
	// SynonymGroups and StopWords count the loaded entries.
	SynonymGroups, StopWords int
	// LoadTime is the wall time Load took, almost all of it gse building
	// its dictionary.
	LoadTime time.Duration
}

// ErrNoBaseDictionary is returned by Load when gse has no embedded
// dictionary, which happens when the binary is built with gse's "ne" build
// tag; the segmenter would then split all Chinese into single characters.
var ErrNoBaseDictionary = errors.New("analysis: gse was built without its embedded dictionary (build tag \"ne\")")

// resources is one loaded configuration. It never changes after build, so
// any number of goroutines may read it.
type resources struct {
	gen uint64 // see Generation
	seg *gse.Segmenter
	// domain holds the Chinese terms of the dictionary and the synonym
	// groups, which search mode emits wherever they occur; domainPrefix
	// maps their two-character prefixes to the longest length in runes.
	domain       map[string]struct{}
	domainPrefix map[string]int
	stop         map[string]struct{}
	syn          *synonymTable
	info         Info
}

var (
	active atomic.Pointer[resources]
	// loadMu serialises building: a Load and the lazy default load never
	// build at the same time, and analysis waiting for the first load
	// waits here.
	loadMu sync.Mutex
)

// generations numbers the configurations built.
var generations atomic.Uint64

// Generation names the configuration analysis uses now: it changes with
// every Load, so that what was computed from analysed text can be cached
// under it.
func Generation() uint64 { return current().gen }

// current returns the installed resources, loading the embedded defaults on
// first use. The embedded lists are checked by the package's tests, so a
// failure here is a build defect and panics.
func current() *resources {
	if r := active.Load(); r != nil {
		return r
	}
	loadMu.Lock()
	defer loadMu.Unlock()
	if r := active.Load(); r != nil {
		return r
	}
	r, err := build(Config{})
	if err != nil {
		panic(fmt.Sprintf("analysis: loading the embedded defaults: %v", err))
	}
	active.Store(r)
	return r
}

// Load builds the segmenter and word lists from c and installs them for
// every analyzer of this package, including those already held by open
// indexes. It takes a few seconds (see Info.LoadTime) and the old
// configuration keeps serving until it returns. Without a call to Load the
// embedded defaults are loaded on first use, so a server that wants to pay
// the cost at start-up rather than on its first request calls
// Load(Config{}).
//
// Changing the lists changes how text is analysed: documents indexed under
// the old lists keep their old terms until they are reindexed.
func Load(c Config) (Info, error) { return LoadInBackground(c)() }

// LoadInBackground starts Load(c) and returns at once with a function
// that waits for it and returns what Load would. Analysis that begins
// before the first configuration is installed waits for this one instead
// of building the defaults a second time.
//
// Why: building gse's dictionary is seconds of CPU while opening an index
// is mostly waiting on the disk, so a server that opens its index during
// the load starts serving sooner.
func LoadInBackground(c Config) (wait func() (Info, error)) {
	loadMu.Lock() // taken here, not in the goroutine: analysis started after this call must wait
	done := make(chan struct{})
	var (
		info Info
		err  error
	)
	go func() {
		defer close(done)
		defer loadMu.Unlock()
		var r *resources
		if r, err = build(c); err == nil {
			active.Store(r)
			info = r.info
		}
	}()
	return func() (Info, error) {
		<-done
		return info, err
	}
}

func build(c Config) (*resources, error) {
	began := time.Now()
	dictR, synR, stopR := c.Dict, c.Synonyms, c.StopWords
	if dictR == nil {
		dictR = DefaultDict()
	}
	if synR == nil {
		synR = DefaultSynonyms()
	}
	if stopR == nil {
		stopR = DefaultStopWords()
	}
	// Parse everything before the slow part, so a typo fails fast.
	terms, err := parseDict(dictR)
	if err != nil {
		return nil, err
	}
	groups, err := parseSynonyms(synR)
	if err != nil {
		return nil, err
	}
	stopList, err := parseStopWords(stopR)
	if err != nil {
		return nil, err
	}

	seg := &gse.Segmenter{SkipLog: true, NotLoadHMM: true}
	seg.Dict = gse.NewDict()
	seg.Init()
	// gse keeps the first entry it sees for a word, so the domain terms go
	// in before the general dictionary and their frequencies win.
	for _, t := range terms {
		if err := seg.AddToken(t.text, t.freq, t.pos); err != nil {
			return nil, fmt.Errorf("dictionary term %q: %w", t.text, err)
		}
	}
	// Chinese synonym members and stop phrases are added too: a member
	// can only be matched as one token if the segmenter keeps it whole,
	// and a stop phrase only stopped if it is one token. AddToken ignores
	// words already present.
	for _, g := range groups {
		for _, m := range g {
			if allCJK(m) && utf8.RuneCountInString(m) > 1 {
				_ = seg.AddToken(m, DefaultTermFreq)
			}
		}
	}
	for _, w := range stopList {
		if allCJK(w) && utf8.RuneCountInString(w) > 1 {
			_ = seg.AddToken(w, DefaultTermFreq)
		}
	}
	domain := seg.Dict.NumTokens()
	if c.noBase {
		seg.CalcToken()
	} else {
		// zh_s is gse's simplified-Chinese dictionary (352k words). "zh"
		// would add the traditional one as well: 60% more load time and
		// memory for characters the market's listings do not use.
		if err := seg.LoadDictEmbed("zh_s"); err != nil {
			return nil, fmt.Errorf("analysis: loading gse's dictionary: %w", err)
		}
		if seg.Dict.NumTokens()-domain < 1000 {
			return nil, ErrNoBaseDictionary
		}
	}

	r := &resources{
		gen:          generations.Add(1),
		seg:          seg,
		domain:       map[string]struct{}{},
		domainPrefix: map[string]int{},
		stop:         make(map[string]struct{}, len(stopList)+200),
	}
	for _, w := range stopList {
		r.stop[normalizeTerm(w)] = struct{}{}
	}
	addDomain := func(t string) {
		if _, stop := r.stop[t]; stop || !allCJK(t) {
			return
		}
		n := utf8.RuneCountInString(t)
		if n < 2 {
			return
		}
		r.domain[t] = struct{}{}
		_, size1 := utf8.DecodeRuneInString(t)
		_, size2 := utf8.DecodeRuneInString(t[size1:])
		p := t[:size1+size2]
		r.domainPrefix[p] = max(r.domainPrefix[p], n)
	}
	for _, t := range terms {
		addDomain(t.text)
	}
	for _, g := range groups {
		for _, m := range g {
			addDomain(m)
		}
	}
	var english bleveanalysis.TokenMap = bleveanalysis.NewTokenMap()
	if err := english.LoadBytes(en.EnglishStopWords); err != nil {
		return nil, err
	}
	for w := range english {
		r.stop[w] = struct{}{}
	}

	r.syn, err = buildSynonyms(groups, func(member string) []string {
		return mainTerms(r.analyze([]byte(member), modeSearch, false))
	})
	if err != nil {
		return nil, err
	}
	r.info = Info{
		SegmenterTerms: seg.Dict.NumTokens(),
		DomainTerms:    len(terms),
		SynonymGroups:  r.syn.groups,
		StopWords:      len(r.stop),
		LoadTime:       time.Since(began),
	}
	return r, nil
}

// normalizeTerm folds and lower-cases a word-list entry the way the filters
// treat a token, so an entry written ＰＶＣ or PVC matches the token pvc.
func normalizeTerm(s string) string {
	return strings.ToLower(string(foldBytes([]byte(s))))
}

// mainTerms returns the terms on the main segmentation path (the first
// token at each position).
func mainTerms(ts bleveanalysis.TokenStream) []string {
	var out []string
	for i, t := range ts {
		if i == 0 || t.Position != ts[i-1].Position {
			out = append(out, string(t.Term))
		}
	}
	return out
}

func allCJK(s string) bool {
	for _, r := range s {
		if !isCJK(r) {
			return false
		}
	}
	return s != ""
}

type dictTerm struct {
	text string
	freq float64
	pos  string
}

// parseDict reads dictionary lines "term [frequency [part-of-speech]]".
// Terms must be Chinese characters only: Latin runs never reach the
// segmenter, they are tokens by themselves.
func parseDict(r io.Reader) ([]dictTerm, error) {
	var terms []dictTerm
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		if len(f) > 3 {
			return nil, fmt.Errorf("dictionary line %d: want \"term [frequency [part-of-speech]]\", got %d fields", line, len(f))
		}
		t := dictTerm{text: f[0], freq: DefaultTermFreq}
		if !allCJK(t.text) {
			return nil, fmt.Errorf("dictionary line %d: %q: terms must be Chinese characters only (Latin words and numbers are tokens by themselves)", line, t.text)
		}
		if len(f) > 1 {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil || v < 1 {
				return nil, fmt.Errorf("dictionary line %d: frequency %q: want a number ≥ 1", line, f[1])
			}
			t.freq = v
		}
		if len(f) > 2 {
			t.pos = f[2]
		}
		if seen[t.text] {
			continue
		}
		seen[t.text] = true
		terms = append(terms, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dictionary: %w", err)
	}
	return terms, nil
}

// parseStopWords reads whitespace-separated words, '#' starting a comment.
func parseStopWords(r io.Reader) ([]string, error) {
	var words []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		text, _, _ := strings.Cut(sc.Text(), "#")
		words = append(words, strings.Fields(text)...)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("stop words: %w", err)
	}
	return words, nil
}
