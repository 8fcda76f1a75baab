// Package agenda plans the one-to-one meetings of an offline matchmaking
// event (对接会) and exports the plan as CSV and iCalendar.
//
// An event has time slots, a number of tables usable in every slot, and a
// limit on the meetings of any one party, offer or demand. The match
// service scores candidate (offer, demand) pairs in (0,1]. A plan says
// which pairs meet, in which slot and at which table, such that nobody is
// in two meetings at once, no slot has more meetings than tables, nobody
// exceeds the limit, a pair meets at most once and declined pairs never
// meet. Solve maximises the total quality of the meetings in two steps.
//
// Select. Which pairs meet is a maximum-weight b-matching in the bipartite
// graph of candidates: a party can take part in at most
// b = min(limit, slots) meetings, and at most slots×tables pairs can meet
// in all. Solve finds it exactly as a min-cost flow (source → offer →
// demand → sink, cost −quality on the middle arcs) by successive shortest
// paths, Dijkstra with potentials, one pair per augmentation. The cost of
// the cheapest flow is convex in the flow value, so the first augmenting
// path that no longer lowers the cost marks the optimum; the search stops
// there or at the slots×tables cap.
//
// Schedule. The chosen pairs form a bipartite graph whose maximum degree Δ
// is at most the number of slots. By König's edge-colouring theorem its
// edges can be coloured with C ≥ Δ colours so that no party has two edges
// of one colour; Solve colours them by flipping alternating (Kempe) paths.
// By de Werra's theorem the colouring can also be made equitable, class
// sizes differing by at most one, which Solve does by swapping the two
// colours on alternating paths between the largest and the smallest class.
// With C = max(Δ, ⌈m/tables⌉) ≤ slots colours for m pairs, every class fits
// the tables. Colour classes become slots, largest first. So every
// selected pair gets a slot and a table, the plan is optimal, and it uses
// the fewest slots any plan of those pairs could, leaving the last slots
// free for meetings arranged on the day.
//
// Qualities are float64, but the flow works on int64 weights, quality
// scaled by 10⁹ and rounded (at least 1, so that every candidate is worth a
// meeting). Integer sums are exact, so the stopping test and the path
// comparisons cannot be fooled by rounding; the price is that qualities
// closer than 10⁻⁹ count as equal, which is far below what a match score
// means. Solve also compares its plan with Greedy's in float64 and returns
// the better, so it is never worse than Greedy even by a rounding error.
//
// Unavailability (Problem.Unavailable) makes scheduling a list
// edge-colouring problem, NP-hard in general. Solve then still selects the
// pairs optimally, each party's b also capped by the slots it can attend,
// but schedules them heuristically: the most constrained pairs first, each
// in the earliest slot both parties can attend, making room when needed by
// exchanging two slots along a Kempe chain. If every selected pair finds a
// slot, the plan is optimal and Solve stops there. Otherwise it improves
// the plan by local moves that each raise the total: a pair left out may
// evict cheaper meetings in its way, a meeting may give way to candidates
// worth more together, and freed capacity is filled best first. The same
// improvement also runs from Greedy's plan, and Solve returns the best of
// the two and Greedy's own. Such a plan is not guaranteed optimal, but it
// is never worse than Greedy's. (On small random problems with a third of
// the slots unavailable it is optimal about 97% of the time.)
//
// Plans are deterministic: candidates are sorted by IDs before anything
// else and all ties are broken by IDs, so the same problem, in any order,
// gives the same plan.
package agenda

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Problem is one event's planning input.
type Problem struct {
	// Slots are the event's time slots, in order and not overlapping.
	Slots []Slot
	// Tables is the number of tables available in every slot, at least 1.
	Tables int
	// MaxMeetingsPerParty limits the meetings of every offer and every
	// demand over the whole event, at least 1.
	MaxMeetingsPerParty int
	// Candidates are the pairs that may meet, with a quality in (0,1].
	// Pairs absent from the list never meet.
	Candidates []Candidate
	// Declined pairs must not meet, whichever party declined.
	Declined []Pair
	// Unavailable optionally maps a party ID to the indexes of the slots
	// that party cannot attend.
	Unavailable map[string][]int
}

// Pair is an offer and a demand, by party ID (resource names such as
// "offers/abc" and "demands/xyz").
type Pair struct{ Offer, Demand string }

// Candidate is a pair that may meet and how good a match it is.
type Candidate struct {
	Pair
	Quality float64
}

// Slot is a time slot of the event.
type Slot struct{ Start, End time.Time }

// Meeting is one planned meeting: slot and table are indexes from 0.
type Meeting struct {
	Slot  int
	Table int
	Pair
	Quality float64
}

// Plan is an event's agenda. Meetings are sorted by slot, then table.
type Plan struct {
	Meetings     []Meeting
	TotalQuality float64
}

// ErrInvalidProblem is wrapped by the errors of Problem.Validate, and so of
// Solve and Plan.Check, that describe a bad problem.
var ErrInvalidProblem = errors.New("agenda: invalid problem")

