package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestCLIEvents(t *testing.T) {
	env := testutil.Start(t)
	e := e2e{t, env}
	ctx := context.Background()
	operator := env.Token("operator", "乌海科技大市场")
	agency := env.Token("agency", "甲技术转移中心")
	enterprise := env.Token("enterprise", "乌海某焦化公司")
	o, err := env.Client(agency).CreateOffer(ctx, &techmarketv1.Offer{Title: "焦炉煤气变压吸附制氢技术", Summary: "焦炉煤气经PSA提纯得到高纯氢气。",
		Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_WUHAI}, true)
	if err != nil {
		t.Fatal(err)
	}
	d, err := env.Client(enterprise).CreateDemand(ctx, &techmarketv1.Demand{Title: "焦炉煤气制氢提纯", Description: "富余焦炉煤气想提纯制氢。",
		Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_WUHAI}, true)
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut := e.run(operator, "events", "create", "--title", "氢能技术对接会", "--venue", "乌海科技大市场",
		"--slot", "2027-05-20T09:30/2027-05-20T09:55", "--slot", "2027-05-20T10:00/2027-05-20T10:25", "--tables", "3", "--json")
	if code != 0 {
		t.Fatalf("events create: exit %d: %s", code, errOut)
	}
	var ev struct{ Name string }
	if err := json.Unmarshal([]byte(out), &ev); err != nil || ev.Name == "" {
		t.Fatalf("events create printed %q", out)
	}
	if code, _, errOut := e.run(operator, "events", "create", "--title", "x", "--slot", "tomorrow", "--tables", "1"); code != 2 || !strings.Contains(errOut, "START/END") {
		t.Errorf("bad slot: exit %d, %q", code, errOut)
	}
	for _, reg := range [][2]string{{agency, o.GetName()}, {enterprise, d.GetName()}} {
		if code, _, errOut := e.run(reg[0], "events", "register", ev.Name, reg[1]); code != 0 {
			t.Fatalf("register %s: exit %d: %s", reg[1], code, errOut)
		}
	}
	if code, _, errOut := e.run(operator, "events", "plan", strings.TrimPrefix(ev.Name, "events/")); code != 0 {
		t.Fatalf("plan: exit %d: %s", code, errOut)
	}
	code, out, errOut = e.run(operator, "events", "export", ev.Name, "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 2 || !strings.Contains(out, "焦炉煤气制氢提纯") {
		t.Errorf("export: exit %d, %d rows (%v)\n%s%s", code, len(rows), err, out, errOut)
	}
	if code, _, errOut := e.run(operator, "events", "outcome", ev.Name, o.GetName(), d.GetName(), "--outcome", "deal_opened"); code != 0 {
		t.Errorf("outcome: exit %d: %s", code, errOut)
	}
}
