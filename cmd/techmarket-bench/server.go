package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wuhai-techmarket/techmarket/internal/procmem"
)

// findServer returns the techmarketd binary to run: the --server flag, or
// techmarketd beside this command, or on PATH.
func findServer(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if self, err := os.Executable(); err == nil {
		beside := filepath.Join(filepath.Dir(self), "techmarketd")
		if _, err := os.Stat(beside); err == nil {
			return beside, nil
		}
	}
	if p, err := exec.LookPath("techmarketd"); err == nil {
		return p, nil
	}
	return "", errors.New("no techmarketd binary beside this command or on PATH; build one (go build -o /tmp/techmarketd ./cmd/techmarketd) and pass --server /tmp/techmarketd")
}

// server is a running techmarketd.
type server struct {
	cmd     *exec.Cmd
	addr    string
	metrics string        // HOST:PORT of its /metrics
	started time.Duration // from exec to its "serving" log line
	logs    *tail
	done    chan struct{}
	// peakAnon is the most anonymous memory seen by sampling (the kernel
	// keeps a peak only of the total, file-backed pages included).
	peakAnon atomic.Uint64

	stopOnce sync.Once
	stopErr  error
}

var (
	servingLine = regexp.MustCompile(`msg=serving addr=(\S+)`)
	metricsLine = regexp.MustCompile(`msg=metrics addr=(\S+)`)
)

// limitsOff lifts the per-caller rate limit: the benchmark measures what
// the machine can serve, not the policy that protects it.
var limitsOff = []string{"--rate", "1000000", "--burst", "1000000"}

// startServer runs `techmarketd serve` on a free loopback port over dir
// and waits until it serves; with pprof it serves profiles beside its
// metrics.
func startServer(bin, dir string, pprof bool) (*server, error) {
	var extra []string
	if pprof {
		extra = append(extra, "--pprof")
	}
	return startServerWith(bin, dir, nil, extra...)
}

// startServerWith is startServer with more flags, and more environment
// variables, such as a cluster node's.
func startServerWith(bin, dir string, env []string, extra ...string) (*server, error) {
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--metrics-addr", "127.0.0.1:0"}, limitsOff...)
	cmd := exec.Command(bin, append(args, extra...)...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	s := &server{cmd: cmd, logs: &tail{}, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			s.logs.add(sc.Text())
			if m := metricsLine.FindStringSubmatch(sc.Text()); m != nil {
				s.metrics = m[1] // logged before serving
			}
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
			<-s.done
			return nil, fmt.Errorf("techmarketd exited before serving:\n%s", s.logs)
		}
		s.addr, s.started = a, time.Since(begin)
		go s.sampleAnon()
	case <-time.After(10 * time.Minute):
		_ = cmd.Process.Kill()
		<-s.done
		return nil, fmt.Errorf("techmarketd did not serve within 10 minutes:\n%s", s.logs)
	}
	return s, nil
}

