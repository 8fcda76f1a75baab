package eval

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// AlertRule is what decides an alert once the reverse match has proposed
// a pair: the alerter's options and an owner's settings.
type AlertRule struct {
	TopN        int     `json:"topN"`
	CallerTopN  int     `json:"callerTopN"`
	MinScore    float64 `json:"minScore"`
	MinCoverage float64 `json:"minCoverage"`
}

// ShippedAlertRule is the alerter's rule as shipped.
var ShippedAlertRule = AlertRule{TopN: alert.DefaultTopN, CallerTopN: alert.DefaultCallerTopN, MinScore: alert.DefaultMinScore, MinCoverage: alert.DefaultMinCoverage}

func (r AlertRule) String() string {
	return fmt.Sprintf("top %d of the owner's matches, owner in the top %d of the new listing's, score ≥ %.3f, coverage ≥ %.3f",
		r.TopN, r.CallerTopN, r.MinScore, r.MinCoverage)
}

// admits reports whether the rule alerts candidate c.
func (r AlertRule) admits(c AlertCandidate) bool {
	return !c.Breaks && c.Rank <= r.TopN && c.CallerRank <= r.CallerTopN && c.Score >= r.MinScore && c.Coverage >= r.MinCoverage
}

// AlertCandidate is one pair that a replay with every bar down alerted:
// the new listing stood among the owner's first alert.MaxTopN matches.
type AlertCandidate struct {
	// Direction is the owner's match: DemandToOffer when a demand's owner
	// hears of a new offer.
	Direction Direction `json:"direction"`
	Owner     string    `json:"owner"` // external id of the listing alerted
	News      string    `json:"news"`  // external id of the new listing
	Title     string    `json:"title"` // the new listing's
	Rank      int       `json:"rank"`
	Score     float64   `json:"score"`
	Coverage  float64   `json:"coverage"`
	Breaks    bool      `json:"breaksConstraint"`
	Grade     int       `json:"grade"`
	// CallerRank is where the owner's listing stood among the new
	// listing's own matches.
	CallerRank int `json:"callerRank"`
	// Parts are the values of the score's parts, by feature.
	Parts map[string]float64 `json:"parts"`
}

// AlertReplay is what replaying a set's arrivals raised with every bar
// down, from which any rule's alerts follow without replaying again.
type AlertReplay struct {
	Candidates []AlertCandidate `json:"candidates"`
	// relevant are the judged pairs of grade ≥ 2 by direction, as owner
	// and news external ids.
	relevant map[Direction][][2]string
	clusters Clusters
}

// ReplayAlerts replays the set's arrivals through a fresh service with
// an alerter, once each way: every demand published, then every offer
// (the background's included) one at a time in a shuffled order, each
// handled by the alerter before the next arrives; then the same with the
// sides swapped. The alerter runs with every bar down, so the replay
// records each pair that stood among the owner's first alert.MaxTopN
// matches when it arrived; AlertReplay.Score applies a rule to them.
func ReplayAlerts(ctx context.Context, cfg Config, clusters Clusters) (*AlertReplay, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	s, err := loadSet(cfg)
	if err != nil {
		return nil, err
	}
	r := &AlertReplay{relevant: map[Direction][][2]string{}, clusters: clusters}
	for d, byOwner := range map[Direction]map[string]map[string]int{DemandToOffer: s.qrels.byDemand, OfferToDemand: s.qrels.byOffer} {
		for owner, grades := range byOwner {
			for news, g := range grades {
				if g >= relevantGrade {
					r.relevant[d] = append(r.relevant[d], [2]string{owner, news})
				}
			}
		}
	}
	for _, d := range Directions {
		cands, err := replay(ctx, s, d, cfg)
		if err != nil {
			return nil, err
		}
		r.Candidates = append(r.Candidates, cands...)
	}
	return r, nil
}

// Orgs of the replay: every offer is one poster's, every demand
// another's, so that each alert reaches the other side's owner.
const (
	offersOrg  = "评测成果方"
	demandsOrg = "评测需求方"
)

