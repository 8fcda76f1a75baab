package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// eventCommands run matchmaking events (对接会).
func eventCommands() []command {
	return []command{
		{
			name:    "events create",
			args:    "--title T [--venue V] --slot START/END... --tables N [--max-meetings N] [--json]",
			summary: "create a matchmaking event (operators)",
			about:   "START and END are times like 2027-05-20T09:30 in China Standard Time.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				title := fs.String("title", "", "the event's `TITLE`")
				venue := fs.String("venue", "", "where it takes place, `VENUE`")
				var slots []string
				fs.Func("slot", "a meeting round, `START/END`; repeatable, in order", func(s string) error { slots = append(slots, s); return nil })
				tables := fs.Int("tables", 0, "tables in each round, `N`")
				most := fs.Int("max-meetings", 0, "most meetings per listing, `N` (0: one per round)")
				asJSON := fs.Bool("json", false, "print the event as JSON")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "events create"
					if len(args) > 0 {
						return usageError(cmd, fmt.Sprintf("unexpected argument %q", args[0]))
					}
					ev := &techmarketv1.Event{Title: *title, Venue: *venue, Tables: int32(*tables), MaxMeetingsPerParty: int32(*most)}
					for _, s := range slots {
						from, to, ok := strings.Cut(s, "/")
						start, err1 := time.ParseInLocation("2006-01-02T15:04", from, chinaTime)
						end, err2 := time.ParseInLocation("2006-01-02T15:04", to, chinaTime)
						if !ok || err1 != nil || err2 != nil {
							return usageError(cmd, fmt.Sprintf("--slot %q is not START/END like 2027-05-20T09:30/2027-05-20T09:55", s))
						}
						ev.Slots = append(ev.Slots, &techmarketv1.TimeSlot{StartTime: timestamppb.New(start), EndTime: timestamppb.New(end)})
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Events.CreateEvent(ctx, &techmarketv1.CreateEventRequest{Event: ev})
						if err != nil {
							return c.rpcFailure("create the event", err)
						}
						return c.writeEvent(resp.GetEvent(), *asJSON)
					})
				}
			},
		},
		{
			name:    "events list",
			args:    "[--json]",
			summary: "list matchmaking events, soonest first",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				asJSON := fs.Bool("json", false, "print one JSON object per line")
				return func(ctx context.Context, c *cli, args []string) error {
					if len(args) > 0 {
						return usageError("events list", fmt.Sprintf("unexpected argument %q", args[0]))
					}
					return c.withClient(func(cl *client.Client) error {
						for ev, err := range cl.ListEvents(ctx, &techmarketv1.ListEventsRequest{PageSize: 100}) {
							if err != nil {
								return c.rpcFailure("list events", err)
							}
							if err := c.writeEvent(ev, *asJSON); err != nil {
								return err
							}
						}
						return nil
					})
				}
			},
		},
		{
			name:    "events get",
			args:    "EVENT [--json]",
			summary: "show one matchmaking event",
			about:   "EVENT is events/ID or ID.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				asJSON := fs.Bool("json", false, "print the event as JSON")
				return func(ctx context.Context, c *cli, args []string) error {
					if len(args) != 1 {
						return usageError("events get", "give the EVENT")
					}
					return c.withClient(func(cl *client.Client) error {
						ev, err := cl.GetEvent(ctx, args[0])
						if err != nil {
							return c.rpcFailure("get "+args[0], err)
						}
						if *asJSON {
							return writeJSON(c.stdout, ev)
						}
						return c.describeEvent(ev)
					})
				}
			},
		},
		eventCall("events register", "EVENT LISTING", "register a published offer or demand for an event", 2,
			func(ctx context.Context, cl *client.Client, a []string) (proto.Message, error) {
				return cl.Events.RegisterListing(ctx, &techmarketv1.RegisterListingRequest{Event: client.EventName(a[0]), Listing: a[1]})
			}),
		{
			name:    "events decline",
			args:    "EVENT --offer NAME --demand NAME",
			summary: "record that an offer and a demand will not meet",
			about: "Either listing's poster, or an operator, declines. NAME is offers/ID and demands/ID, or just ID;\n" +
				"'events decline EVENT OFFER DEMAND' works too. Prints the event as JSON.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				offer := fs.String("offer", "", "the offer, `NAME`")
				demand := fs.String("demand", "", "the demand, `NAME`")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "events decline"
					if len(args) == 3 && *offer == "" && *demand == "" {
						*offer, *demand, args = args[1], args[2], args[:1]
					}
					switch {
					case len(args) != 1:
						return usageError(cmd, "give the EVENT, --offer and --demand")
					case *offer == "":
						return usageError(cmd, "no offer; give it with --offer NAME")
					case *demand == "":
						return usageError(cmd, "no demand; give it with --demand NAME")
					}
					return c.withClient(func(cl *client.Client) error {
						ev, err := cl.DeclineMeeting(ctx, args[0], *offer, *demand)
						if err != nil {
							return c.rpcFailure("decline the meeting", err)
						}
						return writeJSON(c.stdout, ev)
					})
				}
			},
		},
		{
			name:    "events plan",
			args:    "EVENT [--min-quality Q] [--json]",
			summary: "plan the agenda from the match scores (operators)",
			about:   "Planning again replaces the agenda and clears recorded outcomes.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				minQuality := fs.Float64("min-quality", 0, "leave out pairs scoring below `Q`, 0–1 (0: the server's default, 0.3)")
				asJSON := fs.Bool("json", false, "print the agenda as JSON")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "events plan"
					if len(args) != 1 {
						return usageError(cmd, "give the EVENT")
					}
					if *minQuality < 0 || *minQuality > 1 {
						return usageError(cmd, fmt.Sprintf("--min-quality %v is not between 0 and 1", *minQuality))
					}
					return c.withClient(func(cl *client.Client) error {
						ag, err := cl.PlanAgenda(ctx, args[0], *minQuality)
						if err != nil {
							return c.rpcFailure("plan "+args[0], err)
						}
						return c.writeAgenda(ag, *asJSON)
					})
				}
			},
		},
		{
			name:    "events agenda",
			args:    "EVENT [--json]",
			summary: "show the planned agenda",
			about:   "Prints one meeting a line: slot, table, offer, demand, quality, outcome, titles.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				asJSON := fs.Bool("json", false, "print the agenda as JSON")
				return func(ctx context.Context, c *cli, args []string) error {
					if len(args) != 1 {
						return usageError("events agenda", "give the EVENT")
					}
					return c.withClient(func(cl *client.Client) error {
						ag, err := cl.GetAgenda(ctx, args[0])
						if err != nil {
							return c.rpcFailure("get the agenda of "+args[0], err)
						}
						return c.writeAgenda(ag, *asJSON)
					})
				}
			},
		},
		eventCall("events attend", "EVENT LISTING...", "record which registered listings' people came (operators)", -2,
			func(ctx context.Context, cl *client.Client, a []string) (proto.Message, error) {
				return cl.Events.RecordAttendance(ctx, &techmarketv1.RecordAttendanceRequest{Event: client.EventName(a[0]), Attended: a[1:]})
			}),
		{
			name:    "events outcome",
			args:    "EVENT --offer NAME --demand NAME --outcome follow_up|deal_opened|no_fit|no_show [--note T]",
			summary: "record how a planned meeting went (operators)",
			about:   "'events outcome EVENT OFFER DEMAND --outcome O' works too. Prints the agenda as JSON.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				offer := fs.String("offer", "", "the offer, `NAME`")
				demand := fs.String("demand", "", "the demand, `NAME`")
				outcome := fs.String("outcome", "", "follow_up, deal_opened, no_fit or no_show")
				note := fs.String("note", "", "a `NOTE`")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "events outcome"
					if len(args) == 3 && *offer == "" && *demand == "" {
						*offer, *demand, args = args[1], args[2], args[:1]
					}
					switch {
					case len(args) != 1:
						return usageError(cmd, "give the EVENT, --offer and --demand")
					case *offer == "":
						return usageError(cmd, "no offer; give it with --offer NAME")
					case *demand == "":
						return usageError(cmd, "no demand; give it with --demand NAME")
					}
					v, ok := techmarketv1.MeetingOutcome_value["MEETING_OUTCOME_"+strings.ToUpper(strings.ReplaceAll(*outcome, "-", "_"))]
					if !ok || v == 0 {
						return usageError(cmd, fmt.Sprintf("unknown --outcome %q; use follow_up, deal_opened, no_fit or no_show", *outcome))
					}
					return c.withClient(func(cl *client.Client) error {
						ag, err := cl.RecordMeetingOutcome(ctx, args[0], *offer, *demand, techmarketv1.MeetingOutcome(v), *note)
						if err != nil {
							return c.rpcFailure("record the outcome", err)
						}
						return writeJSON(c.stdout, ag)
					})
				}
			},
		},
		{
			name:    "events export",
			args:    "EVENT --format csv|ics [--out FILE]",
			summary: "export the agenda as CSV (for printing) or iCalendar",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				format := fs.String("format", "csv", "csv or ics")
				out := fs.String("out", "", "write to `FILE` instead of standard output")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "events export"
					if len(args) != 1 {
						return usageError(cmd, "give the EVENT")
					}
					f := map[string]techmarketv1.AgendaFormat{"csv": techmarketv1.AgendaFormat_AGENDA_FORMAT_CSV, "ics": techmarketv1.AgendaFormat_AGENDA_FORMAT_ICALENDAR}[*format]
					if f == 0 {
						return usageError(cmd, fmt.Sprintf("unknown --format %q; use csv or ics", *format))
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Events.ExportAgenda(ctx, &techmarketv1.ExportAgendaRequest{Event: client.EventName(args[0]), Format: f})
						if err != nil {
							return c.rpcFailure("export the agenda", err)
						}
						if *out != "" {
							return os.WriteFile(*out, resp.GetContent(), 0o644)
						}
						_, err = c.stdout.Write(resp.GetContent())
						return err
					})
				}
			},
		},
	}
}

