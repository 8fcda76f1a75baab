package agenda_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuhai-techmarket/techmarket/agenda"
)

var shanghai = time.FixedZone("CST", 8*3600)

// slots returns n twenty-minute slots with five-minute breaks from 09:00.
func slots(n int) []agenda.Slot {
	start := time.Date(2026, 5, 20, 9, 0, 0, 0, shanghai)
	out := make([]agenda.Slot, n)
	for i := range out {
		s := start.Add(time.Duration(i) * 25 * time.Minute)
		out[i] = agenda.Slot{Start: s, End: s.Add(20 * time.Minute)}
	}
	return out
}

func offer(i int) string  { return fmt.Sprintf("offers/o%02d", i) }
func demand(i int) string { return fmt.Sprintf("demands/d%02d", i) }

type shape struct {
	offers, demands, slots, tables, limit int
	candidate, decline, unavailable       float64 // probabilities
}

// randomProblem draws a problem of the given shape: each pair is a
// candidate with probability candidate, each candidate declined with
// probability decline, each party unavailable in each slot with
// probability unavailable.
func randomProblem(seed uint64, sh shape) agenda.Problem {
	rng := rand.New(rand.NewPCG(seed, 7))
	p := agenda.Problem{Slots: slots(sh.slots), Tables: sh.tables, MaxMeetingsPerParty: sh.limit}
	for o := range sh.offers {
		for d := range sh.demands {
			if rng.Float64() >= sh.candidate {
				continue
			}
			pair := agenda.Pair{Offer: offer(o), Demand: demand(d)}
			// 1-Float64 is in (0,1], the range qualities live in.
			p.Candidates = append(p.Candidates, agenda.Candidate{Pair: pair, Quality: 1 - rng.Float64()})
			if rng.Float64() < sh.decline {
				p.Declined = append(p.Declined, pair)
			}
		}
	}
	if sh.unavailable > 0 {
		p.Unavailable = map[string][]int{}
		var ids []string
		for o := range sh.offers {
			ids = append(ids, offer(o))
		}
		for d := range sh.demands {
			ids = append(ids, demand(d))
		}
		for _, id := range ids {
			for s := range sh.slots {
				if rng.Float64() < sh.unavailable {
					p.Unavailable[id] = append(p.Unavailable[id], s)
				}
			}
		}
	}
	return p
}

// bruteForce returns the best total quality of any feasible plan, by trying
// every candidate in every slot or in none. Tables are interchangeable, so
// a slot's load stands for them.
func bruteForce(p agenda.Problem) float64 {
	declined := map[agenda.Pair]bool{}
	for _, d := range p.Declined {
		declined[d] = true
	}
	var cs []agenda.Candidate
	for _, c := range p.Candidates {
		if !declined[c.Pair] {
			cs = append(cs, c)
		}
	}
	S := len(p.Slots)
	busy := map[string][]bool{}
	for _, c := range cs {
		for _, id := range []string{c.Offer, c.Demand} {
			if busy[id] == nil {
				busy[id] = make([]bool, S)
				for _, s := range p.Unavailable[id] {
					busy[id][s] = true // unavailable is as good as busy
				}
			}
		}
	}
	// rest[i] bounds what candidates i.. can add, for pruning.
	rest := make([]float64, len(cs)+1)
	for i := len(cs) - 1; i >= 0; i-- {
		rest[i] = rest[i+1] + cs[i].Quality
	}
	deg := map[string]int{}
	load := make([]int, S)
	best := 0.0
	var try func(i int, total float64)
	try = func(i int, total float64) {
		if total+rest[i] <= best {
			return
		}
		if i == len(cs) {
			best = total
			return
		}
		c := cs[i]
		if deg[c.Offer] < p.MaxMeetingsPerParty && deg[c.Demand] < p.MaxMeetingsPerParty {
			for s := range S {
				if load[s] >= p.Tables || busy[c.Offer][s] || busy[c.Demand][s] {
					continue
				}
				busy[c.Offer][s], busy[c.Demand][s] = true, true
				deg[c.Offer]++
				deg[c.Demand]++
				load[s]++
				try(i+1, total+c.Quality)
				busy[c.Offer][s], busy[c.Demand][s] = false, false
				deg[c.Offer]--
				deg[c.Demand]--
				load[s]--
			}
		}
		try(i+1, total)
	}
	try(0, 0)
	return best
}

