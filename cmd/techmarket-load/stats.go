package main

import (
	"fmt"
	"math"
	"math/bits"
	"os"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/internal/procmem"
)

// The latency histogram has fixed buckets in microseconds, HDR style: exact
// below 256 µs, then 128 buckets per doubling, so any value is reported
// within 0.4% (half a bucket) of the truth whatever the run's length. One
// histogram is 4,352 counters (34 KiB), so the load side of the process
// does not grow with the number of calls and does not disturb the memory
// figures of the in-process server.
const (
	subBits     = 7
	subBuckets  = 1 << subBits
	maxMicros   = 1<<40 - 1       // about 12.7 days; longer calls are counted here
	numBuckets  = subBuckets * 34 // enough for maxMicros
	numCodes    = int(codes.Unauthenticated) + 1
	maxRetryGap = 2 * time.Second
)

// bucketOf maps a latency in microseconds to its bucket.
func bucketOf(us uint64) int {
	us = min(us, maxMicros)
	if us < 2*subBuckets {
		return int(us)
	}
	e := bits.Len64(us) - subBits - 1
	return subBuckets*e + int(us>>e)
}

// bucketRange is the lowest value of bucket i and its width, in µs.
func bucketRange(i int) (lower, width uint64) {
	if i < 2*subBuckets {
		return uint64(i), 1
	}
	e := i/subBuckets - 1
	m := uint64(i - subBuckets*e)
	return m << e, 1 << e
}

// histogram counts latencies; it is safe for concurrent use.
type histogram struct {
	counts [numBuckets]atomic.Uint64
	maxNs  atomic.Int64
}

func (h *histogram) record(d time.Duration) {
	h.counts[bucketOf(uint64(max(d.Microseconds(), 0)))].Add(1)
	for {
		cur := h.maxNs.Load()
		if int64(d) <= cur || h.maxNs.CompareAndSwap(cur, int64(d)) {
			return
		}
	}
}

// snapshot copies the counts, for reading once recording has stopped.
func (h *histogram) snapshot() (counts [numBuckets]uint64, n uint64, largest time.Duration) {
	for i := range h.counts {
		counts[i] = h.counts[i].Load()
		n += counts[i]
	}
	return counts, n, h.max()
}

// quantile returns the latency below which a fraction q of the n calls
// counted fell: the middle of the bucket holding the ⌈q·n⌉-th call, never
// above the largest latency seen.
func quantile(counts []uint64, n uint64, largest time.Duration, q float64) time.Duration {
	if n == 0 {
		return 0
	}
	rank := max(1, min(uint64(math.Ceil(q*float64(n))), n))
	var seen uint64
	for i, c := range counts {
		if seen += c; seen >= rank {
			lower, width := bucketRange(i)
			d := time.Duration(lower) * time.Microsecond
			if width > 1 {
				d += time.Duration(width) * time.Microsecond / 2
			}
			return min(d, largest)
		}
	}
	return largest
}

func (h *histogram) max() time.Duration { return time.Duration(h.maxNs.Load()) }

// callStats are the figures of one call type.
type callStats struct {
	lat     histogram                // every call that was served, failed or not
	ok      atomic.Int64             // calls that succeeded
	refused atomic.Int64             // ResourceExhausted: deliberate rate limiting
	errs    [numCodes]atomic.Int64   // failures by gRPC code
	extra   map[string]*atomic.Int64 // failures that are not a status, by kind; fixed at start
}

// calls counts the calls served (not refused).
func (s *callStats) calls() int64 { return s.ok.Load() + s.errors() }

// errors counts the failures.
func (s *callStats) errors() int64 {
	var n int64
	for i := range s.errs {
		n += s.errs[i].Load()
	}
	for _, c := range s.extra {
		n += c.Load()
	}
	return n
}

