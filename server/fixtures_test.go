package server_test

import (
	"context"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// validOffer is an offer that breaks no rule; tests change one thing.
func validOffer() *techmarketv1.Offer {
	return &techmarketv1.Offer{
		ExternalId:    "o-1",
		Title:         "焦炉上升管荒煤气余热回收技术",
		Summary:       "上升管换热器回收荒煤气显热产生饱和蒸汽。",
		Description:   "采用内壁纳米导热涂层防结焦。\n指标：吨焦回收蒸汽100kg以上。",
		Keywords:      []string{"上升管", "余热回收"},
		Industries:    []string{"coal-chemical", "energy-saving"},
		Region:        techmarketv1.Region_REGION_DOMESTIC,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE},
		Contact:       &techmarketv1.Contact{Name: "王工", Phone: "0473-1234567"},
		Trl:           8,
		Price:         &techmarketv1.YuanRange{MinYuan: 1_000_000, MaxYuan: 3_000_000},
		Owner:         &techmarketv1.Owner{Name: "某高校", Type: techmarketv1.OwnerType_OWNER_TYPE_UNIVERSITY},
	}
}

func validDemand() *techmarketv1.Demand {
	return &techmarketv1.Demand{
		ExternalId:    "d-1",
		Title:         "焦炉荒煤气余热回收产汽",
		Description:   "现有2座焦炉，希望回收上升管荒煤气余热。",
		Industries:    []string{"coal-chemical"},
		Region:        techmarketv1.Region_REGION_WUHAI,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE},
		MinTrl:        7,
		Budget:        &techmarketv1.YuanRange{MinYuan: 3_000_000, MaxYuan: 8_000_000},
		Enterprise:    &techmarketv1.Enterprise{Name: "乌海某焦化公司"},
		Deadline:      "2027-06-30",
	}
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Fatalf("got %v (%v), want %v", got, err, code)
	}
}

// violatedFields returns the fields named by an InvalidArgument error.
func violatedFields(t *testing.T, err error) []string {
	t.Helper()
	wantCode(t, err, codes.InvalidArgument)
	var fields []string
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	if len(fields) == 0 {
		t.Fatalf("InvalidArgument without field violations: %v", err)
	}
	return fields
}

// countOffers lists every offer an operator can see.
func countOffers(t *testing.T, c *client.Client) int {
	t.Helper()
	n, token := 0, ""
	for {
		resp, err := c.Offers.ListOffers(context.Background(), &techmarketv1.ListOffersRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			t.Fatalf("list offers: %v", err)
		}
		n += len(resp.GetOffers())
		if token = resp.GetNextPageToken(); token == "" {
			return n
		}
	}
}

func createOffer(t *testing.T, c *client.Client, o *techmarketv1.Offer, publish bool) *techmarketv1.Offer {
	t.Helper()
	resp, err := c.Offers.CreateOffer(context.Background(), &techmarketv1.CreateOfferRequest{Offer: o, Publish: publish})
	if err != nil {
		t.Fatalf("create offer: %v", err)
	}
	return resp.GetOffer()
}