// eventCall is a command that makes one EventService call with positional
// arguments (n of them; -n: at least n) and prints the answer as JSON.
func eventCall(name, args, summary string, n int, call func(context.Context, *client.Client, []string) (proto.Message, error)) command {
	return command{
		name: name, args: args, summary: summary,
		about: "EVENT is events/ID or ID; prints the answer as one JSON object.",
		setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
			return func(ctx context.Context, c *cli, a []string) error {
				if (n >= 0 && len(a) != n) || (n < 0 && len(a) < -n) {
					return usageError(name, "give "+args)
				}
				return c.withClient(func(cl *client.Client) error {
					resp, err := call(ctx, cl, a)
					if err != nil {
						return c.rpcFailure(strings.TrimPrefix(name, "events ")+" "+a[0], err)
					}
					return writeJSON(c.stdout, resp)
				})
			}
		},
	}
}

func (c *cli) writeEvent(ev *techmarketv1.Event, asJSON bool) error {
	if asJSON {
		return writeJSON(c.stdout, ev)
	}
	first := ""
	if len(ev.GetSlots()) > 0 {
		first = ev.GetSlots()[0].GetStartTime().AsTime().In(chinaTime).Format("2006-01-02 15:04")
	}
	return writeRow(c.stdout, ev.GetName(), first, ev.GetTitle(), ev.GetVenue(),
		fmt.Sprintf("%d offers", len(ev.GetOffers())), fmt.Sprintf("%d demands", len(ev.GetDemands())))
}

