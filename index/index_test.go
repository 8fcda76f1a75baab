package index_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

var agency = auth.Principal{Org: "甲技术转移中心", Role: techmarketv1.Role_ROLE_AGENCY}

type folder struct {
	t   *testing.T
	dir string
	st  *store.Store
	idx *index.Index
	m   *market.Market
}

func open(t *testing.T, dir string) *folder {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "techmarket.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := index.Open(filepath.Join(dir, "index"), st, index.Options{BatchSize: 7})
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
