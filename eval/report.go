package eval

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// WriteTable writes rep as a table, one row per direction and group. With
// base (a Baseline report of the same set) each row also shows the
// baseline's nDCG and recall and the service's lead over them.
func WriteTable(w io.Writer, rep, base *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	k := rep.K
	header := fmt.Sprintf("direction\tgroup\tnDCG@%d\trecall@%d\tP@1\tMRR\tqueries", k, k)
	if base != nil {
		header += fmt.Sprintf("\tbaseline nDCG@%d\trecall@%d\tΔnDCG@%d\tΔrecall@%d", k, k, k, k)
	}
	fmt.Fprintln(tw, header)
	partial := false
	for _, r := range rep.Rows {
		queries := fmt.Sprint(r.Queries)
		if r.RelevantQueries != r.Queries {
			queries = fmt.Sprintf("%d (%d)", r.Queries, r.RelevantQueries)
			partial = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%s", r.Direction, r.Group, r.NDCG, r.Recall, r.P1, r.MRR, queries)
		if base != nil {
			if b, ok := base.Row(r.Direction, r.Group); ok {
				fmt.Fprintf(tw, "\t%.3f\t%.3f\t%+.3f\t%+.3f", b.NDCG, b.Recall, r.NDCG-b.NDCG, r.Recall-b.Recall)
			} else {
				fmt.Fprint(tw, "\t-\t-\t-\t-")
			}
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if partial {
		_, err := fmt.Fprintf(w, "\nrecall@%d, P@1 and MRR average over the queries in parentheses: those with a judged item of grade ≥ 2.\n", k)
		return err
	}
	return nil
}

// WriteWorst lists the n queries of each direction with the lowest nDCG:
// what ranked down to the first relevant item (grade ≥ 2), or all of the
// ranking when none was found, then the relevant items never returned.
func WriteWorst(w io.Writer, rep *Report, n int) error {
	p := &printer{w: w}
	for _, d := range Directions {
		var qs []Query
		for _, q := range rep.Queries {
			if q.Direction == d {
				qs = append(qs, q)
			}
		}
		slices.SortStableFunc(qs, func(a, b Query) int {
			return cmp.Or(cmp.Compare(a.NDCG, b.NDCG), strings.Compare(a.Source, b.Source))
		})
		p.printf("\nworst %s queries (%s):\n", d, rep.System)
		for _, q := range qs[:min(n, len(qs))] {
			p.printf("\n%s  nDCG@%d %.3f  recall@%d %.2f  %s\n", q.Source, rep.K, q.NDCG, rep.K, q.Recall, clip(q.Title))
			for i, h := range q.Hits {
				if h.Grade >= relevantGrade {
					p.printf("  %2d  g%d  %-8s %s  ← first relevant\n", i+1, h.Grade, h.ExternalID, clip(h.Title))
					break
				}
				p.printf("  %2d  g%d  %-8s %s\n", i+1, h.Grade, h.ExternalID, clip(h.Title))
			}
			if len(q.Hits) == 0 {
				p.printf("  (nothing returned)\n")
			}
			for _, h := range q.Missed {
				p.printf("   —  g%d  %-8s %s  (not in the top %d)\n", h.Grade, h.ExternalID, clip(h.Title), rep.K)
			}
		}
	}
	return p.err
}

// printer keeps the first write error, so that a long listing is not a
// wall of error checks.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// clip shortens a title for a one-line listing.
func clip(s string) string {
	const most = 40
	if utf8.RuneCountInString(s) <= most {
		return s
	}
	return string([]rune(s)[:most-1]) + "…"
}
