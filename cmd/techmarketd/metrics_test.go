package main

import (
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

var metricsLine = regexp.MustCompile(`msg=metrics addr=(\S+)`)

// TestMetricsEndpoint: with --metrics-addr the server exposes per-call
// counts and latencies, index lag, alert backlog and sizes.
func TestMetricsEndpoint(t *testing.T) {
	bin := buildServer(t)
	dir := filepath.Join(t.TempDir(), "market")
	token := issueToken(t, bin, dir, "agency", "甲技术转移中心")
	p := startServer(t, bin, dir, "--metrics-addr", "127.0.0.1:0")
	m := metricsLine.FindStringSubmatch(p.logs.String())
	if m == nil {
		t.Fatalf("no metrics address in the log:\n%s", p.logs)
	}
	c, ctx := dial(t, p, token)
	if _, err := c.CreateOffer(ctx, &techmarketv1.Offer{Title: "焦炉煤气制氢技术", Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_WUHAI}, true); err != nil {
		t.Fatal(err)
	}
	_, _ = c.Offers.GetOffer(ctx, &techmarketv1.GetOfferRequest{Name: "offers/0000000000000000"}) // a refused call
	// A match reads the offer's postings, first from the index.
	if _, err := c.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Draft: &techmarketv1.Demand{Title: "焦炉煤气制氢", Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_WUHAI}}); err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	text := string(body)
	for _, want := range []string{
		`techmarket_rpc_requests_total{code="OK",method="/techmarket.v1.OfferService/CreateOffer"} 1`,
		`techmarket_rpc_requests_total{code="PermissionDenied",method="/techmarket.v1.OfferService/GetOffer"} 1`,
		`techmarket_rpc_duration_seconds_count{method="/techmarket.v1.OfferService/CreateOffer"} 1`,
		"techmarket_index_lag 0",
		"techmarket_alert_backlog ",
		"techmarket_store_bytes ",
		"techmarket_index_bytes ",
		"techmarket_postings_cache_bytes ",
		"techmarket_index_segments ",
		"techmarket_index_merges_running ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if m := regexp.MustCompile(`(?m)^techmarket_postings_cache_misses_total (\S+)$`).FindStringSubmatch(text); m == nil || m[1] == "0" {
		t.Errorf("after a match, postings cache misses %v; want some counted", m)
	}
}

// TestPprof: Go's profiles are served at the metrics address only when
// asked for.
func TestPprof(t *testing.T) {
	bin := buildServer(t)
	for _, withPprof := range []bool{false, true} {
		args := []string{"--metrics-addr", "127.0.0.1:0"}
		if withPprof {
			args = append(args, "--pprof")
		}
		p := startServer(t, bin, filepath.Join(t.TempDir(), "market"), args...)
		m := metricsLine.FindStringSubmatch(p.logs.String())
		if m == nil {
			t.Fatalf("no metrics address in the log:\n%s", p.logs)
		}
		resp, err := http.Get("http://" + m[1] + "/debug/pprof/cmdline")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case withPprof && (resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "serve")):
			t.Errorf("--pprof: /debug/pprof/cmdline answered %d %q", resp.StatusCode, body)
		case !withPprof && resp.StatusCode != http.StatusNotFound:
			t.Errorf("without --pprof: /debug/pprof/cmdline answered %d", resp.StatusCode)
		}
	}
}
