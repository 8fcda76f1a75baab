package server_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestMarketStatsAgreeWithActivity does a known amount of business and
// checks that the statistics report exactly that.
func TestMarketStatsAgreeWithActivity(t *testing.T) {
	clock := testutil.NewClock(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
	env := testutil.Start(t, testutil.WithClock(clock.Now))
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	enterprise := env.Client(env.Token("enterprise", "乌海某焦化公司"))
	operator := env.Client(env.Token("operator", "乌海科技大市场"))

	offer := createOffer(t, agency, validOffer(), true)
	draft := validOffer()
	draft.ExternalId, draft.Industries, draft.Region = "o-2", []string{"hydrogen"}, techmarketv1.Region_REGION_WUHAI
	createOffer(t, agency, draft, false)
	dresp, err := enterprise.Demands.CreateDemand(ctx, &techmarketv1.CreateDemandRequest{Demand: validDemand(), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	demand := dresp.GetDemand()
	for range 3 {
		if _, err := enterprise.Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: demand.GetName()}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := enterprise.Deals.CreateDeal(ctx, &techmarketv1.CreateDealRequest{Offer: offer.GetName(), Demand: demand.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(clock.Now().Add(24 * time.Hour))
	for _, move := range []*techmarketv1.MoveDealRequest{
		{Name: d.GetDeal().GetName(), Stage: techmarketv1.DealStage_DEAL_STAGE_NEGOTIATING},
		{Name: d.GetDeal().GetName(), Stage: techmarketv1.DealStage_DEAL_STAGE_CONTRACT_SIGNED, ContractType: techmarketv1.ContractType_CONTRACT_TYPE_LICENCE, AmountYuan: 2_500_000},
	} {
		if _, err := agency.Deals.MoveDeal(ctx, move); err != nil {
			t.Fatal(err)
		}
	}

	_, err = agency.Stats.GetMarketStats(ctx, &techmarketv1.GetMarketStatsRequest{})
	wantCode(t, err, codes.PermissionDenied)

	got, err := operator.Stats.GetMarketStats(ctx, &techmarketv1.GetMarketStatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	count := func(cs []*techmarketv1.Count, key string) int64 {
		for _, c := range cs {
			if c.GetKey() == key {
				return c.GetCount()
			}
		}
		return 0
	}
	checks := []struct {
		what      string
		got, want int64
	}{
		{"offers", got.GetOffers().GetTotal(), 2},
		{"published offers", count(got.GetOffers().GetByState(), "published"), 1},
		{"draft offers", count(got.GetOffers().GetByState(), "draft"), 1},
		{"hydrogen offers", count(got.GetOffers().GetByIndustry(), "hydrogen"), 1},
		{"coal-chemical offers", count(got.GetOffers().GetByIndustry(), "coal-chemical"), 1},
		{"wuhai offers", count(got.GetOffers().GetByRegion(), "wuhai"), 1},
		{"demands", got.GetDemands().GetTotal(), 1},
		{"matches served", got.GetMatchesServed(), 3},
		{"deals signed", count(got.GetDealsByStage(), "contract_signed"), 1},
		{"funnel: listings", count(got.GetFunnel(), "listings"), 3},
		{"funnel: contacted", count(got.GetFunnel(), "contacted"), 1},
		{"funnel: negotiating", count(got.GetFunnel(), "negotiating"), 1},
		{"funnel: meeting (skipped)", count(got.GetFunnel(), "meeting"), 0},
		{"funnel: signed", count(got.GetFunnel(), "contract_signed"), 1},
		{"contract value", got.GetContractValueYuan(), 2_500_000},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}

	// The day before the contract: the deal was opened, nothing signed yet.
	day1, err := operator.Stats.GetMarketStats(ctx, &techmarketv1.GetMarketStatsRequest{
		StartTime: timestamppb.New(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)), EndTime: timestamppb.New(time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if day1.GetContractValueYuan() != 0 || day1.GetMatchesServed() != 3 || count(day1.GetDealsByStage(), "contract_signed") != 1 {
		t.Errorf("first day: contract value %d, matches %d, deals %v", day1.GetContractValueYuan(), day1.GetMatchesServed(), day1.GetDealsByStage())
	}

	// Counts survive a restart.
	env.Restart()
	operator = env.Client(env.Token("operator", "乌海科技大市场"))
	again, err := operator.Stats.GetMarketStats(ctx, &techmarketv1.GetMarketStatsRequest{})
	if err != nil || again.GetMatchesServed() != 3 {
		t.Errorf("after a restart: %d matches served (%v), want 3", again.GetMatchesServed(), err)
	}

	_, err = operator.Stats.GetMarketStats(ctx, &techmarketv1.GetMarketStatsRequest{StartTime: timestamppb.New(clock.Now()), EndTime: timestamppb.New(clock.Now().Add(-time.Hour))})
	if fields := violatedFields(t, err); len(fields) != 1 || fields[0] != "end_time" {
		t.Errorf("end before start: violations %v", fields)
	}
}
