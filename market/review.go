package market

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/quality"
)

// Review limits.
const (
	MaxReviewReasons    = 10
	MaxReviewReasonChar = 500
)

// Review records an operator's decision on a listing in review: approve
// publishes it, send back returns it to draft and reject closes it for
// good; the decision and its reasons are kept on the listing for its
// poster to read.
func (l *Listings[T]) Review(ctx context.Context, p auth.Principal, name, etag string, decision techmarketv1.ReviewDecision, reasons []string) (T, error) {
	var zero T
	if !p.IsOperator() {
		return zero, fmt.Errorf("%w: only operators review listings", ErrPermissionDenied)
	}
	if err := checkReview(decision, reasons); err != nil {
		return zero, err
	}
	action := "review." + strings.ToLower(strings.TrimPrefix(decision.String(), "REVIEW_DECISION_"))
	return l.change(ctx, p, name, "name", etag, action, func(cur T, now time.Time) (bool, error) {
		if cur.GetState() != techmarketv1.ListingState_LISTING_STATE_IN_REVIEW {
			return false, fmt.Errorf("%w: %s is %s, not in review", ErrFailedPrecondition, cur.GetName(), listing.StateWord(cur.GetState()))
		}
		switch decision {
		case techmarketv1.ReviewDecision_REVIEW_DECISION_APPROVE:
			l.publish(cur, now)
		case techmarketv1.ReviewDecision_REVIEW_DECISION_SEND_BACK:
			setState(cur, techmarketv1.ListingState_LISTING_STATE_DRAFT)
		case techmarketv1.ReviewDecision_REVIEW_DECISION_REJECT:
			setState(cur, techmarketv1.ListingState_LISTING_STATE_REJECTED)
		}
		setTime(cur, "update_time", now)
		review := &techmarketv1.Review{Decision: decision, Reasons: reasons, Reviewer: p.Org, Time: timestamppb.New(now)}
		m := cur.ProtoReflect()
		m.Set(fieldOf(m, "review"), protoreflect.ValueOfMessage(review.ProtoReflect()))
		return false, nil
	})
}

func checkReview(decision techmarketv1.ReviewDecision, reasons []string) error {
	if _, ok := techmarketv1.ReviewDecision_name[int32(decision)]; !ok || decision == techmarketv1.ReviewDecision_REVIEW_DECISION_UNSPECIFIED {
		return invalid("decision", "say approve, send back or reject")
	}
	if decision != techmarketv1.ReviewDecision_REVIEW_DECISION_APPROVE && len(reasons) == 0 {
		return invalid("reasons", "tell the poster why; at least one reason unless approving")
	}
	if len(reasons) > MaxReviewReasons {
		return invalid("reasons", "at most %d reasons, got %d", MaxReviewReasons, len(reasons))
	}
	for i, r := range reasons {
		field := fmt.Sprintf("reasons[%d]", i)
		switch n := utf8.RuneCountInString(r); {
		case !utf8.ValidString(r):
			return invalid(field, "not valid UTF-8")
		case n == 0:
			return invalid(field, "empty")
		case n > MaxReviewReasonChar:
			return invalid(field, "%d characters, at most %d", n, MaxReviewReasonChar)
		}
	}
	return nil
}

// Quality assesses a listing for its poster or an operator.
func (l *Listings[T]) Quality(ctx context.Context, p auth.Principal, name string) (quality.Report, error) {
	v, err := l.Get(ctx, p, name)
	if err != nil {
		return quality.Report{}, err
	}
	if !p.IsOperator() && p.Org != v.GetPoster() {
		return quality.Report{}, fmt.Errorf("%w: the quality report of %s is for its poster and operators", ErrPermissionDenied, name)
	}
	return quality.Assess(v, l.m.now()), nil
}