// replay runs one way: owners' side first, then the other side one by one.
func replay(ctx context.Context, s *set, d Direction, cfg Config) ([]AlertCandidate, error) {
	log := cfg.Progress
	svc, err := newService(ctx, s, log, &alert.Options{TopN: alert.MaxTopN, CallerTopN: alert.MaxTopN, MinScore: -1, MinCoverage: -1, RemindEvery: -1})
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	defer svc.close()
	clients := map[string]*client.Client{}
	for _, org := range []string{offersOrg, demandsOrg} {
		_, secret, err := svc.m.IssueToken(ctx, org, techmarketv1.Role_ROLE_OPERATOR, "alert replay", nil)
		if err != nil {
			return nil, err
		}
		if clients[org], err = client.Dial(bufAddr, client.WithToken(secret), svc.dialer()); err != nil {
			return nil, err
		}
		defer clients[org].Close()
	}
	ownerKind, newsKind := "demand", "offer"
	owners, news := s.demands, s.offers
	ownerOrg, newsOrg := demandsOrg, offersOrg
	if d == OfferToDemand {
		ownerKind, newsKind = newsKind, ownerKind
		owners, news = news, owners
		ownerOrg, newsOrg = newsOrg, ownerOrg
	}
	names := map[string]string{} // listing name → external id
	load := func(org, kind string, ids []string) error {
		var file bytes.Buffer
		for _, id := range ids {
			file.Write(s.lines[lineKey(kind, id)])
			file.WriteByte('\n')
		}
		i := 0
		sum, err := clients[org].Import(ctx, &file, client.ImportOptions{Result: func(r *techmarketv1.ImportResult) {
			if i < len(ids) {
				names[r.GetName()] = ids[i]
			}
			i++
		}})
		if err == nil && sum.Rejected > 0 {
			err = rejected(kind+"s", sum)
		}
		if err != nil {
			return err
		}
		last, err := svc.st.LastSeq()
		if err != nil {
			return err
		}
		return svc.alerts.WaitFollowed(ctx, last)
	}
	ownerIDs := sortedKeys(owners)
	progress(log, "alerts, %s owners: publishing %d %ss", ownerKind, len(ownerIDs), ownerKind)
	if err := load(ownerOrg, ownerKind, ownerIDs); err != nil {
		return nil, fmt.Errorf("alerts: publishing the %ss: %w", ownerKind, err)
	}
	// Arrivals come in a fixed shuffled order: a set's files group
	// listings by topic, and a market's arrivals are not grouped.
	arrivals := sortedKeys(news)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(arrivals), func(i, j int) { arrivals[i], arrivals[j] = arrivals[j], arrivals[i] })
	progress(log, "alerts, %s owners: %d %ss arrive one at a time", ownerKind, len(arrivals), newsKind)
	began := time.Now()
	for n, id := range arrivals {
		if err := load(newsOrg, newsKind, []string{id}); err != nil {
			return nil, fmt.Errorf("alerts: publishing %s %s: %w", newsKind, id, err)
		}
		if step := max(1, len(arrivals)/10); (n+1)%step == 0 {
			progress(log, "alerts, %s owners: %d/%d arrived (%s)", ownerKind, n+1, len(arrivals), time.Since(began).Round(time.Second))
		}
	}
	var out []AlertCandidate
	var bad error
	err = svc.alerts.Alerts(ownerOrg, 0, func(al *techmarketv1.Alert) bool {
		if al.GetKind() != techmarketv1.AlertKind_ALERT_KIND_MATCH {
			return true
		}
		owner, ok1 := names[al.GetListing()]
		newsID, ok2 := names[al.GetMatch().GetName()]
		if !ok1 || !ok2 {
			bad = fmt.Errorf("alerts: an alert for %s about %s, which the replay did not publish", al.GetListing(), al.GetMatch().GetName())
			return false
		}
		c := AlertCandidate{
			Direction: d, Owner: owner, News: newsID, Title: al.GetMatch().GetTitle(),
			Rank: int(al.GetRank()), Score: al.GetMatch().GetScore(), Coverage: al.GetMatch().GetTextCoverage(),
			Breaks: slices.ContainsFunc(al.GetMatch().GetParts(), func(p *techmarketv1.ScorePart) bool { return p.GetFeature() == match.FeatureConstraints }),
		}
		c.Parts = map[string]float64{}
		for _, p := range al.GetMatch().GetParts() {
			c.Parts[p.GetFeature()] = p.GetValue()
		}
		c.CallerRank = int(al.GetCallerRank())
		if d == DemandToOffer {
			c.Grade = s.qrels.byDemand[owner][newsID]
		} else {
			c.Grade = s.qrels.byOffer[owner][newsID]
		}
		out = append(out, c)
		return true
	})
	if err == nil {
		err = bad
	}
	progress(log, "alerts, %s owners: %d pairs stood among the owners' first %d matches", ownerKind, len(out), alert.MaxTopN)
	return out, err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// AlertFigures are a rule's alerts scored against the judgments.