// profile writes the server's pprof profile called name to path: heap
// (seconds 0: as it is now), or profile (CPU for the given seconds, the
// call lasting as long).
func (s *server) profile(name string, seconds int, path string) error {
	url := fmt.Sprintf("http://%s/debug/pprof/%s", s.metrics, name)
	if seconds > 0 {
		url += "?seconds=" + strconv.Itoa(seconds)
	}
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s profile: %s", name, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// gauge reads one of the server's metrics (a gauge without labels).
func (s *server) gauge(name string) (float64, error) {
	resp, err := http.Get("http://" + s.metrics + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("no %s in the metrics of %s", name, s.metrics)
}

// awaitAlerts waits until the alerter has matched every change
// (techmarket_alert_backlog): a bulk import leaves it a backlog (a reverse
// match per listing), which would otherwise share the cores with the
// matches being timed.
func (s *server) awaitAlerts(ctx context.Context, say func(string, ...any)) error {
	return s.await(ctx, say, func() (bool, string, error) {
		n, err := s.gauge("techmarket_alert_backlog")
		return n == 0, fmt.Sprintf("waiting for the alerter: %.0f changes to match", n), err
	})
}

// settleFor is how long no merge may run before the index counts as
// settled: bleve plans the next merge when the last one is written out.
const settleFor = 3 * time.Second

// awaitSettled waits until the index has run no segment merge for
// settleFor (techmarket_index_merges_running) and has no compaction due
// or running (techmarket_index_compaction_pending): after a bulk import
// bleve merges segments for minutes, using a core, and then the index
// merges each side into one segment; the figures of a market in daily
// use are those of a settled index.
func (s *server) awaitSettled(ctx context.Context, say func(string, ...any)) error {
	var quiet time.Time
	return s.await(ctx, say, func() (bool, string, error) {
		n, err := s.gauge("techmarket_index_merges_running")
		if err != nil {
			return false, "", err
		}
		compacting, err := s.gauge("techmarket_index_compaction_pending")
		if err != nil {
			return false, "", err
		}
		segments, err := s.gauge("techmarket_index_segments")
		switch {
		case n > 0 || compacting > 0:
			quiet = time.Time{}
		case quiet.IsZero():
			quiet = time.Now()
		}
		note := fmt.Sprintf("waiting for the index to settle: %.0f merges running, %.0f segments", n, segments)
		if compacting > 0 {
			note += ", compaction due or running"
		}
		return n == 0 && compacting == 0 && time.Since(quiet) >= settleFor, note, err
	})
}

// await polls check five times a second until it reports done or fails,
// passing on its progress note every ten seconds.
func (s *server) await(ctx context.Context, say func(string, ...any), check func() (done bool, note string, err error)) error {
	last := time.Now()
	for {
		done, note, err := check()
		if err != nil || done {
			return err
		}
		if time.Since(last) >= 10*time.Second {
			last = time.Now()
			say("%s", note)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// peakRSS is the most memory the server has held (VmHWM), file-backed
// pages (bleve's mapped segment files) included.
func (s *server) peakRSS() uint64 {
	m, err := procmem.Of(s.cmd.Process.Pid)
	if err != nil {
		return 0
	}
	return m.Peak
}

// sampleAnon records the server's anonymous memory every sampleEvery
// until it exits, keeping the most seen.
func (s *server) sampleAnon() {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		if m, err := procmem.Of(s.cmd.Process.Pid); err == nil && m.Anon > s.peakAnon.Load() {
			s.peakAnon.Store(m.Anon)
		}
		select {
		case <-s.done:
			return
		case <-t.C:
		}
	}
}

// sampleEvery is how often the server's anonymous memory is read.
const sampleEvery = 250 * time.Millisecond

// stop asks the server to stop (SIGTERM) and waits; it kills it after a
// minute. Stopping again returns the first answer, so a deferred stop
// after an explicit one does nothing.
func (s *server) stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.terminate() })
	return s.stopErr
}

func (s *server) terminate() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(time.Minute):
		_ = s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("techmarketd did not stop within a minute:\n%s", s.logs)
	}
	if st := s.cmd.ProcessState; st != nil && !st.Success() {
		return fmt.Errorf("techmarketd stopped with %v:\n%s", st, s.logs)
	}
	return nil
}

// runTool runs a techmarketd subcommand to completion and returns its
// standard output.
func runTool(bin string, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("techmarketd %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), nil
}

// offlineImport runs `techmarketd import` on the stopped folder dir,
// saying its latest progress line every 30 s.
func offlineImport(bin, dir, file string, say func(string, ...any)) error {
	cmd := exec.Command(bin, "import", "--data", dir, "--org", benchOrg, file)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	logs := &tail{}
	last := time.Now()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		logs.add(sc.Text())
		if time.Since(last) >= 30*time.Second {
			last = time.Now()
			say("%s", sc.Text())
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("techmarketd import: %v\n%s", err, logs)
	}
	return nil
}

// benchOrg posts the corpus and holds the benchmark's token.
const benchOrg = "乌海科技大市场"

// operatorToken issues an operator token on a stopped folder.
func operatorToken(bin, dir string) (string, error) {
	out, err := runTool(bin, "token", "create", "--data", dir, "--role", "operator", "--org", benchOrg)
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1], nil
}

// diskSize is the bytes of the files under dir.
func diskSize(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// tail keeps the last lines a server logged, for error messages.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > 40 {
		t.lines = t.lines[len(t.lines)-40:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
