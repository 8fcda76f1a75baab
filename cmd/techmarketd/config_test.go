package main

import (
	"context"
	"errors"
	"flag"
	"io"
	iofs "io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeConfig writes lines to a configuration file and returns its path.
func writeConfig(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "techmarketd.conf")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testFlags is a small flag set of each kind serve has: a string, a
// bool, a duration and a repeatable flag.
type testFlags struct {
	fs      *flag.FlagSet
	addr    *string
	demo    *bool
	timeout *time.Duration
	origins []string
}

func newTestFlags() *testFlags {
	f := &testFlags{fs: newFlags("serve", io.Discard)}
	f.addr = f.fs.String("addr", DefaultAddr, "address to listen on")
	f.demo = f.fs.Bool("demo", false, "load samples")
	f.timeout = f.fs.Duration("max-call-time", time.Minute, "the longest call")
	f.fs.Func("cors-origin", "an origin; repeatable", func(o string) error {
		if !strings.HasPrefix(o, "https://") {
			return errors.New("an origin is https://host")
		}
		f.origins = append(f.origins, o)
		return nil
	})
	f.fs.String(configFlag, "", "the configuration file")
	return f
}

// parseWithConfig parses args, then the file, as serve does.
func (f *testFlags) parseWithConfig(args []string, path string) error {
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	return applyConfig(f.fs, path)
}

// TestConfigSetsFlags: every kind of flag takes its value from the file;
// comments, blank lines and spaces around "=" are allowed, a bool may
// stand alone, and a repeatable flag collects every line.
func TestConfigSetsFlags(t *testing.T) {
	f := newTestFlags()
	path := writeConfig(t,
		"\ufeff# The market of the Wuhai park.",
		"",
		"addr = 0.0.0.0:7733",
		"  demo",
		"max-call-time=2m",
		"cors-origin = https://portal.example.cn",
		"# a second portal",
		"cors-origin = https://mirror.example.cn",
	)
	if err := f.parseWithConfig(nil, path); err != nil {
		t.Fatal(err)
	}
	if *f.addr != "0.0.0.0:7733" || !*f.demo || *f.timeout != 2*time.Minute {
		t.Errorf("addr %q, demo %v, max-call-time %v; want the file's 0.0.0.0:7733, true, 2m", *f.addr, *f.demo, *f.timeout)
	}
	if want := []string{"https://portal.example.cn", "https://mirror.example.cn"}; !slices.Equal(f.origins, want) {
		t.Errorf("cors-origin %v, want both of the file's %v", f.origins, want)
	}
}

// TestConfigCommandLineWins: a flag on the command line keeps its value,
// a repeatable one too (the file's values are not added to it), while the
// file still sets the others.
func TestConfigCommandLineWins(t *testing.T) {
	f := newTestFlags()
	path := writeConfig(t,
		"addr = 0.0.0.0:7733",
		"demo = true",
		"cors-origin = https://portal.example.cn",
		"cors-origin = https://mirror.example.cn",
	)
	if err := f.parseWithConfig([]string{"--addr", "127.0.0.1:9000", "--cors-origin", "https://dev.example.cn", "--config", path}, path); err != nil {
		t.Fatal(err)
	}
	if *f.addr != "127.0.0.1:9000" || !slices.Equal(f.origins, []string{"https://dev.example.cn"}) {
		t.Errorf("addr %q, cors-origin %v; want the command line's 127.0.0.1:9000 and [https://dev.example.cn]", *f.addr, f.origins)
	}
	if !*f.demo {
		t.Error("demo from the file was not applied beside the command line's flags")
	}
}

// TestConfigRefusals: a line the server cannot use stops it, with the
// file and line, and what to write instead.
func TestConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  []string // in the error
	}{
		{"unknown name", []string{"# ok", "addr = 127.0.0.1:7733", "adress = 127.0.0.1:7733"},
			[]string{":3:", `"adress"`, "addr, cors-origin, demo, max-call-time"}},
		{"name with dashes", []string{"--addr = 127.0.0.1:7733"}, []string{":1:", "without dashes"}},
		{"config names a config", []string{"config = other.conf"}, []string{":1:", `unknown setting "config"`}},
		{"bad duration", []string{"", "max-call-time = soon"}, []string{":2:", `"soon"`, "max-call-time"}},
		{"bad bool", []string{"demo = yes please"}, []string{":1:", `"yes please"`, "demo"}},
		{"bad repeatable value", []string{"cors-origin = https://a.example.cn", "cors-origin = ftp://b"}, []string{":2:", "an origin is https://host"}},
		{"value missing", []string{"addr"}, []string{":1:", `"addr = VALUE"`}},
	} {
		f := newTestFlags()
		path := writeConfig(t, tc.lines...)
		err := f.parseWithConfig(nil, path)
		if !errors.Is(err, errUsage) {
			t.Errorf("%s: %v; want a usage error", tc.name, err)
			continue
		}
		for _, w := range append(tc.want, path) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", tc.name, err, w)
			}
		}
	}
	f := newTestFlags()
	if err := f.parseWithConfig(nil, filepath.Join(t.TempDir(), "missing.conf")); err == nil || !strings.Contains(err.Error(), "missing.conf") {
		t.Errorf("missing file: %v; want an error naming it", err)
	}
}

// TestServeRefusesBadConfig: serve itself reads --config, and a bad line
// stops it before it opens or creates its data folder.
func TestServeRefusesBadConfig(t *testing.T) {
	for _, lines := range [][]string{
		{"rate = 10", "burts = 20"},
		{"rate = 10", "rate = fast"},
	} {
		dir := filepath.Join(t.TempDir(), "market")
		path := writeConfig(t, lines...)
		err := serve(context.Background(), []string{"--data", dir, "--config", path}, io.Discard)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), path+":2:") {
			t.Errorf("serve with %q: %v; want a usage error at %s:2", lines, err, path)
		}
		if _, err := os.Stat(dir); !errors.Is(err, iofs.ErrNotExist) {
			t.Errorf("serve with a bad configuration created its data folder (%v)", err)
		}
	}
}

// TestServeFromConfig: the server started with only --config serves as
// the file says, repeated tune lines all apply, and a flag on the command
// line overrides the file's.
func TestServeFromConfig(t *testing.T) {
	bin := buildServer(t)
	fileDir, cmdDir := filepath.Join(t.TempDir(), "from-file"), filepath.Join(t.TempDir(), "from-command-line")
	path := writeConfig(t,
		"# as deploy/techmarketd.conf, on a test port",
		"addr = 127.0.0.1:0",
		"data = "+fileDir,
		"demo = true",
		"tune = BodyTerms=31",
		"tune = MaxExamined=4000",
	)
	p := startProcess(t, exec.Command(bin, "serve", "--config", path, "--data", cmdDir))
	if !strings.Contains(p.logs.String(), `knobs="BodyTerms=31 MaxExamined=4000"`) {
		t.Errorf("both tune lines of the file should apply:\n%s", p.logs)
	}
	if _, err := os.Stat(filepath.Join(cmdDir, demoTokensFile)); err != nil {
		t.Errorf("the demo (from the file) was not loaded into the command line's --data: %v", err)
	}
	if _, err := os.Stat(fileDir); !errors.Is(err, iofs.ErrNotExist) {
		t.Errorf("the file's data folder was used although the command line gave --data (%v)", err)
	}
	if code, out := runHealth(t, bin, "--addr", p.addr); code != 0 {
		t.Errorf("health of the configured server: exit %d\n%s", code, out)
	}
}
