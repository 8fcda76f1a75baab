package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// auditCommand lists the audit log.
func auditCommand() command {
	return command{
		name:    "audit",
		args:    "[--action PREFIX] [--actor ORG] [--limit N] [--json]",
		summary: "list recorded actions, newest first (operators)",
		about: "Operators' actions on listings, moderation, tokens, operator imports and deal\n" +
			"changes. Text output is one line per entry: time, actor, role, action, target,\n" +
			"detail, separated by tabs.",
		setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
			action := fs.String("action", "", "only actions starting with `PREFIX`, such as deals. or review.")
			actor := fs.String("actor", "", "only actions of this organisation, `ORG`")
			limit := fs.Int("limit", 100, "print at most `N` entries")
			asJSON := fs.Bool("json", false, "print one JSON object per line")
			return func(ctx context.Context, c *cli, args []string) error {
				if len(args) > 0 {
					return usageError("audit", fmt.Sprintf("unexpected argument %q", args[0]))
				}
				if *limit < 1 {
					return usageError("audit", "--limit must be at least 1")
				}
				return c.withClient(func(cl *client.Client) error {
					req := &techmarketv1.ListAuditEntriesRequest{ActionPrefix: *action, Actor: *actor, PageSize: int32(min(*limit, 100))}
					printed := 0
					for {
						resp, err := cl.Audit.ListAuditEntries(ctx, req)
						if err != nil {
							return c.rpcFailure("list the audit log", err)
						}
						for _, e := range resp.GetEntries() {
							if printed == *limit {
								return nil
							}
							if *asJSON {
								err = writeJSON(c.stdout, e)
							} else {
								err = writeRow(c.stdout, e.GetTime().AsTime().In(chinaTime).Format(time.DateTime), e.GetActor(), e.GetRole(), e.GetAction(), e.GetTarget(), e.GetDetail())
							}
							if err != nil {
								return err
							}
							printed++
						}
						if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
							return nil
						}
					}
				})
			}
		},
	}
}
