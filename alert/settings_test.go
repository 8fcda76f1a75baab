package alert_test

import (
	"context"
	"math"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestUnrelatedOffersRaiseNoAlert: offers of other trades published after
// a demand raise no alert for it, though each is the best the market has
// for the demand when it comes; the first alert the demand's owner gets
// is for the fitting offer published after them. (Each alert of a change
// is written before the next change is handled, so an alert for an
// unrelated offer would have come first.)
func TestUnrelatedOffersRaiseNoAlert(t *testing.T) {
	m := newMarket(t)
	stream, cancel := m.watch(t, "")
	defer cancel()
	for _, o := range []*techmarketv1.Offer{
		{ExternalId: "o-cashmere", Title: "羊绒精梳纺纱智能生产线", Summary: "羊绒分梳、精梳与细纱工序的自动化生产线，提高成纱品质。",
			Keywords: []string{"羊绒", "纺纱"}, Industries: []string{"equipment"}, Region: techmarketv1.Region_REGION_INNER_MONGOLIA},
		{ExternalId: "o-signals", Title: "城市路口AI信号灯自适应控制", Summary: "视频识别车流，实时调整信号配时，缓解路口拥堵。",
			Keywords: []string{"信号灯", "交通"}, Industries: []string{"digital"}, Region: techmarketv1.Region_REGION_DOMESTIC},
		{ExternalId: "o-quilt", Title: "日光温室轻质保温被", Summary: "防水轻质复合保温材料，替代草帘，冬季保温。",
			Keywords: []string{"温室", "保温被"}, Industries: []string{"agriculture"}, Region: techmarketv1.Region_REGION_WUHAI},
	} {
		m.publish(t, o)
	}
	fitting := m.publish(t, cokeOffer(1))
	if al := receive(t, stream); al.GetMatch().GetName() != fitting.GetName() {
		t.Fatalf("first alert is about %s（%s）; want the fitting offer %s, and none for the offers of other trades", al.GetMatch().GetName(), al.GetMatch().GetTitle(), fitting.GetName())
	}
}

func settingsName(listing string) string { return listing + alert.SettingsSuffix }

// setAlerts sets the fields paths name of a listing's alert settings.
func setAlerts(t *testing.T, c *client.Client, s *techmarketv1.AlertSettings, paths ...string) {
	t.Helper()
	if _, err := c.Alerts.UpdateAlertSettings(context.Background(), &techmarketv1.UpdateAlertSettingsRequest{
		Settings: s, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths},
	}); err != nil {
		t.Fatal(err)
	}
}

// TestAlertSettings: the owner reads the market's defaults, changes what
// the mask names and nothing else; bad values, strangers and missing
// listings get precise errors and change nothing.
func TestAlertSettings(t *testing.T) {
	m := newMarket(t)
	ctx := context.Background()
	get := func() *techmarketv1.AlertSettings {
		t.Helper()
		resp, err := m.enterprise.Alerts.GetAlertSettings(ctx, &techmarketv1.GetAlertSettingsRequest{Name: settingsName(m.demand)})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetSettings()
	}
	s := get()
	if s.GetName() != settingsName(m.demand) || s.GetTopN() != alert.DefaultTopN || s.GetMinScore() != alert.DefaultMinScore ||
		s.GetDelivery() != techmarketv1.AlertDelivery_ALERT_DELIVERY_IMMEDIATE {
		t.Errorf("defaults: %v", s)
	}

	resp, err := m.enterprise.Alerts.UpdateAlertSettings(ctx, &techmarketv1.UpdateAlertSettingsRequest{
		Settings:   &techmarketv1.AlertSettings{Name: settingsName(m.demand), TopN: 1, MinScore: 0.9, Delivery: techmarketv1.AlertDelivery_ALERT_DELIVERY_OFF},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"top_n", "delivery"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := func(s *techmarketv1.AlertSettings, what string) {
		t.Helper()
		if s.GetTopN() != 1 || s.GetMinScore() != alert.DefaultMinScore || s.GetDelivery() != techmarketv1.AlertDelivery_ALERT_DELIVERY_OFF {
			t.Errorf("%s: %v; want top 1 and off as set, min score left at the default", what, s)
		}
	}
	want(resp.GetSettings(), "update's answer")
	want(get(), "read back")

	operator := m.env.Client(m.env.Token("operator", "乌海科技大市场"))
	stranger := m.env.Client(m.env.Token("enterprise", "另一家公司"))
	anonymous := m.env.Client("")
	valid := func() *techmarketv1.AlertSettings {
		return &techmarketv1.AlertSettings{Name: settingsName(m.demand), TopN: 5}
	}
	for _, tc := range []struct {
		name  string
		c     techmarketv1.AlertServiceClient
		s     *techmarketv1.AlertSettings
		paths []string
		code  codes.Code
		field string
	}{
		{"top above the most", m.enterprise.Alerts, &techmarketv1.AlertSettings{Name: settingsName(m.demand), TopN: alert.MaxTopN + 1}, nil, codes.InvalidArgument, "settings.top_n"},
		{"negative top", m.enterprise.Alerts, &techmarketv1.AlertSettings{Name: settingsName(m.demand), TopN: -1}, nil, codes.InvalidArgument, "settings.top_n"},
		{"score above 1", m.enterprise.Alerts, &techmarketv1.AlertSettings{Name: settingsName(m.demand), MinScore: 1.5}, nil, codes.InvalidArgument, "settings.min_score"},
		{"score not a number", m.enterprise.Alerts, &techmarketv1.AlertSettings{Name: settingsName(m.demand), MinScore: math.NaN()}, nil, codes.InvalidArgument, "settings.min_score"},
		{"unknown delivery", m.enterprise.Alerts, &techmarketv1.AlertSettings{Name: settingsName(m.demand), Delivery: 99}, nil, codes.InvalidArgument, "settings.delivery"},
		{"unknown mask path", m.enterprise.Alerts, valid(), []string{"threshold"}, codes.InvalidArgument, "update_mask.paths[0]"},
		{"not a listing", m.enterprise.Alerts, &techmarketv1.AlertSettings{Name: "deals/x/alertSettings"}, nil, codes.InvalidArgument, "settings.name"},
		{"no settings", m.enterprise.Alerts, nil, nil, codes.InvalidArgument, "settings"},
		{"someone else's listing", stranger.Alerts, valid(), nil, codes.PermissionDenied, ""},
		{"anonymous", anonymous.Alerts, valid(), nil, codes.Unauthenticated, ""},
		{"no such listing", operator.Alerts, &techmarketv1.AlertSettings{Name: "demands/0000000000000000/alertSettings"}, nil, codes.NotFound, ""},
	} {
		_, err := tc.c.UpdateAlertSettings(ctx, &techmarketv1.UpdateAlertSettingsRequest{Settings: tc.s, UpdateMask: &fieldmaskpb.FieldMask{Paths: tc.paths}})
		if status.Code(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			continue
		}
		if tc.field != "" && violatedField(err) != tc.field {
			t.Errorf("%s: %v; want a violation of %s", tc.name, err, tc.field)
		}
	}
	want(get(), "after the refused changes")

	// An operator may set a listing's alerts for its owner.
	if _, err := operator.Alerts.UpdateAlertSettings(ctx, &techmarketv1.UpdateAlertSettingsRequest{Settings: valid(), UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"top_n"}}}); err != nil {
		t.Errorf("operator: %v", err)
	}
	if _, err := stranger.Alerts.GetAlertSettings(ctx, &techmarketv1.GetAlertSettingsRequest{Name: m.demand}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("a stranger reads the settings: %v, want PermissionDenied", err)
	}
}

