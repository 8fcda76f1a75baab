package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wuhai-techmarket/techmarket/client"
)

// The process tests share one build of this command.
var (
	builtServer string
	buildErr    error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "techmarketd-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	builtServer = filepath.Join(dir, "techmarketd")
	if out, err := exec.Command("go", "build", "-o", builtServer, ".").CombinedOutput(); err != nil {
		buildErr = fmt.Errorf("go build: %v\n%s", err, out)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildServer returns the command built for the process tests.
func buildServer(t *testing.T) string {
	t.Helper()
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtServer
}

// logLines collects a process's log as the reader goroutine sees it, for
// tests to read at any time.
type logLines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logLines) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(line + "\n")
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// process is a running techmarketd.
type process struct {
	cmd  *exec.Cmd
	addr string
	logs *logLines
	done chan struct{}
}

var servingLine = regexp.MustCompile(`msg=serving addr=(\S+)`)

// startServer runs `techmarketd serve` on a free loopback port and waits
// for its "serving" log line.
func startServer(t *testing.T, bin, dir string, extra ...string) *process {
	t.Helper()
	return startServerAt(t, bin, "127.0.0.1:0", dir, extra...)
}

// startServerAt is startServer on another address.
func startServerAt(t *testing.T, bin, listen, dir string, extra ...string) *process {
	t.Helper()
	return startProcess(t, exec.Command(bin, append([]string{"serve", "--addr", listen, "--data", dir}, extra...)...))
}

// startProcess runs a prepared `techmarketd serve` and waits for its
// "serving" log line.
func startProcess(t *testing.T, cmd *exec.Cmd) *process {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, logs: &logLines{}, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.logs.add(sc.Text())
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		_ = cmd.Wait()
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			<-p.done
			t.Fatalf("server exited before serving:\n%s", p.logs)
		}
		p.addr = a
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-p.done
		t.Fatalf("server did not start in 30s:\n%s", p.logs)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.done })
	return p
}

// dial connects to a started server as the holder of token until the test
// ends, with a context that gives up after 30 s.
func dial(t *testing.T, p *process, token string) (*client.Client, context.Context) {
	t.Helper()
	c, err := client.Dial(p.addr, client.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c, ctx
}

func issueToken(t *testing.T, bin, dir, role, org string) string {
	t.Helper()
	out, err := exec.Command(bin, "token", "create", "--data", dir, "--role", role, "--org", org).Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// TestGracefulStopAndLockedFolder checks that SIGTERM stops the server
// cleanly and that a second server on the same folder is refused with a
// message saying what to do, instead of hanging.
func TestGracefulStopAndLockedFolder(t *testing.T) {
	bin := buildServer(t)
	dir := t.TempDir()
	p := startServer(t, bin, dir, "--demo")
	second := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	out, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "in use by another techmarketd") {
		t.Errorf("second server on the same folder: %v\n%s", err, out)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0\n%s", code, p.logs)
	}
	if !strings.Contains(p.logs.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", p.logs)
	}
	tokens, err := os.ReadFile(filepath.Join(dir, demoTokensFile))
	if err != nil || strings.Count(string(tokens), "tmk_") != 3 {
		t.Errorf("demo tokens file: %v\n%s", err, tokens)
	}
}