// verify checks pl against p with plain loops, independently of
// Plan.Check, so that a bug shared by Check and Solve still shows.
func verify(t *testing.T, p agenda.Problem, pl agenda.Plan) {
	t.Helper()
	if err := pl.Check(p); err != nil {
		t.Fatalf("Check: %v", err)
	}
	quality := map[agenda.Pair]float64{}
	for _, c := range p.Candidates {
		quality[c.Pair] = c.Quality
	}
	for _, d := range p.Declined {
		delete(quality, d)
	}
	count := map[string]int{}
	pairs := map[agenda.Pair]bool{}
	sum := 0.0
	for i, m := range pl.Meetings {
		if q, ok := quality[m.Pair]; !ok || q != m.Quality {
			t.Errorf("meeting %d %v: not an undeclined candidate with quality %v", i, m.Pair, m.Quality)
		}
		if pairs[m.Pair] {
			t.Errorf("meeting %d: pair %v meets twice", i, m.Pair)
		}
		pairs[m.Pair] = true
		count[m.Offer]++
		count[m.Demand]++
		if m.Slot < 0 || m.Slot >= len(p.Slots) || m.Table < 0 || m.Table >= p.Tables {
			t.Errorf("meeting %d: slot %d table %d out of range", i, m.Slot, m.Table)
		}
		for j, n := range pl.Meetings[:i] {
			if n.Slot != m.Slot {
				continue
			}
			if n.Table == m.Table || n.Offer == m.Offer || n.Demand == m.Demand {
				t.Errorf("meetings %d %+v and %d %+v clash in slot %d", j, n, i, m, m.Slot)
			}
		}
		for _, id := range []string{m.Offer, m.Demand} {
			if slices.Contains(p.Unavailable[id], m.Slot) {
				t.Errorf("meeting %d: %s cannot attend slot %d", i, id, m.Slot)
			}
		}
		sum += m.Quality
	}
	for id, n := range count {
		if n > p.MaxMeetingsPerParty {
			t.Errorf("%s has %d meetings, limit %d", id, n, p.MaxMeetingsPerParty)
		}
	}
	if math.Abs(sum-pl.TotalQuality) > 1e-9 {
		t.Errorf("TotalQuality %v, meetings add up to %v", pl.TotalQuality, sum)
	}
}

func solve(t testing.TB, p agenda.Problem) agenda.Plan {
	t.Helper()
	pl, err := agenda.Solve(context.Background(), p)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	return pl
}

func TestSolveLargeEvent(t *testing.T) {
	p := randomProblem(1, shape{offers: 40, demands: 30, slots: 8, tables: 10, limit: 4, candidate: 1, decline: 0.05})
	if len(p.Candidates) != 1200 {
		t.Fatalf("%d candidates, want all 1200 pairs", len(p.Candidates))
	}
	start := time.Now()
	pl := solve(t, p)
	elapsed := time.Since(start)
	verify(t, p, pl)
	// 40 offers × 4 and 30 demands × 4 could fill far more than the 80
	// tables, and declines are few, so every table should be used.
	if len(pl.Meetings) != 80 {
		t.Errorf("%d meetings, want all 8×10 tables used", len(pl.Meetings))
	}
	g := agenda.Greedy(p)
	verify(t, p, g)
	// Solve is optimal, so never below Greedy; on random instances it is
	// usually strictly better, Greedy's early choices blocking better pairs.
	if pl.TotalQuality < g.TotalQuality {
		t.Errorf("Solve %.4f < Greedy %.4f", pl.TotalQuality, g.TotalQuality)
	}
	t.Logf("Solve %.4f, Greedy %.4f, in %v", pl.TotalQuality, g.TotalQuality, elapsed)
	// Generous against slow, shared and race-instrumented machines; the
	// benchmark tells the real figure (well under a millisecond).
	if elapsed > time.Second {
		t.Errorf("Solve took %v, want well under a second", elapsed)
	}
}

