package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
)

// e2e runs the CLI against a real in-process marketplace.
type e2e struct {
	t   *testing.T
	env *testutil.Env
}

func (e e2e) run(token string, args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	c := newCLI(strings.NewReader(""), &out, &errb)
	c.getenv = func(k string) string {
		if k == "TECHMARKET_TOKEN" {
			return token
		}
		return ""
	}
	c.isTerminal = func(io.Writer) bool { return false }
	c.dialOptions = e.env.DialOptions()
	code = c.run(context.Background(), append([]string{"--addr", testutil.Addr}, args...))
	return code, out.String(), errb.String()
}

func devFile(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", "dev", name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%v (the shared data folder sits beside the repository)", err)
	}
	return path
}

func TestCLIImportListGet(t *testing.T) {
	env := testutil.Start(t)
	e := e2e{t, env}
	operator := env.Token("operator", "运营中心")

	code, out, errOut := e.run(operator, "import", devFile(t, "offers.jsonl"))
	if code != 0 || !strings.Contains(out, "taken 233, updated 0, unchanged 0, rejected 0") {
		t.Fatalf("import: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "233") {
		t.Errorf("no progress on stderr: %q", errOut)
	}
	code, out, _ = e.run(operator, "import", devFile(t, "offers.jsonl"))
	if code != 0 || !strings.Contains(out, "taken 0, updated 0, unchanged 233, rejected 0") {
		t.Fatalf("second import: exit %d, %s", code, out)
	}

	code, out, errOut = e.run("", "offers", "list", "--json")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 233 {
		t.Fatalf("list --json printed %d lines, want 233 (every page)", len(lines))
	}
	var first struct{ Name, ExternalID, Title string }
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || !strings.HasPrefix(first.Name, "offers/") || first.ExternalID == "" {
		t.Fatalf("list --json line %q: %+v %v", lines[0], first, err)
	}
	code, out, _ = e.run("", "offers", "list", "--limit", "5")
	if code != 0 || strings.Count(strings.TrimSpace(out), "\n") != 4 {
		t.Errorf("list --limit 5: exit %d\n%s", code, out)
	}
	code, out, _ = e.run("", "offers", "get", first.Name, "--json")
	if code != 0 || !strings.Contains(out, first.ExternalID) {
		t.Errorf("get %s: exit %d\n%s", first.Name, code, out)
	}
	code, _, errOut = e.run("", "offers", "get", "offers/0000000000000000")
	if code != 1 || !strings.Contains(errOut, "permission denied") {
		t.Errorf("get of a missing offer: exit %d, %q", code, errOut)
	}
}

func TestCLIImportBadLinesExit3(t *testing.T) {
	env := testutil.Start(t)
	e := e2e{t, env}
	agency := env.Token("agency", "甲技术转移中心")
	file := filepath.Join(t.TempDir(), "mixed.jsonl")
	content := strings.Join([]string{
		`{"kind":"offer","externalId":"a","title":"无汞触媒","industries":["chlor-alkali"],"region":"wuhai"}`,
		``,
		`{"kind":"offer","externalId":"b","title":"","industries":["chlor-alkali"],"region":"wuhai"}`,
		`{"kind":"offer","externalId":"c","title":"TRL十","industries":["water"],"region":"wuhai","trl":10}`,
		`not json at all`,
		`{"kind":"offer","externalId":"d","title":"PSA提氢","industries":["hydrogen"],"region":"domestic"}`,
	}, "\n")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := e.run(agency, "import", file)
	if code != 3 {
		t.Fatalf("exit %d, want 3\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if !strings.Contains(out, "taken 2, updated 0, unchanged 0, rejected 3") {
		t.Errorf("summary: %s", out)
	}
	for _, want := range []string{`line 3: title:`, `line 4: trl:`, `line 5:`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

func TestCLICreateAndTokens(t *testing.T) {
	env := testutil.Start(t)
	e := e2e{t, env}
	operator := env.Token("operator", "运营中心")
	code, out, errOut := e.run(operator, "tokens", "create", "--org", "乌海某化工公司", "--role", "enterprise")
	if code != 0 {
		t.Fatalf("tokens create: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	enterprise := lines[len(lines)-1]
	if !regexp.MustCompile(`^tmk_\S+$`).MatchString(enterprise) {
		t.Fatalf("the last line is not a token: %q", enterprise)
	}
	code, out, _ = e.run(enterprise, "whoami")
	if code != 0 || !strings.Contains(out, "乌海某化工公司") || !strings.Contains(out, "enterprise") {
		t.Errorf("whoami: exit %d\n%s", code, out)
	}

	file := filepath.Join(t.TempDir(), "demand.json")
	demand := `{
  "kind": "demand", "externalId": "need-1", "title": "电石渣综合利用制备建材",
  "industries": ["chlor-alkali", "building-materials"], "region": "wuhai",
  "minTrl": 6, "budget": {"minYuan": 1000000, "maxYuan": 5000000}, "deadline": "2099-12-31"
}`
	if err := os.WriteFile(file, []byte(demand), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = e.run(enterprise, "offers", "create", "-f", file)
	if code != 2 || !strings.Contains(errOut, "demand") {
		t.Errorf("creating a demand file as an offer: exit %d, %q", code, errOut)
	}
	code, out, errOut = e.run(enterprise, "demands", "create", "-f", file, "--json")
	if code != 0 {
		t.Fatalf("demands create: exit %d: %s", code, errOut)
	}
	var created struct{ Name, State string }
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &created); err != nil || created.State != "LISTING_STATE_DRAFT" {
		t.Fatalf("create printed %q (%v); want a draft", out, err)
	}
	if code, _, errOut = e.run(enterprise, "demands", "publish", created.Name); code != 0 {
		t.Fatalf("publish: exit %d: %s", code, errOut)
	}
	code, out, _ = e.run("", "demands", "list")
	if code != 0 || !strings.Contains(out, "电石渣综合利用制备建材") {
		t.Errorf("published demand not listed publicly: exit %d\n%s", code, out)
	}
	code, _, errOut = e.run("", "demands", "delete", created.Name)
	if code != 1 || !strings.Contains(strings.ToLower(errOut), "token") {
		t.Errorf("anonymous delete: exit %d, %q (want a hint about tokens)", code, errOut)
	}
}
