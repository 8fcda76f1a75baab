// Package eval measures how well Techmarket matches offers and demands,
// against the relevance judgments of an evaluation set (FORMAT.md,
// "Relevance judgments").
//
// Run builds a fresh in-process service, the same server a deployment runs,
// imports the set and any background listings, and asks MatchService for
// the offers of every judged demand and the demands of every judged offer.
// Baseline ranks the same queries with a plain bleve index, the naive
// baseline of the set's README, so that both are measured by the same code
// and their figures can be set side by side.
package eval

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Direction is which side a query asks for.
type Direction string

// The two directions of matching.
const (
	// DemandToOffer asks MatchOffers for the offers that fit a demand.
	DemandToOffer Direction = "demand→offer"
	// OfferToDemand asks MatchDemands for the demands an offer can serve.
	OfferToDemand Direction = "offer→demand"
)

// Directions lists both, in report order.
var Directions = []Direction{DemandToOffer, OfferToDemand}

// AllGroup is the group that holds every query of a direction.
const AllGroup = "all"

// ungrouped holds the demands a groups file does not name, so that they
// still show up when the groups do not add up to the whole set.
const ungrouped = "ungrouped"

// DefaultK is the cut-off of every metric and the limit of every match call.
const DefaultK = 10

// maxK is MatchService's largest limit.
const maxK = 100

// Config says what to evaluate.
type Config struct {
	// SetDir holds offers.jsonl, demands.jsonl and qrels.tsv.
	SetDir string
	// Background lists further JSON Lines files imported beside the set
	// as distractors, judged 0 for every query.
	Background []string
	// Groups maps demand external ids to a group name (see ReadGroups);
	// demand→offer figures are then also reported per group. Optional.
	Groups map[string]string
	// K is the cut-off; 0 means DefaultK.
	K int
	// Progress, when set, receives a line for each step and for every
	// tenth of the queries matched.
	Progress io.Writer
}

// Report is the outcome of one evaluation.
type Report struct {
	// System is what was measured: "techmarket" or "baseline".
	System string `json:"system"`
	// K is the cut-off of every metric.
	K int `json:"k"`
	// Rows hold the means by direction and group, "all" first.
	Rows []Row `json:"rows"`
	// Queries hold every query's ranking and figures, in Rows' directions
	// and by source external id.
	Queries []Query `json:"queries"`
}

// Row is the mean over the queries of one direction and group.
type Row struct {
	Direction Direction `json:"direction"`
	Group     string    `json:"group"`
	// NDCG is the mean nDCG@K over Queries queries.
	NDCG float64 `json:"ndcg"`
	// Recall, P1 and MRR are means over RelevantQueries queries, those with
	// a judged item of grade ≥ 2.
	Recall float64 `json:"recall"`
	P1     float64 `json:"p1"`
	MRR    float64 `json:"mrr"`
	// Queries counts the queries with a judged item of grade ≥ 1.
	Queries int `json:"queries"`
	// RelevantQueries counts those with a judged item of grade ≥ 2.
	RelevantQueries int `json:"relevantQueries"`
}

// Query is one listing matched, with what came back.
type Query struct {
	Direction Direction `json:"direction"`
	Group     string    `json:"group,omitempty"`
	// Source is the external id of the listing matched.
	Source string  `json:"source"`
	Title  string  `json:"title"`
	NDCG   float64 `json:"ndcg"`
	// Relevant counts the judged items of grade ≥ 2; when it is 0, Recall,
	// P1 and RR are 0 and count in no mean.
	Relevant int     `json:"relevant"`
	Recall   float64 `json:"recall"`
	P1       float64 `json:"p1"`
	RR       float64 `json:"rr"`
	// Hits are the first K results, best first.
	Hits []Hit `json:"hits"`
	// Missed are the judged items of grade ≥ 2 not among Hits, best first.
	Missed []Hit `json:"missed,omitempty"`
}

// Hit is one listing of a ranking, with its judgment.
type Hit struct {
	ExternalID string  `json:"externalId"`
	Title      string  `json:"title"`
	Grade      int     `json:"grade"`
	Score      float64 `json:"score,omitempty"`
	// Parts are the service's score parts, each feature's contribution,
	// to see why a listing ranked where it did; the baseline has none.
	Parts map[string]float64 `json:"parts,omitempty"`
}

// Row returns the row of direction d and group, if any query fell in it.
func (r *Report) Row(d Direction, group string) (Row, bool) {
	for _, row := range r.Rows {
		if row.Direction == d && row.Group == group {
			return row, true
		}
	}
	return Row{}, false
}

// ranker is what is measured: the service over gRPC, or the baseline.
type ranker interface {
	// rank returns up to k listings of the other side for the listing src
	// (an external id), best first.
	rank(ctx context.Context, d Direction, src string, k int) ([]ranked, error)
}

// ranked is one result of a ranker.
type ranked struct {
	id    string // external id
	score float64
	parts map[string]float64
}

func (c *Config) check() error {
	if c.K == 0 {
		c.K = DefaultK
	}
	if c.K < 1 || c.K > maxK {
		return fmt.Errorf("the cut-off K is %d; it must be from 1 to %d, the most a match call returns", c.K, maxK)
	}
	return nil
}

// Run evaluates Techmarket's MatchService: it starts a fresh service in a
// temporary folder, imports the set and the background files, matches every
// judged listing and scores the rankings.
func Run(ctx context.Context, cfg Config) (rep *Report, err error) {
	s, svc, err := serveSet(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := svc.close(); cerr != nil && err == nil {
			rep, err = nil, fmt.Errorf("techmarket: stopping the service: %w", cerr)
		}
	}()
	return evaluate(ctx, s, svc, "techmarket", cfg)
}

