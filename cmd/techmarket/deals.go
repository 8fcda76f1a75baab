package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// dealCommands makes the commands that follow a deal between an offer and
// a demand from first contact to a registered contract.
func dealCommands() []command {
	return []command{
		{
			name:    "deals open",
			args:    "--offer NAME --demand NAME [--note TEXT] [--json]",
			summary: "open a deal between a published offer and a published demand",
			about: "Either party, or an operator, opens the deal; it starts at the contacted stage.\n" +
				"NAME is offers/ID and demands/ID, or just ID. Prints the deal.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				offer := fs.String("offer", "", "the offer, `NAME`")
				demand := fs.String("demand", "", "the demand, `NAME`")
				note := fs.String("note", "", "a note for the deal's history, `TEXT`")
				asJSON := fs.Bool("json", false, "print the deal as one JSON object")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "deals open"
					switch {
					case len(args) > 0:
						return usageError(cmd, fmt.Sprintf("unexpected argument %q", args[0]))
					case *offer == "":
						return usageError(cmd, "no offer; give it with --offer NAME")
					case *demand == "":
						return usageError(cmd, "no demand; give it with --demand NAME")
					}
					return c.withClient(func(cl *client.Client) error {
						d, err := cl.CreateDeal(ctx, *offer, *demand, *note)
						if err != nil {
							return c.dealFailure("open a deal between "+client.OfferName(*offer)+" and "+client.DemandName(*demand), err)
						}
						return c.writeListing(d, *asJSON)
					})
				}
			},
		},
		{
			name:    "deals list",
			args:    "[--json] [--stage STAGE] [--listing NAME]",
			summary: "list the deals you are a party to (operators: every deal), newest first",
			about: "STAGE is one of " + oneOf(dealWords[techmarketv1.DealStage]()) + ".\n" +
				"Text output is one line per deal: name, stage, offer, demand, offer poster,\n" +
				"demand poster, last change, separated by tabs.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				asJSON := fs.Bool("json", false, "print one JSON object per line")
				stage := fs.String("stage", "", "only deals at `STAGE`")
				listingName := fs.String("listing", "", "only deals about this offer or demand, `NAME`")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "deals list"
					if len(args) > 0 {
						return usageError(cmd, fmt.Sprintf("unexpected argument %q", args[0]))
					}
					req := &techmarketv1.ListDealsRequest{Listing: *listingName}
					if *stage != "" {
						s, err := parseDealWord[techmarketv1.DealStage](cmd, "stage", *stage)
						if err != nil {
							return err
						}
						req.Stage = s
					}
					return c.withClient(func(cl *client.Client) error {
						for d, err := range cl.ListDeals(ctx, req) {
							if err != nil {
								return c.dealFailure("list deals", err)
							}
							if *asJSON {
								err = writeJSON(c.stdout, d)
							} else {
								err = writeRow(c.stdout, d.GetName(), dealWord(d.GetStage()), d.GetOffer(), d.GetDemand(),
									d.GetOfferPoster(), d.GetDemandPoster(), formatTime(d.GetUpdateTime()))
							}
							if err != nil {
								return err
							}
						}
						return nil
					})
				}
			},
		},
		{
			name:    "deals get",
			args:    "NAME [--json]",
			summary: "show a deal and its history",
			about:   "NAME is deals/ID or just ID, as 'techmarket deals list' shows it.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				asJSON := fs.Bool("json", false, "print the deal as one JSON object")
				return func(ctx context.Context, c *cli, args []string) error {
					name, err := oneName("deals get", args)
					if err != nil {
						return err
					}
					return c.withClient(func(cl *client.Client) error {
						d, err := cl.GetDeal(ctx, name)
						if err != nil {
							return c.dealFailure("get "+client.DealName(name), err)
						}
						return c.writeListing(d, *asJSON)
					})
				}
			},
		},
		{
			name:    "deals move",
			args:    "NAME --to STAGE [--reason R] [--contract-type T] [--amount YUAN] [--contract-number N] [--note TEXT] [--etag E] [--json]",
			summary: "move a deal to another stage",
			about: "STAGE is one of " + oneOf(dealWords[techmarketv1.DealStage]()) + ".\n" +
				"Closing needs --reason, one of\n  " + oneOf(dealWords[techmarketv1.CloseReason]()) + ".\n" +
				"contract_signed needs --contract-type (" + oneOf(dealWords[techmarketv1.ContractType]()) + ") and takes\n" +
				"--amount; contract_registered needs --contract-number (技术合同登记号).\n" +
				"With --etag the move is made only if nobody changed the deal since. Prints the deal.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				to := fs.String("to", "", "the `STAGE` to move to")
				reason := fs.String("reason", "", "why the deal closed, `REASON`")
				contractType := fs.String("contract-type", "", "kind of the signed contract, `TYPE`")
				amount := fs.String("amount", "", "contract amount in `YUAN`; leave out when not disclosed")
				number := fs.String("contract-number", "", "registration number of the contract, `N`")
				note := fs.String("note", "", "a note for the deal's history, `TEXT`")
				etag := fs.String("etag", "", "the `ETAG` you last read")
				asJSON := fs.Bool("json", false, "print the deal as one JSON object")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "deals move"
					name, err := oneName(cmd, args)
					if err != nil {
						return err
					}
					if *to == "" {
						return usageError(cmd, "no stage; give it with --to STAGE")
					}
					req := &techmarketv1.MoveDealRequest{Name: name, Note: *note, ContractNumber: *number, Etag: *etag}
					if req.Stage, err = parseDealWord[techmarketv1.DealStage](cmd, "to", *to); err != nil {
						return err
					}
					if *reason != "" {
						if req.CloseReason, err = parseDealWord[techmarketv1.CloseReason](cmd, "reason", *reason); err != nil {
							return err
						}
					}
					if *contractType != "" {
						if req.ContractType, err = parseDealWord[techmarketv1.ContractType](cmd, "contract-type", *contractType); err != nil {
							return err
						}
					}
					if *amount != "" {
						if req.AmountYuan, err = strconv.ParseInt(*amount, 10, 64); err != nil || req.AmountYuan < 0 {
							return usageError(cmd, fmt.Sprintf("--amount %q is not a whole number of yuan", *amount))
						}
					}
					return c.withClient(func(cl *client.Client) error {
						d, err := cl.MoveDeal(ctx, req)
						if err != nil {
							return c.dealFailure("move "+client.DealName(name)+" to "+dealWord(req.Stage), err)
						}
						return c.writeListing(d, *asJSON)
					})
				}
			},
		},
	}
}

