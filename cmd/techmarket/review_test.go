package main

import (
	"context"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestCLIReviewAndQuality(t *testing.T) {
	env := testutil.Start(t, testutil.WithReview())
	e := e2e{t, env}
	agency := env.Token("agency", "甲技术转移中心")
	operator := env.Token("operator", "乌海科技大市场")
	o, err := env.Client(agency).CreateOffer(context.Background(), &techmarketv1.Offer{
		Title: "节能技术", Industries: []string{"energy-saving"}, Region: techmarketv1.Region_REGION_WUHAI,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if o.GetState() != techmarketv1.ListingState_LISTING_STATE_IN_REVIEW {
		t.Fatalf("posted: %v, want in review", o.GetState())
	}

	if code, _, errOut := e.run(operator, "review", o.GetName()); code != 2 || !strings.Contains(errOut, "exactly one") {
		t.Errorf("review without a decision: exit %d, %q", code, errOut)
	}
	if code, _, errOut := e.run(agency, "review", o.GetName(), "--approve"); code != 1 || !strings.Contains(errOut, "operators") {
		t.Errorf("review by the poster: exit %d, %q", code, errOut)
	}
	code, out, errOut := e.run(operator, "review", o.GetName(), "--send-back", "--reason", "标题过于笼统，请写明具体技术")
	if code != 0 || !strings.Contains(out, "draft") {
		t.Fatalf("send back: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}

	code, out, errOut = e.run(agency, "quality", o.GetName())
	if code != 0 || !strings.HasPrefix(out, "score\t") || !strings.Contains(out, "vague_title") || !strings.Contains(out, "missing_trl") {
		t.Errorf("quality: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}
