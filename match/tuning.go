package match

import (
	"bytes"
	_ "embed" // weights.json
	"encoding/json"
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
	// SymptomWeight weighs the technologies of the symptom phrases a
	// source contains (symptoms.txt) against its own words; 0 leaves
	// them out.
	SymptomWeight float64
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
	// BigramFusion mixes into the text score, by this share, a second
	// score: the character bigrams of the source's whole text, as a plain
	// full-text engine matches them, each score relative to its best. The
	// dictionary terms find what the vocabulary knows; whole-text bigrams
	// find a well-specified demand's own wording, where a naive engine
	// beat the terms alone. 0 leaves it out.
	BigramFusion float64
	// BigramCommonShare leaves out the bigrams found in more than this
	// share of the target side (once it has CommonFloor listings): 技术
	// or 系统 name nothing, and their lists were a third of the postings
	// a match scored at 100,000 offers.
	BigramCommonShare float64
	// FeedbackWeight mixes into the query, by this share (below 1), the
	// telling terms of the first round's FeedbackDocs best candidates,
	// their FeedbackTerms heaviest (pseudo-relevance feedback,
	// feedback.go), and searches them; 0 leaves it out. Chosen held out
	// with the rank weights fitted again beside it, every fold took 0.2
	// (and 10 documents, 20 terms; 10 terms lost the gain): vague and
	// well-specified demands gained beyond chance (docs/matching.md).
	// The round costs about a fifth of a match at 100,000 offers.
	FeedbackWeight              float64
	FeedbackDocs, FeedbackTerms int
	// FeedbackBodyTerms is how many of the feedback's terms also search
	// the target's body, as BodyTerms is for the source's own. Held out,
	// 5 and 20 did as well (0.862 against 0.864, p 0.62) and 0 worse;
	// bodies' lists are long, so 5.
	FeedbackBodyTerms int
	// TextDominance keeps the text in charge: a candidate whose text fits
	// less than this share as well as another's ranks below it, whatever
	// its industry, price or freshness (TextFirst). 0 leaves the order
	// to the weights alone, as it ships: held out on the development set
	// no value helped, since there the industries a listing is filed
	// under tell the fitting offer apart even across a wide text gap.
	// A market whose industry tags are less reliable may want 0.2–0.5.
	TextDominance float64
	// PoolFactor × limit candidates (at least MinPool) are reranked.
	PoolFactor, MinPool int
	// MaxExamined bounds the text hits read from the store while filling
	// the pool: the hits that are not live or fail a strict filter are
	// skipped, and a filter that admits almost nothing must not turn a
	// match into a scan of the whole side.
	MaxExamined int
	// ForOffers and ForDemands weigh the final score of the offers
	// matched for a demand and of the demands matched for an offer
	// (weights.json, fitted per direction).
	ForOffers, ForDemands RankWeights
}{
	TitleWeight: 5, KeywordsWeight: 2.5, SummaryWeight: 1.5, DescriptionWeight: 1,
	SubwordWeight:    0.6,
	SingleCharWeight: 1,
	CommonShare:      0.1, CommonFloor: 50,
	MaxQueryTerms: 48, BodyTerms: 48, NeedTerms: 48,
	TitleBoost: 1.6, KeywordsBoost: 1.3, BodyBoost: 1, FocusBoost: 0.5, AsideBoost: 0.15, BigramBoost: 0.3, BigramFusion: 0.25,
	BigramCommonShare: 0.05,
	FeedbackWeight:    0.2, FeedbackDocs: 10, FeedbackTerms: 20, FeedbackBodyTerms: 5,
	PoolFactor: 8, MinPool: 60, MaxExamined: 5000,
	ForOffers: fitted.ForOffers, ForDemands: fitted.ForDemands,
}

// RankWeights weigh a match's final score. The feature weights add up to
// 1; the text feature is the BM25 score relative to the best candidate's
// to the power TextExponent. A match that breaks a hard constraint of the
// demand (TRL below its minimum, no common transfer mode, a price three
// times its budget), maybe the right technology but not one the
// enterprise can take as it stands, scores ViolationFactor times as much,
// less ViolationPenalty.
type RankWeights struct {
	Text, Industry, Readiness, Price, Modes, Region, Freshness, Quality float64
	TextExponent, ViolationFactor, ViolationPenalty                     float64
}

// Fitted are the weights techmarket-eval --learn --train fitted to the
// development set's judgments and wrote to weights.json.
type Fitted struct {
	ForOffers, ForDemands RankWeights
}

//go:embed weights.json
var weightsJSON []byte

// fitted is weights.json, read once; a file that does not read is a
// build that must not run.
var fitted = func() Fitted {
	var f Fitted
	dec := json.NewDecoder(bytes.NewReader(weightsJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		panic("match: weights.json: " + err.Error())
	}
	return f
}()

// SetTuning sets the knob called name (a field of Tuning, such as
// "BodyTerms", or of its weights, such as "ForOffers.Text") from its text
// form, so that the evaluation command can try a value and a server can
// run with it without a rebuild. No knob takes a negative value. Not safe
// while matches run.
func SetTuning(name, value string) error {
	f, err := knobField(name)
	if err != nil {
		return err
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
		if name == "FeedbackWeight" && x >= 1 {
			return fmt.Errorf("match: knob %s is the feedback's share of the query and must be below 1, or the source's own terms would count for nothing", name)
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
		return fmt.Errorf("match: %s is not one knob; knobs: %s", name, strings.Join(knobNames(), ", "))
	}
	return nil
}

// knobField is the field of Tuning that the knob called name is.
func knobField(name string) (reflect.Value, error) {
	f := reflect.ValueOf(&Tuning).Elem()
	for part := range strings.SplitSeq(name, ".") {
		if f.Kind() != reflect.Struct {
			f = reflect.Value{}
			break
		}
		if f = f.FieldByName(part); !f.IsValid() {
			break
		}
	}
	if !f.IsValid() {
		return f, fmt.Errorf("match: no tuning knob %q; knobs: %s", name, strings.Join(knobNames(), ", "))
	}
	return f, nil
}

// TuningValue is the knob called name's value in the text form SetTuning
// takes.
func TuningValue(name string) (string, error) {
	f, err := knobField(name)
	if err != nil {
		return "", err
	}
	switch f.Kind() {
	case reflect.Float64:
		return strconv.FormatFloat(f.Float(), 'g', -1, 64), nil
	case reflect.Int:
		return strconv.FormatInt(f.Int(), 10), nil
	}
	return "", fmt.Errorf("match: %s is not one knob; knobs: %s", name, strings.Join(knobNames(), ", "))
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
	var names []string
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for f := range t.Fields() {
			if f.Type.Kind() == reflect.Struct {
				walk(prefix+f.Name+".", f.Type)
				continue
			}
			names = append(names, prefix+f.Name)
		}
	}
	walk("", reflect.TypeOf(Tuning))
	return names
}
