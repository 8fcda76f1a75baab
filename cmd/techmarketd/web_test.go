package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestOnePortForEveryClient checks that the demo server's one port takes
// native gRPC, Connect and REST calls alike, and that a browser's alert
// stream does not keep the server from stopping.
func TestOnePortForEveryClient(t *testing.T) {
	bin := buildServer(t)
	dir := t.TempDir()
	p := startServer(t, bin, dir, "--demo")

	c, ctx := dial(t, p, "")
	native, err := c.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{PageSize: 5})
	if err != nil || len(native.GetOffers()) == 0 {
		t.Fatalf("native gRPC: %v offers, %v", len(native.GetOffers()), err)
	}

	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+p.addr+"/techmarket.v1.OfferService/ListOffers", strings.NewReader(`{"pageSize":5}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connect-Protocol-Version", "1")
	var viaConnect struct {
		Offers []struct{ Name, Title string }
	}
	getJSON(t, req, &viaConnect)
	if len(viaConnect.Offers) != len(native.GetOffers()) || viaConnect.Offers[0].Name != native.GetOffers()[0].GetName() {
		t.Errorf("Connect answered %v; native gRPC %v", viaConnect.Offers, native.GetOffers())
	}

	industry := native.GetOffers()[0].GetIndustries()[0]
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+"/v1/offers?industry="+industry, nil)
	var viaREST struct {
		Offers []struct {
			Name       string
			Industries []string
		}
	}
	getJSON(t, req, &viaREST)
	if len(viaREST.Offers) == 0 {
		t.Fatalf("GET /v1/offers?industry=%s found nothing", industry)
	}
	for _, o := range viaREST.Offers {
		if !strings.Contains(strings.Join(o.Industries, ","), industry) {
			t.Errorf("GET /v1/offers?industry=%s answered %s of %v", industry, o.Name, o.Industries)
		}
	}

	for path, want := range map[string]string{"/openapi.json": "application/json", "/": "text/html; charset=utf-8", "/offers/whatever": "text/html; charset=utf-8"} {
		resp, err := http.Get("http://" + p.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != want {
			t.Errorf("GET %s: %s, %s; want 200 %s", path, resp.Status, resp.Header.Get("Content-Type"), want)
		}
	}

	// A browser watching its alerts; the server still stops at SIGTERM.
	enterprise := demoToken(t, dir, "enterprise")
	watch, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+p.addr+"/techmarket.v1.AlertService/WatchMatches", strings.NewReader("\x00\x00\x00\x00\x02{}"))
	watch.Header.Set("Content-Type", "application/connect+json")
	watch.Header.Set("Authorization", "Bearer "+enterprise)
	go func() {
		if resp, err := http.DefaultClient.Do(watch); err == nil {
			resp.Body.Close()
		}
	}()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if code := p.cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(p.logs.String(), "msg=stopped") {
		t.Errorf("exit code after SIGTERM = %d\n%s", code, p.logs)
	}
}

func getJSON(t *testing.T, req *http.Request, into any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s", req.Method, req.URL, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
}

// demoToken is the secret of the demo market's sample token for role.
func demoToken(t *testing.T, dir, role string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, demoTokensFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Split(line, "\t"); len(f) == 3 && f[0] == role {
			return f[1]
		}
	}
	t.Fatalf("no %s token in %s", role, demoTokensFile)
	return ""
}
