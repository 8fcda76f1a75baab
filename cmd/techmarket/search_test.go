package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestSearchUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"search"}, `"search" needs a subcommand: offers or demands`},
		{[]string{"search", "listings", "x"}, `unknown command "search listings"; search has offers or demands`},
		{[]string{"search", "offers", "x", "--limit", "0"}, `--limit "0" is not a whole number of at least 1; see 'techmarket help search offers'`},
		{[]string{"search", "demands", "--region", "mars"}, `unknown region "mars"; use wuhai, inner-mongolia, domestic or international`},
		{[]string{"search", "offers", "--mode", "license", "--mode", "gift"}, `unknown transfer mode "gift"; use assignment, license, equity, joint-development or service`},
		{[]string{"search", "offers", "--min-trl", "0"}, `--min-trl "0" is not a whole number from 1 to 9`},
		{[]string{"search", "offers", "--max-trl", "10"}, `--max-trl "10" is not a whole number from 1 to 9`},
		{[]string{"search", "offers", "--max-trl", "x"}, `--max-trl "x" is not a whole number from 1 to 9`},
		{[]string{"search", "demands", "--min-trl", "7", "--max-trl", "4"}, "--min-trl 7 is above --max-trl 4"},
		{[]string{"search", "offers", "x", "--industry"}, "flag --industry needs a value"},
		{[]string{"search", "offers", "--page-size", "5"}, "unknown flag --page-size"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			wantUsageError(t, tc.args, tc.want)
		})
	}
}

func TestWriteFacets(t *testing.T) {
	t.Parallel()
	facets := []*techmarketv1.Facet{
		{Field: "industry", Counts: []*techmarketv1.FacetCount{{Value: "coal-chemical", Count: 12}, {Value: "water", Count: 3}}},
		{Field: "region"},
		{Field: "trl_band", Counts: []*techmarketv1.FacetCount{{Value: "7-9", Count: 1}}},
	}
	var b bytes.Buffer
	if err := writeFacets(&b, facets, true); err != nil {
		t.Fatal(err)
	}
	if want := "\nindustry: coal-chemical 12, water 3\nregion:\ntrl_band: 7-9 1\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// pagingServer answers SearchOffers with total hits in pages of perPage,
// whatever page size it is asked for, and records the requests.
type pagingServer struct {
	techmarketv1.UnimplementedMatchServiceServer
	total, perPage int

	mu       sync.Mutex
	requests []*techmarketv1.SearchOffersRequest
}

func (s *pagingServer) SearchOffers(_ context.Context, req *techmarketv1.SearchOffersRequest) (*techmarketv1.SearchOffersResponse, error) {
	s.mu.Lock()
	s.requests = append(s.requests, proto.CloneOf(req))
	s.mu.Unlock()
	start := 0
	if req.GetPageToken() != "" {
		start, _ = strconv.Atoi(strings.TrimPrefix(req.GetPageToken(), "at-"))
	}
	resp := &techmarketv1.SearchOffersResponse{
		TotalSize: int64(s.total),
		// Facets that tell the pages apart: only the first page's are shown.
		Facets: []*techmarketv1.Facet{{Field: "industry", Counts: []*techmarketv1.FacetCount{{Value: fmt.Sprintf("page-from-%d", start), Count: int64(s.total)}}}},
	}
	end := min(start+s.perPage, s.total)
	for i := start; i < end; i++ {
		resp.Hits = append(resp.Hits, &techmarketv1.SearchHit{Name: fmt.Sprintf("offers/o%d", i), ExternalId: fmt.Sprint(i), Title: fmt.Sprintf("title %d", i), Score: 1 / float64(i+1), Snippet: "【焦炉】"})
	}
	if end < s.total {
		resp.NextPageToken = fmt.Sprintf("at-%d", end)
	}
	return resp, nil
}

// searchCLI is a test CLI whose calls reach srv.
func searchCLI(t *testing.T, srv techmarketv1.MatchServiceServer) *testCLI {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	gs := grpc.NewServer()
	techmarketv1.RegisterMatchServiceServer(gs, srv)
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	c := newTestCLI(nil)
	c.dialOptions = []client.Option{client.WithDialOptions(grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return lis.DialContext(ctx)
	}))}
	return c
}

