package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestMain fails the package if any goroutine outlives its tests: the
// in-process server, its clients and watch streams must all be stopped.
func TestMain(m *testing.M) { testutil.VerifyNoLeaks(m) }

// TestLoad runs the whole command for three seconds with two clients (one
// agency, one enterprise) against its in-process server.
func TestLoad(t *testing.T) {
	var stdout bytes.Buffer
	var stderr lockedBuffer
	code := run(t.Context(), []string{"--duration", "3s", "--clients", "2", "--seed", "7", "--json"}, &stdout, &stderr)
	if code != 0 {
		t.Errorf("exit status %d; stderr:\n%s\nstdout:\n%s", code, stderr.String(), stdout.String())
	}

	var rep report
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("the JSON report does not parse: %v", err)
	}
	if dec.More() {
		t.Error("more than one JSON value on stdout")
	}
	if !rep.OK || rep.Errors != 0 {
		t.Errorf("errors besides rate limiting: %d, total by code %v", rep.Errors, rep.Total.ErrorsByCode)
	}
	if rep.Clients != 2 || rep.Agencies != 1 || rep.Enterprises != 1 || !rep.InProcess || rep.Seed != 7 {
		t.Errorf("report header = %+v", rep)
	}
	if len(rep.Calls) != int(numCallTypes) {
		t.Fatalf("%d call types in the report, want %d", len(rep.Calls), numCallTypes)
	}
	for i, c := range rep.Calls {
		if c.Type != callType(i).String() {
			t.Errorf("call %d is %q, want %q", i, c.Type, callType(i))
		}
		if c.Count < 1 {
			t.Errorf("%s never ran", c.Type)
		}
		if c.Errors != 0 {
			t.Errorf("%s: %d errors: %v", c.Type, c.Errors, c.ErrorsByCode)
		}
		if c.Count > 0 && (c.P50Ms <= 0 || c.P50Ms > c.P99Ms || c.P99Ms > c.MaxMs) {
			t.Errorf("%s: latencies p50 %v, p99 %v, max %v out of order", c.Type, c.P50Ms, c.P99Ms, c.MaxMs)
		}
	}
	if rep.Imports.Lines < importBatch || rep.Imports.Rejected != 0 {
		t.Errorf("imports = %+v, want at least one batch and nothing rejected", rep.Imports)
	}
	if rep.Alerts.Streams < 1 {
		t.Errorf("alerts = %+v, want the enterprise's stream", rep.Alerts)
	}
	if m := rep.Memory; m == nil || m.First == nil || m.End == nil || m.End.HeapInuseBytes == 0 || m.HeapRatio <= 0 {
		t.Errorf("memory = %+v, want both samples of the in-process server", m)
	}

	var text bytes.Buffer
	rep.writeText(&text)
	for _, want := range append(callNames[:], "total", "rate-limited", "heap in use", "RSS", "result: OK") {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the report does not mention %q:\n%s", want, text.String())
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", text.String())
	}
}

// TestInterrupt cancels a long run as soon as its first progress line
// appears, as Ctrl-C would: the run must end at once with a report.
func TestInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	progress := &cancelOn{substr: "calls/s", cancel: cancel}
	cfg := config{clients: 1, duration: time.Hour, seed: 1, progressEvery: 50 * time.Millisecond}
	rep, err := execute(ctx, cfg, progress)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || rep.Elapsed > 600 {
		t.Errorf("interrupted %v after %.1fs; want a prompt end", rep.Interrupted, rep.Elapsed)
	}
	var text bytes.Buffer
	rep.writeText(&text)
	if !strings.Contains(text.String(), "interrupted") {
		t.Errorf("the report does not say the run was interrupted:\n%s", text.String())
	}
}

func TestArgs(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--clients", "0"}, "--clients must be at least 1"},
		{[]string{"--duration", "0s"}, "--duration must be positive"},
		{[]string{"--addr", "127.0.0.1:1"}, "--addr needs --token"},
		{[]string{"--token", "tmk_x"}, "--token goes with --addr"},
		{[]string{"--addr", "127.0.0.1:1", "--token", "t", "--data", "d"}, "--data is for the in-process server"},
		{[]string{"--addr", "127.0.0.1:1", "--token", "t", "--heap-profile", "p"}, "--heap-profile is for the in-process server"},
		{[]string{"--seed", "x"}, "--seed must be a whole number"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--nope"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), tt.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("run(%q) = %d, stderr %q; want 2 and %q", tt.args, code, stderr.String(), tt.want)
		}
	}
	cfg, err := parseArgs(nil, &bytes.Buffer{})
	if err != nil || cfg.duration != time.Minute || cfg.clients < 2 || cfg.addr != "" {
		t.Errorf("defaults = %+v, %v", cfg, err)
	}
}

