package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// Organisations of the deal tests.
const (
	offerOrg  = "甲技术转移中心"
	demandOrg = "乌海某焦化公司"
	otherOrg  = "乙技术转移中心"
	opOrg     = "运营中心"
)

// dealEnv is a marketplace with a published offer of offerOrg and a
// published demand of demandOrg, and a client per organisation.
type dealEnv struct {
	env                    *testutil.Env
	agency, ent, other, op *client.Client
	offer                  *techmarketv1.Offer
	demand                 *techmarketv1.Demand
}

func startDeals(t *testing.T) dealEnv {
	t.Helper()
	env := testutil.Start(t)
	e := dealEnv{
		env:    env,
		agency: env.Client(env.Token("agency", offerOrg)),
		ent:    env.Client(env.Token("enterprise", demandOrg)),
		other:  env.Client(env.Token("agency", otherOrg)),
		op:     env.Client(env.Token("operator", opOrg)),
	}
	e.offer = createOffer(t, e.agency, validOffer(), true)
	e.demand = createDemand(t, e.ent, validDemand(), true)
	return e
}

func createDemand(t *testing.T, c *client.Client, d *techmarketv1.Demand, publish bool) *techmarketv1.Demand {
	t.Helper()
	got, err := c.CreateDemand(context.Background(), d, publish)
	if err != nil {
		t.Fatalf("create demand: %v", err)
	}
	return got
}

func (e dealEnv) open(t *testing.T, c *client.Client) *techmarketv1.Deal {
	t.Helper()
	d, err := c.CreateDeal(context.Background(), e.offer.GetName(), e.demand.GetName(), "在对接会上认识")
	if err != nil {
		t.Fatalf("create deal: %v", err)
	}
	return d
}

func mustMove(t *testing.T, c *client.Client, req *techmarketv1.MoveDealRequest) *techmarketv1.Deal {
	t.Helper()
	d, err := c.MoveDeal(context.Background(), req)
	if err != nil {
		t.Fatalf("move %s to %v: %v", req.GetName(), req.GetStage(), err)
	}
	return d
}

// wantUnchanged fails unless the deal reads exactly as before.
func wantUnchanged(t *testing.T, c *client.Client, before *techmarketv1.Deal) {
	t.Helper()
	now, err := c.GetDeal(context.Background(), before.GetName())
	if err != nil {
		t.Fatalf("get deal: %v", err)
	}
	if !proto.Equal(now, before) {
		t.Errorf("the deal changed:\nbefore %v\nnow    %v", before, now)
	}
}

func listDeals(t *testing.T, c *client.Client, req *techmarketv1.ListDealsRequest) []string {
	t.Helper()
	var names []string
	for d, err := range c.ListDeals(context.Background(), req) {
		if err != nil {
			t.Fatalf("list deals: %v", err)
		}
		names = append(names, d.GetName())
	}
	return names
}

