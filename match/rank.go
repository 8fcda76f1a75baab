package match

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// weightsFor returns the weights of src's matches: offers for a demand,
// demands for an offer.
func weightsFor(src listing.Listing) *RankWeights {
	if _, ok := src.(*techmarketv1.Offer); ok {
		return &Tuning.ForDemands
	}
	return &Tuning.ForOffers
}

// FeatureConstraints is the part a score gets when the pair breaks a
// hard constraint of the demand.
const FeatureConstraints = "constraints"

// BreaksConstraint reports whether the match breaks a hard constraint of
// the demand: readiness below its minimum, no transfer mode in common, or
// a price three times its budget.
func (r Result) BreaksConstraint() bool {
	return slices.ContainsFunc(r.Parts, func(p Part) bool { return p.Feature == FeatureConstraints })
}

// FeatureWeakerText is the part a score loses when its listing's text
// fits clearly worse than that of a listing it would otherwise outrank
// (TextFirst).
const FeatureWeakerText = "weaker_text"

// Scored is a candidate as TextFirst sees it.
type Scored struct {
	// Text is the text fit relative to the best candidate's, 0–1, before
	// the weights' TextExponent reshapes it.
	Text   float64
	Score  float64
	Breaks bool // the candidate breaks a hard constraint of the demand
}

// TextFirst keeps the text in charge of the order. It lowers, in place,
// the score of every candidate whose text fits less than ratio times as
// well as another's to just below that one's, unless that one breaks a
// hard constraint. So industry, price or freshness reorder candidates of
// comparable text but never lift a clearly worse fit over a clearly
// better one: an enterprise that sees a near-miss of its own industry
// above the offer that solves its problem stops reading. ratio 0 leaves
// the scores alone.
func TextFirst(cs []Scored, ratio float64) {
	if ratio <= 0 || len(cs) < 2 {
		return
	}
	order := make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cs[b].Text, cs[a].Text) })
	// Walking down the text order, the candidates whose text is clearly
	// better than the current one's are a prefix, already final: the
	// current one must score below the lowest of them.
	ceiling, j := math.Inf(1), 0
	for _, i := range order {
		for ; j < len(order) && cs[order[j]].Text*ratio > cs[i].Text; j++ {
			if !cs[order[j]].Breaks {
				ceiling = min(ceiling, cs[order[j]].Score)
			}
		}
		if cs[i].Score >= ceiling {
			cs[i].Score = ceiling - textFirstStep
		}
	}
}

// textFirstStep is how far below the listing whose text fits clearly
// better TextFirst puts one: enough to order them, too little to show.
const textFirstStep = 1e-6

// Neutral values for a constraint one side leaves open.
const unknown = 0.7

// rank scores candidate cand for source src, given its text score relative
// to the best candidate's. The parts' reasons are written only when why
// is set: a match ranks a pool of 80 candidates to show ten, and
// formatting the reasons of the 70 not shown was an eighth of what a
// match allocated.
func rank(src, cand listing.Listing, text float64, now time.Time, why bool) (float64, []Part) {
	demand, offer := sides(src, cand)
	parts := []Part{
		textPart(text),
		industryPart(src, cand, why),
		readinessPart(demand, offer, why),
		pricePart(demand, offer, why),
		modesPart(demand, offer),
		regionPart(demand, offer),
		freshnessPart(cand, now, why),
		qualityPart(cand, why),
	}
	t := weightsFor(src)
	w := []float64{t.Text, t.Industry, t.Readiness, t.Price, t.Modes, t.Region, t.Freshness, t.Quality}
	score, violated := 0.0, false
	for i := range parts {
		parts[i].Contribution = w[i] * parts[i].Value
		score += parts[i].Contribution
		if (parts[i].Feature == "readiness" || parts[i].Feature == "price" || parts[i].Feature == "transfer_modes") && parts[i].Value == 0 {
			violated = true
		}
	}
	if violated {
		penalty := -(1-t.ViolationFactor)*score - t.ViolationPenalty
		parts = append(parts, Part{Feature: FeatureConstraints, Contribution: penalty, Value: 0, Reason: "breaks a hard constraint of the demand"})
		score += penalty
	}
	return score, parts
}

// qualityPart prefers clear, complete listings a little: a vague one costs
// the other side time before it can even judge the fit.
func qualityPart(cand listing.Listing, why bool) Part {
	q := cand.GetQualityScore()
	switch {
	case q == 0: // written before listings were assessed
		return Part{Feature: "quality", Value: unknown, Reason: "quality not assessed yet"}
	case q >= 0.9:
		return Part{Feature: "quality", Value: q, Reason: "clear and complete"}
	}
	p := Part{Feature: "quality", Value: q}
	if why {
		p.Reason = fmt.Sprintf("quality %.2f of 1: details are missing", q)
	}
	return p
}

// textPart is the text fit relative to the best candidate's, which ranks
// well within one answer but says nothing on its own: the best of poor
// candidates has 1 too. Its reason is written with the shared terms
// (textReason), once they are known.
func textPart(text float64) Part {
	return Part{Feature: "text", Value: text}
}