func TestHistogram(t *testing.T) {
	// Buckets are contiguous and each value falls in its own bucket.
	for i := 1; i < numBuckets; i++ {
		lo, w := bucketRange(i - 1)
		next, _ := bucketRange(i)
		if lo+w != next {
			t.Fatalf("bucket %d ends at %d, bucket %d starts at %d", i-1, lo+w, i, next)
		}
	}
	for _, us := range []uint64{0, 1, 255, 256, 257, 1000, 12345, 999_999, 1 << 39, maxMicros} {
		lo, w := bucketRange(bucketOf(us))
		if us < lo || us >= lo+w {
			t.Errorf("%d µs in bucket [%d, %d)", us, lo, lo+w)
		}
		if w > 1 && float64(w)/float64(lo) > 1.0/64 {
			t.Errorf("bucket of %d µs is %d wide: too coarse", us, w)
		}
	}
	var h histogram
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		h.record(time.Duration(1+rng.IntN(100_000)) * time.Microsecond) // uniform up to 100 ms
	}
	counts, n, largest := h.snapshot()
	for _, q := range []float64{0.5, 0.99} {
		got := quantile(counts[:], n, largest, q)
		want := time.Duration(q * float64(100*time.Millisecond))
		if diff := got - want; diff < -2*time.Millisecond || diff > 2*time.Millisecond {
			t.Errorf("p%.0f = %v, want about %v", q*100, got, want)
		}
	}
	if got := quantile(counts[:], n, largest, 1); got != largest {
		t.Errorf("p100 = %v, want the max %v", got, largest)
	}
}

func TestRecorder(t *testing.T) {
	r := newRecorder()
	refused := status.New(codes.ResourceExhausted, "slow down")
	refused, _ = refused.WithDetails(&techmarketv1.ImportResult{}) // any detail; no RetryInfo
	cases := []struct {
		err  error
		want outcome
	}{
		{nil, outcomeOK},
		{refused.Err(), outcomeRefused},
		{status.Error(codes.Unavailable, "down"), outcomeError},
		{errors.New("not a status"), outcomeError},
	}
	for _, c := range cases {
		if got := r.record(callGetOffer, time.Millisecond, c.err); got != c.want {
			t.Errorf("record(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	r.recordExtra(callImport, rejectedLines, 2)
	calls, errs, ref := r.totals()
	if calls != 5 || errs != 4 || ref != 1 {
		t.Errorf("totals = %d calls, %d errors, %d refused; want 5, 4, 1", calls, errs, ref)
	}
	if got := r.stats[callGetOffer].errorsByCode(); got["Unavailable"] != 1 || got["Unknown"] != 1 {
		t.Errorf("errors by code = %v", got)
	}
	if d := retryDelay(refused.Err()); d != 100*time.Millisecond {
		t.Errorf("retry delay without RetryInfo = %v", d)
	}
}

func TestVariants(t *testing.T) {
	v, err := loadVocab("")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	now := time.Now()
	for i := range 200 {
		o, err := v.offer(rng, "o", now)
		if err != nil {
			t.Fatalf("offer %d: %v", i, err)
		}
		d, err := v.demand(rng, "d", now)
		if err != nil {
			t.Fatalf("demand %d: %v", i, err)
		}
		for _, l := range []listing.Listing{o, d} {
			if vs := listing.Validate(l); len(vs) > 0 {
				t.Fatalf("generated %q is not valid: %v", l.GetTitle(), vs)
			}
		}
	}
	// The same generator state writes the same line.
	a := v.variant(rand.New(rand.NewPCG(5, 1)), "demand", "x", now)
	b := v.variant(rand.New(rand.NewPCG(5, 1)), "demand", "x", now)
	if !bytes.Equal(a, b) {
		t.Errorf("variants differ:\n%s\n%s", a, b)
	}
}

// lockedBuffer is a bytes.Buffer for writers on several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// cancelOn cancels when substr is written.
type cancelOn struct {
	lockedBuffer
	substr string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	n, err := c.lockedBuffer.Write(p)
	if strings.Contains(c.lockedBuffer.String(), c.substr) {
		c.cancel()
	}
	return n, err
}