type AlertFigures struct {
	Direction Direction `json:"direction"`
	Alerts    int       `json:"alerts"`
	// Fitting counts the alerts whose pair is judged grade ≥ 2.
	Fitting int `json:"fitting"`
	// Relevant counts the judged pairs of grade ≥ 2.
	Relevant  int     `json:"relevant"`
	Precision float64 `json:"precision"`
	// PrecisionLow and PrecisionHigh bound the precision's 95% Wilson
	// interval. A hundred alerts leave it some 0.15 wide, so a change of
	// a point or two is no evidence either way.
	PrecisionLow  float64 `json:"precisionLow"`
	PrecisionHigh float64 `json:"precisionHigh"`
	Recall        float64 `json:"recall"`
}

// tally adds up one rule's alerts for the owners that keep admits.
type tally struct{ alerts, fitting, relevant int }

func (t *tally) add(o tally) { t.alerts += o.alerts; t.fitting += o.fitting; t.relevant += o.relevant }

func (t tally) figures(d Direction) AlertFigures {
	f := AlertFigures{Direction: d, Alerts: t.alerts, Fitting: t.fitting, Relevant: t.relevant}
	if t.alerts > 0 {
		f.Precision = float64(t.fitting) / float64(t.alerts)
		f.PrecisionLow, f.PrecisionHigh = wilson(t.fitting, t.alerts)
	}
	if t.relevant > 0 {
		f.Recall = float64(t.fitting) / float64(t.relevant)
	}
	return f
}

// wilson is the 95% Wilson score interval of a proportion of hits in n
// trials; unlike the normal one it stays within 0–1 and holds for small
// counts.
func wilson(hits, n int) (low, high float64) {
	const z = 1.959964 // the normal 97.5th percentile
	p, fn := float64(hits)/float64(n), float64(n)
	centre := (p + z*z/(2*fn)) / (1 + z*z/fn)
	half := z / (1 + z*z/fn) * math.Sqrt(p*(1-p)/fn+z*z/(4*fn*fn))
	return max(0, centre-half), min(1, centre+half)
}

// precision is the share of alerts that fit, 0 without alerts.
func (t tally) precision() float64 {
	if t.alerts == 0 {
		return 0
	}
	return float64(t.fitting) / float64(t.alerts)
}

// recall is the share of relevant pairs alerted.
func (t tally) recall() float64 {
	if t.relevant == 0 {
		return 0
	}
	return float64(t.fitting) / float64(t.relevant)
}

// count tallies rule's alerts of direction d for the owners keep admits.
func (r *AlertReplay) count(rule AlertRule, d Direction, keep func(owner string) bool) tally {
	var t tally
	for _, c := range r.Candidates {
		if c.Direction == d && keep(c.Owner) && rule.admits(c) {
			t.alerts++
			if c.Grade >= relevantGrade {
				t.fitting++
			}
		}
	}
	for _, p := range r.relevant[d] {
		if keep(p[0]) {
			t.relevant++
		}
	}
	return t
}

// Score scores rule on the whole set, both directions.
func (r *AlertReplay) Score(rule AlertRule) []AlertFigures {
	all := func(string) bool { return true }
	var out []AlertFigures
	for _, d := range Directions {
		out = append(out, r.count(rule, d, all).figures(d))
	}
	return out
}

// HeldOut is a rule chosen on some folds and scored on the one left out.
type HeldOut struct {
	// Rules are the rules chosen, by the fold they were scored on.
	Rules []AlertRule `json:"rules"`
	// Figures are those of the folds left out, added up, by direction.
	Figures []AlertFigures `json:"figures"`
	// Chosen is the rule chosen on every fold: what the defaults should be.
	Chosen AlertRule `json:"chosen"`
}

// PrecisionTarget is the precision a rule is chosen for on the folds it
// is chosen on: above the 0.8 an alert service must keep to stay on, by
// a margin for the spread between folds. An owner who hears of unfitting
// listings turns alerts off, so a rule is chosen for precision first.
const PrecisionTarget = 0.85

