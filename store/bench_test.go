package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// benchValue is about the size of an encoded listing.
var benchValue = make([]byte, 512)

// lastTxID returns the id of the newest committed write transaction; the
// difference across a benchmark is the number of commits, i.e. fsyncs.
func lastTxID(b *testing.B, s *Store) int {
	b.Helper()
	var id int
	if err := s.db.View(func(btx *bolt.Tx) error { id = btx.ID(); return nil }); err != nil {
		b.Fatal(err)
	}
	return id
}

func benchPut(b *testing.B, s *Store, id string) {
	err := s.Update(context.Background(), func(tx *Tx) error {
		_, err := tx.Put(&Record{Kind: KindOffer, ID: id, Org: "bench", ExternalID: id, Value: benchValue})
		return err
	})
	if err != nil {
		b.Error(err)
	}
}

func reportRate(b *testing.B, s *Store, firstTx int) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if commits := lastTxID(b, s) - firstTx; commits > 0 {
		b.ReportMetric(float64(b.N)/float64(commits), "records/commit")
	}
}

// BenchmarkPutSerial is one writer: every record waits for the batch delay
// and pays its own fsync.
func BenchmarkPutSerial(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	first := lastTxID(b, s)
	for i := 0; b.Loop(); i++ { // b.Loop starts the timer itself
		benchPut(b, s, fmt.Sprintf("s%09d", i))
	}
	reportRate(b, s, first)
}

// BenchmarkPutParallel has many concurrent writers (as a busy server would),
// whose Updates are grouped into shared transactions and fsyncs.
func BenchmarkPutParallel(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	first := lastTxID(b, s)
	var next atomic.Int64
	b.SetParallelism(32) // 32 × GOMAXPROCS writers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchPut(b, s, fmt.Sprintf("p%09d", next.Add(1)))
		}
	})
	reportRate(b, s, first)
}