// dealEnum is one of the deal enums, whose words on the command line are
// the value names in lower case without the type's prefix:
// contract_signed, too_early, licence.
type dealEnum interface {
	~int32
	protoreflect.Enum
}

// dealWord names an enum value with underscores, as the flags take it.
func dealWord(e protoreflect.Enum) string { return strings.ReplaceAll(code(e), "-", "_") }

// dealWords lists the words of an enum, zero excluded.
func dealWords[E dealEnum]() []string {
	_, codes, _ := parseEnum[E]("")
	for i, c := range codes {
		codes[i] = strings.ReplaceAll(c, "-", "_")
	}
	return codes
}

// parseDealWord reads the value of --flag, with underscores or dashes.
func parseDealWord[E dealEnum](cmd, flagName, word string) (E, error) {
	v, _, ok := parseEnum[E](strings.ReplaceAll(strings.ToLower(word), "_", "-"))
	if !ok {
		return v, usageError(cmd, fmt.Sprintf("unknown --%s %q; use one of %s", flagName, word, oneOf(dealWords[E]())))
	}
	return v, nil
}

// dealFailure is rpcFailure with next steps that fit deals.
func (c *cli) dealFailure(doing string, err error) error {
	out := c.rpcFailure(doing, err)
	var f *failure
	if !errors.As(out, &f) {
		return out
	}
	switch status.Code(err) {
	case codes.AlreadyExists:
		f.next = "move the open deal instead; 'techmarket deals get NAME' shows it"
	case codes.FailedPrecondition:
		f.next = "'techmarket deals get NAME' shows the stage the deal is at"
		if strings.HasPrefix(doing, "open ") {
			f.next = "a deal needs a published offer and a published demand"
		}
	case codes.NotFound:
		f.next = "check the name; 'techmarket deals list' shows your deals"
	}
	return f
}