// errorsByCode names each kind of failure with its count.
func (s *callStats) errorsByCode() map[string]int64 {
	m := map[string]int64{}
	for i := range s.errs {
		if n := s.errs[i].Load(); n > 0 {
			m[codes.Code(i).String()] = n
		}
	}
	for k, c := range s.extra {
		if n := c.Load(); n > 0 {
			m[k] = n
		}
	}
	return m
}

// recorder holds the figures of a whole run.
type recorder struct {
	stats [numCallTypes]callStats

	alerts        atomic.Int64 // alerts received on watch streams
	matchAlerts   atomic.Int64
	importLines   atomic.Int64
	importTaken   atomic.Int64
	importUpdated atomic.Int64
	importSame    atomic.Int64
	importReject  atomic.Int64
}

func newRecorder() *recorder {
	r := &recorder{}
	r.stats[callImport].extra = map[string]*atomic.Int64{rejectedLines: new(atomic.Int64)}
	return r
}

// rejectedLines counts import lines the server rejected: the load
// generator writes only valid lines, so each is a failure.
const rejectedLines = "RejectedLine"

// outcome is what record made of a call.
type outcome int

const (
	outcomeOK outcome = iota
	outcomeError
	outcomeRefused
)

// record files one call. A refusal by rate limiting is counted apart and
// has no latency, since the server did no work for it.
func (r *recorder) record(t callType, d time.Duration, err error) outcome {
	s := &r.stats[t]
	if err == nil {
		s.lat.record(d)
		s.ok.Add(1)
		return outcomeOK
	}
	code := status.Code(err)
	if code == codes.ResourceExhausted {
		s.refused.Add(1)
		return outcomeRefused
	}
	s.lat.record(d)
	s.errs[code].Add(1)
	return outcomeError
}

// recordExtra files a failure that is not a gRPC status, such as a
// rejected import line.
func (r *recorder) recordExtra(t callType, kind string, n int64) {
	if c, ok := r.stats[t].extra[kind]; ok {
		c.Add(n)
	}
}

// totals sums every call type: calls served, errors, refusals.
func (r *recorder) totals() (calls, errs, refused int64) {
	for i := range r.stats {
		calls += r.stats[i].calls()
		errs += r.stats[i].errors()
		refused += r.stats[i].refused.Load()
	}
	return calls, errs, refused
}

// retryDelay is how long the server asked a refused caller to wait
// (RetryInfo), within reason; 100 ms when it did not say.
func retryDelay(err error) time.Duration {
	d, ok := client.RetryDelay(err)
	if !ok {
		d = 100 * time.Millisecond
	}
	return max(time.Millisecond, min(d, maxRetryGap))
}

// memSample is the process's memory at one moment.
type memSample struct {
	At        time.Duration // since the load started
	HeapInuse uint64        // runtime.MemStats.HeapInuse right after a collection
	HeapAlloc uint64        // live heap right after a collection
	RSS       uint64        // VmRSS; 0 where /proc is missing
	PeakRSS   uint64        // VmHWM; 0 where /proc is missing
	// RSS splits into anonymous memory (the heap, stacks, the runtime's
	// spare pages) and file-backed pages: bleve maps its segment files,
	// so the pages of an index that grows during the run count as RSS
	// although the kernel may drop them at any time.
	RSSAnon, RSSFile uint64
	// ProfileErr is the failure to write the heap profile asked for.
	ProfileErr error
}

// sampleMemory collects garbage first, so that the heap figures are what
// is live rather than what the collector has not reached yet.
// When profile is not empty it also writes a heap profile there.
func sampleMemory(at time.Duration, profile string) memSample {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p, _ := procmem.Self() // zeros where /proc cannot be read
	s := memSample{At: at, HeapInuse: ms.HeapInuse, HeapAlloc: ms.HeapAlloc, RSS: p.RSS, PeakRSS: p.Peak, RSSAnon: p.Anon, RSSFile: p.File}
	if profile != "" {
		s.ProfileErr = writeHeapProfile(profile)
	}
	return s
}

// startCPUProfile profiles the process into path until the returned stop.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
