package alert_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// cokeDemand is an enterprise's need; cokeOffer(n) are offers that fit it.
func cokeDemand() *techmarketv1.Demand {
	return &techmarketv1.Demand{
		ExternalId:    "d-coke",
		Title:         "焦炉荒煤气余热回收产蒸汽",
		Description:   "我公司有2座6米焦炉，上升管荒煤气温度七八百度，目前靠循环氨水喷淋降温，热量全部浪费。希望回收余热产生蒸汽，要求设备不漏、不结焦。",
		Keywords:      []string{"焦炉", "荒煤气", "余热"},
		Industries:    []string{"coal-chemical"},
		Region:        techmarketv1.Region_REGION_WUHAI,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE},
		MinTrl:        7,
		Budget:        &techmarketv1.YuanRange{MinYuan: 3_000_000, MaxYuan: 8_000_000},
		Enterprise:    &techmarketv1.Enterprise{Name: "乌海某焦化公司"},
	}
}

func cokeOffer(n int) *techmarketv1.Offer {
	return &techmarketv1.Offer{
		ExternalId:    fmt.Sprintf("o-coke-%d", n),
		Title:         fmt.Sprintf("焦炉上升管荒煤气余热回收技术（第%d代）", n),
		Summary:       "在焦炉上升管内设置换热器，回收荒煤气显热产生饱和蒸汽。",
		Description:   "上升管换热器内壁采用纳米导热防结焦涂层，回收650–700℃荒煤气显热，产生0.6–1.6MPa饱和蒸汽并入管网。吨焦回收蒸汽约100kg。",
		Keywords:      []string{"上升管", "荒煤气", "余热回收", "焦炉"},
		Industries:    []string{"coal-chemical", "energy-saving"},
		Region:        techmarketv1.Region_REGION_INNER_MONGOLIA,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE},
		Trl:           8,
		Price:         &techmarketv1.YuanRange{MinYuan: 2_000_000, MaxYuan: 6_000_000},
	}
}

// unrelated offers keep IDF honest and must raise no alert for the demand.
var unrelated = []*techmarketv1.Offer{
	{ExternalId: "bg-pvc", Title: "电石法聚氯乙烯无汞触媒", Summary: "以金基无汞触媒替代氯化汞催化乙炔氢氯化。", Industries: []string{"chlor-alkali"}, Region: techmarketv1.Region_REGION_DOMESTIC},
	{ExternalId: "bg-grape", Title: "葡萄标准化栽培与水肥一体化", Summary: "乌海葡萄园滴灌水肥一体化和架式改良。", Industries: []string{"agriculture"}, Region: techmarketv1.Region_REGION_WUHAI},
	{ExternalId: "bg-water", Title: "矿井疏干水深度处理回用", Summary: "疏干水经超滤反渗透处理后回用于电厂补水。", Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI},
}

type market struct {
	env        *testutil.Env
	agency     *client.Client
	enterprise *client.Client
	demand     string
}