// ErrInvalidPlan is wrapped by the errors of Plan.Check that describe a plan
// breaking a constraint.
var ErrInvalidPlan = errors.New("agenda: invalid plan")

func problemErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidProblem}, args...)...)
}

func planErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidPlan}, args...)...)
}

// Validate reports the first thing wrong with p, or nil.
func (p Problem) Validate() error {
	if len(p.Slots) == 0 {
		return problemErr("no slots")
	}
	if p.Tables < 1 {
		return problemErr("%d tables, need at least 1", p.Tables)
	}
	if p.MaxMeetingsPerParty < 1 {
		return problemErr("at most %d meetings per party, need at least 1", p.MaxMeetingsPerParty)
	}
	for i, s := range p.Slots {
		if !s.End.After(s.Start) {
			return problemErr("slot %d ends at %s, not after its start %s", i, s.End.Format(time.RFC3339), s.Start.Format(time.RFC3339))
		}
		if i == 0 {
			continue
		}
		prev := p.Slots[i-1]
		if s.Start.Before(prev.Start) {
			return problemErr("slot %d starts before slot %d: slots must be in order", i, i-1)
		}
		if s.Start.Before(prev.End) {
			return problemErr("slot %d starts at %s, before slot %d ends at %s", i, s.Start.Format(time.RFC3339), i-1, prev.End.Format(time.RFC3339))
		}
	}
	// A party must be an offer or a demand, not both: "in one meeting per
	// slot" is checked per ID, and the flow and the colouring need the two
	// sides apart.
	type role struct {
		offer bool
		cand  int
	}
	roles := make(map[string]role, len(p.Candidates))
	seen := make(map[Pair]int, len(p.Candidates))
	for i, c := range p.Candidates {
		if c.Offer == "" || c.Demand == "" {
			return problemErr("candidate %d (%q, %q) has an empty party ID", i, c.Offer, c.Demand)
		}
		if math.IsNaN(c.Quality) || c.Quality <= 0 || c.Quality > 1 {
			return problemErr("candidate %d (%s, %s) has quality %v, outside (0,1]", i, c.Offer, c.Demand, c.Quality)
		}
		if j, dup := seen[c.Pair]; dup {
			return problemErr("candidate %d duplicates candidate %d (%s, %s)", i, j, c.Offer, c.Demand)
		}
		seen[c.Pair] = i
		for _, pr := range []struct {
			id    string
			offer bool
		}{{c.Offer, true}, {c.Demand, false}} {
			r, ok := roles[pr.id]
			if !ok {
				roles[pr.id] = role{pr.offer, i}
				continue
			}
			if r.offer != pr.offer {
				was, is := "a demand", "an offer"
				if r.offer {
					was, is = is, was
				}
				return problemErr("party %s is %s in candidate %d but %s in candidate %d", pr.id, was, r.cand, is, i)
			}
		}
	}
	for i, d := range p.Declined {
		if d.Offer == "" || d.Demand == "" {
			return problemErr("declined pair %d (%q, %q) has an empty party ID", i, d.Offer, d.Demand)
		}
	}
	// Sorted so that the error reported is the same on every run.
	ids := make([]string, 0, len(p.Unavailable))
	for id := range p.Unavailable {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if id == "" {
			return problemErr("unavailable slots for an empty party ID")
		}
		for _, s := range p.Unavailable[id] {
			if s < 0 || s >= len(p.Slots) {
				return problemErr("party %s unavailable in slot %d, but slots are 0..%d", id, s, len(p.Slots)-1)
			}
		}
	}
	return nil
}

