package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// reviewCommands moderate posts and report on listing quality.
func reviewCommands() []command {
	return []command{
		{
			name:    "review",
			args:    "NAME --approve | --send-back --reason TEXT... | --reject --reason TEXT... [--etag ETAG]",
			summary: "approve, send back or reject a listing in review (operators)",
			about: "NAME is offers/ID or demands/ID. A send-back returns the listing to its\n" +
				"poster as a draft with the reasons; a rejection is final. Find the listings\n" +
				"waiting with 'techmarket offers list --state in-review' (and demands).",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				approve := fs.Bool("approve", false, "publish it")
				sendBack := fs.Bool("send-back", false, "return it to its poster to improve")
				reject := fs.Bool("reject", false, "refuse it for good")
				var reasons []string
				fs.Func("reason", "why, for the poster, `TEXT`; repeatable", func(s string) error {
					reasons = append(reasons, s)
					return nil
				})
				etag := fs.String("etag", "", "only if the listing is still at `ETAG`")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "review"
					if len(args) != 1 {
						return usageError(cmd, "give the listing's NAME, offers/ID or demands/ID")
					}
					var decision techmarketv1.ReviewDecision
					n := 0
					for flagSet, d := range map[*bool]techmarketv1.ReviewDecision{
						approve: techmarketv1.ReviewDecision_REVIEW_DECISION_APPROVE, sendBack: techmarketv1.ReviewDecision_REVIEW_DECISION_SEND_BACK,
						reject: techmarketv1.ReviewDecision_REVIEW_DECISION_REJECT,
					} {
						if *flagSet {
							decision, n = d, n+1
						}
					}
					if n != 1 {
						return usageError(cmd, "give exactly one of --approve, --send-back and --reject")
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Reviews.ReviewListing(ctx, &techmarketv1.ReviewListingRequest{Name: args[0], Decision: decision, Reasons: reasons, Etag: *etag})
						if err != nil {
							return c.rpcFailure("review "+args[0], err)
						}
						if resp.GetOffer() != nil {
							return c.writeListing(resp.GetOffer(), false)
						}
						return c.writeListing(resp.GetDemand(), false)
					})
				}
			},
		},
		{
			name:    "quality",
			args:    "NAME [--json]",
			summary: "show what would make your listing clearer to the other side",
			about: "Prints the quality score (0–1) and one line per issue: severity, code,\n" +
				"field, what is wrong and what to do. NAME is offers/ID or demands/ID.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				asJSON := fs.Bool("json", false, "print the report as one JSON object")
				return func(ctx context.Context, c *cli, args []string) error {
					if len(args) != 1 {
						return usageError("quality", "give the listing's NAME, offers/ID or demands/ID")
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Reviews.GetQualityReport(ctx, &techmarketv1.GetQualityReportRequest{Name: args[0]})
						if err != nil {
							return c.rpcFailure("get the quality report of "+args[0], err)
						}
						r := resp.GetReport()
						if *asJSON {
							return writeJSON(c.stdout, r)
						}
						if _, err := fmt.Fprintf(c.stdout, "score\t%.2f\n", r.GetScore()); err != nil {
							return err
						}
						for _, i := range r.GetIssues() {
							if err := writeRow(c.stdout, i.GetSeverity(), i.GetCode(), i.GetField(), i.GetMessage(), i.GetSuggestion()); err != nil {
								return err
							}
						}
						return nil
					})
				}
			},
		},
	}
}