// serveSet checks cfg (filling in its defaults), loads its set and
// starts a service holding it.
func serveSet(ctx context.Context, cfg *Config) (*set, *service, error) {
	if err := cfg.check(); err != nil {
		return nil, nil, err
	}
	s, err := loadSet(*cfg)
	if err != nil {
		return nil, nil, err
	}
	svc, err := startService(ctx, s, cfg.Progress)
	if err != nil {
		return nil, nil, fmt.Errorf("techmarket: %w", err)
	}
	return s, svc, nil
}

// Baseline evaluates the naive baseline (see baseline) on the same queries.
func Baseline(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	s, err := loadSet(cfg)
	if err != nil {
		return nil, err
	}
	b, err := newBaseline(s, cfg.Progress)
	if err != nil {
		return nil, err
	}
	defer b.close()
	return evaluate(ctx, s, b, "baseline", cfg)
}

// evaluate asks r for every query of s and scores the answers.
func evaluate(ctx context.Context, s *set, r ranker, system string, cfg Config) (*Report, error) {
	type job struct {
		d   Direction
		src string
	}
	var jobs []job
	for _, d := range Directions {
		for _, src := range s.queries(d) {
			jobs = append(jobs, job{d, src})
		}
	}
	results := make([]Query, len(jobs))

	// The calls are independent, and both rankers are safe for concurrent
	// use, so they run on every core: matching is most of the run time.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	done := make(chan struct{}, len(jobs))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				j := jobs[i]
				hits, err := r.rank(ctx, j.d, j.src, cfg.K)
				if err != nil {
					cancel(fmt.Errorf("%s: matching %s: %w", system, j.src, err))
					continue
				}
				q, err := s.query(j.d, j.src, hits, cfg.K)
				if err != nil {
					cancel(fmt.Errorf("%s: matching %s: %w", system, j.src, err))
					continue
				}
				results[i] = q
				done <- struct{}{}
			}
		})
	}
	progress(cfg.Progress, "%s: matching %d listings", system, len(jobs))
	go func() {
		defer close(next)
		for i := range jobs {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	// Progress is written here, on the caller's goroutine, as answers come.
	step := max(1, len(jobs)/10)
	n := 0
	for range done {
		if n++; n%step == 0 && n < len(jobs) {
			progress(cfg.Progress, "%s: matched %d/%d", system, n, len(jobs))
		}
	}
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	progress(cfg.Progress, "%s: matched %d/%d", system, n, len(jobs))
	return &Report{System: system, K: cfg.K, Rows: aggregate(results), Queries: results}, nil
}

// query scores the hits of one query.
func (s *set) query(d Direction, src string, hits []ranked, k int) (Query, error) {
	judged := s.judged(d, src)
	q := Query{Direction: d, Group: s.group(d, src), Source: src, Title: s.source(d, src).GetTitle()}
	if len(s.groups) > 0 && d == DemandToOffer && q.Group == "" {
		q.Group = ungrouped
	}
	seen := map[string]bool{}
	var grades []int
	for _, h := range hits[:min(k, len(hits))] {
		// A listing ranked twice would count twice; that is a bug in the
		// ranker, not something to average over.
		if seen[h.id] {
			return Query{}, fmt.Errorf("%s is ranked twice", h.id)
		}
		seen[h.id] = true
		t := s.target(d, h.id)
		if t == nil {
			return Query{}, fmt.Errorf("%s is not a listing of the set or the background", h.id)
		}
		q.Hits = append(q.Hits, Hit{ExternalID: h.id, Title: t.GetTitle(), Grade: judged[h.id], Score: h.score, Parts: h.parts})
		grades = append(grades, judged[h.id])
	}
	var all []int
	for id, g := range judged {
		all = append(all, g)
		if g >= relevantGrade {
			q.Relevant++
			if !seen[id] {
				q.Missed = append(q.Missed, Hit{ExternalID: id, Title: s.target(d, id).GetTitle(), Grade: g})
			}
		}
	}
	slices.SortFunc(q.Missed, func(a, b Hit) int {
		if a.Grade != b.Grade {
			return b.Grade - a.Grade
		}
		return strings.Compare(a.ExternalID, b.ExternalID)
	})
	sc := score(grades, all, k)
	q.NDCG, q.Recall, q.P1, q.RR = sc.ndcg, sc.recall, sc.p1, sc.rr
	return q, nil
}

// RelevantGroup is the row of the queries with an item of grade ≥ 2.
const RelevantGroup = "grade≥2"

// aggregate makes the rows: per direction "all", then each group by name.
func aggregate(queries []Query) []Row {
	var rows []Row
	for _, d := range Directions {
		byGroup := map[string]*mean{}
		var all, relevant mean
		for _, q := range queries {
			if q.Direction != d {
				continue
			}
			all.add(q)
			if q.Relevant > 0 {
				relevant.add(q)
			}
			if q.Group != "" {
				if byGroup[q.Group] == nil {
					byGroup[q.Group] = &mean{}
				}
				byGroup[q.Group].add(q)
			}
		}
		rows = append(rows, all.row(d, AllGroup))
		// The dev README (and the baseline figures) average nDCG
		// over the queries that have an item of grade ≥ 2 only.
		if relevant.queries > 0 && relevant.queries < all.queries {
			rows = append(rows, relevant.row(d, RelevantGroup))
		}
		names := make([]string, 0, len(byGroup))
		for g := range byGroup {
			names = append(names, g)
		}
		slices.Sort(names)
		for _, g := range names {
			rows = append(rows, byGroup[g].row(d, g))
		}
	}
	return rows
}

// progress writes one line of progress, if anyone listens.
func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