// Check verifies pl against p and reports the first broken constraint, or
// nil: p is valid, meetings are sorted by slot and table, slot and table
// indexes are in range, a table holds one meeting per slot, a party is in
// one meeting per slot and in no more than the limit, only candidate pairs
// meet, with their quality, at most once, never a declined pair, nobody in
// a slot they cannot attend, and TotalQuality is the sum of the qualities.
func (pl Plan) Check(p Problem) error {
	if err := p.Validate(); err != nil {
		return err
	}
	quality := make(map[Pair]float64, len(p.Candidates))
	for _, c := range p.Candidates {
		quality[c.Pair] = c.Quality
	}
	declined := make(map[Pair]bool, len(p.Declined))
	for _, d := range p.Declined {
		declined[d] = true
	}
	type slotTable struct{ slot, table int }
	type partySlot struct {
		party string
		slot  int
	}
	tables := map[slotTable]int{}
	busy := map[partySlot]int{}
	meetings := map[string]int{}
	pairs := map[Pair]int{}
	sum := 0.0
	for i, m := range pl.Meetings {
		if m.Slot < 0 || m.Slot >= len(p.Slots) {
			return planErr("meeting %d in slot %d, but slots are 0..%d", i, m.Slot, len(p.Slots)-1)
		}
		if m.Table < 0 || m.Table >= p.Tables {
			return planErr("meeting %d at table %d, but tables are 0..%d", i, m.Table, p.Tables-1)
		}
		st := slotTable{m.Slot, m.Table}
		if j, ok := tables[st]; ok {
			return planErr("meetings %d and %d both at table %d in slot %d", j, i, m.Table, m.Slot)
		}
		tables[st] = i
		if i > 0 {
			prev := pl.Meetings[i-1]
			if prev.Slot > m.Slot || prev.Slot == m.Slot && prev.Table > m.Table {
				return planErr("meetings %d and %d not sorted by slot and table", i-1, i)
			}
		}
		if declined[m.Pair] {
			return planErr("meeting %d pairs %s and %s, who declined", i, m.Offer, m.Demand)
		}
		q, ok := quality[m.Pair]
		if !ok {
			return planErr("meeting %d pairs %s and %s, not a candidate pair", i, m.Offer, m.Demand)
		}
		if m.Quality != q {
			return planErr("meeting %d has quality %v, but the candidate's is %v", i, m.Quality, q)
		}
		if j, ok := pairs[m.Pair]; ok {
			return planErr("meetings %d and %d both pair %s and %s", j, i, m.Offer, m.Demand)
		}
		pairs[m.Pair] = i
		for _, id := range []string{m.Offer, m.Demand} {
			ps := partySlot{id, m.Slot}
			if j, ok := busy[ps]; ok {
				return planErr("%s is in meetings %d and %d, both in slot %d", id, j, i, m.Slot)
			}
			busy[ps] = i
			if slices.Contains(p.Unavailable[id], m.Slot) {
				return planErr("meeting %d puts %s in slot %d, which it cannot attend", i, id, m.Slot)
			}
			meetings[id]++
			if meetings[id] > p.MaxMeetingsPerParty {
				return planErr("%s has more than %d meetings", id, p.MaxMeetingsPerParty)
			}
		}
		sum += m.Quality
	}
	// Summation order may differ from the planner's, hence the tolerance.
	if math.Abs(sum-pl.TotalQuality) > 1e-9*float64(len(pl.Meetings)+1) {
		return planErr("total quality %v, but the meetings add up to %v", pl.TotalQuality, sum)
	}
	return nil
}

// scale turns a quality into the integer weight the flow works with.
const scale = 1e9

// model is a valid problem prepared for planning: declined and impossible
// pairs removed, parties numbered, everything in ID order.
type model struct {
	slots, tables, max int
	// ids maps a vertex to its party ID: offers are 0..nOffers-1, demands
	// follow; both sorted by ID.
	ids     []string
	nOffers int
	cands   []cand
	// avail[v*slots+s] says whether vertex v can attend slot s; nil when
	// every party can attend every slot.
	avail []bool
	// degree is each vertex's meeting cap: the limit, the number of slots
	// and the number of slots it can attend, whichever is least.
	degree []int
}

type cand struct {
	Pair
	o, d int // vertexes
	q    float64
	w    int64
	// slots is the number of slots both parties can attend.
	slots int
}

func newModel(p Problem) *model {
	declined := make(map[Pair]bool, len(p.Declined))
	for _, d := range p.Declined {
		declined[d] = true
	}
	// Number the parties in ID order first, so that candidates sort by
	// integers rather than strings.
	m := &model{slots: len(p.Slots), tables: p.Tables, max: p.MaxMeetingsPerParty}
	vertex := map[string]int{}
	var offers, demands []string
	for _, c := range p.Candidates {
		if declined[c.Pair] {
			continue
		}
		for _, x := range []struct {
			id   string
			list *[]string
		}{{c.Offer, &offers}, {c.Demand, &demands}} {
			if _, ok := vertex[x.id]; !ok {
				vertex[x.id] = -1
				*x.list = append(*x.list, x.id)
			}
		}
	}
	slices.Sort(offers)
	slices.Sort(demands)
	m.ids = append(offers, demands...)
	m.nOffers = len(offers)
	for v, id := range m.ids {
		vertex[id] = v
	}
	type vc struct {
		Candidate
		o, d int
	}
	cs := make([]vc, 0, len(p.Candidates))
	for _, c := range p.Candidates {
		if !declined[c.Pair] {
			cs = append(cs, vc{c, vertex[c.Offer], vertex[c.Demand]})
		}
	}
	slices.SortFunc(cs, func(a, b vc) int { return cmp.Or(cmp.Compare(a.o, b.o), cmp.Compare(a.d, b.d)) })
	S := m.slots
	for v, id := range m.ids {
		for _, s := range p.Unavailable[id] {
			if m.avail == nil {
				m.avail = make([]bool, len(m.ids)*S)
				for i := range m.avail {
					m.avail[i] = true
				}
			}
			m.avail[v*S+s] = false
		}
	}
	m.degree = make([]int, len(m.ids))
	for v := range m.ids {
		n := 0
		for s := range S {
			if m.can(v, s) {
				n++
			}
		}
		m.degree[v] = min(m.max, n)
	}
	m.cands = make([]cand, 0, len(cs))
	for _, c := range cs {
		o, d := c.o, c.d
		n := 0
		for s := range S {
			if m.can(o, s) && m.can(d, s) {
				n++
			}
		}
		if n == 0 {
			continue // they have no slot in common
		}
		w := max(1, int64(math.Round(c.Quality*scale)))
		m.cands = append(m.cands, cand{Pair: c.Pair, o: o, d: d, q: c.Quality, w: w, slots: n})
	}
	return m
}

