package alert

import (
	"context"
	"errors"

	"github.com/wuhai-techmarket/techmarket/listing"
	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// fit is a listing whose owner is to hear of a new one.
type fit struct {
	owner    listing.Listing // the owner's listing, the one alerted
	result   match.Result    // the new listing, as the owner's own match ranks it
	rank     int             // 1 for the best of the owner's matches
	delivery techmarketv1.AlertDelivery
	// callerRank is where the owner's listing stands among the new
	// listing's own matches, 1 for the best.
	callerRank int
}

// fits reports whether news, a listing that appeared with change seq,
// fits owner well enough to tell owner's poster, and how it stands; owner
// stands at callerRank among news's own matches, within CallerTopN. It
// does when, in the market as it stood at seq:
//
//   - news is among the owner's settings' top N matches of owner, by the
//     very ranking the owner sees with MatchService (no filters);
//   - it breaks no hard constraint of the pair (readiness below the
//     minimum, no transfer mode in common, a price three times the
//     budget): an alert interrupts, and a listing the owner cannot take
//     as it stands is not worth it;
//   - its text covers at least MinCoverage of what owner asks
//     (match.Result.Coverage), a bar that does not move with the other
//     candidates, so that the best of poor candidates does not pass;
//   - and its score is at least the owner's settings' minimum.
//
// Pairs already alerted and listings whose owner turned alerts off are
// passed over before the forward match, which is the costly part.
func (a *Alerter) fits(ctx context.Context, owner, news listing.Listing, seq uint64, callerRank int) (fit, bool, error) {
	f := fit{owner: owner, callerRank: callerRank}
	if _, err := a.st.GetAux(bucketPairs, pairKey(news, owner)); err == nil {
		return f, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return f, false, err
	}
	set, err := a.Settings(owner.GetName())
	if err != nil {
		return f, false, err
	}
	f.delivery = set.GetDelivery()
	if f.delivery == techmarketv1.AlertDelivery_ALERT_DELIVERY_OFF {
		return f, false, nil
	}
	top := int(set.GetTopN())
	// The owner's page of matches, at least as long as MatchService's
	// default: a shorter one could rank its head differently, since the
	// candidate pool grows with the limit.
	results, err := a.mt.Match(ctx, owner, max(top, match.DefaultLimit), match.Filters{WrittenBy: seq})
	if err != nil {
		return f, false, err
	}
	for i, res := range results[:min(top, len(results))] {
		if res.Listing.GetName() != news.GetName() {
			continue
		}
		f.result, f.rank = res, i+1
		ok := !res.BreaksConstraint() && res.Coverage >= a.opts.MinCoverage && res.Score >= set.GetMinScore()
		return f, ok, nil
	}
	return f, false, nil
}
