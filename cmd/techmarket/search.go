package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/interchange"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// Search limits: the default number of hits, and the largest page the
// service gives.
const (
	defaultSearchLimit = 20
	maxSearchPage      = 100
)

// searchPage is what a page of SearchOffers and SearchDemands have in
// common.
type searchPage interface {
	GetHits() []*techmarketv1.SearchHit
	GetTotalSize() int64
	GetFacets() []*techmarketv1.Facet
}

// searchKind is one kind of listing to search and the client call for it.
type searchKind struct {
	singular, plural string
	pages            func(*client.Client, context.Context, string, *techmarketv1.SearchFilters, int32) iter.Seq2[searchPage, error]
}

var searchOffers = searchKind{
	singular: "offer",
	plural:   "offers",
	pages: func(cl *client.Client, ctx context.Context, query string, f *techmarketv1.SearchFilters, size int32) iter.Seq2[searchPage, error] {
		return asPages(cl.SearchOffers(ctx, &techmarketv1.SearchOffersRequest{Query: query, Filters: f, PageSize: size}))
	},
}

var searchDemands = searchKind{
	singular: "demand",
	plural:   "demands",
	pages: func(cl *client.Client, ctx context.Context, query string, f *techmarketv1.SearchFilters, size int32) iter.Seq2[searchPage, error] {
		return asPages(cl.SearchDemands(ctx, &techmarketv1.SearchDemandsRequest{Query: query, Filters: f, PageSize: size}))
	},
}

func asPages[P searchPage](seq iter.Seq2[P, error]) iter.Seq2[searchPage, error] {
	return func(yield func(searchPage, error) bool) {
		for p, err := range seq {
			if !yield(p, err) {
				return
			}
		}
	}
}

// searchCommands makes "search offers" and "search demands".
func searchCommands() []command {
	return []command{searchCommand(searchOffers), searchCommand(searchDemands)}
}

func searchCommand(k searchKind) command {
	name := "search " + k.plural
	trlOf := "TRL"
	if k.plural == "demands" {
		trlOf = "minimum TRL"
	}
	return command{
		name:    name,
		args:    `"TEXT" [--industry CODE]... [--region CODE]... [--mode CODE]... [--min-trl N] [--max-trl N] [--limit N] [--facets] [--json]`,
		summary: "search published " + k.plural + " by free text and filters",
		about: "TEXT is plain words, Chinese or English; several arguments are joined. Without\n" +
			"it every published " + k.singular + " that passes the filters is listed, newest first.\n" +
			"A repeated flag matches any of its values.\n\n" +
			"Text output is one line per " + k.singular + ", best first: name, score, title and\n" +
			"snippet, separated by tabs. --facets adds a block that counts all matching\n" +
			k.plural + " by industry, region and TRL band:\n\n" +
			"  industry: coal-chemical 12, water 3\n\n" +
			"--json prints one SearchHit object per line instead, and with --facets one\n" +
			"Facet object per line after them.",
		setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
			var industries, regions, modes listFlag
			fs.Var(&industries, "industry", "only tagged with industry `CODE` (industries.tsv); repeat for several")
			fs.Var(&regions, "region", "only from region `CODE` ("+regionCodes+"); repeat for several")
			fs.Var(&modes, "mode", "only with transfer mode `CODE` ("+modeCodes+"); repeat for several")
			origin := fs.String("origin", "", "only this market's own "+k.plural+" (local) or those of one linked market (its link's `NAME`)")
			minTRL := fs.String("min-trl", "", "only with a "+trlOf+" of at least `N`, 1 to 9")
			maxTRL := fs.String("max-trl", "", "only with a "+trlOf+" of at most `N`, 1 to 9")
			limit := fs.String("limit", "", "stop after `N` "+k.plural+", fetching as many pages as that takes (default "+strconv.Itoa(defaultSearchLimit)+")")
			facets := fs.Bool("facets", false, "also print how many matching "+k.plural+" there are by industry, region and TRL band")
			asJSON := fs.Bool("json", false, "print one JSON object per line")
			return func(ctx context.Context, c *cli, args []string) error {
				query := strings.Join(args, " ")
				n, err := parseLimit(*limit)
				if err != nil {
					return usageError(name, err.Error())
				}
				if n == 0 {
					n = defaultSearchLimit
				}
				f := &techmarketv1.SearchFilters{Industries: industries, Origin: *origin}
				if f.Regions, err = parseRegions(name, regions); err != nil {
					return err
				}
				for _, code := range modes {
					m, ok := interchange.TransferModeFromCode(code)
					if !ok {
						return usageError(name, fmt.Sprintf("unknown transfer mode %q; use %s", code, modeCodes))
					}
					f.TransferModes = append(f.TransferModes, m)
				}
				if f.MinTrl, err = parseTRL("min-trl", *minTRL); err != nil {
					return usageError(name, err.Error())
				}
				if f.MaxTrl, err = parseTRL("max-trl", *maxTRL); err != nil {
					return usageError(name, err.Error())
				}
				if f.MaxTrl > 0 && f.MinTrl > f.MaxTrl {
					return usageError(name, fmt.Sprintf("--min-trl %d is above --max-trl %d", f.MinTrl, f.MaxTrl))
				}
				return c.withClient(func(cl *client.Client) error {
					return c.search(ctx, cl, k, query, f, n, *facets, *asJSON)
				})
			}
		},
	}
}

