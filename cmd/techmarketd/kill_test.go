package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// killCycles is how many times TestSIGKILLLosesNothingAcknowledged kills
// the server; TECHMARKET_KILL_CYCLES changes it.
const killCycles = 50

// expected is what the test knows of one listing: its state if the last
// write to it was acknowledged, or every state it may be in if the server
// died during that write.
type expected struct {
	titles []string // allowed titles; "" means absent
	batch  string   // import batch whose lines share one fate, if unacknowledged
}

// TestSIGKILLLosesNothingAcknowledged kills the server with SIGKILL at
// unpredictable moments (after a random number of acknowledged writes)
// while writers create, update, delete and import listings; after each
// restart every acknowledged write is there, nothing else changed, an
// import batch the server died during is all there or all absent, and at
// the end the index holds exactly what the store holds.
func TestSIGKILLLosesNothingAcknowledged(t *testing.T) {
	cycles := killCycles
	if v, err := strconv.Atoi(os.Getenv("TECHMARKET_KILL_CYCLES")); err == nil && v > 0 {
		cycles = v
	}
	bin := buildServer(t)
	dir := filepath.Join(t.TempDir(), "market")
	token := issueToken(t, bin, dir, "agency", "甲技术转移中心")
	const writers = 4
	rng := rand.New(rand.NewPCG(1, 2))
	model := map[string]*expected{} // by external id
	var mu sync.Mutex

	for cycle := 0; cycle <= cycles; cycle++ {
		p := startServer(t, bin, dir)
		c, err := client.Dial(p.addr, client.WithToken(token))
		if err != nil {
			t.Fatal(err)
		}
		verify(t, c, model, cycle)
		if cycle == cycles {
			checkSearchable(t, c, model)
			_ = c.Close()
			break
		}

		killAfter := 5 + rng.IntN(30) // acknowledged writes before the kill
		acks := 0
		enough := make(chan struct{})
		var once sync.Once
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			seed := rng.Uint64()
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, uint64(w)))
				ack := func() {
					if acks++; acks >= killAfter {
						once.Do(func() { close(enough) })
					}
				}
				for i := 0; ctx.Err() == nil; i++ {
					id := fmt.Sprintf("c%d-w%d-%d", cycle, w, i)
					mu.Lock()
					mine := ownedBy(model, fmt.Sprintf("-w%d-", w))
					mu.Unlock()
					switch op := r.IntN(10); {
					case op < 4 || len(mine) == 0: // create
						title := "崩溃测试成果 " + id
						mu.Lock()
						model[id] = &expected{titles: []string{"", title}}
						mu.Unlock()
						o, err := c.CreateOffer(ctx, offerFor(id, title), true)
						mu.Lock()
						if err == nil {
							names.Store(id, o.GetName())
							model[id].titles = []string{title}
							ack()
						}
						mu.Unlock()
					case op < 7: // update
						ext := mine[r.IntN(len(mine))]
						mu.Lock()
						e := model[ext]
						old := e.titles[0]
						title := old + "·改" + strconv.Itoa(i)
						e.titles = []string{old, title}
						mu.Unlock()
						_, err := c.UpdateOffer(ctx, &techmarketv1.Offer{Name: nameOf(ctx, c, ext), Title: title}, "title")
						mu.Lock()
						if err == nil {
							e.titles = []string{title}
							ack()
						}
						mu.Unlock()
					case op < 8: // delete
						ext := mine[r.IntN(len(mine))]
						mu.Lock()
						e := model[ext]
						e.titles = []string{e.titles[0], ""}
						mu.Unlock()
						err := c.DeleteOffer(ctx, nameOf(ctx, c, ext))
						mu.Lock()
						if err == nil {
							e.titles = []string{""}
							ack()
						}
						mu.Unlock()
					default: // import a batch of five
						var lines strings.Builder
						mu.Lock()
						for j := range 5 {
							ext := fmt.Sprintf("%s-%d", id, j)
							title := "崩溃测试成果 " + ext
							model[ext] = &expected{titles: []string{"", title}, batch: id}
							fmt.Fprintf(&lines, `{"kind":"offer","externalId":%q,"title":%q,"industries":["water"],"region":"wuhai"}`+"\n", ext, title)
						}
						mu.Unlock()
						sum, err := c.Import(ctx, strings.NewReader(lines.String()), client.ImportOptions{})
						mu.Lock()
						if err == nil && sum.Taken == 5 {
							for j := range 5 {
								e := model[fmt.Sprintf("%s-%d", id, j)]
								e.titles, e.batch = e.titles[1:], ""
							}
							ack()
						}
						mu.Unlock()
					}
				}
			}()
		}
		<-enough
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-p.done
		cancel()
		wg.Wait()
		_ = c.Close()
		if t.Failed() {
			return
		}
	}
}

