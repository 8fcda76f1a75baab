package index_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/corpus"
	"github.com/wuhai-techmarket/techmarket/demo"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

var (
	agency   = auth.Principal{Org: "甲技术转移中心", Role: techmarketv1.Role_ROLE_AGENCY}
	operator = auth.Principal{Org: "运营", Role: techmarketv1.Role_ROLE_OPERATOR}
)

type folder struct {
	t   *testing.T
	dir string
	st  *store.Store
	idx *index.Index
	m   *market.Market
}

func open(t *testing.T, dir string) *folder {
	t.Helper()
	return openWith(t, dir, index.Options{BatchSize: 7})
}

func openWith(t *testing.T, dir string, opts index.Options) *folder {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "techmarket.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := index.Open(context.Background(), filepath.Join(dir, "index"), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	m, err := market.New(st, market.Options{Index: idx})
	if err != nil {
		t.Fatal(err)
	}
	return &folder{t: t, dir: dir, st: st, idx: idx, m: m}
}

func (f *folder) close() {
	f.t.Helper()
	if err := f.idx.Close(); err != nil {
		f.t.Fatal(err)
	}
	if err := f.st.Close(); err != nil {
		f.t.Fatal(err)
	}
}

func (f *folder) create(n int, prefix string) []string {
	f.t.Helper()
	var names []string
	for i := range n {
		o, err := f.m.Offers.Create(context.Background(), agency, &techmarketv1.Offer{
			ExternalId: fmt.Sprintf("%s-%d", prefix, i), Title: fmt.Sprintf("疏干水回用技术第%d号", i),
			Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI,
		}, true, false)
		if err != nil {
			f.t.Fatal(err)
		}
		names = append(names, o.GetName())
	}
	return names
}

// importDemo imports the demo market ten listings at a time, so that its
// index has several segments, and returns its lines.
func (f *folder) importDemo() []*techmarketv1.ImportLine {
	f.t.Helper()
	lines := demo.Lines()
	for i := 0; i < len(lines); i += 10 {
		if _, err := f.m.Import(context.Background(), operator, false, lines[i:min(i+10, len(lines))]); err != nil {
			f.t.Fatal(err)
		}
	}
	return lines
}

// fieldTerm is a term query on one field.
func fieldTerm(field, text string) query.Query {
	q := query.NewTermQuery(text)
	q.SetField(field)
	return q
}

// trlIn finds the listings with a TRL in [lo, hi).
func trlIn(lo, hi float64) query.Query {
	q := query.NewNumericRangeQuery(&lo, &hi)
	q.SetField(index.FieldTRL)
	return q
}

// findable counts the offers the index finds for 疏干水.
func (f *folder) findable() uint64 {
	f.t.Helper()
	q := bleve.NewTermQuery("疏干水")
	q.SetField(index.FieldTitle)
	res, err := f.idx.Side(store.KindOffer).Search(bleve.NewSearchRequest(q))
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Total
}

func TestWriteIsSearchableWhenAcknowledged(t *testing.T) {
	f := open(t, t.TempDir())
	defer f.close()
	for i := range 20 {
		f.create(1, fmt.Sprint("x", i))
		if got := f.findable(); got != uint64(i+1) {
			t.Fatalf("after %d acknowledged creates the index finds %d", i+1, got)
		}
	}
	last, _ := f.st.LastSeq()
	if f.idx.Applied() != last {
		t.Errorf("applied %d, store at %d", f.idx.Applied(), last)
	}
}

func TestCatchUpAfterRestart(t *testing.T) {
	dir := t.TempDir()
	f := open(t, dir)
	f.create(10, "a")
	f.close()

	// Writes while the index is away (as after a crash between the store
	// commit and the index batch) are applied on the next open.
	st, err := store.Open(filepath.Join(dir, "techmarket.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := market.New(st, market.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := m.Offers.Create(context.Background(), agency, &techmarketv1.Offer{
			ExternalId: fmt.Sprint("b-", i), Title: "疏干水深度处理", Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI,
		}, true, false); err != nil {
			t.Fatal(err)
		}
	}
	var first string
	_ = st.Scan(store.KindOffer, "", func(r store.Record) bool { first = "offers/" + r.ID; return false })
	if err := m.Offers.Delete(context.Background(), agency, first, ""); err != nil {
		t.Fatal(err)
	}
	st.Close()

	f = open(t, dir)
	defer f.close()
	if got := f.findable(); got != 14 {
		t.Errorf("after catch-up the index finds %d offers, want 10+5-1", got)
	}
}

func TestDamagedIndexIsRebuilt(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, indexDir string)
	}{
		{"deleted", func(t *testing.T, dir string) {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		}},
		{"every file truncated", func(t *testing.T, dir string) {
			n := 0
			_ = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() && info.Size() > 0 {
					n++
					return os.Truncate(path, info.Size()/2)
				}
				return err
			})
			if n == 0 {
				t.Fatal("no index files to damage")
			}
		}},
		{"garbage in place of the index", func(t *testing.T, dir string) {
			side := filepath.Join(dir, "offers.bleve")
			if err := os.RemoveAll(side); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(side, []byte("not an index"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f := open(t, dir)
			f.create(25, "r")
			f.close()
			tc.damage(t, filepath.Join(dir, "index"))
			f = open(t, dir)
			defer f.close()
			if got := f.findable(); got != 25 {
				t.Errorf("after damage and reopen the index finds %d of 25 offers", got)
			}
		})
	}
}