func newMarket(t *testing.T, opts ...testutil.Option) *market {
	t.Helper()
	env := testutil.Start(t, opts...)
	m := &market{env: env,
		agency:     env.Client(env.Token("agency", "甲技术转移中心")),
		enterprise: env.Client(env.Token("enterprise", "乌海某焦化公司")),
	}
	for _, o := range unrelated {
		m.publish(t, o)
	}
	resp, err := m.enterprise.Demands.CreateDemand(context.Background(), &techmarketv1.CreateDemandRequest{Demand: cokeDemand(), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	m.demand = resp.GetDemand().GetName()
	return m
}

func (m *market) publish(t *testing.T, o *techmarketv1.Offer) *techmarketv1.Offer {
	t.Helper()
	resp, err := m.agency.Offers.CreateOffer(context.Background(), &techmarketv1.CreateOfferRequest{Offer: o, Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetOffer()
}

// watch opens a stream; the test's deadline bounds every receive.
func (m *market) watch(t *testing.T, cursor string) (techmarketv1.AlertService_WatchMatchesClient, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	stream, err := m.enterprise.Alerts.WatchMatches(ctx, &techmarketv1.WatchMatchesRequest{Cursor: cursor})
	if err != nil {
		t.Fatal(err)
	}
	return stream, cancel
}

// sweeper returns a call of sweep that fails the test on an error and
// returns how many alerts it raised.
func sweeper(t *testing.T, sweep func(context.Context) (int, error)) func() int {
	return func() int {
		t.Helper()
		n, err := sweep(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// watchAll opens a stream of all of c's alerts, closed when the test
// ends; the test's deadline bounds every receive.
func watchAll(t *testing.T, c *client.Client) techmarketv1.AlertService_WatchMatchesClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	stream, err := c.Alerts.WatchMatches(ctx, &techmarketv1.WatchMatchesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return stream
}

func receive(t *testing.T, stream techmarketv1.AlertService_WatchMatchesClient) *techmarketv1.Alert {
	t.Helper()
	resp, err := stream.Recv()
	if err != nil {
		t.Fatalf("waiting for an alert: %v", err)
	}
	return resp.GetAlert()
}

// TestFittingOfferAlertsOnce: publishing an offer that fits a demand
// alerts the demand's owner once, with the reasons; changing the offer
// does not alert again; the next alert is the next fitting offer.
func TestFittingOfferAlertsOnce(t *testing.T) {
	m := newMarket(t)
	stream, cancel := m.watch(t, "")
	defer cancel()

	first := m.publish(t, cokeOffer(1))
	al := receive(t, stream)
	if al.GetListing() != m.demand || al.GetMatch().GetName() != first.GetName() {
		t.Fatalf("alert for %s about %s; want %s about %s", al.GetListing(), al.GetMatch().GetName(), m.demand, first.GetName())
	}
	if len(al.GetMatch().GetParts()) == 0 || al.GetMatch().GetScore() <= 0 || len(al.GetMatch().GetMatchedTerms()) == 0 {
		t.Errorf("alert without its reasons: %v", al.GetMatch())
	}
	if al.GetMatch().GetTitle() != first.GetTitle() || al.GetMatch().GetSnippet() == "" {
		t.Errorf("alert shows %q / %q; want the new offer's title and a passage of it", al.GetMatch().GetTitle(), al.GetMatch().GetSnippet())
	}

	// A change that still fits is not news about the pair.
	changed := cokeOffer(1)
	changed.Summary += "已在内蒙古两家焦化厂应用。"
	if _, err := m.agency.Offers.UpdateOffer(context.Background(), &techmarketv1.UpdateOfferRequest{
		Offer: &techmarketv1.Offer{Name: first.GetName(), Summary: changed.Summary}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"summary"}},
	}); err != nil {
		t.Fatal(err)
	}
	second := m.publish(t, cokeOffer(2))
	if al := receive(t, stream); al.GetMatch().GetName() != second.GetName() {
		t.Errorf("next alert is about %s, want the second offer %s (the changed first one must not alert again)", al.GetMatch().GetName(), second.GetName())
	}
}

// TestResumeAfterDisconnect: a client away while two fitting offers
// appeared gets both when it comes back with its cursor, and nothing it
// had already seen.
func TestResumeAfterDisconnect(t *testing.T) {
	m := newMarket(t)
	stream, cancel := m.watch(t, "")
	m.publish(t, cokeOffer(1))
	seen := receive(t, stream)
	cancel()

	missed := []*techmarketv1.Offer{m.publish(t, cokeOffer(2)), m.publish(t, cokeOffer(3))}
	stream, cancel = m.watch(t, seen.GetCursor())
	defer cancel()
	for _, want := range missed {
		if al := receive(t, stream); al.GetMatch().GetName() != want.GetName() {
			t.Errorf("resumed alert about %s, want %s", al.GetMatch().GetName(), want.GetName())
		}
	}

	// And a restart of the service loses nothing either.
	cancel()
	m.env.Restart()
	m.enterprise = m.env.Client(m.env.Token("enterprise", "乌海某焦化公司"))
	stream, cancel = m.watch(t, "")
	defer cancel()
	for _, want := range append([]string{seen.GetMatch().GetName()}, missed[0].GetName(), missed[1].GetName()) {
		if al := receive(t, stream); al.GetMatch().GetName() != want {
			t.Errorf("after restart: alert about %s, want %s", al.GetMatch().GetName(), want)
		}
	}
}

func TestWatchRefusals(t *testing.T) {
	m := newMarket(t)
	anon := m.env.Client("")
	other := m.env.Client(m.env.Token("enterprise", "另一家公司"))
	for _, tc := range []struct {
		name string
		c    *client.Client
		req  *techmarketv1.WatchMatchesRequest
		code codes.Code
	}{
		{"anonymous", anon, &techmarketv1.WatchMatchesRequest{}, codes.Unauthenticated},
		{"forged cursor", m.enterprise, &techmarketv1.WatchMatchesRequest{Cursor: "12"}, codes.InvalidArgument},
		{"someone else's listing", other, &techmarketv1.WatchMatchesRequest{Listings: []string{m.demand}}, codes.PermissionDenied},
		{"not a listing name", m.enterprise, &techmarketv1.WatchMatchesRequest{Listings: []string{"deals/x"}}, codes.InvalidArgument},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		stream, err := tc.c.Alerts.WatchMatches(ctx, tc.req)
		if err == nil {
			_, err = stream.Recv()
		}
		cancel()
		if status.Code(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
}

// TestExpiryReminder: an owner is reminded once, two weeks ahead, that a
// published listing expires; renewing it sets a new expiry, reminded again
// in its turn.
func TestExpiryReminder(t *testing.T) {
	clock := testutil.NewClock(time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC))
	env := testutil.Start(t, testutil.WithClock(clock.Now))
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	o, err := agency.CreateOffer(ctx, cokeOffer(1), true)
	if err != nil {
		t.Fatal(err)
	}
	remind := sweeper(t, env.Alerts.RemindExpiring)
	if n := remind(); n != 0 {
		t.Fatalf("a year ahead: %d reminders", n)
	}
	clock.Set(o.GetExpireTime().AsTime().Add(-13 * 24 * time.Hour))
	if n := remind(); n != 1 {
		t.Fatalf("13 days ahead: %d reminders, want 1", n)
	}
	if n := remind(); n != 0 {
		t.Errorf("reminded twice for one expiry: %d", n)
	}
	al := receive(t, watchAll(t, agency))
	if al.GetKind() != techmarketv1.AlertKind_ALERT_KIND_EXPIRY_REMINDER || al.GetListing() != o.GetName() || al.GetMessage() == "" {
		t.Errorf("reminder: %v", al)
	}

	if _, err := agency.Offers.PublishOffer(ctx, &techmarketv1.PublishOfferRequest{Name: o.GetName()}); err != nil {
		t.Fatal(err)
	}
	if n := remind(); n != 0 {
		t.Errorf("just renewed: %d reminders", n)
	}
	clock.Set(clock.Now().AddDate(1, 0, -10))
	if n := remind(); n != 1 {
		t.Errorf("renewed listing near its new expiry: %d reminders, want 1", n)
	}
}

// TestBulkImportAlertsInOrder: offers that fit a demand, imported
// together (so the alerter takes them as one group and matches several at
// once), alert the demand's owner once each, in the order of the file,
// when the owner asked to hear of all of its first ten matches: each
// offer stands among the demand's matches as they were when it came.
func TestBulkImportAlertsInOrder(t *testing.T) {
	m := newMarket(t)
	setAlerts(t, m.enterprise, &techmarketv1.AlertSettings{Name: settingsName(m.demand), TopN: alert.MaxTopN}, "top_n")
	stream, cancel := m.watch(t, "")
	defer cancel()

	const n = alert.MaxTopN
	var file strings.Builder
	for i := range n {
		o := cokeOffer(100 + i)
		line, err := json.Marshal(map[string]any{
			"kind": "offer", "externalId": o.GetExternalId(), "title": o.GetTitle(),
			"summary": o.GetSummary(), "description": o.GetDescription(),
			"keywords": o.GetKeywords(), "industries": o.GetIndustries(), "region": "inner-mongolia",
		})
		if err != nil {
			t.Fatal(err)
		}
		file.Write(line)
		file.WriteByte('\n')
	}
	var names []string
	summary, err := m.agency.Import(context.Background(), strings.NewReader(file.String()), client.ImportOptions{
		Result: func(r *techmarketv1.ImportResult) { names = append(names, r.GetName()) },
	})
	if err != nil || summary.Rejected > 0 || len(names) != n {
		t.Fatalf("import: %+v, %d names, %v", summary, len(names), err)
	}
	for i, want := range names {
		if al := receive(t, stream); al.GetMatch().GetName() != want || al.GetListing() != m.demand {
			t.Fatalf("alert %d is for %s about %s; want %s about line %d's offer %s", i+1, al.GetListing(), al.GetMatch().GetName(), m.demand, i+1, want)
		}
	}
}

// TestLaggingAlerterTellsTheOlderListingsOwner: when the alerter falls
// behind (here it is stopped) while a demand and then an offer that fits
// it are published, it catches up as if it had kept up: the offer is the
// news, so the demand's owner hears of it, and the pair raises no other
// alert. Matching the demand first must not take the offer, which it
// only finds because the index already holds the later change.
func TestLaggingAlerterTellsTheOlderListingsOwner(t *testing.T) {
	env := testutil.Start(t)
	env.Alerts.Close()
	ctx := context.Background()
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	enterprise := env.Client(env.Token("enterprise", "乌海某焦化公司"))
	for _, o := range unrelated {
		if _, err := agency.CreateOffer(ctx, o, true); err != nil {
			t.Fatal(err)
		}
	}
	d, err := enterprise.CreateDemand(ctx, cokeDemand(), true)
	if err != nil {
		t.Fatal(err)
	}
	o, err := agency.CreateOffer(ctx, cokeOffer(1), true)
	if err != nil {
		t.Fatal(err)
	}

	env.Restart() // the alerter resumes where it stopped, behind both
	enterprise = env.Client(env.Token("enterprise", "乌海某焦化公司"))
	if al := receive(t, watchAll(t, enterprise)); al.GetListing() != d.GetName() || al.GetMatch().GetName() != o.GetName() {
		t.Fatalf("alert for %s about %s; want the demand %s told of the offer %s", al.GetListing(), al.GetMatch().GetName(), d.GetName(), o.GetName())
	}
	// The offer was the last change, so its alert came with or after
	// every other: the count is final.
	if n, err := env.Alerts.Raised(time.Time{}, time.Time{}); err != nil || n != 1 {
		t.Errorf("%d alerts raised (%v); want only the demand owner's", n, err)
	}
}