// textReason explains a text fit in absolute words: how much of what src
// asks the candidate's text covers (Result.Coverage) and the most
// telling of the terms they share.
func textReason(src listing.Listing, shared []string, coverage float64) string {
	whose := "the demand's"
	if _, ok := src.(*techmarketv1.Offer); ok {
		whose = "the offer's"
	}
	if len(shared) == 0 {
		return "shares none of " + whose + " telling terms"
	}
	const named = 3
	more := ""
	if len(shared) > named {
		more = fmt.Sprintf(" and %d more", len(shared)-named)
	}
	return fmt.Sprintf("covers %.0f%% of %s telling terms by weight: %s%s",
		100*coverage, whose, strings.Join(shared[:min(named, len(shared))], "、"), more)
}

// sides returns the demand and the offer of a pair, whichever is the source.
func sides(a, b listing.Listing) (*techmarketv1.Demand, *techmarketv1.Offer) {
	if d, ok := a.(*techmarketv1.Demand); ok {
		o, _ := b.(*techmarketv1.Offer)
		return d, o
	}
	d, _ := b.(*techmarketv1.Demand)
	o, _ := a.(*techmarketv1.Offer)
	return d, o
}

func industryPart(src, cand listing.Listing, why bool) Part {
	shared := 0 // a listing has a few industries: no map needed
	for _, c := range src.GetIndustries() {
		if slices.Contains(cand.GetIndustries(), c) {
			shared++
		}
	}
	p := Part{Feature: "industry"}
	if shared == 0 {
		p.Reason = "no industry in common"
		return p
	}
	union := len(src.GetIndustries()) + len(cand.GetIndustries()) - shared
	p.Value = 0.5 + 0.5*float64(shared)/float64(union)
	if why {
		p.Reason = fmt.Sprintf("%d of the industries in common", shared)
	}
	return p
}

func readinessPart(d *techmarketv1.Demand, o *techmarketv1.Offer, why bool) Part {
	p := Part{Feature: "readiness"}
	need, have := d.GetMinTrl(), o.GetTrl()
	switch {
	case need == 0 || have == 0:
		p.Value, p.Reason = unknown, "readiness not stated on both sides"
	case have >= need:
		p.Value = 1
		if why {
			p.Reason = fmt.Sprintf("TRL %d meets the required %d", have, need)
		}
	default:
		p.Value = 0
		if why {
			p.Reason = fmt.Sprintf("TRL %d is below the required %d", have, need)
		}
	}
	return p
}

func pricePart(d *techmarketv1.Demand, o *techmarketv1.Offer, why bool) Part {
	p := Part{Feature: "price"}
	budget, price := d.GetBudget(), o.GetPrice()
	if budget == nil || price == nil || budget.GetMaxYuan() == 0 {
		p.Value, p.Reason = unknown, "price or budget open to negotiation"
		return p
	}
	ratio := float64(price.GetMinYuan()) / float64(budget.GetMaxYuan())
	switch {
	case ratio <= 1:
		p.Value, p.Reason = 1, "the price starts within the budget"
	case ratio <= 1.5:
		p.Value = 0.8
		if why {
			p.Reason = fmt.Sprintf("the price starts %.1f× the budget; negotiable", ratio)
		}
	case ratio < 3:
		p.Value = 0.3
		if why {
			p.Reason = fmt.Sprintf("the price starts %.1f× the budget", ratio)
		}
	default:
		p.Value = 0
		if why {
			p.Reason = fmt.Sprintf("the price starts %.0f× the budget", ratio)
		}
	}
	return p
}

func modesPart(d *techmarketv1.Demand, o *techmarketv1.Offer) Part {
	p := Part{Feature: "transfer_modes"}
	if len(d.GetTransferModes()) == 0 || len(o.GetTransferModes()) == 0 {
		p.Value, p.Reason = unknown, "transfer modes not stated on both sides"
		return p
	}
	for _, a := range d.GetTransferModes() {
		for _, b := range o.GetTransferModes() {
			if a == b {
				p.Value, p.Reason = 1, "both accept "+interchange.TransferModeCode(a)
				return p
			}
		}
	}
	p.Reason = "no transfer mode in common"
	return p
}

// regionPart favours local transfer: the nearer the offer to the demand,
// the cheaper the transfer and the follow-up service.
func regionPart(d *techmarketv1.Demand, o *techmarketv1.Offer) Part {
	p := Part{Feature: "region"}
	if d.GetRegion() == o.GetRegion() {
		p.Value, p.Reason = 1, "same region"
		return p
	}
	p.Value = math.Min(near[d.GetRegion()], near[o.GetRegion()])
	p.Reason = "different regions"
	return p
}

// near is how local a region is to Wuhai; unknown regions count 0.
var near = map[techmarketv1.Region]float64{
	techmarketv1.Region_REGION_WUHAI:          1,
	techmarketv1.Region_REGION_INNER_MONGOLIA: 0.8,
	techmarketv1.Region_REGION_DOMESTIC:       0.6,
	techmarketv1.Region_REGION_INTERNATIONAL:  0.4,
}

// freshnessPart prefers recently published listings: a stale one is less
// likely to be answered.
func freshnessPart(cand listing.Listing, now time.Time, why bool) Part {
	p := Part{Feature: "freshness", Value: unknown, Reason: "publication date unknown"}
	if pt := cand.GetPublishTime(); pt.IsValid() {
		age := now.Sub(pt.AsTime())
		days := age.Hours() / 24
		p.Value, p.Reason = math.Max(0.3, 1-0.7*days/365), ""
		if why {
			p.Reason = fmt.Sprintf("published %d days ago", int(days))
		}
	}
	return p
}