// search prints up to n hits, page after page, then the facets if asked.
func (c *cli) search(ctx context.Context, cl *client.Client, k searchKind, query string, f *techmarketv1.SearchFilters, n int, withFacets, asJSON bool) error {
	var first searchPage
	shown := 0
pages:
	for page, err := range k.pages(cl, ctx, query, f, int32(min(n, maxSearchPage))) {
		if err != nil {
			return c.rpcFailure("search "+k.plural, err)
		}
		if first == nil {
			first = page
		}
		for _, h := range page.GetHits() {
			if asJSON {
				err = writeJSON(c.stdout, h)
			} else {
				err = writeRow(c.stdout, h.GetName(), fmt.Sprintf("%.3f", h.GetScore()), h.GetTitle(), strings.TrimSpace(h.GetSnippet()))
			}
			if err != nil {
				return err
			}
			if shown++; shown == n {
				break pages
			}
		}
	}
	if first == nil {
		return nil
	}
	if !asJSON {
		total := first.GetTotalSize()
		switch {
		case total == 0:
			fmt.Fprintf(c.stderr, "techmarket: no %s found\n", k.plural)
		case int64(shown) < total:
			fmt.Fprintf(c.stderr, "techmarket: showing %d of %d %s; --limit shows more\n", shown, total, k.plural)
		}
	}
	if !withFacets {
		return nil
	}
	if asJSON {
		for _, facet := range first.GetFacets() {
			if err := writeJSON(c.stdout, facet); err != nil {
				return err
			}
		}
		return nil
	}
	return writeFacets(c.stdout, first.GetFacets(), shown > 0)
}

// writeFacets prints one line per facet, `industry: coal-chemical 12,
// water 3`, after a blank line when hits came before.
func writeFacets(w io.Writer, facets []*techmarketv1.Facet, gap bool) error {
	var b strings.Builder
	if gap && len(facets) > 0 {
		b.WriteString("\n")
	}
	for _, facet := range facets {
		counts := make([]string, len(facet.GetCounts()))
		for i, fc := range facet.GetCounts() {
			counts[i] = fmt.Sprintf("%s %d", clean(fc.GetValue(), false), fc.GetCount())
		}
		line := clean(facet.GetField(), false) + ":"
		if len(counts) > 0 {
			line += " " + strings.Join(counts, ", ")
		}
		b.WriteString(line + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// parseTRL reads --min-trl or --max-trl: empty means no bound, otherwise a
// level from 1 to 9.
func parseTRL(flagName, s string) (int32, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 9 {
		return 0, fmt.Errorf("--%s %q is not a whole number from 1 to 9", flagName, s)
	}
	return int32(n), nil
}
