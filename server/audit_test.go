package server_test

import (
	"context"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestAuditLog: operators' actions, moderation, tokens and deal changes
// are recorded with actor and time, newest first; a poster's own edits
// are not; only operators read the log.
func TestAuditLog(t *testing.T) {
	env := testutil.Start(t, testutil.WithReview())
	ctx := context.Background()
	operator := env.Client(env.Token("operator", "乌海科技大市场"))
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	enterprise := env.Client(env.Token("enterprise", "乌海某焦化公司"))

	tok, err := operator.Tokens.CreateToken(ctx, &techmarketv1.CreateTokenRequest{Organization: "丙研究院", Role: techmarketv1.Role_ROLE_AGENCY})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := operator.Tokens.RevokeToken(ctx, &techmarketv1.RevokeTokenRequest{Name: tok.GetToken().GetName()}); err != nil {
		t.Fatal(err)
	}
	offer := createOffer(t, agency, validOffer(), true) // in review
	if _, err := agency.Offers.UpdateOffer(ctx, &techmarketv1.UpdateOfferRequest{
		Offer: &techmarketv1.Offer{Name: offer.GetName(), Title: "焦炉荒煤气余热回收技术"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := operator.Reviews.ReviewListing(ctx, &techmarketv1.ReviewListingRequest{Name: offer.GetName(), Decision: techmarketv1.ReviewDecision_REVIEW_DECISION_APPROVE}); err != nil {
		t.Fatal(err)
	}
	if _, err := operator.Offers.UpdateOffer(ctx, &techmarketv1.UpdateOfferRequest{
		Offer: &techmarketv1.Offer{Name: offer.GetName(), Summary: "运营人员补充：已在两家焦化厂应用。"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"summary"}},
	}); err != nil {
		t.Fatal(err)
	}
	dresp, err := enterprise.Demands.CreateDemand(ctx, &techmarketv1.CreateDemandRequest{Demand: validDemand(), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := operator.Reviews.ReviewListing(ctx, &techmarketv1.ReviewListingRequest{Name: dresp.GetDemand().GetName(), Decision: techmarketv1.ReviewDecision_REVIEW_DECISION_APPROVE}); err != nil {
		t.Fatal(err)
	}
	deal, err := enterprise.Deals.CreateDeal(ctx, &techmarketv1.CreateDealRequest{Offer: offer.GetName(), Demand: dresp.GetDemand().GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agency.Deals.MoveDeal(ctx, &techmarketv1.MoveDealRequest{Name: deal.GetDeal().GetName(), Stage: techmarketv1.DealStage_DEAL_STAGE_NEGOTIATING}); err != nil {
		t.Fatal(err)
	}

	_, err = agency.Audit.ListAuditEntries(ctx, &techmarketv1.ListAuditEntriesRequest{})
	wantCode(t, err, codes.PermissionDenied)

	var got []string
	req := &techmarketv1.ListAuditEntriesRequest{PageSize: 3}
	for {
		resp, err := operator.Audit.ListAuditEntries(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range resp.GetEntries() {
			if e.GetActor() == "" || e.GetTime() == nil {
				t.Errorf("entry without actor or time: %v", e)
			}
			got = append(got, e.GetActor()+" "+e.GetAction()+" "+e.GetTarget())
		}
		if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
			break
		}
	}
	want := []string{
		"甲技术转移中心 deals.move " + deal.GetDeal().GetName(),
		"乌海某焦化公司 deals.create " + deal.GetDeal().GetName(),
		"乌海科技大市场 review.approve " + dresp.GetDemand().GetName(),
		"乌海科技大市场 offers.update " + offer.GetName(),
		"乌海科技大市场 review.approve " + offer.GetName(),
		"乌海科技大市场 tokens.revoke " + tok.GetToken().GetName(),
		"乌海科技大市场 tokens.create " + tok.GetToken().GetName(),
	}
	// The tokens the test environment issued come first in time, last here.
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("audit log, newest first:\n%v\nwant it to start with\n%v", got, want)
	}
	deals, err := operator.Audit.ListAuditEntries(ctx, &techmarketv1.ListAuditEntriesRequest{ActionPrefix: "deals."})
	if err != nil || len(deals.GetEntries()) != 2 {
		t.Errorf("deals only: %v %v", deals.GetEntries(), err)
	}
}