func TestDealHappyPath(t *testing.T) {
	e := startDeals(t)
	ctx := context.Background()
	d := e.open(t, e.ent)
	if !strings.HasPrefix(d.GetName(), "deals/") || d.GetStage() != techmarketv1.DealStage_DEAL_STAGE_CONTACTED ||
		d.GetOffer() != e.offer.GetName() || d.GetDemand() != e.demand.GetName() ||
		d.GetOfferPoster() != offerOrg || d.GetDemandPoster() != demandOrg || d.GetEtag() == "" ||
		d.GetCreateTime() == nil || len(d.GetHistory()) != 1 || d.GetHistory()[0].GetNote() != "在对接会上认识" {
		t.Fatalf("opened deal: %v", d)
	}
	etags := map[string]bool{d.GetEtag(): true}
	steps := []struct {
		by  *client.Client
		req *techmarketv1.MoveDealRequest
	}{
		{e.agency, &techmarketv1.MoveDealRequest{Stage: techmarketv1.DealStage_DEAL_STAGE_NEGOTIATING, Note: "报价"}},
		{e.ent, &techmarketv1.MoveDealRequest{Stage: techmarketv1.DealStage_DEAL_STAGE_MEETING}},
		{e.agency, &techmarketv1.MoveDealRequest{Stage: techmarketv1.DealStage_DEAL_STAGE_CONTRACT_SIGNED,
			ContractType: techmarketv1.ContractType_CONTRACT_TYPE_LICENCE, AmountYuan: 2_000_000}},
		{e.op, &techmarketv1.MoveDealRequest{Stage: techmarketv1.DealStage_DEAL_STAGE_CONTRACT_REGISTERED, ContractNumber: "2025-1503-0042"}},
	}
	for _, s := range steps {
		s.req.Name = d.GetName()
		s.req.Etag = d.GetEtag() // every step carries the etag just read
		d = mustMove(t, s.by, s.req)
		if d.GetStage() != s.req.GetStage() {
			t.Fatalf("after moving to %v the deal is at %v", s.req.GetStage(), d.GetStage())
		}
		if etags[d.GetEtag()] {
			t.Errorf("etag %s repeats after moving to %v", d.GetEtag(), s.req.GetStage())
		}
		etags[d.GetEtag()] = true
	}
	if d.GetContractType() != techmarketv1.ContractType_CONTRACT_TYPE_LICENCE || d.GetAmountYuan() != 2_000_000 || d.GetContractNumber() != "2025-1503-0042" {
		t.Errorf("contract fields: type %v, amount %d, number %q", d.GetContractType(), d.GetAmountYuan(), d.GetContractNumber())
	}
	type step struct {
		stage techmarketv1.DealStage
		actor string
	}
	var got []step
	for _, h := range d.GetHistory() {
		got = append(got, step{h.GetStage(), h.GetActor()})
		if h.GetTime() == nil {
			t.Errorf("step %v has no time", h.GetStage())
		}
	}
	want := []step{
		{techmarketv1.DealStage_DEAL_STAGE_CONTACTED, demandOrg},
		{techmarketv1.DealStage_DEAL_STAGE_NEGOTIATING, offerOrg},
		{techmarketv1.DealStage_DEAL_STAGE_MEETING, demandOrg},
		{techmarketv1.DealStage_DEAL_STAGE_CONTRACT_SIGNED, offerOrg},
		{techmarketv1.DealStage_DEAL_STAGE_CONTRACT_REGISTERED, opOrg},
	}
	if !slices.Equal(got, want) {
		t.Errorf("history:\n got %v\nwant %v", got, want)
	}
	// The deal as stored is the deal as answered.
	wantUnchanged(t, e.agency, d)

	// Registered is final.
	_, err := e.agency.MoveDeal(ctx, &techmarketv1.MoveDealRequest{Name: d.GetName(), Stage: techmarketv1.DealStage_DEAL_STAGE_CLOSED, CloseReason: techmarketv1.CloseReason_CLOSE_REASON_CONTRACT_CANCELLED})
	wantCode(t, err, codes.FailedPrecondition)
	wantUnchanged(t, e.agency, d)
}

func TestDealIllegalMoveChangesNothing(t *testing.T) {
	e := startDeals(t)
	d := e.open(t, e.agency)
	_, err := e.agency.MoveDeal(context.Background(), &techmarketv1.MoveDealRequest{
		Name: d.GetName(), Stage: techmarketv1.DealStage_DEAL_STAGE_CONTRACT_SIGNED,
		ContractType: techmarketv1.ContractType_CONTRACT_TYPE_TRANSFER, AmountYuan: 10,
	})
	wantCode(t, err, codes.FailedPrecondition)
	if !strings.Contains(status.Convert(err).Message(), "negotiating") {
		t.Errorf("the message does not say what to do: %v", err)
	}
	wantUnchanged(t, e.ent, d)
}

func TestDealMoveFieldViolations(t *testing.T) {
	e := startDeals(t)
	d := e.open(t, e.agency)
	for _, tc := range []struct {
		name  string
		req   *techmarketv1.MoveDealRequest
		field string
	}{
		{"close without reason", &techmarketv1.MoveDealRequest{Stage: techmarketv1.DealStage_DEAL_STAGE_CLOSED}, "close_reason"},
		{"no stage", &techmarketv1.MoveDealRequest{}, "stage"},
		{"sign without type", &techmarketv1.MoveDealRequest{Stage: techmarketv1.DealStage_DEAL_STAGE_CONTRACT_SIGNED}, "contract_type"},
		{"number on another move", &techmarketv1.MoveDealRequest{Stage: techmarketv1.DealStage_DEAL_STAGE_NEGOTIATING, ContractNumber: "X-1"}, "contract_number"},
		{"note too long", &techmarketv1.MoveDealRequest{Stage: techmarketv1.DealStage_DEAL_STAGE_NEGOTIATING, Note: strings.Repeat("谈", 2001)}, "note"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Name = d.GetName()
			_, err := e.ent.MoveDeal(context.Background(), tc.req)
			if got := violatedFields(t, err); !slices.Equal(got, []string{tc.field}) {
				t.Errorf("violations on %v, want [%s]", got, tc.field)
			}
			wantUnchanged(t, e.ent, d)
		})
	}
}

