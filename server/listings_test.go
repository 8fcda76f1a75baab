package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestRoleMatrix checks who may read, create, update and delete what, for
// every kind of caller against an agency's published offer and draft.
func TestRoleMatrix(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	callers := map[string]string{
		"anonymous":    "",
		"owner agency": env.Token("agency", "甲技术转移中心"),
		"other agency": env.Token("agency", "乙技术转移中心"),
		"enterprise":   env.Token("enterprise", "乌海某化工公司"),
		"operator":     env.Token("operator", "运营中心"),
	}
	owner := env.Client(callers["owner agency"])
	published := createOffer(t, owner, validOffer(), true)
	draftIn := validOffer()
	draftIn.ExternalId = "o-draft"
	draft := createOffer(t, owner, draftIn, false)

	type clientish struct {
		*client.Client
		label string
	}
	type action struct {
		name string
		do   func(c clientish) error
	}
	readPublished := action{"read published", func(c clientish) error {
		_, err := c.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: published.GetName()})
		return err
	}}
	readDraft := action{"read draft", func(c clientish) error {
		_, err := c.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: draft.GetName()})
		return err
	}}
	createOfferAct := action{"create offer", func(c clientish) error {
		_, err := c.Offers.CreateOffer(ctx, &techmarketv1.CreateOfferRequest{Offer: validOffer(), ValidateOnly: true})
		return err
	}}
	createDemandAct := action{"create demand", func(c clientish) error {
		_, err := c.Demands.CreateDemand(ctx, &techmarketv1.CreateDemandRequest{Demand: validDemand(), ValidateOnly: true})
		return err
	}}
	update := action{"update", func(c clientish) error {
		o := &techmarketv1.Offer{Name: published.GetName(), Title: "新标题：" + c.label}
		_, err := c.Offers.UpdateOffer(ctx, &techmarketv1.UpdateOfferRequest{Offer: o, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}}})
		return err
	}}
	del := action{"delete draft", func(c clientish) error {
		_, err := c.Offers.DeleteOffer(ctx, &techmarketv1.DeleteOfferRequest{Name: draft.GetName(), Etag: `"nope"`})
		return err // a stale etag makes an allowed delete fail with Aborted, keeping the draft for the next row
	}}

	const (
		ok      = codes.OK
		denied  = codes.PermissionDenied
		unauth  = codes.Unauthenticated
		aborted = codes.Aborted
	)
	want := map[string]map[string]codes.Code{
		"anonymous":    {"read published": ok, "read draft": denied, "create offer": unauth, "create demand": unauth, "update": unauth, "delete draft": unauth},
		"owner agency": {"read published": ok, "read draft": ok, "create offer": ok, "create demand": denied, "update": ok, "delete draft": aborted},
		"other agency": {"read published": ok, "read draft": denied, "create offer": ok, "create demand": denied, "update": denied, "delete draft": denied},
		"enterprise":   {"read published": ok, "read draft": denied, "create offer": denied, "create demand": ok, "update": denied, "delete draft": denied},
		"operator":     {"read published": ok, "read draft": ok, "create offer": ok, "create demand": ok, "update": ok, "delete draft": aborted},
	}
	for caller, token := range callers {
		c := clientish{Client: env.Client(token), label: caller}
		for _, a := range []action{readPublished, readDraft, createOfferAct, createDemandAct, update, del} {
			t.Run(caller+"/"+a.name, func(t *testing.T) {
				wantCode(t, a.do(c), want[caller][a.name])
			})
		}
	}
}

func TestContactOnlyForSignedInCallers(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	agency := env.Token("agency", "甲技术转移中心")
	o := createOffer(t, env.Client(agency), validOffer(), true)
	for _, tc := range []struct {
		name, token string
		wantContact bool
	}{
		{"anonymous", "", false},
		{"enterprise", env.Token("enterprise", "乌海某化工公司"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := env.Client(tc.token).Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: o.GetName()})
			if err != nil {
				t.Fatal(err)
			}
			if has := got.GetOffer().GetContact() != nil; has != tc.wantContact {
				t.Errorf("contact shown = %v, want %v", has, tc.wantContact)
			}
			listed, err := env.Client(tc.token).Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{})
			if err != nil || len(listed.GetOffers()) != 1 {
				t.Fatalf("list: %v, %d offers", err, len(listed.GetOffers()))
			}
			if has := listed.GetOffers()[0].GetContact() != nil; has != tc.wantContact {
				t.Errorf("contact listed = %v, want %v", has, tc.wantContact)
			}
		})
	}
}