// can says whether vertex v can attend slot s.
func (m *model) can(v, s int) bool {
	return m.avail == nil || m.avail[v*m.slots+s]
}

// pairCap is the most pairs that can meet: one per table and slot, and no
// more than there are candidates (which also keeps the product in range).
func (m *model) pairCap() int {
	if m.tables >= len(m.cands) {
		return len(m.cands)
	}
	return min(m.slots*m.tables, len(m.cands))
}

// plan turns a slot per candidate (-1: not meeting) into a Plan. Within a
// slot the best meetings get the first tables.
func (m *model) plan(slot []int) Plan {
	var pl Plan
	for c, s := range slot {
		if s >= 0 {
			pl.Meetings = append(pl.Meetings, Meeting{Slot: s, Pair: m.cands[c].Pair, Quality: m.cands[c].q})
		}
	}
	slices.SortFunc(pl.Meetings, func(a, b Meeting) int {
		return cmp.Or(cmp.Compare(a.Slot, b.Slot), cmp.Compare(b.Quality, a.Quality),
			strings.Compare(a.Offer, b.Offer), strings.Compare(a.Demand, b.Demand))
	})
	for i := range pl.Meetings {
		if i > 0 && pl.Meetings[i-1].Slot == pl.Meetings[i].Slot {
			pl.Meetings[i].Table = pl.Meetings[i-1].Table + 1
		}
		pl.TotalQuality += pl.Meetings[i].Quality
	}
	return pl
}

// Greedy plans the baseline way: candidates by quality, best first (ties by
// IDs), each in the earliest slot where both parties are free and can
// attend, a table is free and neither party has reached the limit. It
// expects a valid problem and returns an empty plan for an invalid one;
// call Validate to know why.
func Greedy(p Problem) Plan {
	if p.Validate() != nil {
		return Plan{}
	}
	m := newModel(p)
	return m.plan(m.greedy().slot)
}

func (m *model) greedy() *board {
	b := newBoard(m)
	order := make([]int, len(m.cands))
	for i := range order {
		order[i] = i
	}
	// Equal qualities stay in ID order, candidates being in ID order.
	slices.SortFunc(order, func(x, y int) int { return cmp.Or(cmp.Compare(m.cands[y].q, m.cands[x].q), cmp.Compare(x, y)) })
	for _, c := range order {
		if b.underLimit(c) {
			b.place(c)
		}
	}
	return b
}

// Solve plans the event: optimally when every party can attend every slot,
// heuristically but never worse than Greedy otherwise (see the package
// documentation). It returns the error of p.Validate, or ctx's error if
// ctx ends first.
func Solve(ctx context.Context, p Problem) (Plan, error) {
	if err := p.Validate(); err != nil {
		return Plan{}, err
	}
	if err := ctx.Err(); err != nil {
		return Plan{}, err
	}
	m := newModel(p)
	chosen, err := m.selectPairs(ctx)
	if err != nil {
		return Plan{}, err
	}
	greedy := m.greedy()
	plans := []Plan{}
	if m.avail == nil {
		slot, err := m.colour(ctx, chosen)
		if err != nil {
			return Plan{}, err
		}
		plans = append(plans, m.plan(slot))
	} else {
		bound := int64(0)
		for i, ok := range chosen {
			if ok {
				bound += m.cands[i].w
			}
		}
		fromChosen, err := m.scheduleChosen(ctx, chosen, bound)
		if err != nil {
			return Plan{}, err
		}
		plans = append(plans, m.plan(fromChosen.slot))
		// Unless every selected pair found a slot, which proves the plan
		// optimal, search again from Greedy's plan: different starts
		// reach different local optima.
		if fromChosen.weight < bound {
			fromGreedy := m.greedy()
			fromGreedy.bound = bound
			if err := fromGreedy.improve(ctx); err != nil {
				return Plan{}, err
			}
			plans = append(plans, m.plan(fromGreedy.slot))
		}
	}
	plans = append(plans, m.plan(greedy.slot))
	best := plans[0]
	for _, pl := range plans[1:] {
		if pl.TotalQuality > best.TotalQuality {
			best = pl
		}
	}
	return best, nil
}

// arc is an arc of the flow network; arcs come in pairs, arc e^1 being the
// reverse of arc e.
type arc struct {
	to   int32
	cap  int32
	cost int64
}