func offerFor(ext, title string) *techmarketv1.Offer {
	return &techmarketv1.Offer{ExternalId: ext, Title: title, Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI}
}

// ownedBy lists the present listings of one writer.
func ownedBy(model map[string]*expected, writer string) []string {
	var out []string
	for ext, e := range model {
		if strings.Contains(ext, writer) && len(e.titles) == 1 && e.titles[0] != "" {
			out = append(out, ext)
		}
	}
	return out
}

// names maps external ids to names, learnt as listings are seen.
var names sync.Map

func nameOf(ctx context.Context, c *client.Client, ext string) string {
	if n, ok := names.Load(ext); ok {
		return n.(string)
	}
	for o, err := range c.ListOffers(ctx, &techmarketv1.ListOffersRequest{}) {
		if err != nil {
			return "offers/unknown"
		}
		names.Store(o.GetExternalId(), o.GetName())
	}
	if n, ok := names.Load(ext); ok {
		return n.(string)
	}
	return "offers/unknown"
}

// verify checks the store against the model and settles every uncertain
// listing to what the restarted server shows.
func verify(t *testing.T, c *client.Client, model map[string]*expected, cycle int) {
	t.Helper()
	seen := map[string]string{}
	for o, err := range c.ListOffers(context.Background(), &techmarketv1.ListOffersRequest{}) {
		if err != nil {
			t.Fatalf("cycle %d: listing offers: %v", cycle, err)
		}
		seen[o.GetExternalId()] = o.GetTitle()
		names.Store(o.GetExternalId(), o.GetName())
	}
	batches := map[string][]bool{}
	for ext, e := range model {
		got := seen[ext]
		if !slices.Contains(e.titles, got) {
			t.Fatalf("cycle %d: %s is %q, want one of %q", cycle, ext, got, e.titles)
		}
		if e.batch != "" {
			batches[e.batch] = append(batches[e.batch], got != "")
		}
		e.titles, e.batch = []string{got}, ""
	}
	for batch, present := range batches {
		for _, p := range present[1:] {
			if p != present[0] {
				t.Fatalf("cycle %d: import batch %s is half applied: %v", cycle, batch, present)
			}
		}
	}
	for ext := range seen {
		if _, ok := model[ext]; !ok {
			t.Fatalf("cycle %d: %s exists but was never written", cycle, ext)
		}
	}
}

// checkSearchable: the index, caught up after the restarts, finds exactly
// the listings the store holds.
func checkSearchable(t *testing.T, c *client.Client, model map[string]*expected) {
	t.Helper()
	present := 0
	for _, e := range model {
		if e.titles[0] != "" {
			present++
		}
	}
	found, err := c.Match.SearchOffers(context.Background(), &techmarketv1.SearchOffersRequest{Query: "崩溃测试成果"})
	if err != nil {
		t.Fatal(err)
	}
	if found.GetTotalSize() != int64(present) {
		t.Errorf("search finds %d offers; the store holds %d", found.GetTotalSize(), present)
	}
	if present < 50 {
		t.Errorf("only %d listings survived the run; the test did too little", present)
	}
}
