package server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// importLines sends lines in batches of batch and returns every result.
func importLines(t *testing.T, c *client.Client, lines []string, batch int, draft bool) ([]*techmarketv1.ImportResult, error) {
	t.Helper()
	stream, err := c.Imports.ImportListings(context.Background())
	if err != nil {
		return nil, err
	}
	var results []*techmarketv1.ImportResult
	for start := 0; start < len(lines); start += batch {
		req := &techmarketv1.ImportListingsRequest{Draft: draft}
		for i := start; i < min(start+batch, len(lines)); i++ {
			req.Lines = append(req.Lines, &techmarketv1.ImportLine{Number: int64(i + 1), Text: lines[i]})
		}
		if err := stream.Send(req); err != nil {
			break // the server's reason arrives on Recv
		}
		resp, err := stream.Recv()
		if err != nil {
			return results, err
		}
		results = append(results, resp.GetResults()...)
	}
	if err := stream.CloseSend(); err != nil {
		return results, err
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		return results, err
	}
	return results, nil
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (the shared data folder sits beside the repository)", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func outcomes(results []*techmarketv1.ImportResult) map[techmarketv1.ImportOutcome]int {
	n := map[techmarketv1.ImportOutcome]int{}
	for _, r := range results {
		n[r.GetOutcome()]++
	}
	return n
}