// selectPairs solves the maximum-weight b-matching of the candidates as a
// min-cost flow and reports which candidates it chose.
func (m *model) selectPairs(ctx context.Context) ([]bool, error) {
	V := len(m.ids)
	src, snk := V, V+1
	n := V + 2
	arcs := make([]arc, 0, 2*(len(m.cands)+V))
	adj := make([][]int32, n)
	add := func(u, v, c int, cost int64) int {
		e := len(arcs)
		arcs = append(arcs, arc{int32(v), int32(c), cost}, arc{int32(u), 0, -cost})
		adj[u] = append(adj[u], int32(e))
		adj[v] = append(adj[v], int32(e+1))
		return e
	}
	for v := 0; v < m.nOffers; v++ {
		add(src, v, m.degree[v], 0)
	}
	candArc := make([]int, len(m.cands))
	for i, c := range m.cands {
		candArc[i] = add(c.o, c.d, 1, -c.w)
	}
	for v := m.nOffers; v < V; v++ {
		add(v, snk, m.degree[v], 0)
	}

	// Potentials making every reduced cost c(u,v)+h(u)-h(v) non-negative,
	// so that Dijkstra applies despite the negative costs: shortest
	// distances in the initial network, which is acyclic and two arcs deep.
	const inf = math.MaxInt64 / 4
	h := make([]int64, n)
	for _, c := range m.cands {
		h[c.d] = min(h[c.d], -c.w)
	}
	for v := m.nOffers; v < V; v++ {
		h[snk] = min(h[snk], h[v])
	}

	dist := make([]int64, n)
	via := make([]int32, n)
	var q minHeap
	relax := func(u int) {
		du := dist[u] + h[u]
		for _, e := range adj[u] {
			a := &arcs[e]
			if a.cap == 0 {
				continue
			}
			if nd := du + a.cost - h[a.to]; nd < dist[a.to] {
				dist[a.to] = nd
				via[a.to] = e
				q.push(nd, a.to)
			}
		}
	}
	for flow := 0; flow < m.pairCap(); flow++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i := range dist {
			dist[i] = inf
		}
		dist[src] = 0
		// Dijkstra on reduced costs, stopping once the sink is settled.
		q = q[:0]
		q.push(0, int32(src))
		for len(q) > 0 {
			d, u := q.pop()
			if d > dist[u] {
				continue
			}
			if int(u) == snk {
				break
			}
			relax(int(u))
		}
		// The real cost of the path is its reduced cost plus h(snk)-h(src),
		// and h(src) stays 0. Path costs only grow from one augmentation to
		// the next, so a path that does not lower the cost ends the search.
		D := dist[snk]
		if D == inf || D+h[snk] >= 0 {
			break
		}
		// Capping at the sink's distance keeps every reduced cost
		// non-negative although the search stopped early: settled nodes
		// have exact distances, the others are at least D away.
		for v := range h {
			h[v] += min(dist[v], D)
		}
		for v := int32(snk); v != int32(src); {
			e := via[v]
			arcs[e].cap--
			arcs[e^1].cap++
			v = arcs[e^1].to
		}
	}
	chosen := make([]bool, len(m.cands))
	for i, e := range candArc {
		chosen[i] = arcs[e].cap == 0
	}
	return chosen, nil
}

// minHeap is a binary heap of (distance, node) for Dijkstra; stale entries
// are skipped by the caller rather than removed.
type minHeap []heapItem

type heapItem struct {
	d int64
	v int32
}

func (h *minHeap) push(d int64, v int32) {
	*h = append(*h, heapItem{d, v})
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p].d <= a[i].d {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *minHeap) pop() (int64, int32) {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	for i := 0; ; {
		l, r, s := 2*i+1, 2*i+2, i
		if l < len(a) && a[l].d < a[s].d {
			s = l
		}
		if r < len(a) && a[r].d < a[s].d {
			s = r
		}
		if s == i {
			break
		}
		a[s], a[i] = a[i], a[s]
		i = s
	}
	*h = a
	return top.d, top.v
}

