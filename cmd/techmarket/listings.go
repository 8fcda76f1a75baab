package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/interchange"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// listing is what offers and demands have in common for the commands.
type listing interface {
	proto.Message
	GetName() string
	GetState() techmarketv1.ListingState
	GetIndustries() []string
	GetTitle() string
}

// listFilter holds the list flags, which offers and demands share.
type listFilter struct {
	pageSize int32
	state    techmarketv1.ListingState
	industry string
	region   techmarketv1.Region
	poster   string
}

// kind is one kind of listing and the client calls for it: the commands
// below are written once over it, for offers and demands alike.
type kind[L listing] struct {
	singular, plural string
	fullName         func(string) string // client.OfferName or DemandName
	list             func(*client.Client, context.Context, listFilter) iter.Seq2[L, error]
	get              func(*client.Client, context.Context, string) (L, error)
	create           func(*client.Client, context.Context, L, bool) (L, error)
	publish          func(*client.Client, context.Context, string) (L, error)
	withdraw         func(*client.Client, context.Context, string) (L, error)
	delete           func(*client.Client, context.Context, string) error
}

var offers = kind[*techmarketv1.Offer]{
	singular: "offer",
	plural:   "offers",
	fullName: client.OfferName,
	list: func(c *client.Client, ctx context.Context, f listFilter) iter.Seq2[*techmarketv1.Offer, error] {
		return c.ListOffers(ctx, &techmarketv1.ListOffersRequest{PageSize: f.pageSize, State: f.state, Industry: f.industry, Region: f.region, Poster: f.poster})
	},
	get:      (*client.Client).GetOffer,
	create:   (*client.Client).CreateOffer,
	publish:  (*client.Client).PublishOffer,
	withdraw: (*client.Client).WithdrawOffer,
	delete:   (*client.Client).DeleteOffer,
}

var demands = kind[*techmarketv1.Demand]{
	singular: "demand",
	plural:   "demands",
	fullName: client.DemandName,
	list: func(c *client.Client, ctx context.Context, f listFilter) iter.Seq2[*techmarketv1.Demand, error] {
		return c.ListDemands(ctx, &techmarketv1.ListDemandsRequest{PageSize: f.pageSize, State: f.state, Industry: f.industry, Region: f.region, Poster: f.poster})
	},
	get:      (*client.Client).GetDemand,
	create:   (*client.Client).CreateDemand,
	publish:  (*client.Client).PublishDemand,
	withdraw: (*client.Client).WithdrawDemand,
	delete:   (*client.Client).DeleteDemand,
}

// pageSizeFor asks for no more than a --limit needs; 0 leaves the page size
// to the server. Larger pages are not asked for: 50 listings with long
// descriptions already come near gRPC's 4 MiB message limit.
func pageSizeFor(limit int) int32 {
	const serverDefault = 50
	if limit > 0 && limit < serverDefault {
		return int32(limit)
	}
	return 0
}

