package main

import (
	"bytes"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/interchange"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestWriteView(t *testing.T) {
	t.Parallel()
	o := &techmarketv1.Offer{
		Name:          "offers/abc",
		ExternalId:    "lab-17",
		State:         techmarketv1.ListingState_LISTING_STATE_PUBLISHED,
		Title:         "电石渣制备碳酸钙\x1b]0;pwned\x07",
		Description:   "第一行\n第二行",
		Industries:    []string{"new-materials", "chemicals"},
		Region:        techmarketv1.Region_REGION_INNER_MONGOLIA,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_JOINT_DEVELOPMENT},
		Trl:           6,
		Price:         &techmarketv1.YuanRange{MinYuan: 0, MaxYuan: 500000},
		Patents:       []*techmarketv1.Patent{{Number: "CN1", Type: techmarketv1.PatentType_PATENT_TYPE_UTILITY}},
	}
	var b bytes.Buffer
	if err := writeView(&b, o); err != nil {
		t.Fatal(err)
	}
	want := `name:              offers/abc
externalId:        lab-17
state:             published
title:             电石渣制备碳酸钙�]0;pwned�
description:       第一行
                   第二行
industries:        new-materials, chemicals
region:            inner-mongolia
transferModes:     joint-development
trl:               6
price.maxYuan:     500000
patents[0].number: CN1
patents[0].type:   utility
`
	if got := b.String(); got != want {
		t.Errorf("writeView:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteRow(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := writeRow(&b, "offers/a", "draft", "a,b", "two\tcells\nand a line\x1b[2J"); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "offers/a\tdraft\ta,b\ttwo cells and a line\ufffd[2J\n"; got != want {
		t.Errorf("writeRow = %q, want %q", got, want)
	}
}

// The codes in output and flags are the interchange format's own.
func TestEnumCodes(t *testing.T) {
	t.Parallel()
	for _, r := range []techmarketv1.Region{techmarketv1.Region_REGION_WUHAI, techmarketv1.Region_REGION_INNER_MONGOLIA, techmarketv1.Region_REGION_DOMESTIC, techmarketv1.Region_REGION_INTERNATIONAL} {
		if got, want := code(r), interchange.RegionCode(r); got != want {
			t.Errorf("code(%v) = %q, interchange says %q", r, got, want)
		}
	}
	m := techmarketv1.TransferMode_TRANSFER_MODE_JOINT_DEVELOPMENT
	if got, want := code(m), interchange.TransferModeCode(m); got != want {
		t.Errorf("code(%v) = %q, interchange says %q", m, got, want)
	}
	for _, s := range []string{"draft", "published", "withdrawn", "expired", "closed"} {
		got, _, ok := parseEnum[techmarketv1.ListingState](s)
		if !ok || code(got) != s {
			t.Errorf("parseEnum(%q) = %v, %v; want it to round-trip", s, got, ok)
		}
	}
	if _, codes, ok := parseEnum[techmarketv1.Role]("unspecified"); ok || oneOf(codes) != "operator, agency, enterprise or peer" {
		t.Errorf("parseEnum(unspecified) = %v, codes %v; want refused, and the four roles", ok, codes)
	}
}

func TestRPCFailure(t *testing.T) {
	t.Parallel()
	st, err := status.New(codes.InvalidArgument, "the offer is not valid").WithDetails(&errdetails.BadRequest{
		FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "offer.title", Description: "must not be empty"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{st.Err(), "create x.json: invalid argument: the offer is not valid; fix the fields below and try again\n  offer.title: must not be empty"},
		{status.Error(codes.Unauthenticated, "no token"), "create x.json: unauthenticated: no token; set TECHMARKET_TOKEN (or pass --token)"},
		{status.Error(codes.Unavailable, "connection refused"), "is techmarketd running at 127.0.0.1:7733?"},
		{status.Error(codes.Canceled, "context canceled"), "create x.json: interrupted"},
	} {
		c := newTestCLI(nil)
		c.addr = defaultAddr
		if code := c.report(c.rpcFailure("create x.json", tc.err)); code != exitError {
			t.Errorf("exit %d, want %d", code, exitError)
		}
		if got := c.err.String(); !strings.HasPrefix(got, "techmarket: ") || !strings.Contains(got, tc.want) {
			t.Errorf("reported %q, want it to contain %q", got, tc.want)
		}
	}
}