func TestDealVisibility(t *testing.T) {
	e := startDeals(t)
	ctx := context.Background()
	d := e.open(t, e.op)
	if d.GetHistory()[0].GetActor() != opOrg {
		t.Errorf("opened by %q, want %q", d.GetHistory()[0].GetActor(), opOrg)
	}
	for label, c := range map[string]*client.Client{"offer party": e.agency, "demand party": e.ent, "operator": e.op} {
		if _, err := c.GetDeal(ctx, d.GetName()); err != nil {
			t.Errorf("%s: get: %v", label, err)
		}
		if got := listDeals(t, c, nil); !slices.Equal(got, []string{d.GetName()}) {
			t.Errorf("%s lists %v, want [%s]", label, got, d.GetName())
		}
	}

	_, err := e.other.GetDeal(ctx, d.GetName())
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.other.MoveDeal(ctx, &techmarketv1.MoveDealRequest{Name: d.GetName(), Stage: techmarketv1.DealStage_DEAL_STAGE_NEGOTIATING})
	wantCode(t, err, codes.PermissionDenied)
	if got := listDeals(t, e.other, nil); len(got) != 0 {
		t.Errorf("a third organisation lists %v", got)
	}
	_, err = e.other.CreateDeal(ctx, e.offer.GetName(), e.demand.GetName(), "")
	wantCode(t, err, codes.PermissionDenied)
	wantUnchanged(t, e.op, d)

	// A name that does not exist: no probing for non-operators.
	missing := "deals/0000000000000000"
	_, err = e.other.GetDeal(ctx, missing)
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.agency.GetDeal(ctx, missing)
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.op.GetDeal(ctx, missing)
	wantCode(t, err, codes.NotFound)

	// Anonymous callers are asked to sign in.
	_, err = e.env.Client("").GetDeal(ctx, d.GetName())
	wantCode(t, err, codes.Unauthenticated)
}

func TestDealStaleEtag(t *testing.T) {
	e := startDeals(t)
	d := e.open(t, e.ent)
	moved := mustMove(t, e.agency, &techmarketv1.MoveDealRequest{Name: d.GetName(), Stage: techmarketv1.DealStage_DEAL_STAGE_NEGOTIATING, Etag: d.GetEtag()})
	_, err := e.ent.MoveDeal(context.Background(), &techmarketv1.MoveDealRequest{Name: d.GetName(), Stage: techmarketv1.DealStage_DEAL_STAGE_MEETING, Etag: d.GetEtag()})
	wantCode(t, err, codes.Aborted)
	wantUnchanged(t, e.ent, moved)
}

func TestDealDuplicateOpen(t *testing.T) {
	e := startDeals(t)
	ctx := context.Background()
	d := e.open(t, e.ent)
	_, err := e.agency.CreateDeal(ctx, e.offer.GetName(), e.demand.GetName(), "")
	wantCode(t, err, codes.AlreadyExists)
	if !strings.Contains(status.Convert(err).Message(), d.GetName()) {
		t.Errorf("the message does not name %s: %v", d.GetName(), err)
	}
	if got := listDeals(t, e.op, nil); len(got) != 1 {
		t.Errorf("%d deals after a refused duplicate, want 1", len(got))
	}
	// Once the deal is closed, the pair may be tried again.
	mustMove(t, e.ent, &techmarketv1.MoveDealRequest{Name: d.GetName(), Stage: techmarketv1.DealStage_DEAL_STAGE_CLOSED, CloseReason: techmarketv1.CloseReason_CLOSE_REASON_PRICE})
	again := e.open(t, e.agency)
	if again.GetName() == d.GetName() {
		t.Errorf("reopening returned the closed deal")
	}
	closed, err := e.op.GetDeal(ctx, d.GetName())
	if err != nil || closed.GetCloseReason() != techmarketv1.CloseReason_CLOSE_REASON_PRICE ||
		closed.GetHistory()[len(closed.GetHistory())-1].GetCloseReason() != techmarketv1.CloseReason_CLOSE_REASON_PRICE {
		t.Errorf("closed deal: %v, %v", closed, err)
	}
}

func TestDealNeedsPublishedListings(t *testing.T) {
	e := startDeals(t)
	ctx := context.Background()
	draftIn := validDemand()
	draftIn.ExternalId = "d-draft"
	draft := createDemand(t, e.ent, draftIn, false)

	_, err := e.ent.CreateDeal(ctx, e.offer.GetName(), draft.GetName(), "")
	wantCode(t, err, codes.FailedPrecondition)
	if msg := status.Convert(err).Message(); !strings.Contains(msg, draft.GetName()) || strings.Contains(msg, e.offer.GetName()+" is") {
		t.Errorf("the message does not name the unpublished demand alone: %q", msg)
	}
	// The offer party cannot read the draft: it is told no more than that.
	_, err = e.agency.CreateDeal(ctx, e.offer.GetName(), draft.GetName(), "")
	wantCode(t, err, codes.PermissionDenied)

	withdrawn, err := e.agency.WithdrawOffer(ctx, e.offer.GetName())
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.op.CreateDeal(ctx, withdrawn.GetName(), e.demand.GetName(), "")
	wantCode(t, err, codes.FailedPrecondition)
	if msg := status.Convert(err).Message(); !strings.Contains(msg, withdrawn.GetName()) {
		t.Errorf("the message does not name the withdrawn offer: %q", msg)
	}
	if got := listDeals(t, e.op, nil); len(got) != 0 {
		t.Errorf("refused opens stored deals: %v", got)
	}
}

