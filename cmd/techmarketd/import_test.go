package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wuhai-techmarket/techmarket/demo"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// runImport runs `techmarketd import` and returns its exit status, standard
// output and standard error.
func runImport(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, append([]string{"import"}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("import %v: %v", args, err)
	return 0, "", ""
}

// TestOfflineImport stocks a stopped folder from files, then serves it:
// every imported listing is listed and searchable, a bad line is named
// with its file and line and leaves the others imported, importing again
// duplicates nothing, and a served folder is refused.
func TestOfflineImport(t *testing.T) {
	bin := buildServer(t)
	dir := filepath.Join(t.TempDir(), "market")
	lines := demoLines()
	if len(lines) < 20 {
		t.Fatalf("the demo market has %d listings, too few for this test", len(lines))
	}
	first, rest := lines[:len(lines)-5:len(lines)-5], lines[len(lines)-5:]
	stock := filepath.Join(t.TempDir(), "stock.jsonl")
	// A blank line is skipped; the broken one is line len(first)+2.
	writeLines(t, stock, append(first, "", `{"kind": "offer", "title": `)...)
	more := filepath.Join(t.TempDir(), "more.jsonl")
	writeLines(t, more, rest...)

	code, out, errOut := runImport(t, bin, "--data", dir, "--org", "乌海科技大市场", stock)
	if code != 3 {
		t.Fatalf("import with a broken line: exit status %d, want 3\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	wantRejected := stock + ":" + strconv.Itoa(len(first)+2) + ": "
	if !strings.HasPrefix(out, "taken "+strconv.Itoa(len(first))+", updated 0, unchanged 0, rejected 1\n") || !strings.Contains(out, wantRejected) {
		t.Errorf("stdout of the first import:\n%s\nwant %d taken and one rejection starting %q", out, len(first), wantRejected)
	}
	// The second file is small against the market: its index is caught
	// up rather than rebuilt, and it must be searchable all the same.
	if code, out, errOut := runImport(t, bin, "--data", dir, "--org", "乌海科技大市场", more); code != 0 || !strings.HasPrefix(out, "taken 5,") || !strings.Contains(errOut, "caught up") {
		t.Fatalf("import of five more: exit status %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if code, out, _ := runImport(t, bin, "--data", dir, "--org", "乌海科技大市场", more); code != 0 || !strings.HasPrefix(out, "taken 0, updated 0, unchanged 5,") {
		t.Errorf("the same file again: exit status %d, stdout:\n%s", code, out)
	}

	token := issueToken(t, bin, dir, "operator", "乌海科技大市场")
	p := startServer(t, bin, dir)
	c, ctx := dial(t, p, token)
	offers, titles := 0, map[string]bool{}
	for _, l := range lines {
		var v struct{ Kind, Title string }
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		if v.Kind == "offer" {
			offers++
			titles[v.Title] = true
		}
	}
	for page, err := range c.SearchOffers(ctx, &techmarketv1.SearchOffersRequest{PageSize: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		if page.GetTotalSize() != int64(offers) {
			t.Errorf("search finds %d offers, want the %d imported", page.GetTotalSize(), offers)
		}
		for _, h := range page.GetHits() {
			if !titles[h.GetTitle()] {
				t.Errorf("search found %q, which no imported line has", h.GetTitle())
			}
		}
		break
	}

	code, _, errOut = runImport(t, bin, "--data", dir, "--org", "乌海科技大市场", more)
	if code != 1 || !strings.Contains(errOut, "in use by another techmarketd") {
		t.Errorf("import into a served folder: exit status %d, stderr:\n%s\nwant status 1 and a word that the folder is in use", code, errOut)
	}
}

// TestOfflineImportUsage: mistakes in the command line are usage errors,
// and a missing file is found before the folder is made.
func TestOfflineImportUsage(t *testing.T) {
	bin := buildServer(t)
	dir := filepath.Join(t.TempDir(), "market")
	file := filepath.Join(t.TempDir(), "stock.jsonl")
	writeLines(t, file, demoLines()[0])
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"--data", dir, file}, 2, "--org"},
		{[]string{"--data", dir, "--org", "乌海科技大市场"}, 2, "at least one"},
		{[]string{"--data", dir, "--org", "乌海科技大市场", "--role", "mayor", file}, 2, "--role"},
		{[]string{"--data", dir, "--org", "乌海科技大市场", file, file + ".missing"}, 1, "check the file name"},
	} {
		code, _, errOut := runImport(t, bin, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.says) {
			t.Errorf("import %q: exit status %d, stderr:\n%s\nwant status %d mentioning %q", tc.args, code, errOut, tc.code, tc.says)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("import %q wrote the data folder (%v)", tc.args, err)
		}
	}
}

func writeLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// demoLines returns the demo market's listings as interchange lines.
func demoLines() []string {
	var out []string
	for _, l := range demo.Lines() {
		out = append(out, l.GetText())
	}
	return out
}
