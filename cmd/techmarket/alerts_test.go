package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestCLIAlertSettings(t *testing.T) {
	env := testutil.Start(t)
	e := e2e{t, env}
	enterprise := env.Token("enterprise", "乌海某焦化公司")
	d, err := env.Client(enterprise).CreateDemand(context.Background(), &techmarketv1.Demand{
		Title: "焦炉荒煤气余热回收产蒸汽", Industries: []string{"coal-chemical"}, Region: techmarketv1.Region_REGION_WUHAI,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := e.run(enterprise, "alerts", "get", d.GetName())
	if code != 0 || !strings.Contains(out, fmt.Sprintf("top %d", alert.DefaultTopN)) || !strings.Contains(out, "immediate") {
		t.Fatalf("alerts get: exit %d, %q, %s; want the defaults", code, out, errOut)
	}
	code, out, errOut = e.run(enterprise, "alerts", "set", d.GetName(), "--top", "1", "--delivery", "digest")
	if code != 0 || !strings.Contains(out, "top 1") || !strings.Contains(out, "digest") {
		t.Fatalf("alerts set: exit %d, %q, %s", code, out, errOut)
	}
	// Only the flags given change.
	code, out, errOut = e.run(enterprise, "alerts", "set", d.GetName(), "--min-score", "0.7")
	if code != 0 || !strings.Contains(out, "top 1") || !strings.Contains(out, "min score 0.700") || !strings.Contains(out, "digest") {
		t.Fatalf("alerts set --min-score: exit %d, %q, %s", code, out, errOut)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"alerts", "set", d.GetName()}, exitUsage, "give what to change"},
		{[]string{"alerts", "set", d.GetName(), "--delivery", "weekly"}, exitUsage, "want one of immediate, digest, off"},
		{[]string{"alerts", "set", d.GetName(), "--top", "11"}, exitError, "top_n"},
		{[]string{"alerts", "get"}, exitUsage, "give the listing's NAME"},
	} {
		code, _, errOut := e.run(enterprise, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}
