package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// tokenCommands makes the token commands and whoami, which is about the
// caller's own token.
func tokenCommands() []command {
	return []command{
		{
			name:    "tokens create",
			args:    "--org NAME --role operator|agency|enterprise [--description TEXT]",
			summary: "issue a token (operators only)",
			about: "Prints the token, then its secret on the last line. The service keeps only a\n" +
				"hash of the secret: it is shown this once.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				org := fs.String("org", "", "organisation the token speaks for, `NAME`")
				role := fs.String("role", "", "`ROLE` of the token: operator, agency or enterprise")
				description := fs.String("description", "", "note for operators, such as who holds the token, `TEXT`")
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
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.CreateToken(ctx, *org, r, *description)
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