func violatedField(err error) string {
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) > 0 {
			return br.GetFieldViolations()[0].GetField()
		}
	}
	return ""
}

// TestAlertsOff: a listing whose owner turned alerts off raises none,
// though a fitting offer comes.
func TestAlertsOff(t *testing.T) {
	m := newMarket(t)
	setAlerts(t, m.enterprise, &techmarketv1.AlertSettings{Name: settingsName(m.demand), Delivery: techmarketv1.AlertDelivery_ALERT_DELIVERY_OFF}, "delivery")
	m.publish(t, cokeOffer(1))
	followAll(t, m.env)
	if n, err := m.env.Alerts.Raised(time.Time{}, time.Time{}); err != nil || n != 0 {
		t.Errorf("%d alerts raised (%v) for a listing whose alerts are off", n, err)
	}
}

// followAll waits until the alerter has handled every change made so far.
func followAll(t *testing.T, env *testutil.Env) {
	t.Helper()
	last, err := env.Market.Store().LastSeq()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := env.Alerts.WaitFollowed(ctx, last); err != nil {
		t.Fatalf("waiting for the alerter: %v", err)
	}
}

// TestDailyDigest: an owner who asked for a digest gets no alert as
// fitting offers come, and one digest alert a day from 08:00 China time
// with the day's offers, best first.
func TestDailyDigest(t *testing.T) {
	clock := testutil.NewClock(time.Date(2027, 1, 10, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	m := newMarket(t, testutil.WithClock(clock.Now))
	env := m.env
	setAlerts(t, m.enterprise, &techmarketv1.AlertSettings{Name: settingsName(m.demand), Delivery: techmarketv1.AlertDelivery_ALERT_DELIVERY_DAILY_DIGEST}, "delivery")
	sweep := sweeper(t, env.Alerts.SendDigests)
	if n := sweep(); n != 0 {
		t.Fatalf("%d digests with nothing waiting", n)
	}

	first, second := m.publish(t, cokeOffer(1)), m.publish(t, cokeOffer(2))
	followAll(t, env)
	if n, err := env.Alerts.Raised(time.Time{}, time.Time{}); err != nil || n != 0 {
		t.Fatalf("%d alerts (%v) before the digest", n, err)
	}
	clock.Set(clock.Now().Add(time.Hour))
	if n := sweep(); n != 0 {
		t.Errorf("%d digests at 10:00, after today's sweep at 9:00", n)
	}
	clock.Set(time.Date(2027, 1, 11, 7, 59, 0, 0, time.FixedZone("CST", 8*3600)))
	if n := sweep(); n != 0 {
		t.Errorf("%d digests at 7:59 the next day", n)
	}
	clock.Set(clock.Now().Add(time.Minute))
	if n := sweep(); n != 1 {
		t.Fatalf("%d digests at 8:00, want 1", n)
	}
	if n := sweep(); n != 0 {
		t.Errorf("%d digests again at 8:00", n)
	}

	al := receive(t, watchAll(t, m.enterprise))
	if al.GetKind() != techmarketv1.AlertKind_ALERT_KIND_DIGEST || al.GetListing() != m.demand || len(al.GetDigest()) != 2 || al.GetMessage() == "" {
		t.Fatalf("digest: %v", al)
	}
	got := map[string]bool{al.GetDigest()[0].GetName(): true, al.GetDigest()[1].GetName(): true}
	if !got[first.GetName()] || !got[second.GetName()] || al.GetDigest()[0].GetScore() < al.GetDigest()[1].GetScore() {
		t.Errorf("digest lists %s (%.3f), %s (%.3f); want both offers, best first", al.GetDigest()[0].GetName(), al.GetDigest()[0].GetScore(),
			al.GetDigest()[1].GetName(), al.GetDigest()[1].GetScore())
	}
}
