package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
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

	// The agenda, for people: one meeting a line, the outcome recorded.
	id := strings.TrimPrefix(ev.Name, "events/")
	code, out, errOut = e.run("", "events", "agenda", id)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "1\t1\t"+o.GetName()+"\t"+d.GetName()+"\t") ||
		!strings.Contains(lines[0], "\tdeal_opened\t") || !strings.Contains(errOut, "1 meetings") {
		t.Errorf("agenda: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = e.run("", "events", "agenda", id, "--json")
	var ag struct {
		Meetings []struct{ Outcome string }
	}
	if err := json.Unmarshal([]byte(out), &ag); code != 0 || err != nil || len(ag.Meetings) != 1 || ag.Meetings[0].Outcome != "MEETING_OUTCOME_DEAL_OPENED" {
		t.Errorf("agenda --json: exit %d, %v: %s", code, err, out)
	}
	code, out, _ = e.run("", "events", "get", id)
	for _, want := range []string{ev.Name + "\t氢能技术对接会", "venue\t乌海科技大市场", "slot 2\t2027-05-20 10:00–10:25", "offer\t" + o.GetName(), "demand\t" + d.GetName()} {
		if code != 0 || !strings.Contains(out, want+"\n") {
			t.Errorf("get: exit %d, no %q in\n%s", code, want, out)
		}
	}
	code, out, _ = e.run("", "events", "list")
	if code != 0 || !strings.HasPrefix(out, ev.Name+"\t2027-05-20 09:30\t氢能技术对接会") {
		t.Errorf("list: exit %d: %s", code, out)
	}

	// Flags that are wrong never reach the server.
	for _, args := range [][]string{
		{"events", "plan", id, "--min-quality", "1.5"},
		{"events", "decline", id, "--offer", o.GetName()},
		{"events", "outcome", id, "--offer", o.GetName(), "--demand", d.GetName(), "--outcome", "great"},
		{"events", "export", id, "--format", "pdf"},
		{"events", "get"},
	} {
		if code, _, errOut := e.run(operator, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2: %s", args, code, errOut)
		}
	}

	// Declined with flags, the pair no longer meets: the plan is empty
	// and an outcome for it has no meeting to go to.
	code, out, errOut = e.run(enterprise, "events", "decline", id, "--offer", o.GetName(), "--demand", d.GetName())
	if code != 0 || !strings.Contains(out, `"declined"`) {
		t.Fatalf("decline: exit %d: %s%s", code, out, errOut)
	}
	code, out, errOut = e.run(operator, "events", "plan", id, "--min-quality", "0.1")
	if code != 0 || out != "" || !strings.Contains(errOut, "0 meetings") {
		t.Errorf("plan after declining: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = e.run(operator, "events", "outcome", id, "--offer", o.GetName(), "--demand", d.GetName(), "--outcome", "no_fit")
	if code != 1 || !strings.Contains(errOut, "no meeting") {
		t.Errorf("outcome for an unplanned pair: exit %d: %s", code, errOut)
	}

	// iCalendar into a file.
	file := filepath.Join(t.TempDir(), "agenda.ics")
	if code, _, errOut := e.run("", "events", "export", id, "--format", "ics", "--out", file); code != 0 {
		t.Fatalf("export ics: exit %d: %s", code, errOut)
	}
	if b, err := os.ReadFile(file); err != nil || !strings.HasPrefix(string(b), "BEGIN:VCALENDAR\r\n") {
		t.Errorf("exported calendar: %v\n%s", err, b)
	}
}
