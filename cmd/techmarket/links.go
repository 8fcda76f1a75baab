package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// linkCommands manage the links to other markets (operators only).
func linkCommands() []command {
	return []command{
		{
			name:    "links add",
			args:    "NAME --peer-addr HOST:PORT --peer-token T [--peer-tls-ca FILE]",
			summary: "follow another market's listings (operators only)",
			about: "NAME is this market's name for the other, such as ordos. The other market's\n" +
				"operators issue the token: techmarket tokens create --role peer --org <this market>.\n" +
				"Its listings appear here within seconds, read-only, named as that market's.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				// --addr, --token and --tls-ca are this CLI's own, for
				// the market it talks to.
				addr := fs.String("peer-addr", "", "the other market's gRPC address, `HOST:PORT`")
				token := fs.String("peer-token", "", "the peer token `T` the other market issued for this one")
				caFile := fs.String("peer-tls-ca", "", "reach the other market over TLS, trusting the CA certificates in this PEM `FILE`")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "links add"
					name, err := oneName(cmd, args)
					if err != nil {
						return err
					}
					if *addr == "" || *token == "" {
						return usageError(cmd, "give the other market's address and token with --peer-addr HOST:PORT --peer-token T")
					}
					req := &techmarketv1.AddLinkRequest{LinkId: strings.TrimPrefix(name, "links/"), Addr: *addr, Token: *token}
					if *caFile != "" {
						pem, err := os.ReadFile(*caFile)
						if err != nil {
							return fmt.Errorf("reading --peer-tls-ca: %w", err)
						}
						req.TlsCa = string(pem)
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Links.AddLink(ctx, req)
						if err != nil {
							return c.rpcFailure("add the link "+name, err)
						}
						return writeView(c.stdout, resp.GetLink())
					})
				}
			},
		},
		{
			name:    "links list",
			args:    "[--json]",
			summary: "the links and their health (operators only)",
			about: "Text output is one line per link: name, address, state (following, paused), last\n" +
				"contact, lag (caught up, or how old the newest change applied is), events applied,\n" +
				"listings refused, and the last error.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				asJSON := fs.Bool("json", false, "print one JSON object per line")
				return func(ctx context.Context, c *cli, args []string) error {
					if len(args) > 0 {
						return usageError("links list", fmt.Sprintf("unexpected argument %q", args[0]))
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Links.ListLinks(ctx, &techmarketv1.ListLinksRequest{})
						if err != nil {
							return c.rpcFailure("list the links", err)
						}
						for _, l := range resp.GetLinks() {
							if *asJSON {
								err = writeJSON(c.stdout, l)
							} else {
								err = writeRow(c.stdout, l.GetName(), l.GetAddr(), linkState(l), "contact "+formatTime(l.GetLastContactTime()),
									linkLag(l), strconv.FormatInt(l.GetApplied(), 10)+" applied", strconv.FormatInt(l.GetRejected(), 10)+" refused", l.GetLastError())
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
		linkPauseCommand("links pause", true, "stop following a link, keeping its listings (operators only)"),
		linkPauseCommand("links resume", false, "follow a paused link again (operators only)"),
		{
			name:    "links remove",
			args:    "NAME",
			summary: "forget a link and take its listings off this market (operators only)",
			setup: func(*flag.FlagSet) func(context.Context, *cli, []string) error {
				return func(ctx context.Context, c *cli, args []string) error {
					name, err := oneName("links remove", args)
					if err != nil {
						return err
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Links.RemoveLink(ctx, &techmarketv1.RemoveLinkRequest{Name: linkName(name)})
						if err != nil {
							return c.rpcFailure("remove the link "+name, err)
						}
						return writeRow(c.stdout, linkName(name), "removed", fmt.Sprintf("%d listings taken off", resp.GetRemovedListings()))
					})
				}
			},
		},
	}
}

func linkPauseCommand(name string, paused bool, summary string) command {
	return command{
		name: name, args: "NAME", summary: summary,
		setup: func(*flag.FlagSet) func(context.Context, *cli, []string) error {
			return func(ctx context.Context, c *cli, args []string) error {
				link, err := oneName(name, args)
				if err != nil {
					return err
				}
				return c.withClient(func(cl *client.Client) error {
					resp, err := cl.Links.PauseLink(ctx, &techmarketv1.PauseLinkRequest{Name: linkName(link), Paused: paused})
					if err != nil {
						return c.rpcFailure(strings.TrimPrefix(name, "links ")+" "+link, err)
					}
					return writeRow(c.stdout, resp.GetLink().GetName(), linkState(resp.GetLink()))
				})
			}
		},
	}
}

// linkName takes NAME or links/NAME.
func linkName(s string) string { return "links/" + strings.TrimPrefix(s, "links/") }

func linkState(l *techmarketv1.Link) string {
	if l.GetPaused() {
		return "paused"
	}
	return "following"
}

func linkLag(l *techmarketv1.Link) string {
	switch {
	case l.GetCaughtUp():
		return "caught up"
	case l.GetNewestChangeTime() == nil:
		return "not pulled yet"
	}
	return "behind by " + time.Since(l.GetNewestChangeTime().AsTime()).Round(time.Second).String()
}
