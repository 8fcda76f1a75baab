package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestCLIDeals(t *testing.T) {
	env := testutil.Start(t)
	e := e2e{t, env}
	ctx := context.Background()
	agency := env.Token("agency", "甲技术转移中心")
	enterprise := env.Token("enterprise", "乌海某焦化公司")
	other := env.Token("agency", "乙技术转移中心")
	offer, err := env.Client(agency).CreateOffer(ctx, &techmarketv1.Offer{
		Title: "焦炉上升管荒煤气余热回收技术", Summary: "上升管换热器回收荒煤气显热。", Industries: []string{"coal-chemical"},
		Region: techmarketv1.Region_REGION_DOMESTIC, Trl: 8,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	demand, err := env.Client(enterprise).CreateDemand(ctx, &techmarketv1.Demand{
		Title: "焦炉荒煤气余热回收产汽", Description: "希望回收上升管荒煤气余热。", Industries: []string{"coal-chemical"},
		Region: techmarketv1.Region_REGION_WUHAI,
	}, true)
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut := e.run(enterprise, "deals", "open", "--offer", offer.GetName(), "--demand", strings.TrimPrefix(demand.GetName(), "demands/"), "--note", "对接会", "--json")
	if code != 0 {
		t.Fatalf("deals open: exit %d: %s", code, errOut)
	}
	var opened struct{ Name, Stage, Etag string }
	if err := json.Unmarshal([]byte(out), &opened); err != nil || opened.Stage != "DEAL_STAGE_CONTACTED" || opened.Etag == "" {
		t.Fatalf("deals open printed %q (%v)", out, err)
	}

	code, _, errOut = e.run(agency, "deals", "open", "--offer", offer.GetName(), "--demand", demand.GetName())
	if code != 1 || !strings.Contains(errOut, opened.Name) {
		t.Errorf("second open: exit %d, %q (want 1 naming %s)", code, errOut, opened.Name)
	}

	code, out, errOut = e.run(agency, "deals", "move", opened.Name, "--to", "negotiating", "--etag", opened.Etag, "--note", "报价两百万")
	if code != 0 || !strings.Contains(out, "negotiating") {
		t.Fatalf("deals move: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	code, _, errOut = e.run(agency, "deals", "move", opened.Name, "--to", "meeting", "--etag", opened.Etag)
	if code != 1 || !strings.Contains(errOut, "get it again") {
		t.Errorf("move with a stale etag: exit %d, %q", code, errOut)
	}
	code, _, errOut = e.run(enterprise, "deals", "move", opened.Name, "--to", "closed")
	if code != 1 || !strings.Contains(errOut, "close_reason") {
		t.Errorf("close without reason: exit %d, %q", code, errOut)
	}
	code, _, errOut = e.run(enterprise, "deals", "move", opened.Name, "--to", "contract_signed", "--contract-type", "licence", "--amount", "2000000")
	if code != 0 {
		t.Fatalf("sign: exit %d: %s", code, errOut)
	}
	code, _, errOut = e.run(enterprise, "deals", "move", opened.Name, "--to", "signed")
	if code != 2 || !strings.Contains(errOut, "contract_signed") {
		t.Errorf("unknown stage: exit %d, %q", code, errOut)
	}

	code, out, errOut = e.run(agency, "deals", "list", "--json")
	if code != 0 {
		t.Fatalf("deals list: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("deals list --json printed %d lines, want 1:\n%s", len(lines), out)
	}
	var listed struct {
		Name, Stage, ContractType, AmountYuan string
		History                               []struct{ Stage, Actor, Note string }
	}
	if err := json.Unmarshal([]byte(lines[0]), &listed); err != nil {
		t.Fatalf("deals list --json line %q: %v", lines[0], err)
	}
	if listed.Name != opened.Name || listed.Stage != "DEAL_STAGE_CONTRACT_SIGNED" || listed.ContractType != "CONTRACT_TYPE_LICENCE" || listed.AmountYuan != "2000000" {
		t.Errorf("listed %+v", listed)
	}
	wantActors := []string{"乌海某焦化公司", "甲技术转移中心", "乌海某焦化公司"}
	if len(listed.History) != len(wantActors) {
		t.Fatalf("history %+v, want %d steps", listed.History, len(wantActors))
	}
	for i, h := range listed.History {
		if h.Actor != wantActors[i] {
			t.Errorf("step %d by %q, want %q", i, h.Actor, wantActors[i])
		}
	}
	if listed.History[1].Note != "报价两百万" {
		t.Errorf("note of the move: %q", listed.History[1].Note)
	}

	code, out, errOut = e.run(enterprise, "deals", "list", "--stage", "contract_signed")
	if code != 0 || !strings.HasPrefix(out, opened.Name+"\tcontract_signed\t"+offer.GetName()+"\t"+demand.GetName()+"\t") {
		t.Errorf("deals list --stage contract_signed: exit %d %q %s", code, out, errOut)
	}
	code, out, _ = e.run(enterprise, "deals", "list", "--stage", "closed")
	if code != 0 || out != "" {
		t.Errorf("deals list --stage closed: exit %d %q", code, out)
	}
	code, out, _ = e.run(other, "deals", "list")
	if code != 0 || out != "" {
		t.Errorf("a third organisation lists: exit %d %q", code, out)
	}
	code, _, errOut = e.run(other, "deals", "get", opened.Name)
	if code != 1 || !strings.Contains(errOut, "permission denied") && !strings.Contains(errOut, "not visible") {
		t.Errorf("a third organisation gets: exit %d %q", code, errOut)
	}
	code, out, _ = e.run(agency, "deals", "get", strings.TrimPrefix(opened.Name, "deals/"))
	if code != 0 || !strings.Contains(out, "contract-signed") || !strings.Contains(out, "报价两百万") {
		t.Errorf("deals get: exit %d\n%s", code, out)
	}
}