func TestSolveBeatsGreedy(t *testing.T) {
	// Greedy takes A–X (0.9) and then neither A nor X is free in the only
	// slot; the optimum is A–Y and B–X.
	p := agenda.Problem{
		Slots: slots(1), Tables: 2, MaxMeetingsPerParty: 1,
		Candidates: []agenda.Candidate{
			{agenda.Pair{Offer: "offers/A", Demand: "demands/X"}, 0.9},
			{agenda.Pair{Offer: "offers/A", Demand: "demands/Y"}, 0.8},
			{agenda.Pair{Offer: "offers/B", Demand: "demands/X"}, 0.8},
		},
	}
	g := agenda.Greedy(p)
	pl := solve(t, p)
	verify(t, p, pl)
	if math.Abs(g.TotalQuality-0.9) > 1e-12 {
		t.Errorf("Greedy %v, want 0.9", g.TotalQuality)
	}
	want := []agenda.Meeting{
		{Slot: 0, Table: 0, Pair: agenda.Pair{Offer: "offers/A", Demand: "demands/Y"}, Quality: 0.8},
		{Slot: 0, Table: 1, Pair: agenda.Pair{Offer: "offers/B", Demand: "demands/X"}, Quality: 0.8},
	}
	if !reflect.DeepEqual(pl.Meetings, want) {
		t.Errorf("Solve meetings\n%+v\nwant\n%+v", pl.Meetings, want)
	}
}

func TestSolveBeatsGreedyOverSlots(t *testing.T) {
	// Slots and tables to spare, but one meeting per party: Greedy spends
	// A and X on their best pair, the optimum gives each a partner.
	p := agenda.Problem{
		Slots: slots(2), Tables: 3, MaxMeetingsPerParty: 1,
		Candidates: []agenda.Candidate{
			{agenda.Pair{Offer: "offers/A", Demand: "demands/X"}, 0.9},
			{agenda.Pair{Offer: "offers/A", Demand: "demands/Y"}, 0.85},
			{agenda.Pair{Offer: "offers/B", Demand: "demands/X"}, 0.8},
			{agenda.Pair{Offer: "offers/C", Demand: "demands/Y"}, 0.8},
			{agenda.Pair{Offer: "offers/A", Demand: "demands/Z"}, 0.3},
		},
	}
	// Greedy: A–X, then C–Y (A is done): 1.7. Optimum: A–Z, B–X, C–Y: 1.9.
	g, pl := agenda.Greedy(p), solve(t, p)
	verify(t, p, pl)
	if math.Abs(g.TotalQuality-1.7) > 1e-12 || math.Abs(pl.TotalQuality-1.9) > 1e-12 {
		t.Errorf("Greedy %v, Solve %v; want 1.7 and 1.9", g.TotalQuality, pl.TotalQuality)
	}
}

// compareBruteForce solves many random problems of one shape and checks
// Solve's total against the brute-force optimum. It returns how many times
// Greedy fell short of the optimum.
func compareBruteForce(t *testing.T, seeds int, sh shape) (greedyWorse int) {
	t.Helper()
	for seed := range uint64(seeds) {
		p := randomProblem(seed, sh)
		if sh.limit == 0 {
			p.MaxMeetingsPerParty = 1 + int(seed%3)
		}
		pl := solve(t, p)
		verify(t, p, pl)
		best := bruteForce(p)
		if math.Abs(pl.TotalQuality-best) > 1e-8 {
			t.Fatalf("seed %d: Solve %.9f, optimum %.9f\nproblem %+v\nplan %+v", seed, pl.TotalQuality, best, p, pl)
		}
		if agenda.Greedy(p).TotalQuality < best-1e-8 {
			greedyWorse++
		}
	}
	return greedyWorse
}