// colour schedules the chosen pairs when every party can attend every slot:
// an equitable proper edge colouring of the chosen pairs, one colour per
// slot. It returns a slot per candidate, -1 for those not chosen.
func (m *model) colour(ctx context.Context, chosen []bool) ([]int, error) {
	slot := make([]int, len(m.cands))
	var edges []int // edge -> candidate
	for i, ok := range chosen {
		slot[i] = -1
		if ok {
			edges = append(edges, i)
		}
	}
	if len(edges) == 0 {
		return slot, nil
	}
	V := len(m.ids)
	deg := make([]int, V)
	maxDeg := 0
	for _, c := range edges {
		for _, v := range []int{m.cands[c].o, m.cands[c].d} {
			deg[v]++
			maxDeg = max(maxDeg, deg[v])
		}
	}
	// Fewest colours that fit both the parties (Δ) and the tables; the
	// selection's caps make this at most the number of slots.
	C := max(maxDeg, (len(edges)+m.tables-1)/m.tables)
	if C > m.slots {
		return nil, fmt.Errorf("agenda: internal error: %d pairs of degree %d do not fit %d slots", len(edges), maxDeg, m.slots)
	}

	// at[v*C+c] is the edge of colour c at vertex v, or -1.
	at := make([]int32, V*C)
	for i := range at {
		at[i] = -1
	}
	col := make([]int, len(edges))
	other := func(e int32, v int) int {
		c := &m.cands[edges[e]]
		if c.o == v {
			return c.d
		}
		return c.o
	}
	freeAt := func(v int) int {
		for c := range C {
			if at[v*C+c] < 0 {
				return c
			}
		}
		return -1 // cannot happen: an uncoloured edge leaves a colour free
	}
	// walk collects the path alternating colours a and b from v, starting
	// with a.
	var path []int32
	walk := func(v, a, b int) {
		path = path[:0]
		for c := a; ; c = a + b - c {
			e := at[v*C+c]
			if e < 0 {
				return
			}
			path = append(path, e)
			v = other(e, v)
		}
	}
	// swap exchanges colours a and b on the edges of path, which must be a
	// whole component of the a/b subgraph for the colouring to stay proper.
	swap := func(a, b int) {
		for _, e := range path {
			c := &m.cands[edges[e]]
			at[c.o*C+col[e]] = -1
			at[c.d*C+col[e]] = -1
		}
		for _, e := range path {
			c := &m.cands[edges[e]]
			col[e] = a + b - col[e]
			at[c.o*C+col[e]] = e
			at[c.d*C+col[e]] = e
		}
	}

	for e, ci := range edges {
		if e%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		u, v := m.cands[ci].o, m.cands[ci].d
		a, b := freeAt(u), freeAt(v)
		switch {
		case at[v*C+a] < 0:
		case at[u*C+b] < 0:
			a = b
		default:
			// a is free at u, b at v. Flip the a/b path from v: it starts
			// with v's a-edge and, the graph being bipartite, enters u's
			// side only through a-edges, which u has none of, so it cannot
			// reach u. Afterwards a is free at both ends.
			walk(v, a, b)
			swap(a, b)
		}
		col[e] = a
		at[u*C+a] = int32(e)
		at[v*C+a] = int32(e)
	}

	// Balance the classes. While the largest class A has two edges more
	// than the smallest B, the A/B subgraph (paths and even cycles) has a
	// path beginning and ending with A-edges; swapping it moves one edge
	// from A to B. Such a path starts at a vertex with an A-edge and no
	// B-edge, and each such start lies on its own path.
	size := make([]int, C)
	for _, c := range col {
		size[c]++
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		A, B := 0, 0
		for c := range size {
			if size[c] > size[A] {
				A = c
			}
			if size[c] < size[B] {
				B = c
			}
		}
		if size[A]-size[B] <= 1 {
			break
		}
		found := false
		for x := 0; x < V && !found; x++ {
			if at[x*C+A] < 0 || at[x*C+B] >= 0 {
				continue
			}
			walk(x, A, B)
			if col[path[len(path)-1]] == A {
				swap(A, B)
				size[A]--
				size[B]++
				found = true
			}
		}
		if !found {
			return nil, errors.New("agenda: internal error: no alternating path to balance slots")
		}
	}

	// Largest classes first, so that if some slots hold one meeting fewer
	// they are the last ones.
	colours := make([]int, C)
	for c := range colours {
		colours[c] = c
	}
	slices.SortStableFunc(colours, func(x, y int) int { return cmp.Compare(size[y], size[x]) })
	slotOf := make([]int, C)
	for s, c := range colours {
		slotOf[c] = s
	}
	for e, c := range col {
		slot[edges[e]] = slotOf[c]
	}
	return slot, nil
}

// board is a schedule built meeting by meeting: Greedy's, and Solve's when
// some parties cannot attend some slots.
type board struct {
	m *model
	// slot is each candidate's slot, -1 if it is not meeting.
	slot []int
	// busy[v*slots+s] is vertex v's candidate meeting in slot s, or -1.
	busy []int32
	load []int // meetings per slot
	deg  []int // meetings per vertex
	path []int // scratch for kempe
	// weight is the plan's total weight; bound is the optimal selection's,
	// which no schedule can beat, so reaching it ends the search.
	weight, bound int64
}

func newBoard(m *model) *board {
	b := &board{
		m:    m,
		slot: make([]int, len(m.cands)),
		busy: make([]int32, len(m.ids)*m.slots),
		load: make([]int, m.slots),
		deg:  make([]int, len(m.ids)),
	}
	for i := range b.slot {
		b.slot[i] = -1
	}
	for i := range b.busy {
		b.busy[i] = -1
	}
	return b
}

// fits says whether candidate c could meet in slot s now: both parties can
// attend and are free, and a table is free. It ignores the limit.
func (b *board) fits(c, s int) bool {
	m := b.m
	cd := &m.cands[c]
	return b.load[s] < m.tables && m.can(cd.o, s) && m.can(cd.d, s) &&
		b.busy[cd.o*m.slots+s] < 0 && b.busy[cd.d*m.slots+s] < 0
}

func (b *board) underLimit(c int) bool {
	cd := &b.m.cands[c]
	return b.deg[cd.o] < b.m.max && b.deg[cd.d] < b.m.max
}

