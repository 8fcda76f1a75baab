package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// report is what a run found; it renders as a table or as JSON.
type report struct {
	Target       string  `json:"target"`
	InProcess    bool    `json:"in_process"`
	Clients      int     `json:"clients"`
	Agencies     int     `json:"agencies"`
	Enterprises  int     `json:"enterprises"`
	Seed         uint64  `json:"seed"`
	Requested    string  `json:"duration"`
	Elapsed      float64 `json:"elapsed_seconds"` // warm-up included
	Warmup       float64 `json:"warmup_seconds"`  // until every client had made each of its kinds of call once
	Interrupted  bool    `json:"interrupted"`
	Mix          string  `json:"mix"`
	StartOffers  int     `json:"offers_at_start"`
	StartDemands int     `json:"demands_at_start"`

	Calls []callReport `json:"calls"`
	Total callReport   `json:"total"`
	// RateLimited counts calls refused with ResourceExhausted: the
	// server's per-caller limits at work, not errors.
	RateLimited int64 `json:"rate_limited"`
	// Errors counts every other failure.
	Errors int64 `json:"errors"`

	Imports importReport  `json:"imports"`
	Alerts  alertReport   `json:"alerts"`
	Memory  *memoryReport `json:"memory,omitempty"`
	// OK is true when no call failed other than by rate limiting.
	OK bool `json:"ok"`
}

type callReport struct {
	Type         string           `json:"type"`
	Count        int64            `json:"count"` // calls served, failed ones included, refused ones not
	PerSecond    float64          `json:"per_second"`
	P50Ms        float64          `json:"p50_ms"`
	P99Ms        float64          `json:"p99_ms"`
	MaxMs        float64          `json:"max_ms"`
	RateLimited  int64            `json:"rate_limited"`
	Errors       int64            `json:"errors"`
	ErrorsByCode map[string]int64 `json:"errors_by_code,omitempty"`
}

type importReport struct {
	Lines     int64 `json:"lines"`
	Taken     int64 `json:"taken"`
	Updated   int64 `json:"updated"`
	Unchanged int64 `json:"unchanged"`
	Rejected  int64 `json:"rejected"`
}

type alertReport struct {
	Received int64 `json:"received"`
	Match    int64 `json:"match"`
	Streams  int64 `json:"streams"`
}

type memoryReport struct {
	// First is taken after the first minute, or a fifth of the run when
	// that is shorter; nil when the run ended before.
	First *memJSON `json:"first,omitempty"`
	End   *memJSON `json:"end"`
	// Ratios are end / first.
	HeapRatio    float64 `json:"heap_ratio,omitempty"`
	RSSRatio     float64 `json:"rss_ratio,omitempty"`
	RSSAnonRatio float64 `json:"rss_anon_ratio,omitempty"`
	// Within10 says whether the end is at most 10% above the first sample,
	// for the heap, for all of RSS and for its anonymous part: the
	// project's acceptance. RSS as a whole also holds the mapped pages of
	// index files that grow with the listings the run adds.
	HeapWithin10    *bool  `json:"heap_within_10_percent,omitempty"`
	RSSWithin10     *bool  `json:"rss_within_10_percent,omitempty"`
	RSSAnonWithin10 *bool  `json:"rss_anon_within_10_percent,omitempty"`
	Note            string `json:"note"`
}

type memJSON struct {
	AtSeconds      float64 `json:"at_seconds"`
	HeapInuseBytes uint64  `json:"heap_inuse_bytes"`
	HeapAllocBytes uint64  `json:"heap_alloc_bytes"`
	RSSBytes       uint64  `json:"rss_bytes"`
	RSSAnonBytes   uint64  `json:"rss_anon_bytes"`
	RSSFileBytes   uint64  `json:"rss_file_bytes"`
	PeakRSSBytes   uint64  `json:"peak_rss_bytes"`
}

const memoryNote = "one process: the in-process server and the load clients (whose share is fixed: histograms and bounded name pools); heap in use is read right after a forced collection, RSS from /proc/self/status"

