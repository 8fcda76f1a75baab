package server_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestReviewFlow follows posts through review: they wait unseen, an
// operator sends one back with reasons the poster reads, approves it on
// the second try, and rejects another for good.
func TestReviewFlow(t *testing.T) {
	env := testutil.Start(t, testutil.WithReview())
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	operator := env.Client(env.Token("operator", "乌海科技大市场"))
	anon := env.Client("")

	posted := createOffer(t, agency, validOffer(), true)
	if posted.GetState() != techmarketv1.ListingState_LISTING_STATE_IN_REVIEW {
		t.Fatalf("posted with publish: %v, want in review", posted.GetState())
	}
	_, err := anon.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: posted.GetName()})
	wantCode(t, err, codes.PermissionDenied)
	if hits, err := anon.Match.SearchOffers(ctx, &techmarketv1.SearchOffersRequest{Query: "荒煤气"}); err != nil || len(hits.GetHits()) != 0 {
		t.Errorf("search finds a post in review: %v %v", hits.GetHits(), err)
	}
	queue, err := operator.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{State: techmarketv1.ListingState_LISTING_STATE_IN_REVIEW})
	if err != nil || len(queue.GetOffers()) != 1 || queue.GetOffers()[0].GetName() != posted.GetName() {
		t.Fatalf("operator's review queue: %v %v", queue.GetOffers(), err)
	}

	// Only operators review; a send-back needs a reason; neither changes anything.
	_, err = agency.Reviews.ReviewListing(ctx, &techmarketv1.ReviewListingRequest{Name: posted.GetName(), Decision: techmarketv1.ReviewDecision_REVIEW_DECISION_APPROVE})
	wantCode(t, err, codes.PermissionDenied)
	_, err = operator.Reviews.ReviewListing(ctx, &techmarketv1.ReviewListingRequest{Name: posted.GetName(), Decision: techmarketv1.ReviewDecision_REVIEW_DECISION_SEND_BACK})
	if fields := violatedFields(t, err); !slices.Equal(fields, []string{"reasons"}) {
		t.Errorf("send back without a reason: violations %v", fields)
	}
	if got := getOffer(t, agency, posted.GetName()); got.GetEtag() != posted.GetEtag() {
		t.Errorf("refused reviews changed the offer: etag %s → %s", posted.GetEtag(), got.GetEtag())
	}

	reason := "请补充吨焦蒸汽回收量的检测报告"
	sent, err := operator.Reviews.ReviewListing(ctx, &techmarketv1.ReviewListingRequest{
		Name: posted.GetName(), Decision: techmarketv1.ReviewDecision_REVIEW_DECISION_SEND_BACK, Reasons: []string{reason},
	})
	if err != nil {
		t.Fatal(err)
	}
	back := getOffer(t, agency, posted.GetName())
	if back.GetState() != techmarketv1.ListingState_LISTING_STATE_DRAFT || !slices.Equal(back.GetReview().GetReasons(), []string{reason}) ||
		back.GetReview().GetReviewer() != "乌海科技大市场" || sent.GetOffer().GetEtag() != back.GetEtag() {
		t.Fatalf("sent back: state %v, review %v", back.GetState(), back.GetReview())
	}

	// Submitted again, approved: published, matched from now.
	resubmitted, err := agency.Offers.PublishOffer(ctx, &techmarketv1.PublishOfferRequest{Name: posted.GetName()})
	if err != nil || resubmitted.GetOffer().GetState() != techmarketv1.ListingState_LISTING_STATE_IN_REVIEW {
		t.Fatalf("publish after send-back: %v %v; want in review", resubmitted.GetOffer().GetState(), err)
	}
	approved, err := operator.Reviews.ReviewListing(ctx, &techmarketv1.ReviewListingRequest{
		Name: posted.GetName(), Decision: techmarketv1.ReviewDecision_REVIEW_DECISION_APPROVE, Etag: resubmitted.GetOffer().GetEtag(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if o := approved.GetOffer(); o.GetState() != techmarketv1.ListingState_LISTING_STATE_PUBLISHED || o.GetPublishTime() == nil || o.GetExpireTime() == nil {
		t.Fatalf("approved: %v", o)
	}
	if _, err := anon.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: posted.GetName()}); err != nil {
		t.Errorf("approved offer not public: %v", err)
	}
	_, err = operator.Reviews.ReviewListing(ctx, &techmarketv1.ReviewListingRequest{Name: posted.GetName(), Decision: techmarketv1.ReviewDecision_REVIEW_DECISION_APPROVE})
	wantCode(t, err, codes.FailedPrecondition) // not in review any more

	// Rejected is final.
	other := validOffer()
	other.ExternalId = "o-2"
	rejected := createOffer(t, agency, other, true)
	if _, err := operator.Reviews.ReviewListing(ctx, &techmarketv1.ReviewListingRequest{
		Name: rejected.GetName(), Decision: techmarketv1.ReviewDecision_REVIEW_DECISION_REJECT, Reasons: []string{"与已发布成果重复"},
	}); err != nil {
		t.Fatal(err)
	}
	_, err = agency.Offers.PublishOffer(ctx, &techmarketv1.PublishOfferRequest{Name: rejected.GetName()})
	wantCode(t, err, codes.FailedPrecondition)

	// An operator's own post goes straight out.
	mine := validOffer()
	mine.ExternalId = "o-op"
	if o := createOffer(t, operator, mine, true); o.GetState() != techmarketv1.ListingState_LISTING_STATE_PUBLISHED {
		t.Errorf("operator's post: %v, want published", o.GetState())
	}
}

