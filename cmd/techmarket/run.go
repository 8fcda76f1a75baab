package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/client"
)

// defaultAddr is where techmarketd listens unless told otherwise.
const defaultAddr = "127.0.0.1:7733"

// Exit codes. Other tools rely on them.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitRejected = 3 // import: some lines were rejected, the rest imported
)

// run is the whole program, minus the process: main passes the real
// arguments, streams and environment.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return newCLI(stdin, stdout, stderr).run(ctx, args)
}

// cli holds what a command needs from its surroundings. Tests build one
// with newCLI and change what they need: getenv for the environment,
// dialOptions to reach an in-process server (client.WithDialOptions with a
// bufconn dialer), isTerminal to pick the progress style.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	isTerminal     func(io.Writer) bool
	dialOptions    []client.Option

	// Set by the global flags, or from the environment.
	addr, token string
	// Transport security, set by the global flags.
	useTLS                 bool
	tlsCA, tlsCert, tlsKey string
	// The group of the command being run ("offers"), for hints.
	group string
}

func newCLI(stdin io.Reader, stdout, stderr io.Writer) *cli {
	return &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, isTerminal: isTerminal}
}

// isTerminal says whether w is a terminal, where progress can be redrawn in
// place. Without golang.org/x/term, a character device is the best sign.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// command is one leaf command such as "offers list".
type command struct {
	name    string // "offers list"
	args    string // positional arguments and flags for the synopsis
	summary string // one line for the command list
	about   string // what help says beyond the flags
	// setup defines the command's flags on fs and returns the function that
	// runs it with the positional arguments once fs has been parsed.
	setup func(fs *flag.FlagSet) func(ctx context.Context, c *cli, args []string) error
}

// commands lists every command in the order help shows them.
func commands() []command {
	cmds := []command{importCommand()}
	cmds = append(cmds, listingCommands(offers)...)
	cmds = append(cmds, listingCommands(demands)...)
	cmds = append(cmds, matchCommand())
	cmds = append(cmds, searchCommands()...)
	cmds = append(cmds, watchCommand())
	cmds = append(cmds, alertsCommands()...)
	cmds = append(cmds, reviewCommands()...)
	cmds = append(cmds, statsCommand())
	cmds = append(cmds, auditCommand())
	cmds = append(cmds, eventCommands()...)
	cmds = append(cmds, dealCommands()...)
	cmds = append(cmds, tokenCommands()...)
	cmds = append(cmds, linkCommands()...)
	cmds = append(cmds, introductionCommands()...)
	return cmds
}

// find returns the command that args start with and the arguments after
// its name; ok is false when no command matches.
func find(cmds []command, args []string) (command, []string, bool) {
	for _, cmd := range cmds {
		words := strings.Fields(cmd.name)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return cmd, args[len(words):], true
		}
	}
	return command{}, nil, false
}

// subcommands returns the commands of a group such as "offers".
func subcommands(cmds []command, group string) []string {
	var subs []string
	for _, cmd := range cmds {
		if g, sub, ok := strings.Cut(cmd.name, " "); ok && g == group {
			subs = append(subs, sub)
		}
	}
	return subs
}

// run parses the global flags, finds the command, parses its flags and runs
// it, turning what went wrong into a message and an exit code.
func (c *cli) run(ctx context.Context, args []string) int {
	global := flag.NewFlagSet("techmarket", flag.ContinueOnError)
	global.SetOutput(io.Discard) // errors are reported our way, below
	c.globalFlags(global)
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.usage(c.stdout)
			return exitOK
		}
		return c.report(usageError("", flagError(err)))
	}
	args = global.Args()
	if len(args) == 0 {
		c.usage(c.stderr)
		return exitUsage
	}
	if args[0] == "help" {
		if len(args) > 1 && (args[1] == "-h" || args[1] == "--help") {
			args = args[:1]
		}
		return c.report(c.help(args[1:]))
	}

	cmds := commands()
	cmd, rest, ok := find(cmds, args)
	if !ok {
		if subs := subcommands(cmds, args[0]); len(subs) > 0 {
			if len(args) == 1 {
				return c.report(usageError(args[0], fmt.Sprintf("%q needs a subcommand: %s", args[0], oneOf(subs))))
			}
			return c.report(usageError(args[0], fmt.Sprintf("unknown command %q; %s has %s", args[0]+" "+args[1], args[0], oneOf(subs))))
		}
		return c.report(usageError("", fmt.Sprintf("unknown command %q", args[0])))
	}

	fs := flag.NewFlagSet("techmarket "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runCmd := cmd.setup(fs)
	c.globalFlags(fs) // so that --addr and --token work after the command too
	positional, err := parseInterspersed(fs, rest)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.commandHelp(c.stdout, cmd, fs)
			return exitOK
		}
		return c.report(usageError(cmd.name, flagError(err)))
	}
	c.resolveGlobals()
	c.group, _, _ = strings.Cut(cmd.name, " ")
	return c.report(runCmd(ctx, c, positional))
}

// globalFlags defines --addr and --token on fs. Their defaults come from
// the environment only after parsing, so that help never prints a token.
func (c *cli) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", c.addr, "server address `HOST:PORT` (default $TECHMARKET_ADDR, else "+defaultAddr+")")
	fs.StringVar(&c.token, "token", c.token, "bearer `TOKEN` (default $TECHMARKET_TOKEN)")
	fs.BoolVar(&c.useTLS, "tls", c.useTLS, "connect with TLS, trusting the system's certificate authorities")
	fs.StringVar(&c.tlsCA, "tls-ca", c.tlsCA, "connect with TLS, trusting the CA certificates in this PEM `FILE`")
	fs.StringVar(&c.tlsCert, "tls-cert", c.tlsCert, "client certificate for mutual TLS, a PEM `FILE` (with --tls-key)")
	fs.StringVar(&c.tlsKey, "tls-key", c.tlsKey, "the client certificate's private key, a PEM `FILE`")
}