func TestDealBadNames(t *testing.T) {
	e := startDeals(t)
	ctx := context.Background()
	for _, name := range []string{"", "deals/", "offers/0000000000000000", "deals/NOT-AN-ID", "deals/0000000000000000/x"} {
		_, err := e.op.Deals.GetDeal(ctx, &techmarketv1.GetDealRequest{Name: name})
		if got := violatedFields(t, err); !slices.Equal(got, []string{"name"}) {
			t.Errorf("get %q: violations on %v", name, got)
		}
		_, err = e.op.Deals.MoveDeal(ctx, &techmarketv1.MoveDealRequest{Name: name, Stage: techmarketv1.DealStage_DEAL_STAGE_NEGOTIATING})
		if got := violatedFields(t, err); !slices.Equal(got, []string{"name"}) {
			t.Errorf("move %q: violations on %v", name, got)
		}
	}
	_, err := e.op.Deals.CreateDeal(ctx, &techmarketv1.CreateDealRequest{Offer: e.demand.GetName(), Demand: "x"})
	if got := violatedFields(t, err); !slices.Equal(got, []string{"offer", "demand"}) {
		t.Errorf("create with bad names: violations on %v", got)
	}
}

func TestListDealsPagesNewestFirst(t *testing.T) {
	e := startDeals(t)
	ctx := context.Background()
	var opened []string
	for i, ext := range []string{"d-a", "d-b", "d-c"} {
		in := validDemand()
		in.ExternalId = ext
		dm := createDemand(t, e.ent, in, true)
		d, err := e.ent.CreateDeal(ctx, e.offer.GetName(), dm.GetName(), "")
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			mustMove(t, e.ent, &techmarketv1.MoveDealRequest{Name: d.GetName(), Stage: techmarketv1.DealStage_DEAL_STAGE_NEGOTIATING})
		}
		opened = append(opened, d.GetName())
	}
	slices.Sort(opened)
	slices.Reverse(opened)
	if got := listDeals(t, e.agency, &techmarketv1.ListDealsRequest{PageSize: 2}); !slices.Equal(got, opened) {
		t.Errorf("pages of 2 give %v, want newest first %v", got, opened)
	}
	first, err := e.agency.Deals.ListDeals(ctx, &techmarketv1.ListDealsRequest{PageSize: 2})
	if err != nil || len(first.GetDeals()) != 2 || first.GetNextPageToken() == "" {
		t.Fatalf("first page: %v, %v", first, err)
	}
	// The token is bound to the caller and the filters.
	_, err = e.ent.Deals.ListDeals(ctx, &techmarketv1.ListDealsRequest{PageSize: 2, PageToken: first.GetNextPageToken()})
	if got := violatedFields(t, err); !slices.Equal(got, []string{"page_token"}) {
		t.Errorf("foreign token: violations on %v", got)
	}
	if got := listDeals(t, e.agency, &techmarketv1.ListDealsRequest{Stage: techmarketv1.DealStage_DEAL_STAGE_NEGOTIATING}); len(got) != 1 {
		t.Errorf("stage filter gives %v", got)
	}
	if got := listDeals(t, e.op, &techmarketv1.ListDealsRequest{Listing: e.demand.GetName()}); len(got) != 0 {
		t.Errorf("listing filter for an unused demand gives %v", got)
	}
	if got := listDeals(t, e.op, &techmarketv1.ListDealsRequest{Listing: e.offer.GetName()}); len(got) != 3 {
		t.Errorf("listing filter for the offer gives %v", got)
	}
	_, err = e.op.Deals.ListDeals(ctx, &techmarketv1.ListDealsRequest{Listing: "events/x"})
	if got := violatedFields(t, err); !slices.Equal(got, []string{"listing"}) {
		t.Errorf("bad listing filter: violations on %v", got)
	}
	_, err = e.op.Deals.ListDeals(ctx, &techmarketv1.ListDealsRequest{PageSize: -1})
	if got := violatedFields(t, err); !slices.Equal(got, []string{"page_size"}) {
		t.Errorf("negative page size: violations on %v", got)
	}
}