// TestImportDevSet imports the development set: every line is taken, and
// importing it again changes nothing.
func TestImportDevSet(t *testing.T) {
	env := testutil.Start(t)
	operator := env.Client(env.Token("operator", "运营中心"))
	dev := filepath.Join("..", "..", "shared", "data", "dev")
	for _, file := range []string{"offers.jsonl", "demands.jsonl"} {
		lines := readLines(t, filepath.Join(dev, file))
		results, err := importLines(t, operator, lines, 100, false)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if got := outcomes(results); got[techmarketv1.ImportOutcome_IMPORT_OUTCOME_TAKEN] != len(lines) {
			for _, r := range results {
				if r.GetOutcome() == techmarketv1.ImportOutcome_IMPORT_OUTCOME_REJECTED {
					t.Errorf("%s line %d rejected: %s: %s", file, r.GetNumber(), r.GetField(), r.GetReason())
				}
			}
			t.Fatalf("%s: outcomes %v, want all %d taken", file, got, len(lines))
		}
		again, err := importLines(t, operator, lines, 37, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := outcomes(again); got[techmarketv1.ImportOutcome_IMPORT_OUTCOME_UNCHANGED] != len(lines) {
			t.Errorf("%s imported again: %v, want all %d unchanged", file, got, len(lines))
		}
	}
	if n := countOffers(t, operator); n != 233 {
		t.Errorf("%d offers after importing twice, want 233", n)
	}
}

func TestImportBadLines(t *testing.T) {
	env := testutil.Start(t)
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	good := `{"kind":"offer","externalId":"g-%s","title":"无汞触媒","industries":["chlor-alkali"],"region":"wuhai"}`
	lines := []string{
		strings.ReplaceAll(good, "%s", "1"),
		`{"kind":"offer","externalId":"b-1","title":"","industries":["chlor-alkali"],"region":"wuhai"}`,
		`{"kind":"offer", "externalId": "b-2"`,
		`{"kind":"offer","externalId":"b-3","title":"TRL零","industries":["chlor-alkali"],"region":"wuhai","trl":0}`,
		`{"kind":"offer","externalId":"b-4","title":"价格倒置","industries":["chlor-alkali"],"region":"wuhai","price":{"minYuan":9,"maxYuan":1}}`,
		`{"kind":"offer","externalId":"b-5","title":"未知行业","industries":["space"],"region":"wuhai"}`,
		`{"kind":"demand","externalId":"b-6","title":"机构不能发需求","industries":["water"],"region":"wuhai"}`,
		"{\"kind\":\"offer\",\"externalId\":\"b-7\",\"title\":\"\xff\",\"industries\":[\"water\"],\"region\":\"wuhai\"}",
		`{"kind":"offer","externalId":"b-8","title":"多余字段","industries":["water"],"region":"wuhai","colour":"red"}`,
		`{"kind":"offer","title":"缺少外部编号","industries":["water"],"region":"wuhai"}`,
		strings.ReplaceAll(good, "%s", "2"),
	}
	results, err := importLines(t, agency, lines, 4, false)
	if err != nil {
		t.Fatal(err)
	}
	wantField := map[int64]string{2: "title", 3: "", 4: "trl", 5: "price.maxYuan", 6: "industries[0]", 7: "kind", 8: "", 9: "colour", 10: "externalId"}
	for _, r := range results {
		field, bad := wantField[r.GetNumber()]
		switch {
		case !bad && r.GetOutcome() != techmarketv1.ImportOutcome_IMPORT_OUTCOME_TAKEN:
			t.Errorf("line %d: %v (%s), want taken", r.GetNumber(), r.GetOutcome(), r.GetReason())
		case bad && r.GetOutcome() != techmarketv1.ImportOutcome_IMPORT_OUTCOME_REJECTED:
			t.Errorf("line %d: %v, want rejected", r.GetNumber(), r.GetOutcome())
		case bad && (r.GetField() != field || r.GetReason() == ""):
			t.Errorf("line %d rejected for %q: %q, want field %q and a reason", r.GetNumber(), r.GetField(), r.GetReason(), field)
		}
	}
	if len(results) != len(lines) {
		t.Errorf("%d results for %d lines", len(results), len(lines))
	}
	if n := countOffers(t, env.Client(env.Token("operator", "运营中心"))); n != 2 {
		t.Errorf("%d offers stored, want the 2 good lines", n)
	}
}

func TestImportUpdatesAndDrafts(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	enterprise := env.Client(env.Token("enterprise", "乌海某化工公司"))
	line := `{"kind":"demand","externalId":"d-7","title":"%s","industries":["water"],"region":"wuhai","deadline":"2099-01-01"}`
	first, err := importLines(t, enterprise, []string{strings.Replace(line, "%s", "疏干水回用", 1)}, 1, true)
	if err != nil || first[0].GetOutcome() != techmarketv1.ImportOutcome_IMPORT_OUTCOME_TAKEN {
		t.Fatalf("first import: %v %v", first, err)
	}
	got, err := enterprise.Demands.GetDemand(ctx, &techmarketv1.GetDemandRequest{Name: first[0].GetName()})
	if err != nil || got.GetDemand().GetState() != techmarketv1.ListingState_LISTING_STATE_DRAFT {
		t.Fatalf("--draft import: %v %v, want a draft", got.GetDemand().GetState(), err)
	}
	second, err := importLines(t, enterprise, []string{strings.Replace(line, "%s", "矿井疏干水深度处理回用", 1)}, 1, false)
	if err != nil || second[0].GetOutcome() != techmarketv1.ImportOutcome_IMPORT_OUTCOME_UPDATED || second[0].GetName() != first[0].GetName() {
		t.Fatalf("second import: %v %v, want %s updated", second, err, first[0].GetName())
	}
	got, err = enterprise.Demands.GetDemand(ctx, &techmarketv1.GetDemandRequest{Name: first[0].GetName()})
	if err != nil || got.GetDemand().GetTitle() != "矿井疏干水深度处理回用" || got.GetDemand().GetState() != techmarketv1.ListingState_LISTING_STATE_DRAFT {
		t.Errorf("after update: %v %v; want the new title, still a draft", got.GetDemand(), err)
	}
}

func TestImportNeedsToken(t *testing.T) {
	env := testutil.Start(t)
	_, err := importLines(t, env.Client(""), []string{`{}`}, 1, false)
	wantCode(t, err, codes.Unauthenticated)
	_, err = importLines(t, env.Client("tmk_not-a-real-token"), []string{`{}`}, 1, false)
	wantCode(t, err, codes.Unauthenticated)
	lines := make([]string, 1001)
	_, err = importLines(t, env.Client(env.Token("agency", "甲")), lines, 1001, false)
	wantCode(t, err, codes.InvalidArgument)
}
