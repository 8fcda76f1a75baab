package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/interchange"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// maxMatches is the most matches MatchService returns for one listing.
const maxMatches = 100

// regionCodes and modeCodes are the codes the flags take, for messages.
const (
	regionCodes = "wuhai, inner-mongolia, domestic or international"
	modeCodes   = "assignment, license, equity, joint-development or service"
)

// listFlag is a flag that may be given more than once, each value added to
// the list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// parseRegions turns --region codes into the API's enum.
func parseRegions(cmd string, codes []string) ([]techmarketv1.Region, error) {
	var regions []techmarketv1.Region
	for _, code := range codes {
		r, ok := interchange.RegionFromCode(code)
		if !ok {
			return nil, usageError(cmd, fmt.Sprintf("unknown region %q; use %s", code, regionCodes))
		}
		regions = append(regions, r)
	}
	return regions, nil
}

func matchCommand() command {
	return command{
		name:    "match",
		args:    "--demand NAME | --offer NAME | --draft FILE.json [--limit N] [--json] [--strict-readiness] [--strict-modes] [--strict-price] [--region CODE]...",
		summary: "find the offers that fit a demand, or the demands an offer can serve",
		about: `Give exactly one of --demand, --offer or --draft. NAME is demands/ID, offers/ID
or just ID. --draft matches an unsaved listing in the interchange format
(FORMAT.md; "-" reads standard input) without storing it; its kind picks the
direction: a demand finds offers, an offer finds demands.

By default a constraint (readiness, transfer modes, price) only lowers a
score, so a near fit is still shown with its reason; the --strict flags drop
such matches instead. Text output is, best first, a row of rank, score, name
and title separated by tabs, and indented under it the score's parts, how
much of what the source asks the text covers, the reasons that lowered the
score and the snippet:

  1  0.734  offers/ID  title
      text 0.41 · industry 0.12 · readiness 0.08 · ...
      text: covers 42% of the demand's telling terms by weight: 焦炉、荒煤气、余热 and 6 more
      lowered by: TRL 6 is below the required 7
      snippet with the shared terms marked 【like this】

--json prints one Match object per line instead, best first.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
			demand := fs.String("demand", "", "find offers for the stored demand `NAME`")
			offer := fs.String("offer", "", "find demands for the stored offer `NAME`")
			draft := fs.String("draft", "", "match the unsaved listing in `FILE` (interchange format, \"-\" for standard input)")
			limit := fs.String("limit", "", "show at most `N` matches, 1 to "+strconv.Itoa(maxMatches)+" (default 10)")
			asJSON := fs.Bool("json", false, "print one JSON object per match, one per line")
			strictReadiness := fs.Bool("strict-readiness", false, "drop matches whose TRL is below the demand's minimum")
			strictModes := fs.Bool("strict-modes", false, "drop matches that share no transfer mode")
			strictPrice := fs.Bool("strict-price", false, "drop matches whose price starts above the demand's budget")
			var regions listFlag
			fs.Var(&regions, "region", "only matches from region `CODE` ("+regionCodes+"); repeat for several")
			origin := fs.String("origin", "", "only this market's own listings (local) or those of one linked market (its link's `NAME`)")
			return func(ctx context.Context, c *cli, args []string) error {
				const cmd = "match"
				if len(args) > 0 {
					return usageError(cmd, fmt.Sprintf("unexpected argument %q; name the listing with --demand, --offer or --draft", args[0]))
				}
				given := 0
				for _, s := range []string{*demand, *offer, *draft} {
					if s != "" {
						given++
					}
				}
				if given != 1 {
					return usageError(cmd, "give exactly one of --demand NAME, --offer NAME or --draft FILE.json")
				}
				n, err := parseLimit(*limit)
				if err != nil {
					return usageError(cmd, err.Error())
				}
				if n > maxMatches {
					return usageError(cmd, fmt.Sprintf("--limit %q is more than the %d matches the service returns at most", *limit, maxMatches))
				}
				filters := &techmarketv1.MatchFilters{
					StrictReadiness:     *strictReadiness,
					StrictTransferModes: *strictModes,
					StrictPrice:         *strictPrice,
					Origin:              *origin,
				}
				if filters.Regions, err = parseRegions(cmd, regions); err != nil {
					return err
				}

				// What to match, and which call: the stored listing's name
				// decides, or the draft's kind.
				var find func(*client.Client) ([]*techmarketv1.Match, error)
				var doing, other string
				switch {
				case *demand != "":
					req := &techmarketv1.MatchOffersRequest{Demand: *demand, Limit: int32(n), Filters: filters}
					find = func(cl *client.Client) ([]*techmarketv1.Match, error) { return cl.MatchOffers(ctx, req) }
					doing, other = "match offers to "+client.DemandName(*demand), "offers"
					c.group = "demands" // for the hint on a name not found
				case *offer != "":
					req := &techmarketv1.MatchDemandsRequest{Offer: *offer, Limit: int32(n), Filters: filters}
					find = func(cl *client.Client) ([]*techmarketv1.Match, error) { return cl.MatchDemands(ctx, req) }
					doing, other = "match demands to "+client.OfferName(*offer), "demands"
					c.group = "offers"
				default:
					m, err := c.readInterchange(*draft)
					if err != nil {
						return err
					}
					switch l := m.(type) {
					case *techmarketv1.Demand:
						req := &techmarketv1.MatchOffersRequest{Draft: l, Limit: int32(n), Filters: filters}
						find = func(cl *client.Client) ([]*techmarketv1.Match, error) { return cl.MatchOffers(ctx, req) }
						doing, other = "match offers to the demand in "+*draft, "offers"
					case *techmarketv1.Offer:
						req := &techmarketv1.MatchDemandsRequest{Draft: l, Limit: int32(n), Filters: filters}
						find = func(cl *client.Client) ([]*techmarketv1.Match, error) { return cl.MatchDemands(ctx, req) }
						doing, other = "match demands to the offer in "+*draft, "demands"
					default:
						return &failure{what: fmt.Sprintf("%s holds neither an offer nor a demand", *draft), next: "give a file with \"kind\": \"offer\" or \"demand\""}
					}
				}

				return c.withClient(func(cl *client.Client) error {
					matches, err := find(cl)
					if err != nil {
						return c.rpcFailure(doing, err)
					}
					if len(matches) == 0 && !*asJSON {
						_, err := fmt.Fprintf(c.stdout, "no %s match\n", other)
						return err
					}
					for i, m := range matches {
						if *asJSON {
							err = writeJSON(c.stdout, m)
						} else {
							if i > 0 {
								fmt.Fprintln(c.stdout)
							}
							err = writeMatch(c.stdout, i+1, m)
						}
						if err != nil {
							return err
						}
					}
					return nil
				})
			}
		},
	}
}

// loweredBelow is the value under which a score part counts as having
// lowered the score: just under 1, so that float noise (a freshness of
// 0.99999995 for a listing published this minute) is not given as a reason.
const loweredBelow = 1 - 1e-6

// writeMatch prints one match for a person: a row with its rank, score,
// name and title, then, indented, what the score is made of, the text's
// coverage, the reasons that lowered the score and the snippet. The text
// part's reason is shown whatever its value: its value is relative to the
// best candidate's, and the best of poor candidates has 1 too.
func writeMatch(w io.Writer, rank int, m *techmarketv1.Match) error {
	if err := writeRow(w, strconv.Itoa(rank), fmt.Sprintf("%.3f", m.GetScore()), m.GetName(), m.GetTitle()); err != nil {
		return err
	}
	var parts, reasons []string
	text := ""
	for _, p := range m.GetParts() {
		parts = append(parts, fmt.Sprintf("%s %.2f", clean(p.GetFeature(), false), p.GetContribution()))
		switch {
		case p.GetFeature() == "text":
			text = clean(p.GetReason(), false)
		case p.GetValue() < loweredBelow && p.GetReason() != "":
			reasons = append(reasons, clean(p.GetReason(), false))
		}
	}
	var b strings.Builder
	if len(parts) > 0 {
		fmt.Fprintf(&b, "    %s\n", strings.Join(parts, " · "))
	}
	if text != "" {
		fmt.Fprintf(&b, "    text: %s\n", text)
	}
	if len(reasons) > 0 {
		fmt.Fprintf(&b, "    lowered by: %s\n", strings.Join(reasons, "; "))
	}
	if s := strings.TrimSpace(clean(m.GetSnippet(), false)); s != "" {
		fmt.Fprintf(&b, "    %s\n", s)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
