package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// usage prints the overview: the global flags and every command.
func (c *cli) usage(w io.Writer) {
	fmt.Fprint(w, `Usage: techmarket [--addr HOST:PORT] [--token TOKEN] COMMAND ...

techmarket talks to techmarketd, Wuhai's technology marketplace: it imports
listing files, shows and changes offers (科技成果) and demands (企业技术需求),
matches them to each other, searches them, follows the deals made between
them up to a registered contract, and manages the tokens that say who is
calling.

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	for _, cmd := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", "help [COMMAND]", "show this, or the flags of a command")
	tw.Flush()
	fmt.Fprintf(w, `
Global flags, before the command or after it:
  --addr HOST:PORT   server address (default $TECHMARKET_ADDR, else %s)
  --token TOKEN      bearer token (default $TECHMARKET_TOKEN); without one
                     only published listings can be read

Flags may come before or after a command's arguments. Every command takes -h.
Exit codes: 0 done, 1 failed, 2 wrong usage, 3 import with rejected lines.
Run 'techmarket help COMMAND' for more about a command.
`, defaultAddr)
}

// help answers `techmarket help [COMMAND]`.
func (c *cli) help(args []string) error {
	if len(args) == 0 {
		c.usage(c.stdout)
		return nil
	}
	cmds := commands()
	if cmd, rest, ok := find(cmds, args); ok && len(rest) == 0 {
		fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
		cmd.setup(fs)
		c.commandHelp(c.stdout, cmd, fs)
		return nil
	}
	if len(args) == 1 {
		if subs := subcommands(cmds, args[0]); len(subs) > 0 {
			fmt.Fprintf(c.stdout, "Usage: techmarket %s COMMAND ...\n\nCommands:\n", args[0])
			tw := tabwriter.NewWriter(c.stdout, 0, 0, 3, ' ', 0)
			for _, cmd := range cmds {
				if strings.HasPrefix(cmd.name, args[0]+" ") {
					fmt.Fprintf(tw, "  %s\t%s\n", cmd.name, cmd.summary)
				}
			}
			tw.Flush()
			fmt.Fprintf(c.stdout, "\nRun 'techmarket help %s COMMAND' for the flags of one.\n", args[0])
			return nil
		}
	}
	return usageError("", fmt.Sprintf("no command %q", strings.Join(args, " ")))
}

// commandHelp prints a command's synopsis, its description and its own
// flags (the global ones are in the overview).
func (c *cli) commandHelp(w io.Writer, cmd command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: techmarket %s %s\n\n%s\n", cmd.name, cmd.args, cmd.summary)
	if cmd.about != "" {
		fmt.Fprintf(w, "\n%s\n", cmd.about)
	}
	var flags strings.Builder
	tw := tabwriter.NewWriter(&flags, 0, 0, 3, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "addr" || f.Name == "token" {
			return
		}
		name, text := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(tw, "  --%s%s\t%s\n", f.Name, name, text)
	})
	tw.Flush()
	if flags.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", flags.String())
	}
	fmt.Fprint(w, "\nGlobal flags --addr and --token work here too; see 'techmarket help'.\n")
}
