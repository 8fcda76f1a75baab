// Command techmarket is the command-line client of Techmarket, Wuhai's
// technology marketplace: it imports listing files, lists, shows, creates
// and changes offers and demands, matches them to each other, searches
// them, and manages tokens. Run `techmarket help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