func (b *board) put(c, s int) {
	cd := &b.m.cands[c]
	b.slot[c] = s
	b.busy[cd.o*b.m.slots+s] = int32(c)
	b.busy[cd.d*b.m.slots+s] = int32(c)
	b.load[s]++
	b.deg[cd.o]++
	b.deg[cd.d]++
	b.weight += cd.w
}

func (b *board) take(c int) {
	cd := &b.m.cands[c]
	s := b.slot[c]
	b.slot[c] = -1
	b.busy[cd.o*b.m.slots+s] = -1
	b.busy[cd.d*b.m.slots+s] = -1
	b.load[s]--
	b.deg[cd.o]--
	b.deg[cd.d]--
	b.weight -= cd.w
}

// place puts c in the earliest slot it fits, if any.
func (b *board) place(c int) bool {
	for s := range b.m.slots {
		if b.fits(c, s) {
			b.put(c, s)
			return true
		}
	}
	return false
}

// kempe exchanges slots s and t on the chain of meetings that starts with
// vertex v's meeting in s and alternates t, s, t… from party to party, if
// v is free in t (so that v ends up free in s), every moved meeting's
// parties can attend its new slot, and both slots keep within the tables.
// Exchanging a whole chain keeps everyone in one meeting per slot. With
// odd set, the chain must also take one meeting out of s. It returns the
// meetings moved, for undo, or nil if the exchange is not possible.
func (b *board) kempe(v, s, t int, odd bool) []int {
	m := b.m
	if b.busy[v*m.slots+t] >= 0 {
		return nil
	}
	b.path = b.path[:0]
	fromS := 0
	for cur, x := s, v; ; {
		e := b.busy[x*m.slots+cur]
		if e < 0 {
			break
		}
		cd := &m.cands[e]
		next := s + t - cur
		if !m.can(cd.o, next) || !m.can(cd.d, next) {
			return nil
		}
		b.path = append(b.path, int(e))
		if cur == s {
			fromS++
		}
		if cd.o == x {
			x = cd.d
		} else {
			x = cd.o
		}
		cur = next
	}
	fromT := len(b.path) - fromS
	if odd && fromS == fromT || b.load[s]-fromS+fromT > m.tables || b.load[t]-fromT+fromS > m.tables {
		return nil
	}
	moved := slices.Clone(b.path)
	b.exchange(moved, s, t)
	return moved
}

// exchange moves the meetings in path from slot s to t and from t to s;
// doing it twice undoes it.
func (b *board) exchange(path []int, s, t int) {
	from := make([]int, len(path))
	for i, x := range path {
		from[i] = b.slot[x]
		b.take(x)
	}
	for i, x := range path {
		b.put(x, s+t-from[i])
	}
}

type exchanged struct {
	path []int
	s, t int
}

// placeMoving puts c in a slot both parties can attend after moving the
// meetings in its way to other slots along Kempe chains: first each
// party's meeting in that slot, then, if the tables are still full, one
// meeting whose chain ends in a slot with a free table.
func (b *board) placeMoving(c int) bool {
	m := b.m
	cd := &m.cands[c]
	var done []exchanged
	undo := func() {
		for i := len(done) - 1; i >= 0; i-- {
			b.exchange(done[i].path, done[i].s, done[i].t)
		}
		done = done[:0]
	}
	for s := range m.slots {
		if !m.can(cd.o, s) || !m.can(cd.d, s) {
			continue
		}
		ok := true
		for _, v := range []int{cd.o, cd.d} {
			if b.busy[v*m.slots+s] < 0 {
				continue
			}
			freed := false
			for t := range m.slots {
				if t == s {
					continue
				}
				if path := b.kempe(v, s, t, false); path != nil {
					// v ends its chain, so it is free in s now. The
					// demand's chain cannot pass the offer, free in s and
					// on the side entered through s-meetings.
					done = append(done, exchanged{path, s, t})
					freed = true
					break
				}
			}
			if !freed {
				ok = false
				break
			}
		}
		if ok && b.fits(c, s) {
			b.put(c, s)
			return true
		}
		if ok && b.load[s] >= m.tables {
			if b.unload(c, s) {
				b.put(c, s)
				return true
			}
		}
		undo()
	}
	return false
}

// unload takes one meeting out of the full slot s along a Kempe chain
// ending in a slot with a free table, such that c then fits in s.
func (b *board) unload(c, s int) bool {
	m := b.m
	for v := 0; v < m.nOffers; v++ {
		x := b.busy[v*m.slots+s]
		if x < 0 {
			continue
		}
		for _, w := range []int{m.cands[x].o, m.cands[x].d} {
			for t := range m.slots {
				if t == s || b.load[t] >= m.tables {
					continue
				}
				path := b.kempe(w, s, t, true)
				if path == nil {
					continue
				}
				if b.fits(c, s) {
					return true
				}
				b.exchange(path, s, t)
			}
		}
	}
	return false
}

