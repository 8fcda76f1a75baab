package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"

	"github.com/wuhai-techmarket/techmarket/client"
)

// testCLI is a cli with captured output, an empty environment (unless env
// says otherwise) and a dialer that records where it was asked to connect
// and fails, so that no test reaches a network.
type testCLI struct {
	*cli
	out, err bytes.Buffer

	mu     sync.Mutex
	dialed []string
}

func newTestCLI(env map[string]string) *testCLI {
	tc := &testCLI{}
	tc.cli = newCLI(strings.NewReader(""), &tc.out, &tc.err)
	tc.getenv = func(k string) string { return env[k] }
	tc.isTerminal = func(io.Writer) bool { return false }
	tc.dialOptions = []client.Option{client.WithDialOptions(grpc.WithContextDialer(func(_ context.Context, addr string) (net.Conn, error) {
		tc.mu.Lock()
		defer tc.mu.Unlock()
		tc.dialed = append(tc.dialed, addr)
		return nil, errors.New("tests do not dial")
	}))}
	return tc
}

func (tc *testCLI) dials() []string {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return slices.Clone(tc.dialed)
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string // in stderr
	}{
		{nil, "Usage: techmarket"},
		{[]string{"bogus"}, `unknown command "bogus"; see 'techmarket help'`},
		{[]string{"offers"}, `"offers" needs a subcommand: list, get, create, publish, withdraw or delete`},
		{[]string{"demands", "explode"}, `unknown command "demands explode"; demands has list`},
		{[]string{"--bogus", "whoami"}, "unknown flag --bogus; see 'techmarket help'"},
		{[]string{"offers", "list", "--bogus"}, "unknown flag --bogus; see 'techmarket help offers list'"},
		{[]string{"offers", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"offers", "list", "--state", "sold"}, `unknown state "sold"; use draft, published, withdrawn, expired, closed, in-review or rejected`},
		{[]string{"demands", "list", "--region", "mars"}, `unknown region "mars"; use wuhai, inner-mongolia, domestic or international`},
		{[]string{"offers", "get"}, "no name given; see 'techmarket help offers get'"},
		{[]string{"demands", "publish", "a", "b"}, "one name only, got 2: a b"},
		{[]string{"offers", "create"}, "no file; give it with -f FILE.json"},
		{[]string{"offers", "create", "x.json"}, "give the file with -f"},
		{[]string{"import"}, "give exactly one file, got 0; see 'techmarket help import'"},
		{[]string{"import", "a.jsonl", "--batch", "0"}, `--batch "0" is not a whole number from 1 to 1000`},
		{[]string{"import", "--batch", "1001", "a.jsonl"}, `--batch "1001" is not a whole number from 1 to 1000`},
		{[]string{"import", "a.jsonl", "--batch"}, "flag --batch needs a value"},
		{[]string{"tokens", "create", "--role", "operator"}, "no organisation; give it with --org NAME"},
		{[]string{"tokens", "create", "--org", "乌海市科技局", "--role", "admin"}, `unknown role "admin"; use --role operator, agency, enterprise or peer`},
		{[]string{"tokens", "create", "--org", "鄂尔多斯科技大市场", "--role", "agency", "--share-industries", "hydrogen"}, "the --share flags are for peer tokens; add --role peer"},
		{[]string{"tokens", "create", "--org", "鄂尔多斯科技大市场", "--role", "peer", "--share-regions", "mars"}, `unknown region "mars"; use wuhai, inner-mongolia, domestic or international`},
		{[]string{"tokens", "revoke"}, "no name given"},
		{[]string{"introductions", "answer", "introductions/x"}, "give one of --accept or --decline"},
		{[]string{"introductions", "request", "offers/x"}, "say who you are and what you want with --message TEXT"},
		{[]string{"whoami", "me"}, `unexpected argument "me"`},
		{[]string{"help", "offers", "sell"}, `no command "offers sell"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			wantUsageError(t, tc.args, tc.want)
		})
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		c := newTestCLI(nil)
		if code := c.run(t.Context(), args); code != exitOK {
			t.Fatalf("%v: exit %d, want 0", args, code)
		}
		for _, cmd := range commands() {
			if !strings.Contains(c.out.String(), "  "+cmd.name+" ") {
				t.Errorf("%v does not list %q:\n%s", args, cmd.name, c.out.String())
			}
		}
		for _, want := range []string{"help [COMMAND]", "--addr HOST:PORT", "--token TOKEN", "TECHMARKET_ADDR", "TECHMARKET_TOKEN", "127.0.0.1:7733"} {
			if !strings.Contains(c.out.String(), want) {
				t.Errorf("%v does not mention %q", args, want)
			}
		}
	}
}

func TestCommandHelp(t *testing.T) {
	t.Parallel()
	for _, cmd := range commands() {
		words := strings.Fields(cmd.name)
		for _, args := range [][]string{
			append(slices.Clone(words), "-h"),
			append(slices.Clone(words), "--help"),
			append([]string{"help"}, words...),
		} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				t.Parallel()
				c := newTestCLI(nil)
				if code := c.run(t.Context(), args); code != exitOK {
					t.Fatalf("exit %d, want 0; stderr:\n%s", code, c.err.String())
				}
				if want := "Usage: techmarket " + cmd.name; !strings.HasPrefix(c.out.String(), want) {
					t.Errorf("help starts %q, want %q", firstLine(c.out.String()), want)
				}
				// Every flag the command defines is explained.
				fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
				cmd.setup(fs)
				fs.VisitAll(func(f *flag.Flag) {
					if !strings.Contains(c.out.String(), "--"+f.Name) {
						t.Errorf("help does not explain --%s", f.Name)
					}
				})
			})
		}
	}
	c := newTestCLI(nil)
	if code := c.run(t.Context(), []string{"help", "tokens"}); code != exitOK || !strings.Contains(c.out.String(), "tokens revoke") {
		t.Errorf("help tokens: exit %d, output:\n%s", code, c.out.String())
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestParseInterspersed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args       []string
		positional []string
		json       bool
		limit      string
	}{
		{[]string{"offers/x", "--json"}, []string{"offers/x"}, true, ""},
		{[]string{"--json", "offers/x"}, []string{"offers/x"}, true, ""},
		{[]string{"a", "--limit", "5", "b", "-json"}, []string{"a", "b"}, true, "5"},
		{[]string{"--limit=7", "a"}, []string{"a"}, false, "7"},
		{[]string{"-"}, []string{"-"}, false, ""},
		{[]string{"a", "--", "--json", "b"}, []string{"a", "--json", "b"}, false, ""},
		{nil, nil, false, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			asJSON := fs.Bool("json", false, "")
			limit := fs.String("limit", "", "")
			got, err := parseInterspersed(fs, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.positional) || *asJSON != tc.json || *limit != tc.limit {
				t.Errorf("positional %q json %v limit %q, want %q %v %q", got, *asJSON, *limit, tc.positional, tc.json, tc.limit)
			}
		})
	}
}

// TestFlagsAfterArguments runs whole commands with their flags on either
// side of the arguments; they must fail alike, in the flag's checks.
func TestFlagsAfterArguments(t *testing.T) {
	t.Parallel()
	for _, pair := range [][2][]string{
		{{"offers", "list", "--limit", "-3"}, {"--limit", "-3", "offers", "list"}}, // the second puts it before the command: global flags only
		{{"import", "f.jsonl", "--batch", "x"}, {"import", "--batch", "x", "f.jsonl"}},
		{{"demands", "get", "a", "--json", "b"}, {"demands", "get", "--json", "a", "b"}},
	} {
		var stderr [2]string
		var codes [2]int
		for i, args := range pair {
			c := newTestCLI(nil)
			codes[i] = c.run(t.Context(), args)
			stderr[i] = c.err.String()
		}
		if pair[1][0] == "--limit" {
			// A command flag before the command is not a global flag.
			if codes[1] != exitUsage || !strings.Contains(stderr[1], "unknown flag --limit") {
				t.Errorf("%v: exit %d, stderr %q; want unknown flag", pair[1], codes[1], stderr[1])
			}
			continue
		}
		if codes[0] != exitUsage || codes[0] != codes[1] || stderr[0] != stderr[1] {
			t.Errorf("%v and %v differ or are not usage errors:\n%d %s\n%d %s", pair[0], pair[1], codes[0], stderr[0], codes[1], stderr[1])
		}
	}
}

func TestLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in       string
		want     int
		pageSize int32
		ok       bool
	}{
		{"", 0, 0, true},
		{"1", 1, 1, true},
		{"49", 49, 49, true},
		{"50", 50, 0, true},
		{"100000", 100000, 0, true},
		{"0", 0, 0, false},
		{"-1", 0, 0, false},
		{"ten", 0, 0, false},
		{"1.5", 0, 0, false},
	} {
		got, err := parseLimit(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseLimit(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if ps := pageSizeFor(got); err == nil && ps != tc.pageSize {
			t.Errorf("pageSizeFor(%d) = %d, want %d", got, ps, tc.pageSize)
		}
	}
	c := newTestCLI(nil)
	if code := c.run(t.Context(), []string{"demands", "list", "--limit", "0"}); code != exitUsage || !strings.Contains(c.err.String(), "--limit \"0\" is not a whole number of at least 1") {
		t.Errorf("--limit 0: exit %d, stderr %q", code, c.err.String())
	}
}

func TestCreateKindMismatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	demand := filepath.Join(dir, "demand.json")
	offer := filepath.Join(dir, "offer.json")
	broken := filepath.Join(dir, "broken.json")
	for file, text := range map[string]string{
		demand: `{"kind": "demand", "externalId": "d1", "title": "焦炉煤气制氢", "industries": ["energy"], "region": "wuhai"}`,
		offer: `{
  "kind": "offer",
  "externalId": "o1",
  "title": "电石渣制备碳酸钙",
  "industries": ["new-materials"],
  "region": "wuhai"
}`,
		broken: `{"kind": "offer", "trl": "high"}`,
	} {
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"offers", "create", "-f", demand}, exitUsage, demand + " holds a demand, not an offer; use 'techmarket demands create -f " + demand + "'"},
		{[]string{"demands", "create", "--publish", "-f", offer}, exitUsage, offer + " holds an offer, not a demand; use 'techmarket offers create -f " + offer + "'"},
		{[]string{"offers", "create", "-f", broken}, exitError, broken + ": trl: expected a whole number, found a JSON string; fix the file"},
		{[]string{"offers", "create", "-f", filepath.Join(dir, "missing.json")}, exitError, "no such file"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			c := newTestCLI(nil)
			if code := c.run(t.Context(), tc.args); code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if !strings.Contains(c.err.String(), tc.want) {
				t.Errorf("stderr %q, want it to contain %q", c.err.String(), tc.want)
			}
			if d := c.dials(); len(d) > 0 {
				t.Errorf("dialled %v before reporting the file", d)
			}
		})
	}
}

// TestAddressAndToken checks where the address comes from: --addr, else
// TECHMARKET_ADDR, else the default. The test dialer fails every dial, so
// the command fails with Unavailable and names the address.
func TestAddressAndToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"default", nil, []string{"whoami"}, defaultAddr},
		{"environment", map[string]string{"TECHMARKET_ADDR": "127.0.0.9:1"}, []string{"whoami"}, "127.0.0.9:1"},
		{"flag before", map[string]string{"TECHMARKET_ADDR": "127.0.0.9:1"}, []string{"--addr", "127.0.0.8:2", "whoami"}, "127.0.0.8:2"},
		{"flag after", map[string]string{"TECHMARKET_ADDR": "127.0.0.9:1"}, []string{"offers", "get", "x", "--addr", "127.0.0.7:3"}, "127.0.0.7:3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newTestCLI(tc.env)
			if code := c.run(t.Context(), tc.args); code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if want := "is techmarketd running at " + tc.want + "? set --addr or TECHMARKET_ADDR"; !strings.Contains(c.err.String(), want) {
				t.Errorf("stderr %q, want it to contain %q", c.err.String(), want)
			}
			if d := c.dials(); len(d) == 0 || d[0] != tc.want {
				t.Errorf("dialled %v, want %s", d, tc.want)
			}
		})
	}

	c := newTestCLI(map[string]string{"TECHMARKET_TOKEN": "from-env"})
	c.resolveGlobals()
	if c.token != "from-env" {
		t.Errorf("token %q, want it from TECHMARKET_TOKEN", c.token)
	}
	c = newTestCLI(map[string]string{"TECHMARKET_TOKEN": "from-env"})
	c.token = "from-flag"
	c.resolveGlobals()
	if c.token != "from-flag" {
		t.Errorf("token %q, want --token to win over the environment", c.token)
	}
}

// wantUsageError runs args and checks they fail as a usage error that
// mentions want, writes nothing to stdout and never dials the server.
func wantUsageError(t *testing.T, args []string, want string) {
	t.Helper()
	c := newTestCLI(nil)
	if code := c.run(t.Context(), args); code != exitUsage {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitUsage, c.err.String())
	}
	if !strings.Contains(c.err.String(), want) {
		t.Errorf("stderr:\n%s\nwant it to contain %q", c.err.String(), want)
	}
	if c.out.Len() > 0 {
		t.Errorf("a usage error wrote to stdout:\n%s", c.out.String())
	}
	if d := c.dials(); len(d) > 0 {
		t.Errorf("a usage error dialled %v", d)
	}
}
