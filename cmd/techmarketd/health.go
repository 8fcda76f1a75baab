package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/wuhai-techmarket/techmarket/client"
)

// checkHealth asks a running server's gRPC health service whether it serves,
// and fails unless the answer is SERVING. It exists for container health
// checks: a distroless image has no shell and no grpcurl, only this
// binary. It needs no token, since the health service answers anyone.
func checkHealth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("health", stderr)
	addr := fs.String("addr", DefaultAddr, "address of the server to check, `HOST:PORT`")
	caFile := fs.String("tls-ca", "", "connect with TLS, trusting the CA certificates in this PEM `FILE`")
	serverName := fs.String("tls-server-name", "", "with --tls-ca, the `NAME` the server's certificate must be for, when --addr is not it (such as 127.0.0.1 inside a container)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *timeout <= 0 {
		return fmt.Errorf("%w: --timeout must be above 0, such as 5s", errUsage)
	}
	if *serverName != "" && *caFile == "" {
		return fmt.Errorf("%w: --tls-server-name needs --tls-ca", errUsage)
	}
	transport := insecure.NewCredentials()
	if *caFile != "" {
		roots, err := readCAs(*caFile, "--tls-ca")
		if err != nil {
			return err
		}
		transport = credentials.NewTLS(&tls.Config{RootCAs: roots, ServerName: *serverName, MinVersion: tls.VersionTLS12})
	}
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(transport))
	if err != nil {
		return fmt.Errorf("%w: --addr %s: %v", errUsage, *addr, err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	// Without WaitForReady a server that is down fails the call at once,
	// instead of after the whole timeout.
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return fmt.Errorf("%s did not answer the health check: %s; is techmarketd serving there (--addr), in TLS (then give --tls-ca)?", *addr, client.Describe(err))
	}
	if s := resp.GetStatus(); s != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("%s answers %s, not SERVING: it is stopping, or not ready yet; see its log", *addr, s)
	}
	fmt.Fprintf(stdout, "%s: SERVING\n", *addr)
	return nil
}
