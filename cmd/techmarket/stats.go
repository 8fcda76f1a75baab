package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// statsCommand prints the market statistics.
func statsCommand() command {
	return command{
		name:    "stats",
		args:    "[--from DATE] [--to DATE] [--json]",
		summary: "show how the market performs: listings, matches, alerts, deals, contracts (operators)",
		about: "DATE is YYYY-MM-DD in China Standard Time; --to is exclusive. Listings count\n" +
			"those created in the range by their state now; matches, alerts, deals and\n" +
			"contract value what happened in it. Text output is one line per figure:\n" +
			"group, key, count.",
		setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
			from := fs.String("from", "", "count from `DATE` on")
			to := fs.String("to", "", "count before `DATE`")
			asJSON := fs.Bool("json", false, "print the statistics as one JSON object")
			return func(ctx context.Context, c *cli, args []string) error {
				const cmd = "stats"
				if len(args) > 0 {
					return usageError(cmd, fmt.Sprintf("unexpected argument %q", args[0]))
				}
				req := new(techmarketv1.GetMarketStatsRequest)
				for _, d := range []struct {
					flag, value string
					into        **timestamppb.Timestamp
				}{{"from", *from, &req.StartTime}, {"to", *to, &req.EndTime}} {
					if d.value == "" {
						continue
					}
					t, err := time.ParseInLocation(time.DateOnly, d.value, chinaTime)
					if err != nil {
						return usageError(cmd, fmt.Sprintf("--%s %q is not a date like 2027-01-31", d.flag, d.value))
					}
					*d.into = timestamppb.New(t)
				}
				return c.withClient(func(cl *client.Client) error {
					s, err := cl.Stats.GetMarketStats(ctx, req)
					if err != nil {
						return c.rpcFailure("get the market statistics", err)
					}
					if *asJSON {
						return writeJSON(c.stdout, s)
					}
					rows := [][]string{
						{"offers", "total", fmt.Sprint(s.GetOffers().GetTotal())},
						{"demands", "total", fmt.Sprint(s.GetDemands().GetTotal())},
						{"activity", "matches_served", fmt.Sprint(s.GetMatchesServed())},
						{"activity", "alerts_raised", fmt.Sprint(s.GetAlertsRaised())},
						{"contracts", "value_yuan", fmt.Sprint(s.GetContractValueYuan())},
					}
					add := func(group string, cs []*techmarketv1.Count) {
						for _, x := range cs {
							rows = append(rows, []string{group, x.GetKey(), fmt.Sprint(x.GetCount())})
						}
					}
					add("offers_by_state", s.GetOffers().GetByState())
					add("offers_by_industry", s.GetOffers().GetByIndustry())
					add("offers_by_origin", s.GetOffers().GetByOrigin())
					add("demands_by_state", s.GetDemands().GetByState())
					add("demands_by_industry", s.GetDemands().GetByIndustry())
					add("demands_by_origin", s.GetDemands().GetByOrigin())
					add("deals_by_stage", s.GetDealsByStage())
					add("funnel", s.GetFunnel())
					for _, r := range rows {
						if err := writeRow(c.stdout, r...); err != nil {
							return err
						}
					}
					return nil
				})
			}
		},
	}
}

// chinaTime is China Standard Time, in which the market's dates are written.
var chinaTime = time.FixedZone("CST", 8*60*60)