// CrossValidate splits the owners into k folds by topic cluster, chooses
// for each fold the rule of the grid with the highest recall at
// PrecisionTarget on the other folds (both directions together: the
// alerter has one rule for both), and scores it on the fold left out.
func (r *AlertReplay) CrossValidate(k int) (*HeldOut, error) {
	if k < 2 {
		return nil, fmt.Errorf("held-out alert figures need at least 2 folds, not %d", k)
	}
	h := &HeldOut{}
	totals := map[Direction]*tally{}
	for _, d := range Directions {
		totals[d] = &tally{}
	}
	for fold := range k {
		train := func(owner string) bool { return r.clusters.Fold(owner, k) != fold }
		test := func(owner string) bool { return r.clusters.Fold(owner, k) == fold }
		rule := r.best(train)
		h.Rules = append(h.Rules, rule)
		for _, d := range Directions {
			totals[d].add(r.count(rule, d, test))
		}
	}
	for _, d := range Directions {
		h.Figures = append(h.Figures, totals[d].figures(d))
	}
	h.Chosen = r.best(func(string) bool { return true })
	return h, nil
}

// best is the rule of the grid with the highest recall at a precision of
// PrecisionTarget or more over the owners keep admits, or the most
// precise when none reaches it; the stricter of equals first (fewer of
// the best matches, then higher bars).
func (r *AlertReplay) best(keep func(owner string) bool) AlertRule {
	var (
		best, sharpest    AlertRule
		recall, precision = -1.0, -1.0
	)
	for _, rule := range alertGrid() {
		var t tally
		for _, d := range Directions {
			t.add(r.count(rule, d, keep))
		}
		if p := t.precision(); p >= PrecisionTarget && t.recall() > recall+1e-12 {
			best, recall = rule, t.recall()
		}
		if p := t.precision(); p > precision+1e-12 {
			sharpest, precision = rule, p
		}
	}
	if recall < 0 {
		return sharpest
	}
	return best
}

// alertGrid lists the rules tried, the strictest of equals first.
func alertGrid() []AlertRule {
	var grid []AlertRule
	tops := []int{1, 2, 3, 5, alert.MaxTopN}
	for _, top := range tops {
		for _, callerTop := range tops {
			for cov := 0.5; cov >= -1e-9; cov -= 0.025 {
				for score := 1.0; score >= 0.499; score -= 0.025 {
					grid = append(grid, AlertRule{TopN: top, CallerTopN: callerTop, MinScore: round3(score), MinCoverage: round3(max(cov, 0))})
				}
			}
		}
	}
	return grid
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// WriteAlerts writes the held-out figures, the rule chosen on every fold
// and the shipped rule's figures on the whole set, as Markdown tables.
func WriteAlerts(w io.Writer, r *AlertReplay, h *HeldOut, k int) error {
	who := map[Direction]string{DemandToOffer: "demand owners, offers arriving", OfferToDemand: "offer owners, demands arriving"}
	var b strings.Builder
	table := func(figs []AlertFigures) {
		b.WriteString("| who is alerted | alerts | fitting (grade ≥ 2) | relevant pairs | precision | 95% interval | recall |\n| --- | --- | --- | --- | --- | --- | --- |\n")
		for _, f := range figs {
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %.3f | %.2f–%.2f | %.3f |\n", who[f.Direction], f.Alerts, f.Fitting, f.Relevant, f.Precision, f.PrecisionLow, f.PrecisionHigh, f.Recall)
		}
	}
	fmt.Fprintf(&b, "Alerts held out by topic (%d folds; each fold's rule chosen on the other folds, for the most recall at precision %.2f):\n\n", k, PrecisionTarget)
	table(h.Figures)
	b.WriteString("\nRules chosen, by the fold left out:\n")
	for i, rule := range h.Rules {
		fmt.Fprintf(&b, "- fold %d: %s\n", i+1, rule)
	}
	fmt.Fprintf(&b, "\nRule chosen on every fold: %s\n", h.Chosen)
	fmt.Fprintf(&b, "\nThe shipped rule (%s) on the whole set, not held out (it was chosen on the dev set):\n\n", ShippedAlertRule)
	table(r.Score(ShippedAlertRule))
	_, err := io.WriteString(w, b.String())
	return err
}
