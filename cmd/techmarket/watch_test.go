package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestCLIWatch(t *testing.T) {
	env := testutil.Start(t)
	e := e2e{t, env}
	ctx := context.Background()
	agency := env.Token("agency", "甲技术转移中心")
	enterprise := env.Token("enterprise", "乌海某焦化公司")
	for _, title := range []string{"电石法聚氯乙烯无汞触媒", "葡萄标准化栽培与水肥一体化"} {
		if _, err := env.Client(agency).CreateOffer(ctx, &techmarketv1.Offer{Title: title, Industries: []string{"chlor-alkali"}, Region: techmarketv1.Region_REGION_DOMESTIC}, true); err != nil {
			t.Fatal(err)
		}
	}
	demand, err := env.Client(enterprise).CreateDemand(ctx, &techmarketv1.Demand{
		Title: "焦炉荒煤气余热回收产蒸汽", Description: "上升管荒煤气温度七八百度，希望回收余热产生蒸汽，要求不结焦。",
		Keywords: []string{"焦炉", "荒煤气", "余热"}, Industries: []string{"coal-chemical"}, Region: techmarketv1.Region_REGION_WUHAI,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	publish := func(title string) *techmarketv1.Offer {
		o, err := env.Client(agency).CreateOffer(ctx, &techmarketv1.Offer{
			Title: title, Summary: "在焦炉上升管内设置换热器，回收荒煤气显热产生饱和蒸汽，防结焦涂层。",
			Keywords: []string{"上升管", "荒煤气", "余热回收", "焦炉"}, Industries: []string{"coal-chemical"},
			Region: techmarketv1.Region_REGION_INNER_MONGOLIA, Trl: 8,
		}, true)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}

	first := publish("焦炉上升管荒煤气余热回收技术")
	code, out, errOut := e.run(enterprise, "watch", "--count", "1", "--json")
	if code != 0 {
		t.Fatalf("watch: exit %d: %s", code, errOut)
	}
	var got struct {
		Cursor, Listing string
		Match           struct{ Name string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Listing != demand.GetName() || got.Match.Name != first.GetName() {
		t.Fatalf("watch printed %q (%v); want the alert for %s about %s", out, err, demand.GetName(), first.GetName())
	}

	second := publish("焦炉荒煤气上升管余热锅炉")
	code, out, errOut = e.run(enterprise, "watch", "--count", "1", "--json", "--cursor", got.Cursor)
	if code != 0 {
		t.Fatalf("watch --cursor: exit %d: %s", code, errOut)
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Match.Name != second.GetName() {
		t.Errorf("watch --cursor printed %q (%v); want the alert about %s only", out, err, second.GetName())
	}

	if code, _, errOut := e.run(enterprise, "watch", "--cursor", "nonsense"); code != 1 || errOut == "" {
		t.Errorf("watch with a bad cursor: exit %d, %q; want 1 with the reason", code, errOut)
	}
}
