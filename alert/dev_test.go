package alert_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// The development set beside the repository (README.md).
const devSet = "../../shared/data/dev/"

// TestWatchedDemandHearsOnlyOfFittingOffers is a new user's trial: an
// enterprise publishes the first development demand (coke-oven riser heat
// recovery) and watches it; an agency then imports every development
// offer. The enterprise must hear of the offer judged to solve its need
// (grade 3), and only of offers judged to fit (grade 2 or 3): the
// cashmere lines, traffic signals and greenhouse quilts of the same
// import once alerted it too, 176 alerts for 233 offers, and near misses
// of its own trade are no news either.
func TestWatchedDemandHearsOnlyOfFittingOffers(t *testing.T) {
	const demandID = "v-d001"
	grades := judged(t, demandID)
	env := testutil.Start(t)
	ctx := context.Background()
	enterprise := env.Client(env.Token("enterprise", "乌海某焦化公司"))
	agency := env.Client(env.Token("agency", "甲技术转移中心"))

	d, err := enterprise.CreateDemand(ctx, devDemand(t, demandID), true)
	if err != nil {
		t.Fatal(err)
	}
	offers, err := os.ReadFile(devSet + "offers.jsonl")
	if err != nil {
		t.Fatalf("%v: the development set lives in ../shared/data beside the repository", err)
	}
	names := map[string]string{} // offer name → external id
	lines := bytes.Split(bytes.TrimSpace(offers), []byte("\n"))
	i := 0
	sum, err := agency.Import(ctx, bytes.NewReader(offers), client.ImportOptions{Result: func(r *techmarketv1.ImportResult) {
		if m, err := interchange.Parse(lines[i]); err == nil {
			names[r.GetName()] = m.(*techmarketv1.Offer).GetExternalId()
		}
		i++
	}})
	if err != nil || sum.Rejected > 0 {
		t.Fatalf("importing the development offers: %+v, %v", sum, err)
	}
	last, err := env.Market.Store().LastSeq()
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Alerts.WaitFollowed(ctx, last); err != nil {
		t.Fatal(err)
	}

	var alerted []string
	err = env.Alerts.Alerts("乌海某焦化公司", 0, func(al *techmarketv1.Alert) bool {
		id := names[al.GetMatch().GetName()]
		alerted = append(alerted, id)
		t.Logf("alert: %s %s (grade %d), #%d, score %.2f, coverage %.2f: %s", id, al.GetMatch().GetTitle(), grades[id],
			al.GetRank(), al.GetMatch().GetScore(), al.GetMatch().GetTextCoverage(), al.GetMatch().GetParts()[0].GetReason())
		if al.GetListing() != d.GetName() {
			t.Errorf("alert for %s, want %s", al.GetListing(), d.GetName())
		}
		if grades[id] < 2 {
			t.Errorf("alert for %s（%s）, which is judged %d for %s: not a fit", id, al.GetMatch().GetTitle(), grades[id], demandID)
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, g := range grades {
		if g == 3 && !slices.Contains(alerted, id) {
			t.Errorf("no alert for %s, the offer judged to solve %s; alerted: %v", id, demandID, alerted)
		}
	}
}

// judged reads the development judgments of one demand: offer → grade.
func judged(t *testing.T, demandID string) map[string]int {
	t.Helper()
	f, err := os.Open(devSet + "qrels.tsv")
	if err != nil {
		t.Fatalf("%v: the development set lives in ../shared/data beside the repository", err)
	}
	defer f.Close()
	grades := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) == 3 && fields[0] == demandID {
			if g, err := strconv.Atoi(fields[2]); err == nil {
				grades[fields[1]] = g
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return grades
}

// devDemand is a development demand, as its owner would post it.
func devDemand(t *testing.T, id string) *techmarketv1.Demand {
	t.Helper()
	data, err := os.ReadFile(devSet + "demands.jsonl")
	if err != nil {
		t.Fatalf("%v: the development set lives in ../shared/data beside the repository", err)
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if !bytes.Contains(line, []byte(`"`+id+`"`)) {
			continue
		}
		m, err := interchange.Parse(line)
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := m.(*techmarketv1.Demand); ok && d.GetExternalId() == id {
			return d
		}
	}
	t.Fatalf("no demand %s in the development set", id)
	return nil
}
