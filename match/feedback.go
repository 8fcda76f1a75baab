package match

import (
	"math/bits"
	"slices"
	"time"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/listing"
	"github.com/wuhai-techmarket/techmarket/store"
)

// Pseudo-relevance feedback (RM3): a vague demand names a symptom
// (煤气烧不完只能点火炬) and no method, while the offers that answer it
// name the method. The first round's best candidates are likely on topic
// even when they are not the answer, and their telling terms are the
// other side's vocabulary for the topic: mixed into the query at
// Tuning.FeedbackWeight, they find offers that share none of the demand's
// own words.

// feedbackDoc is one first-round candidate whose terms feed the second
// round, with its share of the feedback.
type feedbackDoc struct {
	telling []term  // its telling terms against its own side, shared
	weight  float64 // first-round score relative to the best
}

// feedbackDocs returns the first Tuning.FeedbackDocs live, admitted
// candidates of the first round with their telling terms.
//
// A candidate's telling terms depend on its text, the knobs that weigh
// it and the document frequencies of its side, so they are kept under
// the candidate's revision (tellingKey): the same offers are the best
// candidates of match after match, and reading, analysing and weighing
// ten of them in full was most of the second round's cost. They are
// kept whatever the source, since the candidates are the other side's
// standing listings (the alerter's reverse match of a one-off new
// listing included).
//
// The key holds the side's size to within a factor of two, not the
// exact index view: every write to the side changes the view, and a
// market written to every few seconds would weigh its candidates again
// in nearly every match. A term's weight drifts little while the side
// grows by less than double, and the feedback's terms are a blend of
// ten candidates' anyway; once the side doubles, or is rebuilt, every
// candidate is weighed afresh.
func (m *Matcher) feedbackDocs(cands *candidates, first *index.Scores, target *index.Postings, src listing.Listing, f Filters, now time.Time) ([]feedbackDoc, error) {
	var docs []feedbackDoc
	knobs := tellingKnobs()
	err := cands.walk(first, src, f, now, func(hit index.Hit, _ listing.Listing, revision uint64, rel float64) error {
		key := tellingKey{kind: cands.kind, id: hit.ID, revision: revision, index: target.Generation(), size: bits.Len64(target.DocCount()), knobs: knobs}
		ts, ok := m.telling.get(key)
		if !ok {
			rec, err := cands.rd.Get(cands.kind, hit.ID)
			if err != nil {
				return err
			}
			full, err := index.DecodeListing(rec)
			if err != nil {
				return err
			}
			// The analysis itself is not kept (occurrencesOf's cache is
			// the sources'): the telling terms are what is reused.
			if ts, err = tellingOf(occurrencesOf(full, false), target); err != nil {
				return err
			}
			ts = slices.Clip(ts)
			m.telling.put(key, ts)
		}
		docs = append(docs, feedbackDoc{telling: ts, weight: rel})
		if len(docs) == Tuning.FeedbackDocs {
			return index.ErrStop
		}
		return nil
	})
	return docs, err
}

// tellingCacheSize bounds Matcher.telling: an entry is a candidate's
// MaxQueryTerms terms, about 2 KB, so 16,384 of them take about 32 MB.
// A market matches thousands of sources, each against its best ten; 4,096
// entries were too few for 10,000 listings a side, and a miss costs a
// listing analysed again.
const tellingCacheSize = 16384

// tellingKey names a listing's telling terms: the listing as of one
// revision, weighed against its side of one index at one size class with
// one set of knobs.
type tellingKey struct {
	kind     store.Kind
	id       string
	revision uint64
	index    uint64 // index.Postings.Generation
	size     int    // bits.Len64 of the side's live documents
	knobs    uint64 // tellingKnobs
}

// tellingKnobs hashes what tellingOf's result depends on besides the
// text and the index: the analysis configuration and the knobs that
// weigh and pick terms.
func tellingKnobs() uint64 {
	k := newKeyHash()
	k.num(analysis.Generation())
	for _, x := range []float64{Tuning.TitleWeight, Tuning.KeywordsWeight, Tuning.SummaryWeight, Tuning.DescriptionWeight,
		Tuning.SubwordWeight, Tuning.SingleCharWeight, Tuning.SymptomWeight, Tuning.CommonShare} {
		k.float(x)
	}
	k.num(uint64(Tuning.CommonFloor))
	k.num(uint64(Tuning.MaxQueryTerms))
	return k.sum()
}

// feedbackTerms are the feedback documents' telling terms, their
// Tuning.FeedbackTerms best, each document weighing by its first-round
// score; weights are shares of the feedback, summing to 1.
func feedbackTerms(docs []feedbackDoc) []term {
	if len(docs) == 0 {
		return nil
	}
	var docWeights float64
	for _, d := range docs {
		docWeights += d.weight
	}
	fed := map[string]term{}
	for _, d := range docs {
		ts := d.telling
		var total float64
		for _, t := range ts {
			total += t.weight
		}
		for _, t := range ts {
			e := fed[t.text]
			e.text, e.df = t.text, t.df
			e.weight += d.weight / docWeights * t.weight / total
			fed[t.text] = e
		}
	}
	best := make([]term, 0, len(fed))
	for _, t := range fed {
		best = append(best, t)
	}
	best = bestFirst(best, Tuning.FeedbackTerms)
	var fedTotal float64
	for _, t := range best {
		fedTotal += t.weight
	}
	if fedTotal == 0 {
		return nil
	}
	for i := range best {
		best[i].weight /= fedTotal
	}
	return best
}