// listingCommands makes the commands of one kind of listing.
func listingCommands[L listing](k kind[L]) []command {
	return []command{
		{
			name:    k.plural + " list",
			args:    "[--json] [--limit N] [--state STATE] [--industry CODE] [--region CODE] [--poster ORG]",
			summary: "list " + k.plural + ", every page unless --limit says otherwise",
			about: "Without --state it lists published " + k.plural + " and, with a token, your own in any state.\n" +
				"Text output is one line per " + k.singular + ": name, state, industries, title, separated by tabs.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				asJSON := fs.Bool("json", false, "print one JSON object per line")
				limit := fs.String("limit", "", "stop after `N` "+k.plural)
				state := fs.String("state", "", "only in `STATE`: draft, published, withdrawn, expired or closed")
				industry := fs.String("industry", "", "only tagged with industry `CODE` (industries.tsv)")
				region := fs.String("region", "", "only from region `CODE`: wuhai, inner-mongolia, domestic or international")
				poster := fs.String("poster", "", "only posted by organisation `ORG`")
				return func(ctx context.Context, c *cli, args []string) error {
					cmd := k.plural + " list"
					if len(args) > 0 {
						return usageError(cmd, fmt.Sprintf("unexpected argument %q", args[0]))
					}
					n, err := parseLimit(*limit)
					if err != nil {
						return usageError(cmd, err.Error())
					}
					f := listFilter{pageSize: pageSizeFor(n), industry: *industry, poster: *poster}
					if *state != "" {
						s, codes, ok := parseEnum[techmarketv1.ListingState](*state)
						if !ok {
							return usageError(cmd, fmt.Sprintf("unknown state %q; use %s", *state, oneOf(codes)))
						}
						f.state = s
					}
					if *region != "" {
						r, ok := interchange.RegionFromCode(*region)
						if !ok {
							return usageError(cmd, fmt.Sprintf("unknown region %q; use wuhai, inner-mongolia, domestic or international", *region))
						}
						f.region = r
					}
					return c.withClient(func(cl *client.Client) error {
						count := 0
						for l, err := range k.list(cl, ctx, f) {
							if err != nil {
								return c.rpcFailure("list "+k.plural, err)
							}
							if *asJSON {
								err = writeJSON(c.stdout, l)
							} else {
								err = writeRow(c.stdout, l.GetName(), code(l.GetState()), strings.Join(l.GetIndustries(), ","), l.GetTitle())
							}
							if err != nil {
								return err
							}
							if count++; count == n {
								break
							}
						}
						return nil
					})
				}
			},
		},
		{
			name:    k.plural + " get",
			args:    "NAME [--json]",
			summary: "show one " + k.singular + " with every field it has",
			about:   "NAME is " + k.plural + "/ID or just ID.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				asJSON := fs.Bool("json", false, "print the "+k.singular+" as one JSON object")
				return func(ctx context.Context, c *cli, args []string) error {
					name, err := oneName(k.plural+" get", args)
					if err != nil {
						return err
					}
					return c.withClient(func(cl *client.Client) error {
						l, err := k.get(cl, ctx, name)
						if err != nil {
							return c.rpcFailure("get "+name, err)
						}
						return c.writeListing(l, *asJSON)
					})
				}
			},
		},
		{
			name:    k.plural + " create",
			args:    "-f FILE.json [--publish] [--json]",
			summary: "create one " + k.singular + " from a file in the interchange format",
			about: "FILE holds one JSON object as a line of an import file would (FORMAT.md), here\n" +
				"also spread over several lines; \"-\" reads standard input. Its kind must be \"" + k.singular + "\".\n" +
				"The " + k.singular + " stays a draft unless --publish is given.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				file := fs.String("f", "", "read the "+k.singular+" from `FILE`")
				publish := fs.Bool("publish", false, "publish at once instead of keeping a draft")
				asJSON := fs.Bool("json", false, "print the stored "+k.singular+" as one JSON object")
				return func(ctx context.Context, c *cli, args []string) error {
					cmd := k.plural + " create"
					if len(args) > 0 {
						return usageError(cmd, fmt.Sprintf("unexpected argument %q; give the file with -f", args[0]))
					}
					if *file == "" {
						return usageError(cmd, "no file; give it with -f FILE.json")
					}
					l, err := readListing[L](c, *file, k)
					if err != nil {
						return err
					}
					return c.withClient(func(cl *client.Client) error {
						stored, err := k.create(cl, ctx, l, *publish)
						if err != nil {
							return c.rpcFailure("create the "+k.singular+" in "+*file, err)
						}
						return c.writeListing(stored, *asJSON)
					})
				}
			},
		},
		changeCommand(k, "publish", "put a draft, withdrawn or expired "+k.singular+" on the market",
			func(cl *client.Client, ctx context.Context, name string) ([]string, error) {
				return nameAndState(k.publish(cl, ctx, name))
			}),
		changeCommand(k, "withdraw", "take a published "+k.singular+" off the market",
			func(cl *client.Client, ctx context.Context, name string) ([]string, error) {
				return nameAndState(k.withdraw(cl, ctx, name))
			}),
		changeCommand(k, "delete", "remove "+an(k.singular)+" for good",
			func(cl *client.Client, ctx context.Context, name string) ([]string, error) {
				return []string{k.fullName(name), "deleted"}, k.delete(cl, ctx, name)
			}),
	}
}

