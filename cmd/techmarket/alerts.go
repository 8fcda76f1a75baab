package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// deliveries are the --delivery words, in help order.
var deliveries = []struct {
	word string
	d    techmarketv1.AlertDelivery
}{
	{"immediate", techmarketv1.AlertDelivery_ALERT_DELIVERY_IMMEDIATE},
	{"digest", techmarketv1.AlertDelivery_ALERT_DELIVERY_DAILY_DIGEST},
	{"off", techmarketv1.AlertDelivery_ALERT_DELIVERY_OFF},
}

func deliveryWord(d techmarketv1.AlertDelivery) string {
	for _, x := range deliveries {
		if x.d == d {
			return x.word
		}
	}
	return "immediate"
}

const alertsAbout = "NAME is offers/ID or demands/ID, a listing of yours. An alert about a\n" +
	"new listing comes only when it stands among the first --top matches of yours\n" +
	"(as 'techmarket match' ranks them), scores at least --min-score, breaks none of\n" +
	"your hard constraints and covers enough of what yours asks. --delivery digest\n" +
	"gathers the day's alerts into one, at 08:00 China time; off stops match alerts\n" +
	"(expiry reminders still come). Text output: name, top, min score, delivery."

// alertsCommands read and change a listing's alert settings.
func alertsCommands() []command {
	get := command{
		name:    "alerts get",
		args:    "NAME [--json]",
		summary: "show when you are alerted about a listing of yours",
		about:   alertsAbout,
		setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
			asJSON := fs.Bool("json", false, "print the settings as one JSON object")
			return func(ctx context.Context, c *cli, args []string) error {
				if len(args) != 1 {
					return usageError("alerts get", "give the listing's NAME, offers/ID or demands/ID")
				}
				return c.withClient(func(cl *client.Client) error {
					resp, err := cl.Alerts.GetAlertSettings(ctx, &techmarketv1.GetAlertSettingsRequest{Name: args[0]})
					if err != nil {
						return c.rpcFailure("read the alert settings of "+args[0], err)
					}
					return writeSettings(c, resp.GetSettings(), *asJSON)
				})
			}
		},
	}
	set := command{
		name:    "alerts set",
		args:    "NAME [--top N] [--min-score X] [--delivery immediate|digest|off] [--json]",
		summary: "choose when you are alerted about a listing of yours",
		about:   alertsAbout + "\nOnly the flags given change; 0 puts --top or --min-score back to the market's default.",
		setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
			top := fs.Int("top", 0, "alert only for the first `N` of your matches, 1–10")
			minScore := fs.Float64("min-score", 0, "alert only for matches scoring at least `X`, 0–1")
			words := make([]string, len(deliveries))
			for i, x := range deliveries {
				words[i] = x.word
			}
			delivery := fs.String("delivery", "", "`WHEN`: "+strings.Join(words, ", "))
			asJSON := fs.Bool("json", false, "print the settings as one JSON object")
			return func(ctx context.Context, c *cli, args []string) error {
				const cmd = "alerts set"
				if len(args) != 1 {
					return usageError(cmd, "give the listing's NAME, offers/ID or demands/ID")
				}
				s := &techmarketv1.AlertSettings{Name: args[0], TopN: int32(*top), MinScore: *minScore}
				var paths []string
				fs.Visit(func(f *flag.Flag) {
					switch f.Name {
					case "top":
						paths = append(paths, "top_n")
					case "min-score":
						paths = append(paths, "min_score")
					case "delivery":
						paths = append(paths, "delivery")
					}
				})
				if len(paths) == 0 {
					return usageError(cmd, "give what to change: --top, --min-score or --delivery")
				}
				if *delivery != "" {
					found := false
					for _, x := range deliveries {
						if x.word == *delivery {
							s.Delivery, found = x.d, true
						}
					}
					if !found {
						return usageError(cmd, fmt.Sprintf("--delivery %q: want one of %s", *delivery, strings.Join(words, ", ")))
					}
				}
				return c.withClient(func(cl *client.Client) error {
					resp, err := cl.Alerts.UpdateAlertSettings(ctx, &techmarketv1.UpdateAlertSettingsRequest{
						Settings: s, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths},
					})
					if err != nil {
						return c.rpcFailure("change the alert settings of "+args[0], err)
					}
					return writeSettings(c, resp.GetSettings(), *asJSON)
				})
			}
		},
	}
	return []command{get, set}
}

func writeSettings(c *cli, s *techmarketv1.AlertSettings, asJSON bool) error {
	if asJSON {
		return writeJSON(c.stdout, s)
	}
	return writeRow(c.stdout, s.GetName(), fmt.Sprintf("top %d", s.GetTopN()), fmt.Sprintf("min score %.3f", s.GetMinScore()), deliveryWord(s.GetDelivery()))
}