func getOffer(t *testing.T, c interface {
	GetOffer(context.Context, string) (*techmarketv1.Offer, error)
}, name string) *techmarketv1.Offer {
	t.Helper()
	o, err := c.GetOffer(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestRenewAfterDeadline: a demand past its deadline cannot simply be
// published again; with a later deadline it can, and it is live again.
func TestRenewAfterDeadline(t *testing.T) {
	clock := testutil.NewClock(time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC))
	env := testutil.Start(t, testutil.WithClock(clock.Now))
	ctx := context.Background()
	enterprise := env.Client(env.Token("enterprise", "乌海某焦化公司"))
	resp, err := enterprise.Demands.CreateDemand(ctx, &techmarketv1.CreateDemandRequest{Demand: validDemand(), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	name := resp.GetDemand().GetName()
	clock.Set(time.Date(2027, 7, 2, 9, 0, 0, 0, time.UTC)) // deadline 2027-06-30 is over
	_, err = enterprise.Demands.PublishDemand(ctx, &techmarketv1.PublishDemandRequest{Name: name})
	wantCode(t, err, codes.FailedPrecondition)

	if _, err := enterprise.Demands.UpdateDemand(ctx, &techmarketv1.UpdateDemandRequest{
		Demand: &techmarketv1.Demand{Name: name, Deadline: "2027-12-31"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"deadline"}},
	}); err != nil {
		t.Fatal(err)
	}
	renewed, err := enterprise.Demands.PublishDemand(ctx, &techmarketv1.PublishDemandRequest{Name: name})
	if err != nil || renewed.GetDemand().GetState() != techmarketv1.ListingState_LISTING_STATE_PUBLISHED {
		t.Fatalf("renewed with a later deadline: %v %v", renewed.GetDemand().GetState(), err)
	}
}

// TestQualityReport: the poster learns what is missing; a complete
// listing scores higher; nobody else may read the report.
func TestQualityReport(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	other := env.Client(env.Token("agency", "乙技术转移中心"))
	full := createOffer(t, agency, validOffer(), true)
	thin := createOffer(t, agency, &techmarketv1.Offer{ExternalId: "thin", Title: "节能技术", Industries: []string{"energy-saving"}, Region: techmarketv1.Region_REGION_WUHAI}, true)

	fullReport, err := agency.Reviews.GetQualityReport(ctx, &techmarketv1.GetQualityReportRequest{Name: full.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	thinReport, err := agency.Reviews.GetQualityReport(ctx, &techmarketv1.GetQualityReportRequest{Name: thin.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if thinReport.GetReport().GetScore() >= fullReport.GetReport().GetScore() {
		t.Errorf("thin offer scores %.2f, complete one %.2f", thinReport.GetReport().GetScore(), fullReport.GetReport().GetScore())
	}
	found := map[string]bool{}
	for _, i := range thinReport.GetReport().GetIssues() {
		found[i.GetCode()] = true
		if i.GetSuggestion() == "" {
			t.Errorf("issue %s has no suggestion", i.GetCode())
		}
	}
	for _, want := range []string{"missing_trl", "vague_title", "missing_price"} {
		if !found[want] {
			t.Errorf("thin offer's report lacks %s: %v", want, found)
		}
	}
	_, err = other.Reviews.GetQualityReport(ctx, &techmarketv1.GetQualityReportRequest{Name: thin.GetName()})
	wantCode(t, err, codes.PermissionDenied)
}
