package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// introductionCommands carry requests for contact with the posters of
// linked listings, and their answers.
func introductionCommands() []command {
	return []command{
		{
			name:    "introductions request",
			args:    "LISTING --message TEXT",
			summary: "ask the poster of a linked market's listing to get in touch",
			about: "LISTING is the listing's name here (offers/ID or demands/ID); its home market\n" +
				"delivers the request to the poster, whose answer, with the contact when accepted,\n" +
				"shows in 'techmarket introductions list'.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				message := fs.String("message", "", "who you are and what you want to discuss, `TEXT` (up to 1,000 characters)")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "introductions request"
					listing, err := oneName(cmd, args)
					if err != nil {
						return err
					}
					if *message == "" {
						return usageError(cmd, "say who you are and what you want with --message TEXT")
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Introductions.RequestIntroduction(ctx, &techmarketv1.RequestIntroductionRequest{Listing: listing, Message: *message})
						if err != nil {
							return c.rpcFailure("ask for an introduction about "+listing, err)
						}
						return writeIntroduction(c, resp.GetIntroduction())
					})
				}
			},
		},
		{
			name:    "introductions list",
			args:    "[--json]",
			summary: "introductions you asked for, and those asked of your listings",
			about: "Text output is one line per introduction, newest first: name, state, listing,\n" +
				"who asked (and from which market), the answer and, when accepted, the contact.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				asJSON := fs.Bool("json", false, "print one JSON object per line")
				return func(ctx context.Context, c *cli, args []string) error {
					if len(args) > 0 {
						return usageError("introductions list", fmt.Sprintf("unexpected argument %q", args[0]))
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Introductions.ListIntroductions(ctx, &techmarketv1.ListIntroductionsRequest{})
						if err != nil {
							return c.rpcFailure("list introductions", err)
						}
						for _, in := range resp.GetIntroductions() {
							if *asJSON {
								err = writeJSON(c.stdout, in)
							} else {
								err = writeIntroduction(c, in)
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
			name:    "introductions answer",
			args:    "NAME --accept|--decline [--message TEXT]",
			summary: "answer an introduction asked of one of your listings",
			about:   "Accepting sends the listing's contact details to whoever asked.",
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				accept := fs.Bool("accept", false, "accept, and send the listing's contact details")
				decline := fs.Bool("decline", false, "decline")
				message := fs.String("message", "", "a few words for whoever asked, `TEXT`")
				return func(ctx context.Context, c *cli, args []string) error {
					const cmd = "introductions answer"
					name, err := oneName(cmd, args)
					if err != nil {
						return err
					}
					if *accept == *decline {
						return usageError(cmd, "give one of --accept or --decline")
					}
					return c.withClient(func(cl *client.Client) error {
						resp, err := cl.Introductions.AnswerIntroduction(ctx, &techmarketv1.AnswerIntroductionRequest{Name: name, Accept: *accept, Answer: *message})
						if err != nil {
							return c.rpcFailure("answer "+name, err)
						}
						return writeIntroduction(c, resp.GetIntroduction())
					})
				}
			},
		},
	}
}

func writeIntroduction(c *cli, in *techmarketv1.Introduction) error {
	who := in.GetRequester()
	if m := in.GetRequesterMarket(); m != "" {
		who += " (" + m + ")"
	}
	contact := ""
	if ct := in.GetContact(); ct != nil {
		contact = fmt.Sprintf("%s %s %s", ct.GetName(), ct.GetPhone(), ct.GetEmail())
	}
	return writeRow(c.stdout, in.GetName(), code(in.GetState()), in.GetListing(), in.GetListingTitle(), who, in.GetAnswer(), contact)
}
