package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// watchCommand streams match alerts for the caller's listings.
func watchCommand() command {
	return command{
		name:    "watch",
		args:    "[--listing NAME]... [--cursor CURSOR] [--count N] [--json]",
		summary: "print alerts as listings that fit yours appear, until interrupted",
		about: "Each alert names your listing, the new listing that fits it, the score and the\n" +
			"reasons, or reminds you that your listing expires soon. Text output is one line\n" +
			"per alert: cursor, your listing, the new listing, score, its title, reasons\n" +
			"(for a reminder the middle columns are empty and the last says what to do;\n" +
			"a daily digest is such a line, then one line per listing it gathers),\n" +
			"separated by tabs. Give the last cursor you saw with --cursor to get only\n" +
			"what came after it.",
		setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
			var listings []string
			fs.Func("listing", "only alerts for this listing of yours, `NAME`; repeatable", func(s string) error {
				listings = append(listings, s)
				return nil
			})
			cursor := fs.String("cursor", "", "resume after this `CURSOR`")
			count := fs.Int("count", 0, "stop after `N` alerts; 0 waits until interrupted")
			asJSON := fs.Bool("json", false, "print one JSON object per alert")
			return func(ctx context.Context, c *cli, args []string) error {
				const cmd = "watch"
				if len(args) > 0 {
					return usageError(cmd, fmt.Sprintf("unexpected argument %q", args[0]))
				}
				if *count < 0 {
					return usageError(cmd, "--count must be 0 or more")
				}
				return c.withClient(func(cl *client.Client) error {
					ctx, cancel := context.WithCancel(ctx)
					defer cancel()
					stream, err := cl.Alerts.WatchMatches(ctx, &techmarketv1.WatchMatchesRequest{Listings: listings, Cursor: *cursor})
					if err != nil {
						return c.rpcFailure("watch for alerts", err)
					}
					for n := 0; *count == 0 || n < *count; n++ {
						resp, err := stream.Recv()
						switch {
						case errors.Is(err, io.EOF):
							return nil
						case status.Code(err) == codes.Canceled && ctx.Err() != nil:
							return nil // interrupted: a normal end
						case err != nil:
							return c.rpcFailure("watch for alerts", err)
						}
						if err := writeAlert(c, resp.GetAlert(), *asJSON); err != nil {
							return err
						}
					}
					return nil
				})
			}
		},
	}
}

func writeAlert(c *cli, a *techmarketv1.Alert, asJSON bool) error {
	if asJSON {
		return writeJSON(c.stdout, a)
	}
	switch a.GetKind() {
	case techmarketv1.AlertKind_ALERT_KIND_MATCH:
		return writeMatchAlert(c, a.GetCursor(), a.GetListing(), a.GetMatch())
	case techmarketv1.AlertKind_ALERT_KIND_DIGEST:
		// One line for the digest, then one per listing in it, each
		// with the digest's cursor.
		if err := writeRow(c.stdout, a.GetCursor(), a.GetListing(), "", "", "", a.GetMessage()); err != nil {
			return err
		}
		for _, m := range a.GetDigest() {
			if err := writeMatchAlert(c, a.GetCursor(), a.GetListing(), m); err != nil {
				return err
			}
		}
		return nil
	}
	return writeRow(c.stdout, a.GetCursor(), a.GetListing(), "", "", "", a.GetMessage())
}

func writeMatchAlert(c *cli, cursor, listing string, m *techmarketv1.Match) error {
	var reasons []string
	for _, p := range m.GetParts() {
		if p.GetReason() != "" {
			reasons = append(reasons, p.GetReason())
		}
	}
	return writeRow(c.stdout, cursor, listing, m.GetName(), fmt.Sprintf("%.3f", m.GetScore()), m.GetTitle(), strings.Join(reasons, "; "))
}
