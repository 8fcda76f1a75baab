package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// commaList splits a comma-separated flag value, dropping empty items.
func commaList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// tokenCommands makes the token commands and whoami, which is about the
// caller's own token.
func tokenCommands() []command {
	return []command{
		{
			name:    "tokens create",
			args:    "--org NAME --role operator|agency|enterprise|peer [--description TEXT] [--share-sides offers,demands] [--share-industries CODES] [--share-regions REGIONS]",
			summary: "issue a token (operators only)",
			about: "Prints the token, then its secret on the last line. The service keeps only a\n" +
				"hash of the secret: it is shown this once. A peer token is for another market\n" +
				"that follows this one's feed; the --share flags bound what it reads (all by default).",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				org := fs.String("org", "", "organisation the token speaks for, `NAME`")
				role := fs.String("role", "", "`ROLE` of the token: operator, agency or enterprise")
				description := fs.String("description", "", "note for operators, such as who holds the token, `TEXT`")
				sides := fs.String("share-sides", "", "peer tokens: the sides shared, `offers,demands` (default both)")
				industries := fs.String("share-industries", "", "peer tokens: the industry `CODES` shared, comma-separated (default all)")
				regions := fs.String("share-regions", "", "peer tokens: the `REGIONS` shared, comma-separated (default all)")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "tokens create"
					if len(args) > 0 {
						return usageError(cmd, fmt.Sprintf("unexpected argument %q", args[0]))
					}
					if *org == "" {
						return usageError(cmd, "no organisation; give it with --org NAME")
					}
					r, codes, ok := parseEnum[techmarketv1.Role](*role)
					if !ok {
						return usageError(cmd, fmt.Sprintf("unknown role %q; use --role %s", *role, oneOf(codes)))
					}
					req := &techmarketv1.CreateTokenRequest{Organization: *org, Role: r, Description: *description}
					if *sides+*industries+*regions != "" {
						if r != techmarketv1.Role_ROLE_PEER {
							return usageError(cmd, "the --share flags are for peer tokens; add --role peer")
						}
						req.PeerScope = &techmarketv1.PeerScope{Sides: commaList(*sides), Industries: commaList(*industries)}
						for _, name := range commaList(*regions) {
							region, codes, ok := parseEnum[techmarketv1.Region](name)
							if !ok {
								return usageError(cmd, fmt.Sprintf("unknown region %q; use %s", name, oneOf(codes)))
							}
							req.PeerScope.Regions = append(req.PeerScope.Regions, region)
						}
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Tokens.CreateToken(ctx, req)
						if err != nil {
							return c.rpcFailure("create a token for "+*org, err)
						}
						if err := writeView(c.stdout, resp.GetToken()); err != nil {
							return err
						}
						fmt.Fprintln(c.stderr, "techmarket: the last line of the output is the token's secret; it is shown this once, so store it now")
						_, err = fmt.Fprintln(c.stdout, resp.GetSecret())
						return err
					})
				}
			},
		},
		{
			name:    "tokens list",
			args:    "[--json]",
			summary: "list issued tokens, without secrets (operators only)",
			about:   "Text output is one line per token: name, organisation, role, issued, revoked or active, description.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				asJSON := fs.Bool("json", false, "print one JSON object per line")
				return func(ctx context.Context, c *cli, args []string) error {
					if len(args) > 0 {
						return usageError("tokens list", fmt.Sprintf("unexpected argument %q", args[0]))
					}
					return c.withClient(func(cl *client.Client) error {
						for t, err := range cl.ListTokens(ctx, nil) {
							if err != nil {
								return c.rpcFailure("list tokens", err)
							}
							if *asJSON {
								err = writeJSON(c.stdout, t)
							} else {
								revoked := "active"
								if t.GetRevokeTime() != nil {
									revoked = "revoked " + formatTime(t.GetRevokeTime())
								}
								err = writeRow(c.stdout, t.GetName(), t.GetOrganization(), code(t.GetRole()), formatTime(t.GetCreateTime()), revoked, t.GetDescription())
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
			name:    "tokens revoke",
			args:    "NAME",
			summary: "stop a token from working, at once and for good (operators only)",
			about:   "NAME is tokens/ID or just ID, as 'techmarket tokens list' shows it.",
			setup: func(*flag.FlagSet) func(context.Context, *cli, []string) error {
				return func(ctx context.Context, c *cli, args []string) error {
					name, err := oneName("tokens revoke", args)
					if err != nil {
						return err
					}
					return c.withClient(func(cl *client.Client) error {
						t, err := cl.RevokeToken(ctx, name)
						if err != nil {
							return c.rpcFailure("revoke "+name, err)
						}
						return writeRow(c.stdout, t.GetName(), "revoked")
					})
				}
			},
		},
		{
			name:    "whoami",
			args:    "",
			summary: "say which organisation and role your token speaks for",
			setup: func(*flag.FlagSet) func(context.Context, *cli, []string) error {
				return func(ctx context.Context, c *cli, args []string) error {
					if len(args) > 0 {
						return usageError("whoami", fmt.Sprintf("unexpected argument %q", args[0]))
					}
					return c.withClient(func(cl *client.Client) error {
						who, err := cl.Caller(ctx)
						if err != nil {
							return c.rpcFailure("whoami", err)
						}
						if who.GetOrganization() == "" {
							_, err := fmt.Fprintln(c.stdout, "anonymous: no token given, so only published listings can be read (set TECHMARKET_TOKEN or pass --token)")
							return err
						}
						return writeView(c.stdout, who)
					})
				}
			},
		},
	}
}