// TestLimits sends listings that each break one rule of FORMAT.md and
// checks the precise status, the field named, and that nothing was stored.
func TestLimits(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	operator := env.Client(env.Token("operator", "运营中心"))
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	for _, tc := range []struct {
		name      string
		change    func(o *techmarketv1.Offer)
		wantField string
	}{
		{"empty title", func(o *techmarketv1.Offer) { o.Title = "" }, "offer.title"},
		{"blank title", func(o *techmarketv1.Offer) { o.Title = "  \u3000" }, "offer.title"},
		{"title of 201 characters", func(o *techmarketv1.Offer) { o.Title = strings.Repeat("氢", 201) }, "offer.title"},
		{"title with a newline", func(o *techmarketv1.Offer) { o.Title = "上升管\n余热" }, "offer.title"},
		{"invalid UTF-8", func(o *techmarketv1.Offer) { o.Title = "焦炉\xff\xfe" }, "offer.title"},
		{"description of 20,001 characters", func(o *techmarketv1.Offer) { o.Description = strings.Repeat("煤", 20001) }, "offer.description"},
		{"summary of 1,001 characters", func(o *techmarketv1.Offer) { o.Summary = strings.Repeat("a", 1001) }, "offer.summary"},
		{"unknown industry", func(o *techmarketv1.Offer) { o.Industries = []string{"coal-chemical", "space-mining"} }, "offer.industries[1]"},
		{"no industry", func(o *techmarketv1.Offer) { o.Industries = nil }, "offer.industries"},
		{"no region", func(o *techmarketv1.Offer) { o.Region = 0 }, "offer.region"},
		{"unknown region number", func(o *techmarketv1.Offer) { o.Region = 99 }, "offer.region"},
		{"TRL 10", func(o *techmarketv1.Offer) { o.Trl = 10 }, "offer.trl"},
		{"TRL -1", func(o *techmarketv1.Offer) { o.Trl = -1 }, "offer.trl"},
		{"inverted price", func(o *techmarketv1.Offer) { o.Price = &techmarketv1.YuanRange{MinYuan: 5_000_000, MaxYuan: 1_000_000} }, "offer.price.max_yuan"},
		{"negative price", func(o *techmarketv1.Offer) { o.Price = &techmarketv1.YuanRange{MinYuan: -1, MaxYuan: 1} }, "offer.price.min_yuan"},
		{"external id of 129 characters", func(o *techmarketv1.Offer) { o.ExternalId = strings.Repeat("x", 129) }, "offer.external_id"},
		{"keyword too long", func(o *techmarketv1.Offer) { o.Keywords = []string{strings.Repeat("k", 51)} }, "offer.keywords[0]"},
		{"duplicate transfer mode", func(o *techmarketv1.Offer) {
			o.TransferModes = []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE, techmarketv1.TransferMode_TRANSFER_MODE_LICENSE}
		}, "offer.transfer_modes[1]"},
		{"control character in contact", func(o *techmarketv1.Offer) { o.Contact.Name = "王\x07工" }, "offer.contact.name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := countOffers(t, operator)
			o := validOffer()
			tc.change(o)
			_, err := agency.Offers.CreateOffer(ctx, &techmarketv1.CreateOfferRequest{Offer: o, Publish: true})
			if fields := violatedFields(t, err); !slices.Contains(fields, tc.wantField) {
				t.Errorf("violations name %v, want %s", fields, tc.wantField)
			}
			if after := countOffers(t, operator); after != before {
				t.Errorf("a rejected create changed the market: %d offers before, %d after", before, after)
			}
		})
	}

	t.Run("every violation at once", func(t *testing.T) {
		o := validOffer()
		o.Title, o.Trl = "", 12
		fields := violatedFields(t, func() error {
			_, err := agency.Offers.CreateOffer(ctx, &techmarketv1.CreateOfferRequest{Offer: o})
			return err
		}())
		if diff := cmp.Diff([]string{"offer.title", "offer.trl"}, fields); diff != "" {
			t.Errorf("violations (-want +got):\n%s", diff)
		}
	})

	t.Run("rejected update changes nothing", func(t *testing.T) {
		stored := createOffer(t, agency, validOffer(), false)
		bad := &techmarketv1.Offer{Name: stored.GetName(), Trl: 10}
		_, err := agency.Offers.UpdateOffer(ctx, &techmarketv1.UpdateOfferRequest{Offer: bad, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"trl"}}})
		violatedFields(t, err)
		got, err := agency.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: stored.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got.GetOffer(), stored) {
			t.Errorf("offer changed by a rejected update:\n got %v\nwant %v", got.GetOffer(), stored)
		}
	})

	t.Run("update mask naming a service field", func(t *testing.T) {
		stored := createOffer(t, agency, func() *techmarketv1.Offer { o := validOffer(); o.ExternalId = "o-mask"; return o }(), false)
		for _, path := range []string{"state", "poster", "no_such_field", "title.x"} {
			_, err := agency.Offers.UpdateOffer(ctx, &techmarketv1.UpdateOfferRequest{
				Offer:      &techmarketv1.Offer{Name: stored.GetName(), State: techmarketv1.ListingState_LISTING_STATE_PUBLISHED},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{path}},
			})
			if fields := violatedFields(t, err); !slices.Contains(fields, "update_mask") {
				t.Errorf("path %q: violations %v, want update_mask", path, fields)
			}
		}
	})
}

func TestCreateDemandValidation(t *testing.T) {
	env := testutil.Start(t)
	enterprise := env.Client(env.Token("enterprise", "乌海某化工公司"))
	for _, tc := range []struct {
		name      string
		change    func(d *techmarketv1.Demand)
		wantField string
	}{
		{"minTrl 10", func(d *techmarketv1.Demand) { d.MinTrl = 10 }, "demand.min_trl"},
		{"inverted budget", func(d *techmarketv1.Demand) { d.Budget = &techmarketv1.YuanRange{MinYuan: 9, MaxYuan: 1} }, "demand.budget.max_yuan"},
		{"bad deadline", func(d *techmarketv1.Demand) { d.Deadline = "2027-02-30" }, "demand.deadline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := validDemand()
			tc.change(d)
			_, err := enterprise.Demands.CreateDemand(context.Background(), &techmarketv1.CreateDemandRequest{Demand: d})
			if fields := violatedFields(t, err); !slices.Contains(fields, tc.wantField) {
				t.Errorf("violations %v, want %s", fields, tc.wantField)
			}
		})
	}
}