// tlsConfig is the transport the TLS flags ask for; nil for plain text.
func (c *cli) tlsConfig() (*tls.Config, error) {
	if !c.useTLS && c.tlsCA == "" && c.tlsCert == "" && c.tlsKey == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.tlsCA != "" {
		pem, err := os.ReadFile(c.tlsCA)
		if err != nil {
			return nil, &failure{what: "reading --tls-ca: " + err.Error(), next: "give the PEM file of the CA that signed the server's certificate"}
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, &failure{what: "--tls-ca " + c.tlsCA + " holds no PEM certificate", next: "give the PEM file of the CA that signed the server's certificate"}
		}
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return nil, &failure{what: "--tls-cert and --tls-key go together", next: "give both for mutual TLS, or neither", code: exitUsage}
	}
	if c.tlsCert != "" {
		pair, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
		if err != nil {
			return nil, &failure{what: "loading the client certificate: " + err.Error(), next: "check --tls-cert and --tls-key are the PEM certificate and its key"}
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

func (c *cli) resolveGlobals() {
	if c.addr == "" {
		c.addr = c.getenv("TECHMARKET_ADDR")
	}
	if c.addr == "" {
		c.addr = defaultAddr
	}
	if c.token == "" {
		c.token = c.getenv("TECHMARKET_TOKEN")
	}
}

// parseInterspersed parses flags wherever they are among the positional
// arguments, which the flag package alone stops at: `get offers/x --json`
// and `get --json offers/x` mean the same. After "--" everything is
// positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// flagError words the flag package's errors with the double dashes that
// the help shows.
func flagError(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + name
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag --" + name + " needs a value"
	}
	return msg
}

// dial connects to the server the global flags name.
func (c *cli) dial() (*client.Client, error) {
	opts := []client.Option{client.WithToken(c.token)}
	cfg, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		opts = append(opts, client.WithTLS(cfg))
	}
	opts = append(opts, c.dialOptions...)
	cl, err := client.Dial(c.addr, opts...)
	if err != nil {
		return nil, &failure{what: err.Error(), next: "check --addr or TECHMARKET_ADDR (HOST:PORT)"}
	}
	return cl, nil
}

// failure is an error a person can act on: what happened, what to do next,
// and any detail lines (field violations) to show under it.
type failure struct {
	what, next string
	detail     []string
	code       int // exit code; exitError when 0
}

func (f *failure) Error() string {
	s := f.what
	if f.next != "" {
		s += "; " + f.next
	}
	for _, d := range f.detail {
		s += "\n" + d
	}
	return s
}

// usageError is a mistake in the command line; it points to the help of cmd.
func usageError(cmd, what string) error {
	topic := "techmarket help"
	if cmd != "" {
		topic += " " + cmd
	}
	return &failure{what: what, next: "see '" + topic + "'", code: exitUsage}
}

// exitCode ends a command with a code but no message, for outcomes the
// command has already reported on stdout.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// report prints err to stderr the house way and returns the exit code.
func (c *cli) report(err error) int {
	var code exitCode
	var f *failure
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	case errors.As(err, &f):
		fmt.Fprintf(c.stderr, "techmarket: %s\n", f)
		if f.code != 0 {
			return f.code
		}
		return exitError
	}
	fmt.Fprintf(c.stderr, "techmarket: %s\n", err)
	return exitError
}

// rpcFailure turns an error from the service into a failure: what was being
// done, the status in words, a next step that fits the code, and the field
// violations below.
func (c *cli) rpcFailure(doing string, err error) error {
	lines := strings.Split(client.Describe(err), "\n")
	f := &failure{what: doing + ": " + lines[0], detail: lines[1:]}
	code := status.Code(err)
	if _, ok := status.FromError(err); !ok {
		// Import and the iterators can end with the context's own error.
		code = status.FromContextError(err).Code()
	}
	switch code {
	case codes.Unauthenticated:
		f.next = "set TECHMARKET_TOKEN (or pass --token) to a valid token; an operator issues them with 'techmarket tokens create'"
	case codes.PermissionDenied:
		f.next = "this needs a token of another role or organisation; 'techmarket whoami' shows what yours speaks for"
	case codes.NotFound:
		f.next = "check the name"
		if c.group == "offers" || c.group == "demands" || c.group == "tokens" {
			f.next += "; 'techmarket " + c.group + " list' shows them"
		}
	case codes.InvalidArgument:
		f.next = "fix what is said and try again"
		if len(f.detail) > 0 {
			f.next = "fix the fields below and try again"
		}
	case codes.AlreadyExists:
		f.next = "it exists already; change its external id, or update the existing one"
	case codes.Aborted:
		f.next = "someone changed it meanwhile; get it again and retry"
	case codes.FailedPrecondition:
		f.next = "its current state does not allow this; 'get' shows the state"
	case codes.Unavailable:
		f.next = fmt.Sprintf("is techmarketd running at %s? set --addr or TECHMARKET_ADDR", c.addr)
	case codes.DeadlineExceeded, codes.ResourceExhausted:
		f.next = "the server is busy; try again in a while"
	case codes.Canceled:
		f.what, f.detail = doing+": interrupted", nil
	case codes.Unimplemented:
		f.next = "the server does not know this call; update techmarketd or use a matching techmarket"
	case codes.Unknown:
		// Not from the service (a file that could not be read, say):
		// the message is all there is to say.
	default:
		f.next = "try again; if it keeps failing, tell the marketplace's operator"
	}
	return f
}
