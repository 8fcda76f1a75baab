package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestEtagConflict(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	v1 := createOffer(t, agency, validOffer(), false)
	mask := &fieldmaskpb.FieldMask{Paths: []string{"title"}}

	resp, err := agency.Offers.UpdateOffer(ctx, &techmarketv1.UpdateOfferRequest{
		Offer: &techmarketv1.Offer{Name: v1.GetName(), Etag: v1.GetEtag(), Title: "第二版标题"}, UpdateMask: mask,
	})
	if err != nil {
		t.Fatalf("update with the current etag: %v", err)
	}
	v2 := resp.GetOffer()
	if v2.GetEtag() == v1.GetEtag() {
		t.Fatalf("etag did not change on update: %s", v2.GetEtag())
	}
	if v2.GetTitle() != "第二版标题" || v2.GetSummary() != v1.GetSummary() {
		t.Errorf("update changed the wrong fields: title %q, summary %q", v2.GetTitle(), v2.GetSummary())
	}

	// A second editor still holding v1's etag loses, and changes nothing.
	_, err = agency.Offers.UpdateOffer(ctx, &techmarketv1.UpdateOfferRequest{
		Offer: &techmarketv1.Offer{Name: v1.GetName(), Etag: v1.GetEtag(), Title: "过期的修改"}, UpdateMask: mask,
	})
	wantCode(t, err, codes.Aborted)
	_, err = agency.Offers.PublishOffer(ctx, &techmarketv1.PublishOfferRequest{Name: v1.GetName(), Etag: v1.GetEtag()})
	wantCode(t, err, codes.Aborted)
	_, err = agency.Offers.DeleteOffer(ctx, &techmarketv1.DeleteOfferRequest{Name: v1.GetName(), Etag: v1.GetEtag()})
	wantCode(t, err, codes.Aborted)
	got, err := agency.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: v1.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetOffer().GetTitle() != "第二版标题" || got.GetOffer().GetEtag() != v2.GetEtag() {
		t.Errorf("stale writes changed the offer: %v", got.GetOffer())
	}
}

func TestPagination(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	const n = 7
	created := map[string]bool{}
	for i := range n {
		o := validOffer()
		o.ExternalId = fmt.Sprintf("o-%d", i)
		if i%2 == 0 {
			o.Industries = []string{"hydrogen"}
		}
		created[createOffer(t, agency, o, true).GetName()] = true
	}

	var pages []int
	seen := map[string]bool{}
	token := ""
	for {
		resp, err := env.Client("").Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, len(resp.GetOffers()))
		for _, o := range resp.GetOffers() {
			if seen[o.GetName()] {
				t.Errorf("%s listed twice", o.GetName())
			}
			seen[o.GetName()] = true
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if fmt.Sprint(pages) != "[3 3 1]" || len(seen) != n {
		t.Errorf("pages %v covering %d offers, want [3 3 1] covering %d", pages, len(seen), n)
	}
	for name := range created {
		if !seen[name] {
			t.Errorf("%s never listed", name)
		}
	}

	first, err := agency.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{PageSize: 2, Industry: "hydrogen"})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range first.GetOffers() {
		if o.GetIndustries()[0] != "hydrogen" {
			t.Errorf("industry filter let through %v", o.GetIndustries())
		}
	}
	for _, tc := range []struct {
		name string
		req  *techmarketv1.ListOffersRequest
	}{
		{"forged token", &techmarketv1.ListOffersRequest{PageToken: "AXh5eno"}},
		{"token from another query", &techmarketv1.ListOffersRequest{PageToken: first.GetNextPageToken(), Industry: "coal-chemical"}},
		{"altered token", &techmarketv1.ListOffersRequest{PageToken: first.GetNextPageToken()[:len(first.GetNextPageToken())-2] + "AA", Industry: "hydrogen"}},
		{"negative page size", &techmarketv1.ListOffersRequest{PageSize: -1}},
		{"unknown industry", &techmarketv1.ListOffersRequest{Industry: "space-mining"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := agency.Offers.ListOffers(ctx, tc.req)
			wantCode(t, err, codes.InvalidArgument)
		})
	}
}

func TestPublishWithdrawLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	clock := testutil.NewClock(now)
	env := testutil.Start(t, testutil.WithClock(clock.Now))
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	anonymous := env.Client("")
	draft := createOffer(t, agency, validOffer(), false)
	if draft.GetState() != techmarketv1.ListingState_LISTING_STATE_DRAFT {
		t.Fatalf("new offer is %v, want a draft", draft.GetState())
	}
	_, err := agency.Offers.WithdrawOffer(ctx, &techmarketv1.WithdrawOfferRequest{Name: draft.GetName()})
	wantCode(t, err, codes.FailedPrecondition)

	pub, err := agency.Offers.PublishOffer(ctx, &techmarketv1.PublishOfferRequest{Name: draft.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	o := pub.GetOffer()
	if o.GetState() != techmarketv1.ListingState_LISTING_STATE_PUBLISHED || !o.GetExpireTime().AsTime().Equal(now.AddDate(1, 0, 0)) {
		t.Errorf("published offer: state %v, expires %v; want published, expiring %v", o.GetState(), o.GetExpireTime().AsTime(), now.AddDate(1, 0, 0))
	}
	if _, err := anonymous.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: o.GetName()}); err != nil {
		t.Errorf("anonymous cannot read a published offer: %v", err)
	}

	if _, err := agency.Offers.WithdrawOffer(ctx, &techmarketv1.WithdrawOfferRequest{Name: o.GetName()}); err != nil {
		t.Fatal(err)
	}
	_, err = anonymous.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: o.GetName()})
	wantCode(t, err, codes.PermissionDenied)

	// Published again, then a year passes: the offer reads as expired and
	// leaves the public list until its owner renews it.
	if _, err := agency.Offers.PublishOffer(ctx, &techmarketv1.PublishOfferRequest{Name: o.GetName()}); err != nil {
		t.Fatal(err)
	}
	clock.Set(now.AddDate(1, 0, 1))
	got, err := agency.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: o.GetName()})
	if err != nil || got.GetOffer().GetState() != techmarketv1.ListingState_LISTING_STATE_EXPIRED {
		t.Fatalf("after a year: %v, %v; want expired", got.GetOffer().GetState(), err)
	}
	listed, err := anonymous.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{})
	if err != nil || len(listed.GetOffers()) != 0 {
		t.Errorf("expired offer still listed publicly: %v %v", listed.GetOffers(), err)
	}

	if _, err := agency.Offers.DeleteOffer(ctx, &techmarketv1.DeleteOfferRequest{Name: o.GetName()}); err != nil {
		t.Fatal(err)
	}
	_, err = agency.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: o.GetName()})
	wantCode(t, err, codes.PermissionDenied)
	_, err = env.Client(env.Token("operator", "运营中心")).Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: o.GetName()})
	wantCode(t, err, codes.NotFound)
}

func TestDemandExpiresAfterDeadline(t *testing.T) {
	now := time.Date(2027, 6, 30, 23, 0, 0, 0, time.FixedZone("CST", 8*3600))
	clock := testutil.NewClock(now)
	env := testutil.Start(t, testutil.WithClock(clock.Now))
	enterprise := env.Client(env.Token("enterprise", "乌海某化工公司"))
	resp, err := enterprise.Demands.CreateDemand(context.Background(), &techmarketv1.CreateDemandRequest{Demand: validDemand(), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := resp.GetDemand().GetState(); s != techmarketv1.ListingState_LISTING_STATE_PUBLISHED {
		t.Fatalf("on its deadline day the demand is %v, want published", s)
	}
	clock.Set(now.Add(2 * time.Hour)) // past midnight in Wuhai
	got, err := enterprise.Demands.GetDemand(context.Background(), &techmarketv1.GetDemandRequest{Name: resp.GetDemand().GetName()})
	if err != nil || got.GetDemand().GetState() != techmarketv1.ListingState_LISTING_STATE_EXPIRED {
		t.Errorf("after the deadline: %v, %v; want expired", got.GetDemand().GetState(), err)
	}
}

func TestNamesAndProbing(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	other := env.Client(env.Token("agency", "乙技术转移中心"))
	draft := createOffer(t, env.Client(env.Token("agency", "甲技术转移中心")), validOffer(), false)
	// Another organisation's draft and a name that never existed answer
	// alike, so drafts cannot be discovered by guessing names.
	_, errDraft := other.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: draft.GetName()})
	_, errMissing := other.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: "offers/0000000000000000"})
	wantCode(t, errDraft, codes.PermissionDenied)
	wantCode(t, errMissing, codes.PermissionDenied)
	for _, name := range []string{"", "offers/", "demands/0000000000000000", "offers/../x", "offers/UPPERCASE0000000"} {
		_, err := other.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: name})
		wantCode(t, err, codes.InvalidArgument)
	}
}

func TestAlreadyExists(t *testing.T) {
	env := testutil.Start(t)
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	createOffer(t, agency, validOffer(), false)
	_, err := agency.Offers.CreateOffer(context.Background(), &techmarketv1.CreateOfferRequest{Offer: validOffer()})
	wantCode(t, err, codes.AlreadyExists)
	// Another organisation may use the same external id of its own.
	createOffer(t, env.Client(env.Token("agency", "乙技术转移中心")), validOffer(), false)
}

func TestWritesSurviveRestart(t *testing.T) {
	env := testutil.Start(t)
	token := env.Token("agency", "甲技术转移中心")
	o := createOffer(t, env.Client(token), validOffer(), true)
	env.Restart()
	got, err := env.Client(token).Offers.GetOffer(context.Background(), &techmarketv1.GetOfferRequest{Name: o.GetName()})
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if got.GetOffer().GetEtag() != o.GetEtag() || got.GetOffer().GetTitle() != o.GetTitle() {
		t.Errorf("after restart got %v, want %v", got.GetOffer(), o)
	}
}
