package readmetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The addresses the documentation's commands name, and the least number
// of runnable blocks README.md must keep (so that a marker gone wrong
// cannot pass by running nothing).
const (
	docAddr        = "127.0.0.1:7733"
	docMetricsAddr = "127.0.0.1:7734"
	minReadmeRuns  = 4
)

// block is one runnable code block of a document.
type block struct {
	file   string // relative to the repository
	line   int    // of the opening fence
	script string
	needs  []string
	expect []string
}

func (b block) String() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

var (
	markerRE = regexp.MustCompile(`^<!--\s*runnable(\s.*?)?\s*-->\s*$`)
	attrRE   = regexp.MustCompile(`(\w+)=("[^"]*"|\S+)`)
)

// extract finds the runnable blocks of a Markdown document.
func extract(file, text string) ([]block, error) {
	lines := strings.Split(text, "\n")
	var blocks []block
	for i := 0; i < len(lines); i++ {
		m := markerRE.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			if strings.HasPrefix(strings.TrimSpace(lines[i]), "<!-- runnable") {
				return nil, fmt.Errorf("%s:%d: a runnable marker must be the whole line: %q", file, i+1, lines[i])
			}
			continue
		}
		b := block{file: file}
		rest := attrRE.ReplaceAllStringFunc(m[1], func(attr string) string {
			kv := attrRE.FindStringSubmatch(attr)
			value := strings.Trim(kv[2], `"`)
			switch kv[1] {
			case "needs":
				b.needs = append(b.needs, strings.Split(value, ",")...)
			case "expect":
				b.expect = append(b.expect, value)
			default:
				return attr // unknown: left in rest, refused below
			}
			return ""
		})
		if strings.TrimSpace(rest) != "" {
			return nil, fmt.Errorf("%s:%d: runnable marker with %q; it takes needs=TOOL,… and expect=\"TEXT\"", file, i+1, strings.TrimSpace(rest))
		}
		if i+1 >= len(lines) || (strings.TrimSpace(lines[i+1]) != "```sh" && strings.TrimSpace(lines[i+1]) != "```bash") {
			return nil, fmt.Errorf("%s:%d: a runnable marker must come right before a ```sh block", file, i+1)
		}
		b.line = i + 2
		var script []string
		closed := false
		for i += 2; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) == "```" {
				closed = true
				break
			}
			script = append(script, lines[i])
		}
		if !closed {
			return nil, fmt.Errorf("%s: the block opened at line %d never closes", file, b.line)
		}
		b.script = strings.Join(script, "\n") + "\n"
		blocks = append(blocks, b)
	}
	return blocks, nil
}

func TestExtractFindsMarkedBlocksOnly(t *testing.T) {
	doc := "# Title\n\n```sh\nnot marked\n```\n\nProse may name `<!-- runnable -->`.\n<!-- runnable -->\n```sh\necho one\necho two\n```\n\n" +
		"<!-- runnable needs=grpcurl,jq expect=\"SERVING\" -->\n```bash\ngrpcurl x\n```\n"
	blocks, err := extract("doc.md", doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 {
		t.Fatalf("found %d blocks, want the 2 marked: %+v", len(blocks), blocks)
	}
	if b := blocks[0]; b.line != 9 || b.script != "echo one\necho two\n" || b.needs != nil {
		t.Errorf("first block: %+v", b)
	}
	if b := blocks[1]; strings.Join(b.needs, " ") != "grpcurl jq" || strings.Join(b.expect, " ") != "SERVING" || b.script != "grpcurl x\n" {
		t.Errorf("second block: %+v", b)
	}
	for name, bad := range map[string]string{
		"no fence":     "<!-- runnable -->\nplain text\n",
		"other fence":  "<!-- runnable -->\n```go\nfmt.Println()\n```\n",
		"unclosed":     "<!-- runnable -->\n```sh\necho\n",
		"unknown attr": "<!-- runnable timeout=5 -->\n```sh\necho\n```\n",
		"text after":   "<!-- runnable --> and more\n```sh\necho\n```\n",
	} {
		if _, err := extract("doc.md", bad); err == nil {
			t.Errorf("%s: no error for a marker that would run nothing or the wrong thing", name)
		}
	}
}

// TestDocumentedCommandsRun runs every runnable block against a fresh
// demo market.
func TestDocumentedCommandsRun(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []block
	readmeRuns := 0
	for _, path := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		found, err := extract(filepath.ToSlash(rel), string(text))
		if err != nil {
			t.Fatal(err)
		}
		if rel == "README.md" {
			readmeRuns = len(found)
		}
		blocks = append(blocks, found...)
	}
	if readmeRuns < minReadmeRuns {
		t.Fatalf("README.md has %d runnable blocks, want at least %d: is the marker still <!-- runnable --> before a ```sh block?", readmeRuns, minReadmeRuns)
	}

	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin+string(filepath.Separator), "./cmd/...")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/...: %v\n%s", err, out)
	}
	addr, metricsAddr := startDemo(t, filepath.Join(bin, "techmarketd"), work)

	env := []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + work,
		"TECHMARKET_ADDR=" + addr,
		"LANG=C.UTF-8",
	}
	for _, name := range []string{"GOCACHE", "GOPATH", "GOMODCACHE", "TMPDIR"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	for _, b := range blocks {
		t.Run(b.String(), func(t *testing.T) {
			for _, tool := range b.needs {
				if _, err := exec.LookPath(tool); err != nil {
					t.Skipf("%s is not installed", tool)
				}
			}
			script := strings.NewReplacer(docAddr, addr, docMetricsAddr, metricsAddr).Replace(b.script)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
			cmd.Dir = work
			cmd.Env = env
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Fatalf("the block at %s failed (%v):\n%s\noutput:\n%s", b, err, b.script, out.String())
			}
			if out.Len() == 0 {
				t.Errorf("the block at %s printed nothing; a reader would see no sign it worked", b)
			}
			for _, want := range b.expect {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the output of the block at %s lacks %q:\n%s", b, want, out.String())
				}
			}
		})
	}
}

// startDemo starts techmarketd with the demo market in dir/data on free
// ports and returns its address and its metrics' address, once it serves.
func startDemo(t *testing.T, techmarketd, dir string) (addr, metricsAddr string) {
	t.Helper()
	cmd := exec.Command(techmarketd, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
		"--data", filepath.Join(dir, "data"), "--demo")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	type found struct{ addr, metrics string }
	ready := make(chan found, 1)
	var log bytes.Buffer
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		var f found
		sent := false
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if sent {
				continue // keep reading, so that the server never blocks on a full pipe
			}
			line := sc.Text()
			log.WriteString(line + "\n")
			switch {
			case strings.Contains(line, "msg=metrics "):
				f.metrics = field(line, "addr")
			case strings.Contains(line, "msg=serving "):
				f.addr = field(line, "addr")
			}
			if f.addr != "" && f.metrics != "" {
				ready <- f
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() {
		<-logged
		_ = cmd.Wait()
		close(exited)
	}()
	select {
	case f := <-ready:
		return f.addr, f.metrics
	case <-exited:
		t.Fatalf("techmarketd exited before serving:\n%s", log.String())
	case <-time.After(60 * time.Second):
		t.Fatal("techmarketd did not serve within a minute")
	}
	return "", ""
}

// field is the value of key=value in a text log line.
func field(line, key string) string {
	for f := range strings.FieldsSeq(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	return ""
}
