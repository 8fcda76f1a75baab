// Command techmarketd is the Techmarket server: one binary and one data
// folder make a whole marketplace.
//
//	techmarketd serve --addr HOST:PORT --data DIR [--demo]
//	techmarketd token create --data DIR --role operator|agency|enterprise|peer --org NAME
//	techmarketd import --data DIR --org NAME FILE...
//	techmarketd reindex --data DIR
//	techmarketd health [--addr HOST:PORT]
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `techmarketd: the Techmarket server

Usage:
  techmarketd serve --addr HOST:PORT --data DIR [--demo] [--review] [--tls-cert FILE --tls-key FILE] [--insecure]
                    [--http-addr HOST:PORT] [--cors-origin ORIGIN]... [--config FILE]
      serve the marketplace kept in DIR (created if missing) to gRPC, Connect,
      gRPC-Web and REST clients, with the portal at /; --demo loads sample
      listings on first start and writes sample tokens to DIR/demo-tokens.txt;
      --config reads any of serve's flags from FILE, "name = value" a line,
      and the command line wins over it (docs/deployment.md)
  techmarketd serve --cluster --node-id ID --raft-addr HOST:PORT [--join HOST:PORT] ...
      serve as one node of a replicated market (docs/cluster.md); the first node
      starts the cluster, the others join it with an operator's $TECHMARKET_TOKEN
  techmarketd cluster add --node-id ID --raft-addr HOST:PORT --grpc-addr HOST:PORT | remove ID | status  [--addr HOST:PORT]
      change or show the members of a cluster, through any node (an operator's token)
  techmarketd token create --data DIR --role operator|agency|enterprise|peer --org NAME [--description TEXT]
      issue a token on a stopped data folder; the token is on the last line
  techmarketd import --data DIR --org NAME [--role operator|agency|enterprise] [--draft] FILE...
      load interchange files (FORMAT.md) into a stopped data folder, posted by NAME,
      then bring its index up to date: the fast way to stock a new market;
      exit status 3 says that some lines were rejected and the others imported
  techmarketd reindex --data DIR
      rebuild the full-text index of a stopped data folder from its store
  techmarketd backup --to FILE [--addr HOST:PORT] [--token T] | --data DIR
      copy the store of a running server (an operator's token) or of a stopped folder
  techmarketd restore --from FILE --data DIR [--force]
      make a backup the store of a stopped folder; its index is rebuilt on start
  techmarketd health [--addr HOST:PORT] [--tls-ca FILE [--tls-server-name NAME]] [--timeout D]
      ask a running server's gRPC health service; exit status 0 only when it is
      SERVING, for container and load-balancer health checks

Run "techmarketd COMMAND -h" for a command's flags.
`

// errUsage marks mistakes in the command line; they exit with status 2.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errRejected):
		fmt.Fprintf(stderr, "techmarketd: %v (listed on standard output); fix them and import the file again: lines already imported are updated, not duplicated\n", err)
		return 3
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "techmarketd: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "techmarketd: %v\n", err)
		return 1
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no command given", errUsage)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "token":
		if len(args) < 2 || args[1] != "create" {
			return fmt.Errorf(`%w: "token" takes the subcommand "create"`, errUsage)
		}
		return tokenCreate(ctx, args[2:], stdout, stderr)
	case "import":
		return importFiles(ctx, args[1:], stdout, stderr)
	case "reindex":
		return reindex(ctx, args[1:], stderr)
	case "backup":
		return backup(ctx, args[1:], stderr)
	case "restore":
		return restore(args[1:], stderr)
	case "cluster":
		return clusterCommand(ctx, args[1:], stdout, stderr)
	case "health":
		return checkHealth(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}
