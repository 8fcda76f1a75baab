package match

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Tuning holds every knob of matching. The values were tuned on the
// development set (../shared/data/dev with the background offers beside
// it) with techmarket-eval; change them only with the evaluation's figures
// before and after.
var Tuning = struct {
	// Source field weights: how much a term says about the source listing
	// by where it appears.
	TitleWeight, KeywordsWeight, SummaryWeight, DescriptionWeight float64
	// SubwordWeight discounts the shorter words search mode finds inside a
	// longer one: 焦炉 inside 焦炉煤气 is evidence, but weaker.
	SubwordWeight float64
	// SingleCharWeight weighs one-character words (氢, 碱): a vague demand
	// often names its subject with one (变成氢卖); IDF keeps the common
	// ones quiet.
	SingleCharWeight float64
	// CommonShare drops terms found in more than this share of the target
	// side (once it has CommonFloor listings): they tell nothing apart.
	CommonShare float64
	CommonFloor int
	// MaxQueryTerms bounds the query: bleve scores every document matching
	// any clause, so it bounds the cost of a match.
	MaxQueryTerms int
	// NeedTerms is how many of the source's own most telling terms
	// (needTerms) its coverage by a candidate is measured against.
	NeedTerms int
	// BodyTerms is how many of the best terms also search the target's
	// body, whose long posting lists are most of a match's cost; the rest
	// search titles, keywords and need sections only.
	BodyTerms int
	// Target field boosts of the retrieval query.
	TitleBoost, KeywordsBoost, BodyBoost, FocusBoost, AsideBoost float64
	// BigramBoost weighs the character bigrams of the source's title and
	// keywords against the target's bigram field; 0 leaves them out.
	BigramBoost float64
	// BigramCommonShare leaves out the bigrams found in more than this
	// share of the target side (once it has CommonFloor listings): 技术
	// or 系统 name nothing, and their lists were a third of the postings
	// a match scored at 100,000 offers.
	BigramCommonShare float64
	// PoolFactor × limit candidates (at least MinPool) are reranked.
	PoolFactor, MinPool int
	// MaxExamined bounds the text hits read from the store while filling
	// the pool: the hits that are not live or fail a strict filter are
	// skipped, and a filter that admits almost nothing must not turn a
	// match into a scan of the whole side.
	MaxExamined int
	// TextExponent shapes the text feature, the BM25 score relative to the
	// best candidate's: above 1 it widens the gap behind the best.
	TextExponent float64
	// Feature weights of the final score; they add up to 1.
	Text, Industry, Readiness, Price, Modes, Region, Freshness, Quality float64
	// ViolationFactor scales the score of a match that breaks a hard
	// constraint of the demand (TRL below its minimum, no common transfer
	// mode, a price three times its budget): maybe the right technology,
	// but not one the enterprise can take as it stands.
	ViolationFactor float64
	// ViolationPenalty is subtracted as well, so a violation costs even
	// matches whose score is low already.
	ViolationPenalty float64
}{
	TitleWeight: 5, KeywordsWeight: 2.5, SummaryWeight: 1.5, DescriptionWeight: 1,
	SubwordWeight:    0.6,
	SingleCharWeight: 1,
	CommonShare:      0.1, CommonFloor: 50,
	MaxQueryTerms: 48, BodyTerms: 48, NeedTerms: 48,
	TitleBoost: 1.6, KeywordsBoost: 1.3, BodyBoost: 1, FocusBoost: 0.5, AsideBoost: 0.15, BigramBoost: 0.3,
	BigramCommonShare: 0.05,
	PoolFactor:        8, MinPool: 60, MaxExamined: 5000,
	TextExponent: 0.5,
	Text:         0.35, Industry: 0.30, Readiness: 0.10, Price: 0.10, Modes: 0.09, Region: 0.02, Freshness: 0.02, Quality: 0.02,
	ViolationFactor:  0.85,
	ViolationPenalty: 0.05,
}

// SetTuning sets the knob called name (a field of Tuning, such as
// "BodyTerms") from its text form, so that the evaluation command can try
// a value and a server can run with it without a rebuild. No knob takes a
// negative value. Not safe while matches run.
func SetTuning(name, value string) error {
	v := reflect.ValueOf(&Tuning).Elem()
	f := v.FieldByName(name)
	if !f.IsValid() {
		return fmt.Errorf("match: no tuning knob %q; knobs: %s", name, strings.Join(knobNames(), ", "))
	}
	switch f.Kind() {
	case reflect.Float64:
		x, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("match: knob %s takes a number, not %q", name, value)
		}
		if x < 0 {
			return fmt.Errorf("match: knob %s must not be negative", name)
		}
		f.SetFloat(x)
	case reflect.Int:
		x, err := strconv.Atoi(value)
		if err != nil {
			return fmt.Errorf("match: knob %s takes a whole number, not %q", name, value)
		}
		if x < 0 {
			return fmt.Errorf("match: knob %s must not be negative", name)
		}
		f.SetInt(int64(x))
	default:
		return fmt.Errorf("match: knob %s cannot be set from text", name)
	}
	return nil
}

// SetTuningFlag sets a knob from a knob=value pair, the form the
// commands' --tune flags take.
func SetTuningFlag(pair string) error {
	name, value, ok := strings.Cut(pair, "=")
	if !ok {
		return fmt.Errorf("match: want knob=value, such as BodyTerms=32, not %q", pair)
	}
	return SetTuning(name, value)
}

func knobNames() []string {
	t := reflect.TypeOf(Tuning)
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Name
	}
	return names
}