func TestSolveOptimalSmall(t *testing.T) {
	// 3 offers × 3 demands × 2 slots × 2 tables, limits 1 to 3.
	worse := compareBruteForce(t, 400, shape{offers: 3, demands: 3, slots: 2, tables: 2, candidate: 0.8, decline: 0.15})
	// Otherwise the comparison would prove little.
	if worse == 0 {
		t.Error("Greedy was optimal on every seed; the seeds test nothing Greedy cannot do")
	}
	t.Logf("Greedy suboptimal on %d of 400 seeds", worse)
}

func TestSolveOneTable(t *testing.T) {
	compareBruteForce(t, 150, shape{offers: 3, demands: 3, slots: 3, tables: 1, limit: 2, candidate: 0.8, decline: 0.1})
	// One table: one meeting per slot. With every pair a candidate and a
	// limit of 3 over 3 slots, any three pairs fit, one per slot, so the
	// optimum is the three best qualities.
	p := randomProblem(3, shape{offers: 4, demands: 4, slots: 3, tables: 1, limit: 3, candidate: 1})
	pl := solve(t, p)
	verify(t, p, pl)
	if len(pl.Meetings) != 3 {
		t.Fatalf("%d meetings, want one per slot", len(pl.Meetings))
	}
	qs := make([]float64, len(p.Candidates))
	for i, c := range p.Candidates {
		qs[i] = c.Quality
	}
	slices.Sort(qs)
	if want := qs[len(qs)-1] + qs[len(qs)-2] + qs[len(qs)-3]; math.Abs(pl.TotalQuality-want) > 1e-9 {
		t.Errorf("total %v, want the three best qualities %v", pl.TotalQuality, want)
	}
}

func TestSolveOneSlot(t *testing.T) {
	// One slot: everyone meets at most once even with a limit of 3.
	compareBruteForce(t, 150, shape{offers: 4, demands: 4, slots: 1, tables: 3, limit: 3, candidate: 0.7, decline: 0.1})
}

func TestSolveLimitAboveSlots(t *testing.T) {
	// A limit of 5 with 2 slots: the slots bind, not the limit.
	compareBruteForce(t, 150, shape{offers: 3, demands: 3, slots: 2, tables: 3, limit: 5, candidate: 0.9, decline: 0.1})
	p := randomProblem(5, shape{offers: 2, demands: 6, slots: 2, tables: 6, limit: 5, candidate: 1})
	pl := solve(t, p)
	verify(t, p, pl)
	// Two offers, two slots: at most four meetings, and with all pairs
	// candidates each offer fills both slots.
	if len(pl.Meetings) != 4 {
		t.Errorf("%d meetings, want 4", len(pl.Meetings))
	}
}

func TestSolveNoCandidates(t *testing.T) {
	p := agenda.Problem{Slots: slots(2), Tables: 2, MaxMeetingsPerParty: 1,
		Candidates: []agenda.Candidate{{agenda.Pair{Offer: "offers/A", Demand: "demands/X"}, 0.5}},
		Declined:   []agenda.Pair{{Offer: "offers/A", Demand: "demands/X"}}}
	pl := solve(t, p)
	if len(pl.Meetings) != 0 || pl.TotalQuality != 0 {
		t.Errorf("plan %+v, want empty: the only candidate declined", pl)
	}
}

func TestSolveUnavailableHand(t *testing.T) {
	// A cannot attend slot 0 and X cannot attend slot 1: A–X can never
	// meet. B–X must go to slot 0, A–Y to slot 1.
	p := agenda.Problem{
		Slots: slots(2), Tables: 1, MaxMeetingsPerParty: 2,
		Candidates: []agenda.Candidate{
			{agenda.Pair{Offer: "offers/A", Demand: "demands/X"}, 1},
			{agenda.Pair{Offer: "offers/A", Demand: "demands/Y"}, 0.5},
			{agenda.Pair{Offer: "offers/B", Demand: "demands/X"}, 0.4},
		},
		Unavailable: map[string][]int{"offers/A": {0}, "demands/X": {1}},
	}
	pl := solve(t, p)
	verify(t, p, pl)
	want := []agenda.Meeting{
		{Slot: 0, Table: 0, Pair: agenda.Pair{Offer: "offers/B", Demand: "demands/X"}, Quality: 0.4},
		{Slot: 1, Table: 0, Pair: agenda.Pair{Offer: "offers/A", Demand: "demands/Y"}, Quality: 0.5},
	}
	if !reflect.DeepEqual(pl.Meetings, want) {
		t.Errorf("meetings\n%+v\nwant\n%+v", pl.Meetings, want)
	}
}