func TestSearchPaging(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		total     int
		args      []string
		hits      int
		pageSize  int32
		requests  int
		truncated bool // a note on stderr that there are more
	}{
		{"default limit over pages", 45, nil, 20, 20, 3, true},
		{"limit within the first page", 45, []string{"--limit", "5"}, 5, 5, 1, true},
		{"limit at a page's end asks no further", 45, []string{"--limit", "16"}, 16, 16, 2, true},
		{"every page up to the limit", 45, []string{"--limit", "500"}, 45, 100, 6, false},
		{"fewer than the limit", 7, nil, 7, 20, 1, false},
		{"nothing found", 0, nil, 0, 20, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := &pagingServer{total: tc.total, perPage: 8}
			c := searchCLI(t, srv)
			args := append([]string{"search", "offers", "焦炉", "余热", "--facets", "--industry", "coal-chemical", "--mode", "license", "--min-trl", "4"}, tc.args...)
			if code := c.run(t.Context(), args); code != exitOK {
				t.Fatalf("exit %d: %s", code, c.err.String())
			}
			out := c.out.String()
			hitText, facetText, _ := strings.Cut(out, "\n\n")
			if tc.hits == 0 {
				hitText, facetText = "", out
			}
			hits := strings.Split(strings.TrimSuffix(hitText, "\n"), "\n")
			if hitText == "" {
				hits = nil
			}
			if len(hits) != tc.hits {
				t.Fatalf("%d hits, want %d:\n%s", len(hits), tc.hits, out)
			}
			for i, h := range hits {
				if want := fmt.Sprintf("offers/o%d\t%.3f\ttitle %d\t【焦炉】", i, 1/float64(i+1), i); h != want {
					t.Errorf("hit %d: %q, want %q", i, h, want)
				}
			}
			if want := fmt.Sprintf("industry: page-from-0 %d\n", tc.total); facetText != want {
				t.Errorf("facets %q, want %q (the first page's)", facetText, want)
			}
			if got := strings.Contains(c.err.String(), fmt.Sprintf("showing %d of %d offers", tc.hits, tc.total)); got != tc.truncated {
				t.Errorf("stderr %q; a note on more hits: %v, want %v", c.err.String(), got, tc.truncated)
			}

			srv.mu.Lock()
			defer srv.mu.Unlock()
			if len(srv.requests) != tc.requests {
				t.Errorf("%d requests, want %d", len(srv.requests), tc.requests)
			}
			for i, req := range srv.requests {
				want := &techmarketv1.SearchOffersRequest{
					Query:    "焦炉 余热",
					PageSize: tc.pageSize,
					Filters: &techmarketv1.SearchFilters{
						Industries:    []string{"coal-chemical"},
						TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE},
						MinTrl:        4,
					},
				}
				if i > 0 {
					want.PageToken = fmt.Sprintf("at-%d", 8*i)
				}
				if !proto.Equal(req, want) {
					t.Errorf("request %d: %v, want %v", i, req, want)
				}
			}
		})
	}
}