func toJSON(s *memSample) *memJSON {
	if s == nil {
		return nil
	}
	return &memJSON{AtSeconds: s.At.Seconds(), HeapInuseBytes: s.HeapInuse, HeapAllocBytes: s.HeapAlloc, RSSBytes: s.RSS, RSSAnonBytes: s.RSSAnon, RSSFileBytes: s.RSSFile, PeakRSSBytes: s.PeakRSS}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fill computes the report's figures from what the run recorded.
func (r *report) fill(rec *recorder, elapsed time.Duration, first, last *memSample, sh *shared) {
	r.Elapsed = elapsed.Seconds()
	secs := max(elapsed.Seconds(), 1e-9)
	var total [numBuckets]uint64
	var totalN uint64
	var totalMax time.Duration
	r.Total = callReport{Type: "total", ErrorsByCode: map[string]int64{}}
	for t := range numCallTypes {
		s := &rec.stats[t]
		counts, n, mx := s.lat.snapshot()
		for i, c := range counts {
			total[i] += c
		}
		totalN += n
		totalMax = max(totalMax, mx)
		cr := callReport{
			Type:         t.String(),
			Count:        s.calls(),
			PerSecond:    float64(s.calls()) / secs,
			P50Ms:        ms(quantile(counts[:], n, mx, 0.50)),
			P99Ms:        ms(quantile(counts[:], n, mx, 0.99)),
			MaxMs:        ms(mx),
			RateLimited:  s.refused.Load(),
			Errors:       s.errors(),
			ErrorsByCode: s.errorsByCode(),
		}
		if len(cr.ErrorsByCode) == 0 {
			cr.ErrorsByCode = nil
		}
		r.Calls = append(r.Calls, cr)
		r.Total.Count += cr.Count
		r.Total.RateLimited += cr.RateLimited
		r.Total.Errors += cr.Errors
		for k, v := range cr.ErrorsByCode {
			r.Total.ErrorsByCode[k] += v
		}
	}
	if len(r.Total.ErrorsByCode) == 0 {
		r.Total.ErrorsByCode = nil
	}
	r.Total.PerSecond = float64(r.Total.Count) / secs
	r.Total.P50Ms = ms(quantile(total[:], totalN, totalMax, 0.50))
	r.Total.P99Ms = ms(quantile(total[:], totalN, totalMax, 0.99))
	r.Total.MaxMs = ms(totalMax)
	r.RateLimited = r.Total.RateLimited
	r.Errors = r.Total.Errors
	r.OK = r.Errors == 0

	r.Imports = importReport{
		Lines: rec.importLines.Load(), Taken: rec.importTaken.Load(), Updated: rec.importUpdated.Load(),
		Unchanged: rec.importSame.Load(), Rejected: rec.importReject.Load(),
	}
	r.Alerts = alertReport{Received: rec.alerts.Load(), Match: rec.matchAlerts.Load(), Streams: rec.stats[callWatch].calls()}

	if last != nil {
		m := &memoryReport{First: toJSON(first), End: toJSON(last), Note: memoryNote}
		if first != nil {
			m.HeapRatio = ratio(last.HeapInuse, first.HeapInuse)
			m.RSSRatio = ratio(last.RSS, first.RSS)
			heapOK := m.HeapRatio <= 1.10
			m.HeapWithin10 = &heapOK
			if first.RSS > 0 {
				rssOK := m.RSSRatio <= 1.10
				m.RSSWithin10 = &rssOK
			}
			if first.RSSAnon > 0 {
				m.RSSAnonRatio = ratio(last.RSSAnon, first.RSSAnon)
				anonOK := m.RSSAnonRatio <= 1.10
				m.RSSAnonWithin10 = &anonOK
			}
		}
		r.Memory = m
	}
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

func (r *report) writeText(w io.Writer) {
	fmt.Fprintf(w, "techmarket-load: %s (%s, %s) for %s against the %s; seed %d\n",
		plural(r.Clients, "client"), plural(r.Agencies, "agency"), plural(r.Enterprises, "enterprise"), fmtSeconds(r.Elapsed), r.Target, r.Seed)
	if r.Warmup > 0 {
		fmt.Fprintf(w, "warm-up (one call of each kind per client) %s, then %s of the mix\n", fmtSeconds(r.Warmup), fmtSeconds(r.Elapsed-r.Warmup))
	} else {
		fmt.Fprintln(w, "the warm-up round (one call of each kind per client) did not finish")
	}
	if r.Interrupted {
		fmt.Fprintf(w, "interrupted before the %s asked for\n", r.Requested)
	}
	fmt.Fprintf(w, "mix: %s\n", r.Mix)
	fmt.Fprintf(w, "listings on the market at start: %d offers, %d demands\n\n", r.StartOffers, r.StartDemands)

	const rowFormat = "%-15s %8s %9s %9s %9s %9s %12s  %s\n"
	fmt.Fprintf(w, rowFormat, "call", "calls", "calls/s", "p50", "p99", "max", "rate-limited", "errors")
	row := func(c callReport) {
		fmt.Fprintf(w, rowFormat, c.Type, fmt.Sprint(c.Count), fmt.Sprintf("%.1f", c.PerSecond),
			fmtMs(c.P50Ms), fmtMs(c.P99Ms), fmtMs(c.MaxMs), fmt.Sprint(c.RateLimited), fmtErrors(c.Errors, c.ErrorsByCode))
	}
	for _, c := range r.Calls {
		row(c)
	}
	row(r.Total)

	fmt.Fprintf(w, "\nrate-limited (ResourceExhausted; deliberate, not counted as errors): %d\n", r.RateLimited)
	fmt.Fprintf(w, "imports: %d lines: %d taken, %d updated, %d unchanged, %d rejected\n",
		r.Imports.Lines, r.Imports.Taken, r.Imports.Updated, r.Imports.Unchanged, r.Imports.Rejected)
	fmt.Fprintf(w, "alerts: %d received (%d match alerts) on %d WatchMatches streams\n", r.Alerts.Received, r.Alerts.Match, r.Alerts.Streams)
	if m := r.Memory; m != nil {
		fmt.Fprintln(w, "memory of this process (in-process server and load clients; heap in use after a forced collection, RSS from /proc):")
		if m.First != nil {
			fmt.Fprintf(w, "  after %-9s heap in use %s, RSS %s (anonymous %s, file-backed %s)\n", fmtSeconds(m.First.AtSeconds)+":",
				mib(m.First.HeapInuseBytes), mib(m.First.RSSBytes), mib(m.First.RSSAnonBytes), mib(m.First.RSSFileBytes))
		} else {
			fmt.Fprintln(w, "  the run ended before the first sample")
		}
		fmt.Fprintf(w, "  at end %-9s heap in use %s, RSS %s (anonymous %s, file-backed %s), peak RSS %s\n", fmtSeconds(m.End.AtSeconds)+":",
			mib(m.End.HeapInuseBytes), mib(m.End.RSSBytes), mib(m.End.RSSAnonBytes), mib(m.End.RSSFileBytes), mib(m.End.PeakRSSBytes))
		if m.First != nil {
			fmt.Fprintf(w, "  end / first: heap %.3f (%s), anonymous RSS %.3f (%s), RSS %.3f (%s) — acceptance: at most 10%% above the first sample\n",
				m.HeapRatio, verdict(m.HeapWithin10), m.RSSAnonRatio, verdict(m.RSSAnonWithin10), m.RSSRatio, verdict(m.RSSWithin10))
			fmt.Fprintln(w, "  (file-backed RSS is the mapped index files, which grow with the listings the run adds)")
		}
	} else {
		fmt.Fprintln(w, "memory: not measured (the server runs in another process)")
	}
	if r.OK {
		fmt.Fprintln(w, "result: OK, no errors besides rate limiting")
	} else {
		fmt.Fprintf(w, "result: FAILED, %d errors\n", r.Errors)
	}
}

func plural(n int, word string) string {
	switch {
	case n == 1:
		return "1 " + word
	case strings.HasSuffix(word, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	default:
		return fmt.Sprintf("%d %ss", n, word)
	}
}

func verdict(ok *bool) string {
	switch {
	case ok == nil:
		return "n/a"
	case *ok:
		return "within 10%"
	default:
		return "MORE than 10% above"
	}
}

func fmtErrors(n int64, byCode map[string]int64) string {
	if n == 0 {
		return "0"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(byCode)) {
		parts = append(parts, fmt.Sprintf("%s:%d", k, byCode[k]))
	}
	return strings.Join(parts, " ")
}

// fmtMs writes a latency with three significant digits or so.
func fmtMs(v float64) string {
	switch {
	case v == 0:
		return "-"
	case v < 1:
		return fmt.Sprintf("%.0fµs", v*1000)
	case v < 10:
		return fmt.Sprintf("%.2fms", v)
	case v < 1000:
		return fmt.Sprintf("%.1fms", v)
	default:
		return fmt.Sprintf("%.2fs", v/1000)
	}
}

func fmtSeconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(100 * time.Millisecond).String()
}

func mib(b uint64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
