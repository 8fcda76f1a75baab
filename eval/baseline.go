package eval

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wuhai-techmarket/techmarket/listing"
)

// baseline is the naive matcher of the dev set's README, the yardstick the
// service has to beat: per side an in-memory bleve index with bleve's own
// cjk analyzer (CJK bigrams), every text field of a listing in one field,
// default scoring, and the whole text of the source listing as one match
// query. No structured field plays any part, and it sees every listing
// whatever its state or deadline.
type baseline struct {
	s *set
	// searched is the index a direction searches: offers for DemandToOffer.
	searched map[Direction]bleve.Index
}

// baselineField is the one field of a baseline document.
const baselineField = "text"

func newBaseline(s *set, log io.Writer) (*baseline, error) {
	b := &baseline{s: s, searched: map[Direction]bleve.Index{}}
	for _, d := range Directions {
		targets := s.offers
		if d == OfferToDemand {
			targets = s.demands
		}
		progress(log, "baseline: indexing %d listings for %s", len(targets), d)
		idx, err := bleve.NewMemOnly(baselineMapping())
		if err != nil {
			b.close()
			return nil, fmt.Errorf("baseline: %w", err)
		}
		b.searched[d] = idx
		// In a fixed order, so that equal scores rank the same way every run.
		batch := idx.NewBatch()
		for _, id := range slices.Sorted(maps.Keys(targets)) {
			if err := batch.Index(id, map[string]any{baselineField: listingText(targets[id])}); err != nil {
				b.close()
				return nil, fmt.Errorf("baseline: indexing %s: %w", id, err)
			}
		}
		if err := idx.Batch(batch); err != nil {
			b.close()
			return nil, fmt.Errorf("baseline: %w", err)
		}
	}
	return b, nil
}

func baselineMapping() mapping.IndexMapping {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName
	text.Store = false
	text.IncludeTermVectors = false // no highlighting, and scoring does not use them
	text.IncludeInAll = false
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(baselineField, text)
	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = cjk.AnalyzerName
	return m
}

// listingText is every text field of a listing, one per line.
func listingText(l listing.Listing) string {
	var parts []string
	for _, s := range []string{l.GetTitle(), l.GetSummary(), l.GetDescription(), strings.Join(l.GetKeywords(), " ")} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

func (b *baseline) rank(ctx context.Context, d Direction, src string, k int) ([]ranked, error) {
	// A MatchQuery analyses the text with the field's analyzer and ORs the
	// terms; built in code, the listing's text is never read as query
	// syntax, so its + - : and quotes are plain characters.
	q := query.NewMatchQuery(listingText(b.s.source(d, src)))
	q.SetField(baselineField)
	res, err := b.searched[d].SearchInContext(ctx, bleve.NewSearchRequestOptions(q, k, 0, false))
	if err != nil {
		return nil, err
	}
	out := make([]ranked, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = ranked{id: h.ID, score: h.Score}
	}
	return out, nil
}

func (b *baseline) close() {
	for _, idx := range b.searched {
		_ = idx.Close() // in memory: nothing to flush
	}
}
