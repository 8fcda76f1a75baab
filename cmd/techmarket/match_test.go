package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestMatchUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte(`{"kind": "demand", "minTrl": "high"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"match"}, exitUsage, "give exactly one of --demand NAME, --offer NAME or --draft FILE.json; see 'techmarket help match'"},
		{[]string{"match", "--demand", "a", "--offer", "b"}, exitUsage, "give exactly one of --demand NAME, --offer NAME or --draft FILE.json"},
		{[]string{"match", "--offer", "a", "--draft", "x.json"}, exitUsage, "give exactly one of"},
		{[]string{"match", "demands/a"}, exitUsage, `unexpected argument "demands/a"; name the listing with --demand, --offer or --draft`},
		{[]string{"match", "--demand", "a", "--limit", "0"}, exitUsage, `--limit "0" is not a whole number of at least 1`},
		{[]string{"match", "--demand", "a", "--limit", "101"}, exitUsage, `--limit "101" is more than the 100 matches the service returns at most`},
		{[]string{"match", "--demand", "a", "--region", "wuhai", "--region", "mars"}, exitUsage, `unknown region "mars"; use wuhai, inner-mongolia, domestic or international`},
		{[]string{"match", "--demand"}, exitUsage, "flag --demand needs a value"},
		{[]string{"match", "--demand", "a", "--strict"}, exitUsage, "unknown flag --strict"},
		{[]string{"match", "--draft", filepath.Join(dir, "missing.json")}, exitError, "no such file"},
		{[]string{"match", "--draft", broken}, exitError, broken + ": minTrl: expected a whole number"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			c := newTestCLI(nil)
			if code := c.run(t.Context(), tc.args); code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, c.err.String())
			}
			if !strings.Contains(c.err.String(), tc.want) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", c.err.String(), tc.want)
			}
			if c.out.Len() > 0 {
				t.Errorf("wrote to stdout:\n%s", c.out.String())
			}
			if d := c.dials(); len(d) > 0 {
				t.Errorf("dialled %v before the command line was found wrong", d)
			}
		})
	}
}

func TestWriteMatch(t *testing.T) {
	t.Parallel()
	m := &techmarketv1.Match{
		Name:  "offers/abc",
		Title: "焦炉上升管\t余热回收",
		Score: 0.73449,
		Parts: []*techmarketv1.ScorePart{
			{Feature: "text", Contribution: 0.41, Value: 0.9, Reason: "covers 42% of the demand's telling terms by weight: 焦炉、荒煤气"},
			{Feature: "industry", Contribution: 0.12, Value: 1, Reason: "shares coal-chemical"},
			{Feature: "readiness", Contribution: 0.08, Value: 0.5, Reason: "TRL 6 is below the required 7"},
			{Feature: "price", Contribution: 0.004, Value: 0.2, Reason: "starts at 2000000 yuan,\nabove the budget"},
			{Feature: "freshness", Contribution: 0.03, Value: 0.99999995, Reason: "published 0 days ago"},
		},
		Snippet: "上升管【荒煤气】余热\x1b[2J回收\n",
	}
	var b bytes.Buffer
	if err := writeMatch(&b, 1, m); err != nil {
		t.Fatal(err)
	}
	want := "1\t0.734\toffers/abc\t焦炉上升管 余热回收\n" +
		"    text 0.41 · industry 0.12 · readiness 0.08 · price 0.00 · freshness 0.03\n" +
		"    text: covers 42% of the demand's telling terms by weight: 焦炉、荒煤气\n" +
		"    lowered by: TRL 6 is below the required 7; starts at 2000000 yuan, above the budget\n" +
		"    上升管【荒煤气】余热\ufffd[2J回收\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}

	// Nothing lowered it and there is no snippet: the row, the parts and
	// the text's coverage, which is shown even at a text part of 1 (the
	// best of poor candidates has 1 too).
	b.Reset()
	m = &techmarketv1.Match{Name: "demands/x", Title: "t", Score: 1, Parts: []*techmarketv1.ScorePart{{Feature: "text", Contribution: 1, Value: 1, Reason: "covers 8% of the offer's telling terms by weight: 焦炉"}}}
	if err := writeMatch(&b, 12, m); err != nil {
		t.Fatal(err)
	}
	if want := "12\t1.000\tdemands/x\tt\n    text 1.00\n    text: covers 8% of the offer's telling terms by weight: 焦炉\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// The small market of the match and search tests: three offers, one of
// them on the coke oven's riser heat, and a demand for just that.
const marketJSONL = `{"kind":"offer","externalId":"o-coke","title":"焦炉上升管荒煤气余热回收技术","summary":"利用上升管换热器回收焦炉荒煤气余热产生饱和蒸汽。","description":"在焦炉上升管处设置换热器，回收700℃以上荒煤气的显热，产生0.6–1.6MPa饱和蒸汽，吨焦回收蒸汽约100kg。","keywords":["焦炉煤气","上升管余热","荒煤气","余热回收","蒸汽"],"industries":["coal-chemical","energy-saving"],"region":"domestic","transferModes":["license","service"],"trl":8}
{"kind":"offer","externalId":"o-pvc","title":"PVC无汞触媒","summary":"电石法聚氯乙烯生产用无汞触媒，替代氯化汞触媒。","description":"以金基和铜基复合活性组分制备无汞触媒，用于乙炔氢氯化合成氯乙烯，转化率和寿命接近低汞触媒。","keywords":["无汞触媒","PVC","电石法","氯乙烯"],"industries":["chlor-alkali"],"region":"domestic","transferModes":["license"],"trl":7}
{"kind":"offer","externalId":"o-grape","title":"葡萄标准化种植技术","summary":"乌海地区酿酒葡萄标准化栽培与节水灌溉。","description":"针对沙漠边缘气候的葡萄品种选择、架式整形、水肥一体化滴灌和越冬埋土技术。","keywords":["葡萄种植","节水灌溉","水肥一体化"],"industries":["agriculture"],"region":"wuhai","transferModes":["service"],"trl":9}
{"kind":"demand","externalId":"d-coke","title":"焦炉上升管荒煤气余热回收","description":"我公司焦炉炉顶荒煤气温度七八百度，目前用循环氨水喷洒降温，热量全部浪费。希望在上升管处回收余热产生蒸汽并入管网，要求设备不漏、不结焦。","keywords":["焦炉","上升管","荒煤气","余热回收","蒸汽"],"industries":["coal-chemical"],"region":"wuhai","transferModes":["license","service"],"minTrl":6}
`

// startMarket runs a marketplace with marketJSONL imported by an operator
// and returns it with the name of the coke-oven offer and of the demand.
func startMarket(t *testing.T) (e e2e, cokeOffer, demand string) {
	t.Helper()
	env := testutil.Start(t)
	e = e2e{t, env}
	file := filepath.Join(t.TempDir(), "market.jsonl")
	if err := os.WriteFile(file, []byte(marketJSONL), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := e.run(env.Token("operator", "运营中心"), "import", file); code != 0 || !strings.Contains(out, "taken 4,") {
		t.Fatalf("import: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	offers := listNames(t, e, "offers")
	demands := listNames(t, e, "demands")
	if len(offers) != 3 || len(demands) != 1 {
		t.Fatalf("imported %d offers and %d demands, want 3 and 1", len(offers), len(demands))
	}
	return e, offers["o-coke"], demands["d-coke"]
}

// listNames lists the published listings of a kind by external id.
func listNames(t *testing.T, e e2e, plural string) map[string]string {
	t.Helper()
	code, out, errOut := e.run("", plural, "list", "--json")
	if code != 0 {
		t.Fatalf("%s list: exit %d: %s", plural, code, errOut)
	}
	names := map[string]string{}
	for line := range strings.Lines(out) {
		var l struct{ Name, ExternalID string }
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%s list --json line %q: %v", plural, line, err)
		}
		names[l.ExternalID] = l.Name
	}
	return names
}

// jsonMatch is a line of match --json.
type jsonMatch struct {
	Name, ExternalID, Title string
	Score                   float64
	Parts                   []struct {
		Feature             string
		Contribution, Value float64
		Reason              string
	}
}

// matchLines runs match with args and --json and decodes every line.
func matchLines(t *testing.T, e e2e, args ...string) []jsonMatch {
	t.Helper()
	code, out, errOut := e.run("", append(append([]string{"match"}, args...), "--json")...)
	if code != 0 {
		t.Fatalf("match %v: exit %d: %s", args, code, errOut)
	}
	var ms []jsonMatch
	for line := range strings.Lines(out) {
		var m jsonMatch
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("match --json line %q is not JSON: %v", line, err)
		}
		if m.Name == "" || m.ExternalID == "" || m.Title == "" || len(m.Parts) == 0 {
			t.Errorf("match --json line lacks name, externalId, title or parts: %s", line)
		}
		ms = append(ms, m)
	}
	return ms
}

func TestCLIMatch(t *testing.T) {
	e, cokeOffer, demand := startMarket(t)

	for _, name := range []string{demand, strings.TrimPrefix(demand, "demands/")} {
		ms := matchLines(t, e, "--demand", name)
		if len(ms) == 0 || ms[0].Name != cokeOffer || ms[0].ExternalID != "o-coke" {
			t.Fatalf("match --demand %s: %+v; want %s (o-coke) first", name, ms, cokeOffer)
		}
		for i := 1; i < len(ms); i++ {
			if ms[i].Score > ms[i-1].Score {
				t.Errorf("match --demand %s: not best first: %+v", name, ms)
			}
		}
	}
	if ms := matchLines(t, e, "--demand", demand, "--limit", "1"); len(ms) != 1 {
		t.Errorf("--limit 1 gave %d matches", len(ms))
	}
	if ms := matchLines(t, e, "--offer", cokeOffer); len(ms) == 0 || ms[0].ExternalID != "d-coke" {
		t.Errorf("match --offer %s: %+v; want d-coke first", cokeOffer, ms)
	}

	// The text form: a row per match and the score's parts under it.
	code, out, errOut := e.run("", "match", "--demand", demand)
	if code != 0 {
		t.Fatalf("match: exit %d: %s", code, errOut)
	}
	first, rest, _ := strings.Cut(out, "\n")
	if cells := strings.Split(first, "\t"); len(cells) != 4 || cells[0] != "1" || len(cells[1]) != 5 || cells[2] != cokeOffer || cells[3] != "焦炉上升管荒煤气余热回收技术" {
		t.Errorf("first line %q, want rank, score, name and title", first)
	}
	if parts, _, _ := strings.Cut(rest, "\n"); !strings.HasPrefix(parts, "    text ") || !strings.Contains(parts, " · ") {
		t.Errorf("second line %q, want the parts", parts)
	}

	// A name of the wrong kind, or one that does not exist.
	code, _, errOut = e.run("", "match", "--demand", cokeOffer)
	if code != exitError || errOut == "" {
		t.Errorf("match --demand with an offer's name: exit %d, %q", code, errOut)
	}
	code, _, errOut = e.run("", "match", "--offer", "0000000000000000")
	if code != exitError || !strings.Contains(errOut, "match demands to offers/0000000000000000") {
		t.Errorf("match --offer of a missing offer: exit %d, %q", code, errOut)
	}
}

func TestCLIMatchDraft(t *testing.T) {
	e, cokeOffer, _ := startMarket(t)
	dir := t.TempDir()
	demand := filepath.Join(dir, "demand.json")
	offer := filepath.Join(dir, "offer.json")
	for file, text := range map[string]string{
		demand: `{
  "kind": "demand", "externalId": "draft-1", "title": "焦炉荒煤气上升管余热利用",
  "description": "寻求焦炉上升管荒煤气余热回收产生蒸汽的成熟技术。",
  "industries": ["coal-chemical"], "region": "wuhai"
}`,
		offer: `{"kind": "offer", "externalId": "draft-2", "title": "上升管换热器回收焦炉荒煤气余热", "industries": ["coal-chemical"], "region": "domestic", "trl": 8}`,
	} {
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	offersBefore, demandsBefore := listNames(t, e, "offers"), listNames(t, e, "demands")

	if ms := matchLines(t, e, "--draft", demand); len(ms) == 0 || ms[0].Name != cokeOffer {
		t.Errorf("match --draft %s: %+v; want %s first", demand, ms, cokeOffer)
	}
	if ms := matchLines(t, e, "--draft", offer); len(ms) == 0 || ms[0].ExternalID != "d-coke" {
		t.Errorf("match --draft %s: %+v; want d-coke first", offer, ms)
	}
	if o, d := listNames(t, e, "offers"), listNames(t, e, "demands"); len(o) != len(offersBefore) || len(d) != len(demandsBefore) {
		t.Errorf("matching drafts stored something: %d offers and %d demands before, %d and %d after", len(offersBefore), len(demandsBefore), len(o), len(d))
	}

	// The draft is checked like a create.
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"kind": "demand", "externalId": "x", "title": "", "industries": ["coal-chemical"], "region": "wuhai"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := e.run("", "match", "--draft", bad)
	if code != exitError || !strings.Contains(errOut, "title") {
		t.Errorf("match --draft of an invalid demand: exit %d, %q", code, errOut)
	}
}
