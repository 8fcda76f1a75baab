package main

import (
	"context"
	"flag"
	"fmt"
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
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Events.ListEvents(ctx, &techmarketv1.ListEventsRequest{})
						if err != nil {
							return c.rpcFailure("list events", err)
						}
						for _, ev := range resp.GetEvents() {
							if err := c.writeEvent(ev, *asJSON); err != nil {
								return err
							}
						}
						return nil
					})
				}
			},
		},
		eventCall("events register", "EVENT LISTING", "register a published offer or demand for an event", 2,
			func(ctx context.Context, cl *client.Client, a []string) (proto.Message, error) {
				return cl.Events.RegisterListing(ctx, &techmarketv1.RegisterListingRequest{Event: eventName(a[0]), Listing: a[1]})
			}),
		eventCall("events decline", "EVENT OFFER DEMAND", "record that an offer and a demand will not meet", 3,
			func(ctx context.Context, cl *client.Client, a []string) (proto.Message, error) {
				return cl.Events.DeclineMeeting(ctx, &techmarketv1.DeclineMeetingRequest{Event: eventName(a[0]), Pair: &techmarketv1.MeetingPair{Offer: a[1], Demand: a[2]}})
			}),
		eventCall("events plan", "EVENT", "plan the agenda from the match scores (operators)", 1,
			func(ctx context.Context, cl *client.Client, a []string) (proto.Message, error) {
				return cl.Events.PlanAgenda(ctx, &techmarketv1.PlanAgendaRequest{Event: eventName(a[0])})
			}),
		eventCall("events agenda", "EVENT", "show the planned agenda", 1,
			func(ctx context.Context, cl *client.Client, a []string) (proto.Message, error) {
				return cl.Events.GetAgenda(ctx, &techmarketv1.GetAgendaRequest{Event: eventName(a[0])})
			}),
		eventCall("events attend", "EVENT LISTING...", "record which registered listings' people came (operators)", -2,
			func(ctx context.Context, cl *client.Client, a []string) (proto.Message, error) {
				return cl.Events.RecordAttendance(ctx, &techmarketv1.RecordAttendanceRequest{Event: eventName(a[0]), Attended: a[1:]})
			}),
		{
			name:    "events outcome",
			args:    "EVENT OFFER DEMAND --outcome follow_up|deal_opened|no_fit|no_show [--note T]",
			summary: "record how a planned meeting went (operators)",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				outcome := fs.String("outcome", "", "follow_up, deal_opened, no_fit or no_show")
				note := fs.String("note", "", "a `NOTE`")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "events outcome"
					if len(args) != 3 {
						return usageError(cmd, "give EVENT OFFER DEMAND")
					}
					v, ok := techmarketv1.MeetingOutcome_value["MEETING_OUTCOME_"+strings.ToUpper(strings.ReplaceAll(*outcome, "-", "_"))]
					if !ok || v == 0 {
						return usageError(cmd, fmt.Sprintf("unknown --outcome %q; use follow_up, deal_opened, no_fit or no_show", *outcome))
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Events.RecordMeetingOutcome(ctx, &techmarketv1.RecordMeetingOutcomeRequest{
							Event: eventName(args[0]), Pair: &techmarketv1.MeetingPair{Offer: args[1], Demand: args[2]}, Outcome: techmarketv1.MeetingOutcome(v), Note: *note,
						})
						if err != nil {
							return c.rpcFailure("record the outcome", err)
						}
						return writeJSON(c.stdout, resp.GetAgenda())
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
						resp, err := cl.Events.ExportAgenda(ctx, &techmarketv1.ExportAgendaRequest{Event: eventName(args[0]), Format: f})
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

func eventName(s string) string {
	if strings.HasPrefix(s, "events/") {
		return s
	}
	return "events/" + s
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