func TestSearchJSONFacets(t *testing.T) {
	t.Parallel()
	c := searchCLI(t, &pagingServer{total: 3, perPage: 8})
	if code := c.run(t.Context(), []string{"search", "offers", "--json", "--facets"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, c.err.String())
	}
	lines := strings.Split(strings.TrimSpace(c.out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 3 hits and a facet:\n%s", len(lines), c.out.String())
	}
	var hit struct{ Name, ExternalID, Title string }
	if err := json.Unmarshal([]byte(lines[0]), &hit); err != nil || hit.Name != "offers/o0" || hit.ExternalID != "0" || hit.Title != "title 0" {
		t.Errorf("hit line %q: %+v %v", lines[0], hit, err)
	}
	var facet struct {
		Field  string
		Counts []struct{ Value, Count string }
	}
	if err := json.Unmarshal([]byte(lines[3]), &facet); err != nil || facet.Field != "industry" || len(facet.Counts) != 1 {
		t.Errorf("facet line %q: %+v %v", lines[3], facet, err)
	}
	if c.err.Len() > 0 {
		t.Errorf("--json wrote to stderr: %s", c.err.String())
	}
}

func TestCLISearch(t *testing.T) {
	e, cokeOffer, demand := startMarket(t)

	code, out, errOut := e.run("", "search", "offers", "焦炉", "--json")
	if code != 0 {
		t.Fatalf("search offers 焦炉: exit %d: %s", code, errOut)
	}
	var hits []struct {
		Name, ExternalID, Title, Snippet string
		Score                            float64
	}
	for line := range strings.Lines(out) {
		var h struct {
			Name, ExternalID, Title, Snippet string
			Score                            float64
		}
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			t.Fatalf("search --json line %q: %v", line, err)
		}
		hits = append(hits, h)
	}
	if len(hits) == 0 || hits[0].Name != cokeOffer || hits[0].ExternalID != "o-coke" || hits[0].Title == "" {
		t.Fatalf("search offers 焦炉 --json: %+v; want %s first", hits, cokeOffer)
	}

	code, out, errOut = e.run("", "search", "demands", "上升管", "余热", "--facets")
	if code != 0 {
		t.Fatalf("search demands: exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, demand+"\t") || !strings.Contains(out, "\n\nindustry: coal-chemical 1") || !strings.Contains(out, "\nregion: wuhai 1") {
		t.Errorf("search demands --facets:\n%s", out)
	}

	// Filters: by industry the grape offer alone, by TRL nothing.
	code, out, _ = e.run("", "search", "offers", "--industry", "agriculture", "--industry", "water")
	if rows := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(rows) != 1 || !strings.Contains(rows[0], "葡萄标准化种植技术") {
		t.Errorf("search offers --industry agriculture: exit %d\n%s", code, out)
	}
	code, out, errOut = e.run("", "search", "offers", "焦炉", "--max-trl", "3")
	if code != 0 || out != "" || !strings.Contains(errOut, "no offers found") {
		t.Errorf("search offers --max-trl 3: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = e.run("", "search", "offers", "--limit", "2")
	if rows := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(rows) != 2 {
		t.Errorf("search offers --limit 2: exit %d\n%s", code, out)
	}

	// The server checks industry codes.
	code, _, errOut = e.run("", "search", "offers", "--industry", "mining-on-mars")
	if code != exitError || !strings.Contains(errOut, "filters.industries[0]") {
		t.Errorf("unknown industry: exit %d, %q", code, errOut)
	}
}

// TestCLISearchPages walks the real server's pages: more offers than one
// page holds, each once.
func TestCLISearchPages(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the development offers")
	}
	e := e2e{t, startEnvWithDevOffers(t)}
	code, out, errOut := e.run("", "search", "offers", "--limit", "150", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var names []string
	for line := range strings.Lines(out) {
		var h struct{ Name string }
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		names = append(names, h.Name)
	}
	if len(names) != 150 {
		t.Fatalf("%d hits, want 150 over two pages", len(names))
	}
	slices.Sort(names)
	if d := slices.Compact(names); len(d) != 150 {
		t.Errorf("%d distinct offers in 150 hits", len(d))
	}
}

// startEnvWithDevOffers runs a marketplace with the 233 development offers.
func startEnvWithDevOffers(t *testing.T) *testutil.Env {
	t.Helper()
	env := testutil.Start(t)
	e := e2e{t, env}
	if code, out, errOut := e.run(env.Token("operator", "运营中心"), "import", devFile(t, "offers.jsonl")); code != 0 {
		t.Fatalf("import: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	return env
}
