package client_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// importServer answers every batch at once. A line's outcome follows its
// text: "bad" is rejected, "upd" updated, "same" unchanged, anything else
// taken.
type importServer struct {
	techmarketv1.UnimplementedImportServiceServer
	failAfter int // answer this many batches, then fail the stream; 0 never fails
	reason    string
	short     bool // answer each batch with one result too few

	mu      sync.Mutex
	draft   bool
	batches [][]*techmarketv1.ImportLine
}

func (s *importServer) ImportListings(stream techmarketv1.ImportService_ImportListingsServer) error {
	for i := 0; ; i++ {
		req, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if s.failAfter > 0 && i == s.failAfter {
			return status.Error(codes.Unavailable, "disk full")
		}
		s.mu.Lock()
		if i == 0 {
			s.draft = req.GetDraft()
		}
		s.batches = append(s.batches, req.GetLines())
		s.mu.Unlock()

		resp := &techmarketv1.ImportListingsResponse{}
		for _, l := range req.GetLines() {
			res := &techmarketv1.ImportResult{Number: l.GetNumber(), Name: fmt.Sprintf("offers/%d", l.GetNumber())}
			switch text := l.GetText(); {
			case !strings.HasPrefix(text, "{"):
				res = &techmarketv1.ImportResult{Number: l.GetNumber(), Outcome: techmarketv1.ImportOutcome_IMPORT_OUTCOME_REJECTED, Reason: fmt.Sprintf("not JSON: %q", text)}
			case strings.Contains(text, "bad"):
				res = &techmarketv1.ImportResult{Number: l.GetNumber(), Outcome: techmarketv1.ImportOutcome_IMPORT_OUTCOME_REJECTED, Field: "title", Reason: "must not be empty" + s.reason}
			case strings.Contains(text, "upd"):
				res.Outcome = techmarketv1.ImportOutcome_IMPORT_OUTCOME_UPDATED
			case strings.Contains(text, "same"):
				res.Outcome = techmarketv1.ImportOutcome_IMPORT_OUTCOME_UNCHANGED
			default:
				res.Outcome = techmarketv1.ImportOutcome_IMPORT_OUTCOME_TAKEN
			}
			resp.Results = append(resp.Results, res)
		}
		if s.short {
			resp.Results = resp.Results[1:]
		}
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}

func (s *importServer) lineNumbers() [][]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][]int64
	for _, b := range s.batches {
		var ns []int64
		for _, l := range b {
			ns = append(ns, l.GetNumber())
		}
		out = append(out, ns)
	}
	return out
}

func serveImport(t *testing.T, srv *importServer) *client.Client {
	return serve(t, func(s *grpc.Server) { techmarketv1.RegisterImportServiceServer(s, srv) })
}

func TestImport(t *testing.T) {
	t.Parallel()
	srv := &importServer{}
	c := serveImport(t, srv)
	input := strings.Join([]string{
		"\xef\xbb\xbf{\"n\":1}\r", // 1 taken; the BOM and CR must not reach the server
		"",                        // 2 blank
		`{"upd":1}`,               // 3 updated
		"  \t",                    // 4 blank
		`{"bad":1}`,               // 5 rejected by the server
		strings.Repeat("x", client.MaxLineBytes+1), // 6 rejected before sending
		`{"same":1}`, // 7 unchanged
		`{"n":2}`,    // 8 taken, without a final newline
	}, "\n")

	var progress []client.ImportProgress
	var answers []string
	sum, err := c.Import(t.Context(), strings.NewReader(input), client.ImportOptions{
		Draft:     true,
		BatchSize: 2,
		Progress:  func(p client.ImportProgress) { progress = append(progress, p) },
		Result: func(r *techmarketv1.ImportResult) {
			answers = append(answers, fmt.Sprintf("%d:%s", r.GetNumber(), strings.TrimPrefix(r.GetOutcome().String(), "IMPORT_OUTCOME_")))
		},
	})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}

	if got, want := fmt.Sprint(srv.lineNumbers()), "[[1 3] [5 7] [8]]"; got != want {
		t.Errorf("batches sent %s, want %s", got, want)
	}
	// Every line sent is answered, in order; the line refused locally was
	// never sent.
	if got, want := strings.Join(answers, " "), "1:TAKEN 3:UPDATED 5:REJECTED 7:UNCHANGED 8:TAKEN"; got != want {
		t.Errorf("results %s, want %s", got, want)
	}
	if first := srv.batches[0][0].GetText(); first != `{"n":1}` {
		t.Errorf("line 1 sent as %q, want it without BOM and CR", first)
	}
	if !srv.draft {
		t.Error("draft was not sent on the first batch")
	}
	rejected := techmarketv1.ImportOutcome_IMPORT_OUTCOME_REJECTED
	want := client.ImportSummary{
		Lines: 8, Taken: 2, Updated: 1, Unchanged: 1, Rejected: 2,
		RejectedLines: []*techmarketv1.ImportResult{
			{Number: 5, Outcome: rejected, Field: "title", Reason: "must not be empty"},
			{Number: 6, Outcome: rejected, Reason: fmt.Sprintf("the line is %d bytes long, more than the 1 MiB (%d bytes) a line may have; shorten its text", client.MaxLineBytes+1, client.MaxLineBytes)},
		},
	}
	if diff := cmp.Diff(want, sum, protocmp.Transform()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	// Lines are settled batch by batch, blank and too-long lines with the
	// batch before the next sent line.
	// How far Sent has got depends on timing; Answered does not.
	var answered []int
	for _, p := range progress {
		answered = append(answered, p.Answered)
		if p.Sent < p.Answered {
			t.Errorf("progress %+v: more answered than sent", p)
		}
	}
	if got, want := fmt.Sprint(answered), "[4 7 8]"; got != want {
		t.Errorf("progress answered %s, want %s", got, want)
	}
	if last := progress[len(progress)-1]; last.Sent != 8 {
		t.Errorf("last progress %+v, want all 8 lines sent", last)
	}
}

