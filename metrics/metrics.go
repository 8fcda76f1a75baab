// Package metrics exposes Techmarket's health to Prometheus: per-call
// counts and latencies, how far the index and the alerts trail the store,
// and how large the store and the index are. An operator sees at a glance
// whether the market keeps up: index lag and alert backlog near zero,
// errors rare, latencies flat.
package metrics

import (
	"context"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// Sources are what the gauges read; nil fields are left out.
type Sources struct {
	// LastSeq is the store's newest change.
	LastSeq func() (uint64, error)
	// IndexApplied is the newest change both indexes hold.
	IndexApplied func() uint64
	// AlertsFollowed is the newest change the alerter handled.
	AlertsFollowed func() uint64
	// StoreBytes is the size of the bbolt file.
	StoreBytes func() (int64, error)
	// IndexDir is the folder of the indexes.
	IndexDir string
	// Cache reads the decoded-postings cache's figures.
	Cache func() CacheFigures
	// IndexShape counts the indexes' segments and running merges, and
	// tells whether a compaction is due or running.
	IndexShape func() (segments, merging int, compacting bool)
	// Links reads the figures of the links to other markets.
	Links func() []LinkFigures
	// Cluster reads this node's replication figures; nil when the server
	// runs alone.
	Cluster func() ClusterFigures
}

// ClusterFigures are one node's view of the replication.
type ClusterFigures struct {
	Leader       bool // leads and accepts writes
	Term         uint64
	CommitIndex  uint64
	AppliedIndex uint64
	LastContact  float64 // seconds since the leader was heard from; 0 on it
}

// Metrics records calls and reads the gauges.
type Metrics struct {
	Registry *prometheus.Registry
	calls    *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// New registers Techmarket's metrics, the Go runtime's and the process's.
func New(src Sources) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "techmarket_rpc_requests_total", Help: "gRPC calls handled, by method and status code.",
		}, []string{"method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "techmarket_rpc_duration_seconds", Help: "Time to handle a gRPC call (streams: their whole life), by method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method"}),
	}
	reg.MustRegister(m.calls, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	gauge := func(name, help string, read func() float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, read))
	}
	lastSeq := func() float64 {
		seq, err := src.LastSeq()
		if err != nil {
			return -1
		}
		return float64(seq)
	}
	if src.LastSeq != nil && src.IndexApplied != nil {
		gauge("techmarket_index_lag", "Store changes the full-text index does not hold yet (store sequence minus applied sequence).", func() float64 {
			return max(0, lastSeq()-float64(src.IndexApplied()))
		})
	}
	if src.LastSeq != nil && src.AlertsFollowed != nil {
		gauge("techmarket_alert_backlog", "Store changes the alerter has not matched for alerts yet.", func() float64 {
			return max(0, lastSeq()-float64(src.AlertsFollowed()))
		})
	}
	if src.StoreBytes != nil {
		gauge("techmarket_store_bytes", "Size of the bbolt store file.", func() float64 {
			n, err := src.StoreBytes()
			if err != nil {
				return -1
			}
			return float64(n)
		})
	}
	if src.IndexDir != "" {
		gauge("techmarket_index_bytes", "Size of the bleve indexes on disk.", func() float64 { return float64(dirSize(src.IndexDir)) })
	}
	if src.Cache != nil {
		gauge("techmarket_postings_cache_bytes", "Memory held by the decoded-postings cache of matching.", func() float64 { return float64(src.Cache().Bytes) })
		// Misses against hits say whether the cache holds what matches
		// read: a market that outgrows it decodes postings on every match.
		counter := func(name, help string, read func(CacheFigures) uint64) {
			reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(read(src.Cache())) }))
		}
		counter("techmarket_postings_cache_hits_total", "Lookups of a term in a field of a segment that the decoded-postings cache answered.", func(f CacheFigures) uint64 { return f.Hits })
		counter("techmarket_postings_cache_misses_total", "Lookups of a term in a field of a segment that read the index.", func(f CacheFigures) uint64 { return f.Misses })
		counter("techmarket_postings_cache_evictions_total", "Terms dropped from the decoded-postings cache for room.", func(f CacheFigures) uint64 { return f.Evictions })
	}
	if src.Links != nil {
		reg.MustRegister(newLinkCollector(src.Links))
	}
	if src.Cluster != nil {
		gauge("techmarket_cluster_leader", "1 while this node leads the cluster and accepts writes, else 0.", func() float64 {
			if src.Cluster().Leader {
				return 1
			}
			return 0
		})
		gauge("techmarket_cluster_term", "The Raft term this node is in; it grows with every election.", func() float64 { return float64(src.Cluster().Term) })
		gauge("techmarket_cluster_commit_index", "The last Raft log index this node knows committed.", func() float64 { return float64(src.Cluster().CommitIndex) })
		gauge("techmarket_cluster_applied_index", "The last Raft log index applied to this node's store.", func() float64 { return float64(src.Cluster().AppliedIndex) })
		gauge("techmarket_cluster_apply_lag", "Committed log entries this node has not applied to its store yet.", func() float64 {
			f := src.Cluster()
			return float64(f.CommitIndex - min(f.CommitIndex, f.AppliedIndex))
		})
		gauge("techmarket_cluster_last_contact_seconds", "Seconds since this follower last heard from the leader; 0 on the leader.", func() float64 { return src.Cluster().LastContact })
	}
	if src.IndexShape != nil {
		gauge("techmarket_index_segments", "Segments of the full-text indexes; each match reads every one.", func() float64 {
			n, _, _ := src.IndexShape()
			return float64(n)
		})
		gauge("techmarket_index_merges_running", "Segment merges the full-text indexes are running in the background.", func() float64 {
			_, n, _ := src.IndexShape()
			return float64(n)
		})
		gauge("techmarket_index_compaction_pending", "1 while the indexes are due to be merged into one segment a side (once writing pauses) or are being merged.", func() float64 {
			if _, _, c := src.IndexShape(); c {
				return 1
			}
			return 0
		})
	}
	return m
}

// CacheFigures are what the decoded-postings cache reports.
type CacheFigures struct {
	Bytes                   int64
	Hits, Misses, Evictions uint64
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // files come and go while bleve merges
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

func (m *Metrics) observe(method string, start time.Time, err error) {
	m.calls.WithLabelValues(method, status.Code(err).String()).Inc()
	m.latency.WithLabelValues(method).Observe(time.Since(start).Seconds())
}

// Unary records unary calls; it goes first in the chain, so it sees the
// status the client sees.
func (m *Metrics) Unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := handler(ctx, req)
	m.observe(info.FullMethod, start, err)
	return resp, err
}

// Stream records streaming calls.
func (m *Metrics) Stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	start := time.Now()
	err := handler(srv, ss)
	m.observe(info.FullMethod, start, err)
	return err
}
