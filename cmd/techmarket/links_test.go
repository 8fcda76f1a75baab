package main

import (
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
)

func TestCLILinks(t *testing.T) {
	env := testutil.Start(t)
	e := e2e{t, env}
	operator := env.Token("operator", "乌海科技大市场运营中心")

	if code, _, errOut := e.run(operator, "links", "add", "ordos", "--peer-addr", "market.ordos.example.cn:7733", "--peer-token", "tmk_peer"); code != 0 {
		t.Fatalf("links add: exit %d: %s", code, errOut)
	}
	code, out, errOut := e.run(operator, "links", "list")
	if code != 0 || !strings.HasPrefix(out, "links/ordos\tmarket.ordos.example.cn:7733\tfollowing\t") || !strings.Contains(out, "not pulled yet") {
		t.Errorf("links list: exit %d %q %s", code, out, errOut)
	}
	if strings.Contains(out, "tmk_peer") {
		t.Errorf("links list shows the peer token: %q", out)
	}
	if code, out, _ := e.run(operator, "links", "pause", "ordos"); code != 0 || out != "links/ordos\tpaused\n" {
		t.Errorf("links pause: exit %d %q", code, out)
	}
	if code, _, errOut := e.run(operator, "links", "add", "ordos", "--peer-addr", "elsewhere:7733", "--peer-token", "t"); code != 1 || !strings.Contains(errOut, "a link named ordos exists") {
		t.Errorf("adding ordos again: exit %d %s", code, errOut)
	}
	if code, out, _ := e.run(operator, "links", "remove", "links/ordos"); code != 0 || !strings.HasPrefix(out, "links/ordos\tremoved\t") {
		t.Errorf("links remove: exit %d %q", code, out)
	}

	agency := env.Token("agency", "甲技术转移中心")
	if code, _, errOut := e.run(agency, "links", "list"); code != 1 || !strings.Contains(errOut, "only operators manage links") {
		t.Errorf("an agency listing links: exit %d %s", code, errOut)
	}
	if code, _, errOut := e.run(operator, "links", "add", "Ordos Market", "--peer-addr", "x:1", "--peer-token", "t"); code != 1 || !strings.Contains(errOut, "link_id") {
		t.Errorf("a bad link name: exit %d %s", code, errOut)
	}
}
