package match

import (
	"errors"
	"time"

	"github.com/wuhai-techmarket/techmarket/index"
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
	occ    occurrences
	weight float64 // first-round score relative to the best
}

// feedbackDocs reads the first Tuning.FeedbackDocs live, admitted
// candidates of the first round in full and returns their occurrences.
func (m *Matcher) feedbackDocs(first *index.Scores, targetKind store.Kind, src listing.Listing, f Filters, now time.Time, remember bool) ([]feedbackDoc, error) {
	var docs []feedbackDoc
	var top float64
	examined := 0
	err := m.st.Read(func(rd *store.Reader) error {
		return first.Top(func(hit index.Hit) error {
			if examined++; examined > Tuning.MaxExamined {
				return index.ErrStop
			}
			rec, err := rd.Get(targetKind, hit.ID)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			cand, err := index.DecodeListing(rec)
			if err != nil {
				return err
			}
			if !matchable(src, cand, rec.Revision, f, now) {
				return nil
			}
			if top == 0 {
				top = hit.Score
			}
			// Candidates recur from match to match as sources do, so
			// their analysis is worth keeping when the source's is.
			docs = append(docs, feedbackDoc{occ: occurrencesOf(cand, remember), weight: hit.Score / top})
			if len(docs) == Tuning.FeedbackDocs {
				return index.ErrStop
			}
			return nil
		})
	})
	return docs, err
}

// feedbackTerms are the feedback documents' telling terms, their
// Tuning.FeedbackTerms best, each document weighing by its first-round
// score; weights are shares of the feedback, summing to 1.
func feedbackTerms(docs []feedbackDoc, target *index.Postings) ([]term, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	var docWeights float64
	for _, d := range docs {
		docWeights += d.weight
	}
	fed := map[string]term{}
	for _, d := range docs {
		ts, err := tellingOf(d.occ, target)
		if err != nil {
			return nil, err
		}
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
		return nil, nil
	}
	for i := range best {
		best[i].weight /= fedTotal
	}
	return best, nil
}