func TestImportOnlyLocalLines(t *testing.T) {
	t.Parallel()
	c := serveImport(t, &importServer{})
	var progress []client.ImportProgress
	sum, err := c.Import(t.Context(), strings.NewReader("\n\n  \n"), client.ImportOptions{
		Progress: func(p client.ImportProgress) { progress = append(progress, p) },
	})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if sum.Lines != 3 || sum.Taken+sum.Rejected != 0 {
		t.Errorf("summary %+v, want 3 blank lines and nothing else", sum)
	}
	if len(progress) != 1 || progress[0].Answered != 3 {
		t.Errorf("progress %v, want one call with all 3 lines answered", progress)
	}
}

func TestImportServerFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		srv  *importServer
		want string
	}{
		{"error mid-stream", &importServer{failAfter: 2}, "unavailable: disk full"},
		{"wrong answer", &importServer{short: true}, "answered a batch of 5 lines with 4 results"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := serveImport(t, tc.srv)
			sum, err := c.Import(t.Context(), strings.NewReader(lines(200)), client.ImportOptions{BatchSize: 5})
			if err == nil {
				t.Fatal("Import succeeded, want an error")
			}
			if got := client.Describe(err); !strings.Contains(got, tc.want) {
				t.Errorf("error %q, want it to say %q", got, tc.want)
			}
			if tc.srv.failAfter > 0 && sum.Taken != 10 {
				t.Errorf("summary %+v, want the 10 lines of the 2 answered batches taken", sum)
			}
		})
	}
}

// TestImportNoDeadlock sends many small batches whose answers are larger
// than the lines: a client that read answers only after sending would fill
// the flow-control windows both ways and hang.
func TestImportNoDeadlock(t *testing.T) {
	t.Parallel()
	c := serveImport(t, &importServer{reason: strings.Repeat("!", 2000)})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	const n = 10000
	input := strings.ReplaceAll(lines(n), "{", `{"bad":`)
	calls, last := 0, client.ImportProgress{}
	sum, err := c.Import(ctx, strings.NewReader(input), client.ImportOptions{
		BatchSize: 7,
		Progress:  func(p client.ImportProgress) { calls++; last = p },
	})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if sum.Rejected != n || len(sum.RejectedLines) != n {
		t.Errorf("rejected %d (%d reasons), want %d", sum.Rejected, len(sum.RejectedLines), n)
	}
	if want := (n + 6) / 7; calls != want {
		t.Errorf("progress called %d times, want once per batch: %d", calls, want)
	}
	if last.Answered != n || last.Sent != n {
		t.Errorf("last progress %+v, want all %d lines sent and answered", last, n)
	}
}

// lines makes n distinct interchange-looking lines.
func lines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "{\"externalId\":\"x%d\"}\n", i)
	}
	return b.String()
}