// TestOpenStopsWhenCancelled: an operator's Ctrl-C during a rebuild
// stops it at once and leaves no half-built index in place; the next
// open rebuilds it whole.
func TestOpenStopsWhenCancelled(t *testing.T) {
	dir := t.TempDir()
	f := open(t, dir)
	f.create(25, "c")
	f.close()
	indexDir := filepath.Join(dir, "index")
	if err := os.RemoveAll(indexDir); err != nil {
		t.Fatal(err)
	}

	st, err := store.Open(filepath.Join(dir, "techmarket.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if idx, err := index.Open(ctx, indexDir, st, index.Options{}); !errors.Is(err, context.Canceled) {
		if err == nil {
			idx.Close()
		}
		t.Fatalf("Open with its context ended: %v, want context.Canceled", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("a stopped rebuild left %s in the index folder", e.Name())
	}

	f = open(t, dir)
	defer f.close()
	if got := f.findable(); got != 25 {
		t.Errorf("the next open finds %d of 25 offers", got)
	}
}

// TestLargeBatchSplit: a batch large enough to be built as two segments
// at once leaves every listing searchable, the replaced ones in their new
// version only, and the applied sequence at the store's last change.
func TestLargeBatchSplit(t *testing.T) {
	f := open(t, t.TempDir())
	defer f.close()
	ctx := context.Background()
	op := operator
	v, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	g := corpus.New(v, 9, time.Now())
	line := func(i int, mark string) *techmarketv1.ImportLine {
		var m map[string]any
		if err := json.Unmarshal(g.Line(false, i), &m); err != nil {
			t.Fatal(err)
		}
		m["title"] = fmt.Sprintf("%s %s%d", m["title"], mark, i)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return &techmarketv1.ImportLine{Number: int64(i + 1), Text: string(b)}
	}
	var first, second []*techmarketv1.ImportLine
	for i := range 600 {
		if i < 300 {
			first = append(first, line(i, "oldmark"))
		}
		second = append(second, line(i, "newmark")) // replaces the first 300, adds 300
	}
	for _, batch := range [][]*techmarketv1.ImportLine{first, second} {
		if _, err := f.m.Import(ctx, op, false, batch); err != nil {
			t.Fatal(err)
		}
	}
	offers := f.idx.Side(store.KindOffer)
	if n, err := offers.DocCount(); err != nil || n != 600 {
		t.Fatalf("%d offers in the index (%v), want 600", n, err)
	}
	last, err := f.st.LastSeq()
	if err != nil || f.idx.Applied() != last {
		t.Errorf("applied %d, store's last change %d (%v)", f.idx.Applied(), last, err)
	}
	hits := func(term string) uint64 {
		q := query.NewTermQuery(term)
		q.SetField(index.FieldTitle)
		res, err := offers.Search(bleve.NewSearchRequest(q))
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	for _, i := range []int{0, 150, 299, 300, 599} { // both halves of both batches
		if n := hits(fmt.Sprintf("newmark%d", i)); n != 1 {
			t.Errorf("newmark%d: %d hits, want 1", i, n)
		}
		if n := hits(fmt.Sprintf("oldmark%d", i)); n != 0 {
			t.Errorf("oldmark%d: %d hits after it was replaced", i, n)
		}
	}
}

// TestShapeAfterRebuild: a rebuilt index is merged into one segment per
// side that holds listings, with no merge left running, and Shape says so.
func TestShapeAfterRebuild(t *testing.T) {
	dir := t.TempDir()
	f := open(t, dir)
	f.create(25, "s")
	if sh := f.idx.Shape(); sh.Segments < 1 {
		t.Errorf("25 offers indexed, shape %+v; want at least one segment", sh)
	}
	f.close()
	if err := os.RemoveAll(filepath.Join(dir, "index")); err != nil {
		t.Fatal(err)
	}
	f = open(t, dir)
	defer f.close()
	if sh := f.idx.Shape(); sh != (index.Shape{Segments: 1}) {
		t.Errorf("rebuilt with offers only: shape %+v; want one segment, no merge running", sh)
	}
}

// TestRebuiltIndexMergesAsItGrows: a rebuild builds its index merging
// nothing until the end; once serving, the index merges its small
// segments again as writes come one by one. Without merging, 40 offers
// written one at a time stay 41 segments with the rebuilt one (measured
// with openBleve's merge policy left out), and every match reads them all.
func TestRebuiltIndexMergesAsItGrows(t *testing.T) {
	dir := t.TempDir()
	f := open(t, dir)
	f.create(5, "before")
	f.close()
	if err := os.RemoveAll(filepath.Join(dir, "index")); err != nil {
		t.Fatal(err)
	}
	// Written out at once, so that each offer is a segment on disk the
	// merger may take; never compacted, so that merging is bleve's own.
	f = openWith(t, dir, index.Options{PersistEvery: -1, CompactAfter: -1})
	defer f.close()
	f.create(40, "after")
	deadline := time.Now().Add(time.Minute)
	sh := f.idx.Shape()
	for sh.Segments > 12 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling bleve's merger, which reports nothing
		sh = f.idx.Shape()
	}
	if sh.Segments > 12 {
		t.Errorf("45 offers written after a rebuild, mostly one by one: shape %+v a minute later; want them merged into a dozen segments or fewer", sh)
	}
	if got := f.findable(); got != 45 {
		t.Errorf("the index finds %d of 45 offers", got)
	}
}

// TestCompactionAfterManyChanges: once CompactAfter changes have come and
// writing pauses, each side is merged into one segment in the background
// (not before: 24 changes are not enough), and every listing is still
// found.
func TestCompactionAfterManyChanges(t *testing.T) {
	logs := &messages{seen: make(chan string, 100)}
	f := openWith(t, t.TempDir(), index.Options{CompactAfter: 25, CompactQuiet: time.Millisecond, Logger: slog.New(logs)})
	defer f.close()
	idx := f.idx
	f.create(24, "c") // one change each
	f.create(1, "last")
	for msg := ""; msg != "index compacted"; {
		select {
		case msg = <-logs.seen:
		case <-time.After(time.Minute):
			t.Fatal("no compaction a minute after 25 changes and a pause")
		}
	}
	if sh := idx.Shape(); sh != (index.Shape{Segments: 1}) {
		t.Errorf("compacted: shape %+v; want one segment, no merge running", sh)
	}
	if got := f.findable(); got != 25 {
		t.Errorf("after compaction the index finds %d of 25 offers", got)
	}
	for len(logs.seen) > 0 {
		if msg := <-logs.seen; msg == "index compacted" {
			t.Error("compacted twice for 25 changes")
		}
	}
}

// TestCompactionNotPutOffByWaits: only changes restart the pause a
// compaction waits for. The alerter waits for the index all through its
// catch-up after a bulk import, and each wait kicks the follower; those
// kicks had put the compaction off until the alerter was done.
func TestCompactionNotPutOffByWaits(t *testing.T) {
	logs := &messages{seen: make(chan string, 100)}
	f := openWith(t, t.TempDir(), index.Options{CompactAfter: 25, CompactQuiet: 300 * time.Millisecond, Logger: slog.New(logs)})
	defer f.close()
	idx := f.idx
	f.create(25, "c")
	if !idx.Shape().Compacting {
		t.Error("after 25 changes: no compaction due")
	}
	waits := time.NewTicker(10 * time.Millisecond) // a waiter far more often than the pause
	defer waits.Stop()
	deadline := time.After(time.Minute)
	for msg := ""; msg != "index compacted"; {
		select {
		case msg = <-logs.seen:
		case <-waits.C:
			if err := idx.WaitFor(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatal("no compaction within a minute of 25 changes while waiters kept kicking the index")
		}
	}
	if sh := idx.Shape(); sh.Compacting || sh.Segments != 1 {
		t.Errorf("compacted: shape %+v; want one segment and nothing due", sh)
	}
}

// messages is a slog handler passing on each record's message.
type messages struct{ seen chan string }

func (m *messages) Enabled(context.Context, slog.Level) bool { return true }
func (m *messages) Handle(_ context.Context, r slog.Record) error {
	m.seen <- r.Message
	return nil
}
func (m *messages) WithAttrs([]slog.Attr) slog.Handler { return m }
func (m *messages) WithGroup(string) slog.Handler      { return m }

// TestCompactNow: Compact returns with each side in one segment and
// every listing still found, whatever bleve's merging had done.
func TestCompactNow(t *testing.T) {
	f := open(t, t.TempDir())
	defer f.close()
	for i := range 6 {
		f.create(5, fmt.Sprintf("batch%d-", i)) // a segment or more each
	}
	if err := f.idx.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sh := f.idx.Shape(); sh.Segments != 1 {
		t.Errorf("after Compact: shape %+v; want one segment (offers only)", sh)
	}
	if got := f.findable(); got != 30 {
		t.Errorf("after Compact the index finds %d of 30 offers", got)
	}
}

// TestWrittenWithin: the index tells background work whether writers are
// at work (the alerter yields the cores to a bulk import).
func TestWrittenWithin(t *testing.T) {
	f := open(t, t.TempDir())
	defer f.close()
	if f.idx.WrittenWithin(time.Hour) {
		t.Error("a new index: written within the hour")
	}
	f.create(1, "w")
	if !f.idx.WrittenWithin(time.Hour) {
		t.Error("after a change: not written within the hour")
	}
	if f.idx.WrittenWithin(0) {
		t.Error("written within no time at all")
	}
}