// describeEvent prints an event for people: its details, then one line per
// slot, registration and declined pair.
func (c *cli) describeEvent(ev *techmarketv1.Event) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\t%s\n", ev.GetName(), clean(ev.GetTitle(), false))
	if ev.GetVenue() != "" {
		fmt.Fprintf(&b, "venue\t%s\n", clean(ev.GetVenue(), false))
	}
	fmt.Fprintf(&b, "organiser\t%s\n", clean(ev.GetOrganiser(), false))
	most := fmt.Sprint(ev.GetMaxMeetingsPerParty())
	if ev.GetMaxMeetingsPerParty() == 0 {
		most = "one per slot"
	}
	fmt.Fprintf(&b, "tables\t%d\nmeetings per listing\t%s\n", ev.GetTables(), most)
	for i, s := range ev.GetSlots() {
		fmt.Fprintf(&b, "slot %d\t%s–%s\n", i+1, s.GetStartTime().AsTime().In(chinaTime).Format("2006-01-02 15:04"), s.GetEndTime().AsTime().In(chinaTime).Format("15:04"))
	}
	for _, o := range ev.GetOffers() {
		fmt.Fprintf(&b, "offer\t%s\n", o)
	}
	for _, d := range ev.GetDemands() {
		fmt.Fprintf(&b, "demand\t%s\n", d)
	}
	for _, p := range ev.GetDeclined() {
		fmt.Fprintf(&b, "declined\t%s\t%s\n", p.GetOffer(), p.GetDemand())
	}
	for _, a := range ev.GetAttended() {
		fmt.Fprintf(&b, "attended\t%s\n", a)
	}
	_, err := io.WriteString(c.stdout, b.String())
	return err
}

// writeAgenda prints an agenda as JSON or one meeting a line, for people
// and for cut: slot, table, offer, demand, quality, outcome, titles; the
// totals go to standard error, out of the way of scripts.
func (c *cli) writeAgenda(ag *techmarketv1.Agenda, asJSON bool) error {
	if asJSON {
		return writeJSON(c.stdout, ag)
	}
	for _, m := range ag.GetMeetings() {
		outcome := "-"
		if m.GetOutcome() != techmarketv1.MeetingOutcome_MEETING_OUTCOME_UNSPECIFIED {
			outcome = strings.ToLower(strings.TrimPrefix(m.GetOutcome().String(), "MEETING_OUTCOME_"))
		}
		err := writeRow(c.stdout, fmt.Sprint(m.GetSlot()), fmt.Sprint(m.GetTable()), m.GetPair().GetOffer(), m.GetPair().GetDemand(),
			fmt.Sprintf("%.2f", m.GetQuality()), outcome, m.GetOfferTitle()+" ↔ "+m.GetDemandTitle())
		if err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(c.stderr, "techmarket: %d meetings, total quality %.2f (a greedy plan: %.2f)\n", len(ag.GetMeetings()), ag.GetTotalQuality(), ag.GetGreedyQuality())
	return err
}