func TestSolveUnavailableSmall(t *testing.T) {
	// Not guaranteed optimal with unavailability, but never worse than
	// Greedy, never better than the optimum, and on these small problems
	// nearly always optimal.
	const seeds = 300
	optimal := 0
	for seed := range uint64(seeds) {
		p := randomProblem(seed, shape{offers: 3, demands: 3, slots: 3, tables: 2, limit: 2, candidate: 0.8, decline: 0.1, unavailable: 0.3})
		pl := solve(t, p)
		verify(t, p, pl)
		g := agenda.Greedy(p)
		verify(t, p, g)
		best := bruteForce(p)
		if pl.TotalQuality < g.TotalQuality || pl.TotalQuality > best+1e-8 {
			t.Fatalf("seed %d: Solve %v, Greedy %v, optimum %v", seed, pl.TotalQuality, g.TotalQuality, best)
		}
		if pl.TotalQuality >= best-1e-8 {
			optimal++
		}
	}
	t.Logf("optimal on %d of %d seeds", optimal, seeds)
	if optimal < seeds*95/100 {
		t.Errorf("optimal on only %d of %d seeds", optimal, seeds)
	}
}

func TestSolveUnavailableLarge(t *testing.T) {
	p := randomProblem(2, shape{offers: 40, demands: 30, slots: 8, tables: 10, limit: 4, candidate: 1, decline: 0.05, unavailable: 0.15})
	start := time.Now()
	pl := solve(t, p)
	elapsed := time.Since(start)
	verify(t, p, pl)
	g := agenda.Greedy(p)
	verify(t, p, g)
	if pl.TotalQuality < g.TotalQuality {
		t.Errorf("Solve %.4f < Greedy %.4f", pl.TotalQuality, g.TotalQuality)
	}
	t.Logf("Solve %.4f (%d meetings), Greedy %.4f (%d), in %v", pl.TotalQuality, len(pl.Meetings), g.TotalQuality, len(g.Meetings), elapsed)
	if elapsed > time.Second {
		t.Errorf("Solve took %v, want well under a second", elapsed)
	}
}

func TestSolveDeterministic(t *testing.T) {
	for _, sh := range []shape{
		{offers: 40, demands: 30, slots: 8, tables: 10, limit: 4, candidate: 0.6, decline: 0.05},
		{offers: 40, demands: 30, slots: 8, tables: 10, limit: 4, candidate: 0.6, decline: 0.05, unavailable: 0.2},
	} {
		p := randomProblem(9, sh)
		first := solve(t, p)
		if again := solve(t, p); !reflect.DeepEqual(first, again) {
			t.Fatalf("unavailable %v: two solves differ", sh.unavailable > 0)
		}
		// The same problem in another order is the same problem.
		rng := rand.New(rand.NewPCG(1, 2))
		q := p
		q.Candidates = slices.Clone(p.Candidates)
		q.Declined = slices.Clone(p.Declined)
		rng.Shuffle(len(q.Candidates), func(i, j int) { q.Candidates[i], q.Candidates[j] = q.Candidates[j], q.Candidates[i] })
		rng.Shuffle(len(q.Declined), func(i, j int) { q.Declined[i], q.Declined[j] = q.Declined[j], q.Declined[i] })
		if shuffled := solve(t, q); !reflect.DeepEqual(first, shuffled) {
			t.Fatalf("unavailable %v: shuffled input gives another plan", sh.unavailable > 0)
		}
		if !reflect.DeepEqual(agenda.Greedy(p), agenda.Greedy(q)) {
			t.Fatalf("unavailable %v: Greedy depends on input order", sh.unavailable > 0)
		}
	}
}

func TestSolveCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := randomProblem(1, shape{offers: 10, demands: 10, slots: 4, tables: 4, limit: 2, candidate: 1})
	if _, err := agenda.Solve(ctx, p); !errors.Is(err, context.Canceled) {
		t.Errorf("Solve with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestSolveInvalid(t *testing.T) {
	p := randomProblem(1, shape{offers: 2, demands: 2, slots: 2, tables: 0, limit: 1, candidate: 1})
	if _, err := agenda.Solve(context.Background(), p); !errors.Is(err, agenda.ErrInvalidProblem) {
		t.Errorf("Solve with no tables: %v, want ErrInvalidProblem", err)
	}
	if g := agenda.Greedy(p); len(g.Meetings) != 0 {
		t.Errorf("Greedy with no tables planned %d meetings", len(g.Meetings))
	}
}

func TestValidate(t *testing.T) {
	base := func() agenda.Problem {
		return agenda.Problem{
			Slots: slots(3), Tables: 2, MaxMeetingsPerParty: 2,
			Candidates: []agenda.Candidate{
				{agenda.Pair{Offer: "offers/A", Demand: "demands/X"}, 0.5},
				{agenda.Pair{Offer: "offers/B", Demand: "demands/X"}, 1},
			},
			Declined:    []agenda.Pair{{Offer: "offers/B", Demand: "demands/Y"}},
			Unavailable: map[string][]int{"offers/A": {2}},
		}
	}
	if err := base().Validate(); err != nil {
		t.Fatalf("valid problem: %v", err)
	}
	cand := func(o, d string, q float64) agenda.Candidate {
		return agenda.Candidate{Pair: agenda.Pair{Offer: o, Demand: d}, Quality: q}
	}
	for _, tc := range []struct {
		name   string
		change func(*agenda.Problem)
		want   string
	}{
		{"no slots", func(p *agenda.Problem) { p.Slots = nil }, "no slots"},
		{"no tables", func(p *agenda.Problem) { p.Tables = 0 }, "0 tables"},
		{"negative tables", func(p *agenda.Problem) { p.Tables = -1 }, "-1 tables"},
		{"no meetings per party", func(p *agenda.Problem) { p.MaxMeetingsPerParty = 0 }, "at most 0 meetings per party"},
		{"empty slot", func(p *agenda.Problem) { p.Slots[1].End = p.Slots[1].Start }, "slot 1 ends"},
		{"slot ends before start", func(p *agenda.Problem) { p.Slots[0].End = p.Slots[0].Start.Add(-time.Minute) }, "slot 0 ends"},
		{"zero slot", func(p *agenda.Problem) { p.Slots[2] = agenda.Slot{} }, "slot 2 ends"},
		{"unsorted slots", func(p *agenda.Problem) { p.Slots[0], p.Slots[1] = p.Slots[1], p.Slots[0] }, "slot 1 starts before slot 0"},
		{"overlapping slots", func(p *agenda.Problem) { p.Slots[1].Start = p.Slots[0].End.Add(-time.Minute) }, "slot 1 starts at"},
		{"NaN quality", func(p *agenda.Problem) { p.Candidates[1].Quality = math.NaN() }, "candidate 1 (offers/B, demands/X) has quality NaN"},
		{"zero quality", func(p *agenda.Problem) { p.Candidates[0].Quality = 0 }, "quality 0, outside (0,1]"},
		{"negative quality", func(p *agenda.Problem) { p.Candidates[0].Quality = -0.5 }, "quality -0.5"},
		{"quality above 1", func(p *agenda.Problem) { p.Candidates[0].Quality = 1.01 }, "quality 1.01"},
		{"infinite quality", func(p *agenda.Problem) { p.Candidates[0].Quality = math.Inf(1) }, "quality +Inf"},
		{"duplicate candidate", func(p *agenda.Problem) { p.Candidates = append(p.Candidates, cand("offers/A", "demands/X", 0.7)) }, "candidate 2 duplicates candidate 0"},
		{"empty offer ID", func(p *agenda.Problem) { p.Candidates[0].Offer = "" }, "candidate 0 (\"\", \"demands/X\") has an empty party ID"},
		{"empty demand ID", func(p *agenda.Problem) { p.Candidates[1].Demand = "" }, "candidate 1"},
		{"offer and demand", func(p *agenda.Problem) { p.Candidates = append(p.Candidates, cand("demands/X", "demands/Z", 0.7)) }, "party demands/X is a demand in candidate 0 but an offer in candidate 2"},
		{"empty declined ID", func(p *agenda.Problem) { p.Declined[0].Demand = "" }, "declined pair 0"},
		{"slot index too big", func(p *agenda.Problem) { p.Unavailable["demands/X"] = []int{0, 3} }, "demands/X unavailable in slot 3, but slots are 0..2"},
		{"negative slot index", func(p *agenda.Problem) { p.Unavailable["offers/B"] = []int{-1} }, "slot -1"},
		{"empty unavailable ID", func(p *agenda.Problem) { p.Unavailable[""] = []int{0} }, "empty party ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.change(&p)
			err := p.Validate()
			if !errors.Is(err, agenda.ErrInvalidProblem) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate: %v, want ErrInvalidProblem with %q", err, tc.want)
			}
			if _, serr := agenda.Solve(context.Background(), p); serr == nil || serr.Error() != err.Error() {
				t.Errorf("Solve: %v, want Validate's error", serr)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	pair := func(o, d string) agenda.Pair { return agenda.Pair{Offer: "offers/" + o, Demand: "demands/" + d} }
	p := agenda.Problem{
		Slots: slots(2), Tables: 2, MaxMeetingsPerParty: 2,
		Candidates: []agenda.Candidate{
			{pair("A", "X"), 0.9}, {pair("A", "Y"), 0.8}, {pair("B", "X"), 0.7},
			{pair("B", "Y"), 0.6}, {pair("C", "X"), 0.5}, {pair("C", "Z"), 0.4},
		},
		Declined:    []agenda.Pair{pair("C", "X")},
		Unavailable: map[string][]int{"demands/Z": {0}},
	}
	valid := func() agenda.Plan {
		return agenda.Plan{
			Meetings: []agenda.Meeting{
				{Slot: 0, Table: 0, Pair: pair("A", "X"), Quality: 0.9},
				{Slot: 0, Table: 1, Pair: pair("B", "Y"), Quality: 0.6},
				{Slot: 1, Table: 0, Pair: pair("A", "Y"), Quality: 0.8},
				{Slot: 1, Table: 1, Pair: pair("B", "X"), Quality: 0.7},
			},
			TotalQuality: 3.0,
		}
	}
	if err := valid().Check(p); err != nil {
		t.Fatalf("valid plan: %v", err)
	}
	if err := (agenda.Plan{}).Check(p); err != nil {
		t.Fatalf("empty plan: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*agenda.Plan)
		want   string
	}{
		{"slot out of range", func(pl *agenda.Plan) { pl.Meetings[3].Slot = 2 }, "meeting 3 in slot 2, but slots are 0..1"},
		{"negative slot", func(pl *agenda.Plan) { pl.Meetings[0].Slot = -1 }, "meeting 0 in slot -1"},
		{"table out of range", func(pl *agenda.Plan) { pl.Meetings[1].Table = 2 }, "meeting 1 at table 2, but tables are 0..1"},
		{"table used twice", func(pl *agenda.Plan) { pl.Meetings[3].Table = 0 }, "meetings 2 and 3 both at table 0 in slot 1"},
		{"unsorted", func(pl *agenda.Plan) { pl.Meetings[0], pl.Meetings[1] = pl.Meetings[1], pl.Meetings[0] }, "meetings 0 and 1 not sorted"},
		{"double-booked", func(pl *agenda.Plan) {
			pl.Meetings[1] = agenda.Meeting{Slot: 0, Table: 1, Pair: pair("A", "Y"), Quality: 0.8}
			pl.Meetings[2] = agenda.Meeting{Slot: 1, Table: 0, Pair: pair("B", "Y"), Quality: 0.6}
		}, "offers/A is in meetings 0 and 1, both in slot 0"},
		{"pair twice", func(pl *agenda.Plan) {
			pl.Meetings[2] = agenda.Meeting{Slot: 1, Table: 0, Pair: pair("A", "X"), Quality: 0.9}
		}, "meetings 0 and 2 both pair offers/A and demands/X"},
		{"declined", func(pl *agenda.Plan) {
			pl.Meetings[3] = agenda.Meeting{Slot: 1, Table: 1, Pair: pair("C", "X"), Quality: 0.5}
		}, "meeting 3 pairs offers/C and demands/X, who declined"},
		{"not a candidate", func(pl *agenda.Plan) {
			pl.Meetings[3] = agenda.Meeting{Slot: 1, Table: 1, Pair: pair("C", "Y"), Quality: 0.5}
		}, "meeting 3 pairs offers/C and demands/Y, not a candidate pair"},
		{"unavailable", func(pl *agenda.Plan) {
			pl.Meetings = append(pl.Meetings[:2:2], agenda.Meeting{Slot: 0, Table: 1, Pair: pair("C", "Z"), Quality: 0.4})
			pl.Meetings[1], pl.Meetings[2] = pl.Meetings[2], agenda.Meeting{Slot: 1, Table: 0, Pair: pair("B", "Y"), Quality: 0.6}
		}, "meeting 1 puts demands/Z in slot 0, which it cannot attend"},
		{"wrong quality", func(pl *agenda.Plan) { pl.Meetings[2].Quality = 0.85 }, "meeting 2 has quality 0.85, but the candidate's is 0.8"},
		{"wrong total", func(pl *agenda.Plan) { pl.TotalQuality = 3.1 }, "total quality 3.1, but the meetings add up to 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl := valid()
			tc.change(&pl)
			err := pl.Check(p)
			if !errors.Is(err, agenda.ErrInvalidPlan) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check: %v, want ErrInvalidPlan with %q", err, tc.want)
			}
		})
	}
	t.Run("over the limit", func(t *testing.T) {
		q := p
		q.MaxMeetingsPerParty = 1
		err := valid().Check(q)
		if want := "offers/A has more than 1 meetings"; !errors.Is(err, agenda.ErrInvalidPlan) || !strings.Contains(err.Error(), want) {
			t.Errorf("Check: %v, want ErrInvalidPlan with %q", err, want)
		}
	})
	t.Run("invalid problem", func(t *testing.T) {
		q := p
		q.Tables = 0
		if err := valid().Check(q); !errors.Is(err, agenda.ErrInvalidProblem) {
			t.Errorf("Check against a problem with no tables: %v, want ErrInvalidProblem", err)
		}
	})
}

func BenchmarkSolve40x30(b *testing.B) {
	p := randomProblem(1, shape{offers: 40, demands: 30, slots: 8, tables: 10, limit: 4, candidate: 1, decline: 0.05})
	ctx := context.Background()
	for b.Loop() {
		if _, err := agenda.Solve(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSolve40x30Unavailable(b *testing.B) {
	p := randomProblem(2, shape{offers: 40, demands: 30, slots: 8, tables: 10, limit: 4, candidate: 1, decline: 0.05, unavailable: 0.15})
	ctx := context.Background()
	for b.Loop() {
		if _, err := agenda.Solve(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGreedy40x30(b *testing.B) {
	p := randomProblem(1, shape{offers: 40, demands: 30, slots: 8, tables: 10, limit: 4, candidate: 1, decline: 0.05})
	for b.Loop() {
		agenda.Greedy(p)
	}
}
