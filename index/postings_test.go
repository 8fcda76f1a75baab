package index_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/demo"
	"github.com/wuhai-techmarket/techmarket/index"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// TestDisjunctionScoresAsBleve checks that term-at-a-time scoring ranks
// exactly as the bleve disjunction it replaces: same documents, same
// order, scores in one constant ratio (bleve's query norm), across
// several segments and with replaced documents.
func TestDisjunctionScoresAsBleve(t *testing.T) {
	f := open(t, t.TempDir())
	defer f.close()
	ctx := context.Background()
	op := auth.Principal{Org: "运营", Role: techmarketv1.Role_ROLE_OPERATOR}
	lines := demo.Lines()
	for i := 0; i < len(lines); i += 10 { // ten batches: several segments
		if _, err := f.m.Import(ctx, op, false, lines[i:min(i+10, len(lines))]); err != nil {
			t.Fatal(err)
		}
	}
	// Importing again with a changed title replaces documents, leaving
	// deleted ones behind in older segments.
	if _, err := f.m.Import(ctx, op, false, lines[:20]); err != nil {
		t.Fatal(err)
	}
	f.create(5, "replaced")

	clauses := []index.Clause{
		{Field: index.FieldTitle, Term: "氢", Boost: 2},
		{Field: index.FieldBody, Term: "氢", Boost: 1},
		{Field: index.FieldBody, Term: "储能", Boost: 1.3},
		{Field: index.FieldTitle, Term: "疏干水", Boost: 0.7},
		{Field: index.FieldBody, Term: "废水", Boost: 1},
		{Field: index.FieldKeywords, Term: "电石渣", Boost: 1.5},
		{Field: index.FieldBody, Term: "没有这个词", Boost: 1},
	}
	side := f.idx.Side(store.KindOffer)
	var should []query.Query
	for _, c := range clauses {
		q := query.NewTermQuery(c.Term)
		q.SetField(c.Field)
		q.SetBoost(c.Boost)
		should = append(should, q)
	}
	res, err := side.Search(bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(should), 1000, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) < 10 {
		t.Fatalf("bleve found %d offers; the demo set should give more", len(res.Hits))
	}

	p, err := index.OpenPostings(side)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	scores, err := p.Disjunction(ctx, clauses)
	if err != nil {
		t.Fatal(err)
	}
	defer scores.Release()
	if scores.Len() != len(res.Hits) {
		t.Errorf("term at a time matched %d offers, bleve %d", scores.Len(), len(res.Hits))
	}
	var got []index.Hit
	if err := scores.Top(func(h index.Hit) error { got = append(got, h); return nil }); err != nil {
		t.Fatal(err)
	}
	ratio := res.Hits[0].Score / got[0].Score
	for i, h := range res.Hits {
		if i >= len(got) {
			break
		}
		if got[i].ID != h.ID && math.Abs(got[i].Score*ratio-h.Score) > 1e-5*h.Score {
			t.Errorf("rank %d: term at a time has %s (%.6f), bleve %s (%.6f)", i+1, got[i].ID, got[i].Score*ratio, h.ID, h.Score)
		}
		if math.Abs(got[i].Score*ratio-h.Score) > 1e-5*h.Score {
			t.Errorf("rank %d: score %.9f, bleve %.9f", i+1, got[i].Score*ratio, h.Score)
		}
	}

	// Top stops when asked, after exactly the hits it was given.
	n := 0
	if err := scores.Top(func(index.Hit) error {
		if n++; n == 3 {
			return index.ErrStop
		}
		return nil
	}); err != nil || n != 3 {
		t.Errorf("Top after ErrStop: %d hits, error %v; want 3 and nil", n, err)
	}
	boom := errors.New("boom")
	if err := scores.Top(func(index.Hit) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Top returned %v, want the visitor's error", err)
	}
}
