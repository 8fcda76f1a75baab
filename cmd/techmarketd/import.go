package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// errRejected says that some lines of an import were rejected and the
// others imported; it exits with status 3, as `techmarket import` does.
var errRejected = errors.New("some lines were rejected")

// importFiles loads interchange files into a stopped data folder: the way
// to stock a new market with another platform's export of tens or hundreds
// of thousands of listings.
//
// Each batch is the API's import transaction (market.ImportDurable), so
// lines are checked, numbered and stored exactly as `techmarket import`
// would store them. What the folder being stopped saves is the rest: no
// batch waits for the index, and no alerter matches each listing as it
// comes. The index is brought up to date once, at the end: rebuilt when
// the import at least doubled the market (a rebuild is several times
// faster per listing than following the changes), caught up otherwise.
//
// Alerts: a folder that was never served has no alerter yet, and its
// first one starts from the newest change, so a market's opening stock
// raises no alerts. On a folder already served, the next start alerts on
// the imported listings like on any new ones.
func importFiles(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import", stderr)
	dir := fs.String("data", "", "data folder of the marketplace (stopped)")
	org := fs.String("org", "", "organisation that posts the listings, as a token of it would")
	roleName := fs.String("role", "operator", "role the listings are posted with: operator, agency or enterprise")
	draft := fs.Bool("draft", false, "keep new listings as drafts instead of publishing them")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	files := fs.Args()
	role, ok := auth.ParseRole(*roleName)
	switch {
	case len(files) == 0:
		return fmt.Errorf("%w: give at least one interchange file (FORMAT.md) to import", errUsage)
	case !ok:
		return fmt.Errorf("%w: --role must be operator, agency or enterprise", errUsage)
	}
	if err := market.CheckOrganization(*org); err != nil {
		return fmt.Errorf("%w: --org: %v", errUsage, err)
	}
	for _, f := range files {
		// Every file is looked for before anything is written, so that a
		// typo in the last name does not leave the first files imported.
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("%w; check the file name", err)
		}
	}
	m, err := openMarket(*dir)
	if err != nil {
		return err
	}
	st := m.Store()
	defer st.Close()
	before, err := listings(st)
	if err != nil {
		return err
	}

	imp := &bulkImport{m: m, p: auth.Principal{Org: *org, Role: role}, draft: *draft, progress: stderr, begin: time.Now()}
	for _, f := range files {
		if err := imp.file(ctx, f); err != nil {
			imp.report(stdout)
			return err
		}
	}
	fmt.Fprintf(stderr, "import: %d lines stored in %s\n", imp.lines, time.Since(imp.begin).Round(time.Millisecond))
	imp.report(stdout)

	written := imp.sum.Taken + imp.sum.Updated
	if err := updateIndex(ctx, *dir, st, written >= before && written > 0, stderr); err != nil {
		return fmt.Errorf("the listings are stored, but the index was not brought up to date (%w); the server does it on start, or run `techmarketd reindex`", err)
	}
	if imp.sum.Rejected > 0 {
		return errRejected
	}
	return nil
}

// listings counts the offers and demands in st.
func listings(st *store.Store) (int, error) {
	offers, err := st.Count(store.KindOffer)
	if err != nil {
		return 0, err
	}
	demands, err := st.Count(store.KindDemand)
	return offers + demands, err
}

// bulkImport is one run of importFiles: what it has read and what became
// of it.
type bulkImport struct {
	m        *market.Market
	p        auth.Principal
	draft    bool
	progress io.Writer
	begin    time.Time
	said     time.Time // last progress line
	lines    int       // lines read, over all files
	sum      struct{ Taken, Updated, Unchanged, Rejected int }
	rejected []string // "FILE:LINE: reason", in order
}

// file imports one file in batches of market.MaxImportBatch lines.
func (b *bulkImport) file(ctx context.Context, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("%w; check the file name", err)
	}
	defer f.Close()
	lr := interchange.NewLineReader(f, market.MaxImportLine)
	var batch []*techmarketv1.ImportLine
	for n := 1; ; n++ {
		text, length, err := lr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("reading %s, line %d: %w", name, n, err)
		}
		b.lines++
		switch {
		case length > market.MaxImportLine:
			b.reject(name, int64(n), "", fmt.Sprintf("the line is %d bytes, more than the %d a listing can take", length, market.MaxImportLine))
			continue
		case len(bytes.TrimSpace(text)) == 0:
			continue
		}
		batch = append(batch, &techmarketv1.ImportLine{Number: int64(n), Text: string(text)})
		if len(batch) == market.MaxImportBatch {
			if err := b.store(ctx, name, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return b.store(ctx, name, batch)
}

// store writes one batch in one transaction and counts its outcomes.
func (b *bulkImport) store(ctx context.Context, name string, batch []*techmarketv1.ImportLine) error {
	if len(batch) == 0 {
		return nil
	}
	results, _, err := b.m.ImportDurable(ctx, b.p, b.draft, batch)
	if err != nil {
		return fmt.Errorf("storing lines %d–%d of %s: %w; lines before them are stored (the server indexes them when it starts), and importing the file again is safe: they are updated, not duplicated",
			batch[0].GetNumber(), batch[len(batch)-1].GetNumber(), name, err)
	}
	for _, r := range results {
		switch r.GetOutcome() {
		case techmarketv1.ImportOutcome_IMPORT_OUTCOME_TAKEN:
			b.sum.Taken++
		case techmarketv1.ImportOutcome_IMPORT_OUTCOME_UPDATED:
			b.sum.Updated++
		case techmarketv1.ImportOutcome_IMPORT_OUTCOME_UNCHANGED:
			b.sum.Unchanged++
		default:
			b.reject(name, r.GetNumber(), r.GetField(), r.GetReason())
		}
	}
	if time.Since(b.said) >= time.Second {
		b.said = time.Now()
		fmt.Fprintf(b.progress, "import: %d lines, %.0f/s\n", b.lines, float64(b.lines)/time.Since(b.begin).Seconds())
	}
	return nil
}

func (b *bulkImport) reject(file string, line int64, field, reason string) {
	b.sum.Rejected++
	if field != "" {
		reason = field + ": " + reason
	}
	b.rejected = append(b.rejected, fmt.Sprintf("%s:%d: %s", file, line, reason))
}

// report prints the counts and one line per rejected line, like
// `techmarket import`.
func (b *bulkImport) report(w io.Writer) {
	fmt.Fprintf(w, "taken %d, updated %d, unchanged %d, rejected %d\n", b.sum.Taken, b.sum.Updated, b.sum.Unchanged, b.sum.Rejected)
	for _, r := range b.rejected {
		fmt.Fprintln(w, r)
	}
}

// updateIndex brings the index of the folder dir up to date with st:
// rebuilt from scratch, with progress, or caught up.
func updateIndex(ctx context.Context, dir string, st *store.Store, rebuild bool, stderr io.Writer) error {
	path := filepath.Join(dir, indexDir)
	if rebuild {
		return rebuildIndex(ctx, path, st, "import", stderr)
	}
	start := time.Now()
	idx, err := index.Open(ctx, path, st, index.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "import: index caught up in %s\n", time.Since(start).Round(time.Millisecond))
	return idx.Close()
}