// evict puts c in the slot where the meetings in its way are worth least,
// removing them, if they are worth less than c. The limit is respected: a
// party at its limit must have a meeting in that slot to give up.
func (b *board) evict(c int) bool {
	m := b.m
	cd := &m.cands[c]
	best, bestW := -1, cd.w
	var bestOut, out []int
	for s := range m.slots {
		if !m.can(cd.o, s) || !m.can(cd.d, s) {
			continue
		}
		out = out[:0]
		w := int64(0)
		ok := true
		for _, v := range []int{cd.o, cd.d} {
			x := b.busy[v*m.slots+s]
			if x >= 0 {
				out = append(out, int(x))
				w += m.cands[x].w
			} else if b.deg[v] >= m.max {
				ok = false
			}
		}
		if !ok {
			continue
		}
		if b.load[s]-len(out) >= m.tables {
			// Still no table: give up the cheapest other meeting there.
			cheapest := -1
			for v := 0; v < m.nOffers; v++ {
				x := int(b.busy[v*m.slots+s])
				if x < 0 || slices.Contains(out, x) {
					continue
				}
				if cheapest < 0 || m.cands[x].w < m.cands[cheapest].w {
					cheapest = x
				}
			}
			out = append(out, cheapest)
			w += m.cands[cheapest].w
		}
		if w < bestW {
			best, bestW = s, w
			bestOut = append(bestOut[:0], out...)
		}
	}
	if best < 0 {
		return false
	}
	for _, x := range bestOut {
		b.take(x)
	}
	b.put(c, best)
	return true
}

// improve raises the plan's weight by local moves until none helps, or
// for at most maxPasses rounds to bound the time. Each round offers every
// candidate not meeting, best first, a place: free, made by Kempe
// exchanges, or taken from cheaper meetings. Then it tries giving up each
// meeting, cheapest first, for the candidates that then fit, keeping the
// change if they are worth more: a limit or a slot shared with a cheap
// meeting can block two better ones, which single moves do not see. Every
// change raises the total weight, so the rounds end.
func (b *board) improve(ctx context.Context) error {
	const maxPasses = 16
	m := b.m
	order := make([]int, len(m.cands))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return cmp.Or(cmp.Compare(m.cands[y].w, m.cands[x].w), cmp.Compare(x, y)) })
	rank := make([]int, len(order))
	byVertex := make([][]int, len(m.ids)) // each party's candidates, best first
	for i, c := range order {
		rank[c] = i
		byVertex[m.cands[c].o] = append(byVertex[m.cands[c].o], c)
		byVertex[m.cands[c].d] = append(byVertex[m.cands[c].d], c)
	}
	for range maxPasses {
		if b.weight >= b.bound {
			return nil
		}
		changed := false
		for i, c := range order {
			if i%64 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if b.slot[c] >= 0 {
				continue
			}
			if b.underLimit(c) && (b.place(c) || b.placeMoving(c)) || b.evict(c) {
				changed = true
			}
		}
		if b.weight >= b.bound {
			return nil
		}
		var meeting []int
		for i := len(order) - 1; i >= 0; i-- {
			if b.slot[order[i]] >= 0 {
				meeting = append(meeting, order[i])
			}
		}
		var added, near []int
		for i, x := range meeting {
			if i%16 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			// Giving up x frees its parties (a slot and a meeting under
			// the limit each) and a table in its slot; only candidates
			// using those can now fit. First the parties' candidates,
			// anywhere, best first; then the table.
			xc := &m.cands[x]
			s := b.slot[x]
			b.take(x)
			added = added[:0]
			gain := int64(0)
			near = append(append(near[:0], byVertex[xc.o]...), byVertex[xc.d]...)
			slices.SortFunc(near, func(a, c int) int { return cmp.Compare(rank[a], rank[c]) })
			for _, c := range near {
				if c != x && b.slot[c] < 0 && b.underLimit(c) && b.place(c) {
					added = append(added, c)
					gain += m.cands[c].w
				}
			}
			for _, c := range order {
				if b.load[s] >= m.tables {
					break
				}
				if c != x && b.slot[c] < 0 && b.fits(c, s) && b.underLimit(c) {
					b.put(c, s)
					added = append(added, c)
					gain += m.cands[c].w
				}
			}
			if gain > xc.w {
				changed = true
				continue
			}
			for _, c := range added {
				b.take(c)
			}
			b.put(x, s)
		}
		if !changed {
			break
		}
	}
	return nil
}

// scheduleChosen schedules the optimal selection when some parties cannot
// attend some slots: the pairs with the fewest common slots first, better
// pairs first among equals; then improves the result.
func (m *model) scheduleChosen(ctx context.Context, chosen []bool, bound int64) (*board, error) {
	b := newBoard(m)
	b.bound = bound
	var order []int
	for i, ok := range chosen {
		if ok {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(x, y int) int {
		return cmp.Or(cmp.Compare(m.cands[x].slots, m.cands[y].slots), cmp.Compare(m.cands[y].w, m.cands[x].w), cmp.Compare(x, y))
	})
	for i, c := range order {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if b.underLimit(c) && !b.place(c) {
			b.placeMoving(c)
		}
	}
	return b, b.improve(ctx)
}
