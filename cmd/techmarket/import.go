package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/wuhai-techmarket/techmarket/client"
)

func importCommand() command {
	return command{
		name:    "import",
		args:    "FILE.jsonl [--draft] [--batch N]",
		summary: "import offers and demands from a JSON Lines file",
		about: `FILE is in the interchange format (FORMAT.md), one listing per line; "-" reads
standard input. A line whose externalId was imported before updates its
listing, so importing a file again is safe. Progress goes to standard error;
at the end standard output has the counts and one line per rejected line:

  taken 230, updated 2, unchanged 0, rejected 1
  line 17: title: must not be empty

Exit status 3 says that some lines were rejected and the others imported.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
			draft := fs.Bool("draft", false, "keep new listings as drafts instead of publishing them")
			batch := fs.String("batch", "", "send `N` lines per batch, 1 to "+strconv.Itoa(client.MaxBatchSize)+" (default "+strconv.Itoa(client.DefaultBatchSize)+")")
			return func(ctx context.Context, c *cli, args []string) error {
				if len(args) != 1 {
					return usageError("import", fmt.Sprintf("give exactly one file, got %d", len(args)))
				}
				opts := client.ImportOptions{Draft: *draft}
				if *batch != "" {
					n, err := strconv.Atoi(*batch)
					if err != nil || n < 1 || n > client.MaxBatchSize {
						return usageError("import", fmt.Sprintf("--batch %q is not a whole number from 1 to %d", *batch, client.MaxBatchSize))
					}
					opts.BatchSize = n
				}
				return c.runImport(ctx, args[0], opts)
			}
		},
	}
}

func (c *cli) runImport(ctx context.Context, file string, opts client.ImportOptions) error {
	in, total, err := c.openImport(file)
	if err != nil {
		return err
	}
	defer in.Close()

	p := &progress{w: c.stderr, tty: c.isTerminal(c.stderr), total: total}
	opts.Progress = func(ip client.ImportProgress) { p.update(ip.Answered) }
	var sum client.ImportSummary
	err = c.withClient(func(cl *client.Client) error {
		sum, err = cl.Import(ctx, in, opts)
		return err
	})
	p.finish()

	if err != nil && sum.Taken+sum.Updated+sum.Unchanged+sum.Rejected == 0 {
		return c.importFailure(err, sum)
	}
	// The summary is printed even after an error: the lines it counts are
	// stored, and the rejections are worth fixing before the next try.
	fmt.Fprintf(c.stdout, "taken %d, updated %d, unchanged %d, rejected %d\n", sum.Taken, sum.Updated, sum.Unchanged, sum.Rejected)
	for _, r := range sum.RejectedLines {
		reason := clean(r.GetReason(), false)
		if f := r.GetField(); f != "" {
			reason = clean(f, false) + ": " + reason
		}
		fmt.Fprintf(c.stdout, "line %d: %s\n", r.GetNumber(), reason)
	}
	if err != nil {
		return c.importFailure(err, sum)
	}
	if sum.Rejected > 0 {
		return exitCode(exitRejected)
	}
	return nil
}

// importFailure explains an import that stopped, adding that starting over
// is safe, since lines already imported are only updated the second time.
func (c *cli) importFailure(err error, sum client.ImportSummary) error {
	answered := sum.Taken + sum.Updated + sum.Unchanged + sum.Rejected
	f := c.rpcFailure(fmt.Sprintf("import stopped after %d lines were answered", answered), err).(*failure)
	if f.next != "" {
		f.next += "; then"
	}
	f.next += " import the same file again: lines already imported are updated, not duplicated"
	f.next = strings.TrimSpace(f.next)
	return f
}

// openImport opens the file to import and counts its lines for progress;
// for standard input the count is unknown (0).
func (c *cli) openImport(file string) (io.ReadCloser, int, error) {
	if file == "-" {
		return io.NopCloser(c.stdin), 0, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, 0, &failure{what: err.Error(), next: "check the file name"}
	}
	total, err := countLines(f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, 0, &failure{what: "read " + file + ": " + err.Error(), next: "check that it is a readable file"}
	}
	return f, total, nil
}

// countLines counts lines the way Import numbers them: a last line without
// a newline counts too.
func countLines(r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	buf := make([]byte, 64<<10)
	lines, last := 0, byte('\n')
	for {
		n, err := br.Read(buf)
		if n > 0 {
			lines += bytes.Count(buf[:n], []byte("\n"))
			last = buf[n-1]
		}
		if err == io.EOF {
			if last != '\n' {
				lines++
			}
			return lines, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// progress shows how many lines have been answered. On a terminal it
// redraws one line in place; elsewhere (a log, CI) it writes a line per
// tenth of the file, or per 10,000 lines when the total is unknown, so that
// logs stay short.
type progress struct {
	w       io.Writer
	tty     bool
	total   int
	printed bool
	step    int // the last tenth (or 10,000) reported, off a terminal
}

func (p *progress) update(answered int) {
	if p.tty {
		fmt.Fprintf(p.w, "\rimporting: %s", p.text(answered))
		p.printed = true
		return
	}
	step := answered / 10000
	if p.total > 0 {
		step = answered * 10 / p.total
	}
	if step > p.step {
		p.step = step
		fmt.Fprintf(p.w, "importing: %s\n", p.text(answered))
	}
}

func (p *progress) text(answered int) string {
	if p.total > 0 {
		return fmt.Sprintf("%d/%d lines answered (%d%%)", answered, p.total, answered*100/p.total)
	}
	return fmt.Sprintf("%d lines answered", answered)
}

// finish ends the line redrawn in place, so that what comes next starts on
// a line of its own.
func (p *progress) finish() {
	if p.printed {
		fmt.Fprintln(p.w)
	}
}