// changeCommand makes publish, withdraw and delete, which take a name and
// print one row on what became of the listing.
func changeCommand[L listing](k kind[L], verb, summary string, change func(*client.Client, context.Context, string) ([]string, error)) command {
	return command{
		name:    k.plural + " " + verb,
		args:    "NAME",
		summary: summary,
		about:   "NAME is " + k.plural + "/ID or just ID. Prints the name and the new state.",
		setup: func(*flag.FlagSet) func(context.Context, *cli, []string) error {
			return func(ctx context.Context, c *cli, args []string) error {
				name, err := oneName(k.plural+" "+verb, args)
				if err != nil {
					return err
				}
				return c.withClient(func(cl *client.Client) error {
					row, err := change(cl, ctx, name)
					if err != nil {
						return c.rpcFailure(verb+" "+name, err)
					}
					return writeRow(c.stdout, row...)
				})
			}
		},
	}
}

func nameAndState[L listing](l L, err error) ([]string, error) {
	return []string{l.GetName(), code(l.GetState())}, err
}

// readListing reads a create file and checks that it holds the command's
// kind, before anything is sent.
func readListing[L listing](c *cli, file string, k kind[L]) (L, error) {
	var none L
	m, err := c.readInterchange(file)
	if err != nil {
		return none, err
	}
	l, ok := m.(L)
	if !ok {
		other := strings.ToLower(string(m.ProtoReflect().Descriptor().Name()))
		return none, &failure{
			what: fmt.Sprintf("%s holds %s, not %s", file, an(other), an(k.singular)),
			next: fmt.Sprintf("use 'techmarket %ss create -f %s'", other, file),
			code: exitUsage,
		}
	}
	return l, nil
}

// readInterchange reads one listing in the interchange format from file
// ("-" for standard input): an *Offer or a *Demand, as its kind says.
func (c *cli) readInterchange(file string) (proto.Message, error) {
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(c.stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, &failure{what: err.Error(), next: "check the file name"}
	}
	m, err := interchange.Parse(data)
	var ierr *interchange.Error
	if errors.As(err, &ierr) {
		return nil, &failure{what: file + ": " + ierr.Error(), next: "fix the file and try again (FORMAT.md has the fields)"}
	}
	if err != nil {
		return nil, &failure{what: file + ": " + err.Error(), next: "fix the file and try again"}
	}
	return m, nil
}

// an puts "a" or "an" before a kind of listing.
func an(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

// oneName checks that args is exactly one listing or token name.
func oneName(cmd string, args []string) (string, error) {
	switch len(args) {
	case 0:
		return "", usageError(cmd, "no name given")
	case 1:
		return args[0], nil
	}
	return "", usageError(cmd, fmt.Sprintf("one name only, got %d: %s", len(args), strings.Join(args, " ")))
}

// parseLimit reads --limit: empty means no limit, otherwise a count of at
// least 1.
func parseLimit(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("--limit %q is not a whole number of at least 1", s)
	}
	return n, nil
}

func (c *cli) writeListing(l proto.Message, asJSON bool) error {
	if asJSON {
		return writeJSON(c.stdout, l)
	}
	return writeView(c.stdout, l)
}

// withClient dials, runs f and closes the connection.
func (c *cli) withClient(f func(*client.Client) error) error {
	cl, err := c.dial()
	if err != nil {
		return err
	}
	defer cl.Close()
	return f(cl)
}
