package main

import (
	"context"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestCLIStats(t *testing.T) {
	env := testutil.Start(t)
	e := e2e{t, env}
	operator := env.Token("operator", "乌海科技大市场")
	agency := env.Token("agency", "甲技术转移中心")
	if _, err := env.Client(agency).CreateOffer(context.Background(), &techmarketv1.Offer{
		Title: "焦炉煤气制氢技术", Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_WUHAI,
	}, true); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := e.run(operator, "stats")
	if code != 0 || !strings.Contains(out, "offers\ttotal\t1\n") || !strings.Contains(out, "offers_by_industry\thydrogen\t1\n") {
		t.Errorf("stats: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if code, _, errOut := e.run(operator, "stats", "--from", "yesterday"); code != 2 || !strings.Contains(errOut, "not a date") {
		t.Errorf("stats --from yesterday: exit %d, %q", code, errOut)
	}
	if code, _, errOut := e.run(agency, "stats"); code != 1 || errOut == "" {
		t.Errorf("stats as an agency: exit %d, %q; want 1 with the reason", code, errOut)
	}
}

func TestCLIAudit(t *testing.T) {
	env := testutil.Start(t)
	e := e2e{t, env}
	operator := env.Token("operator", "乌海科技大市场")
	if code, _, errOut := e.run(operator, "tokens", "create", "--org", "丙研究院", "--role", "agency"); code != 0 {
		t.Fatalf("tokens create: exit %d: %s", code, errOut)
	}
	code, out, errOut := e.run(operator, "audit", "--action", "tokens.", "--limit", "1")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "\t乌海科技大市场\toperator\ttokens.create\ttokens/") {
		t.Errorf("audit: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if code, _, _ := e.run(env.Token("agency", "甲"), "audit"); code != 1 {
		t.Errorf("audit as an agency: exit %d, want 1", code)
	}
}
