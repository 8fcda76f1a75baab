package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestRateFlags: an operator sets the per-caller rate on the command line,
// and a caller past its burst is refused with RESOURCE_EXHAUSTED.
func TestRateFlags(t *testing.T) {
	bin := buildServer(t)
	dir := filepath.Join(t.TempDir(), "market")
	token := issueToken(t, bin, dir, "agency", "甲技术转移中心")
	p := startServer(t, bin, dir, "--rate", "0.01", "--burst", "3")
	c, ctx := dial(t, p, token)
	var codesSeen []codes.Code
	for range 5 {
		_, err := c.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{})
		codesSeen = append(codesSeen, status.Code(err))
	}
	want := []codes.Code{codes.OK, codes.OK, codes.OK, codes.ResourceExhausted, codes.ResourceExhausted}
	if !slices.Equal(codesSeen, want) {
		t.Errorf("five calls at --rate 0.01 --burst 3: %v; want %v", codesSeen, want)
	}
}

// TestLimitFlagsChecked: nonsensical limits (and --pprof without a metrics
// address) are refused before the server
// opens anything, naming the flag.
func TestLimitFlagsChecked(t *testing.T) {
	for _, args := range [][]string{
		{"--rate", "0"},
		{"--rate", "-5"},
		{"--burst", "0"},
		{"--max-call-time", "10ms"},
		{"--max-streams", "0"},
		{"--max-watchers", "0"},
		{"--postings-cache", "0"},
		{"--pprof"}, // without --metrics-addr
		{"--tune", "NoSuchKnob=1"},
		{"--tune", "BodyTerms=-3"},
		{"--tune", "BodyTerms"},
	} {
		dir := filepath.Join(t.TempDir(), "market")
		err := serve(context.Background(), append([]string{"--data", dir}, args...), io.Discard)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), strings.TrimLeft(args[0], "-")) {
			t.Errorf("serve %v: %v; want a usage error naming %s", args, err, args[0])
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("serve %v created its data folder (%v)", args, err)
		}
	}
}

// TestTuneFlag: a matching knob set on the command line changes what the
// server's matches find; here no query terms at all, so nothing, where
// the same server without it matches the demand.
func TestTuneFlag(t *testing.T) {
	bin := buildServer(t)
	dir := filepath.Join(t.TempDir(), "market")
	token := issueToken(t, bin, dir, "operator", "乌海科技大市场")
	matches := func(extra ...string) int {
		p := startServer(t, bin, dir, append([]string{"--demo"}, extra...)...)
		defer func() { _ = p.cmd.Process.Kill(); <-p.done }()
		c, ctx := dial(t, p, token)
		for d, err := range c.ListDemands(ctx, &techmarketv1.ListDemandsRequest{}) {
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: d.GetName()})
			if err != nil {
				t.Fatal(err)
			}
			return len(got)
		}
		t.Fatal("the demo market has no demands")
		return 0
	}
	if n := matches(); n == 0 {
		t.Fatal("the untuned server found no offers for the demo's first demand")
	}
	if n := matches("--tune", "MaxQueryTerms=0"); n != 0 {
		t.Errorf("with --tune MaxQueryTerms=0: %d matches, want none", n)
	}
}
