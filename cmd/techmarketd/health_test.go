package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// runHealth runs the built `techmarketd health` with args and returns its
// exit code and output.
func runHealth(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	out, err := exec.Command(bin, append([]string{"health"}, args...)...).CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	code := 0
	if err != nil {
		code = err.(*exec.ExitError).ExitCode()
	}
	return code, string(out)
}

// TestHealthOfARunningServer: what a container's HEALTHCHECK sees, a
// serving server passes, and once it is gone the check fails and says
// where it looked.
func TestHealthOfARunningServer(t *testing.T) {
	bin := buildServer(t)
	p := startServer(t, bin, t.TempDir())
	if code, out := runHealth(t, bin, "--addr", p.addr); code != 0 || !strings.Contains(out, "SERVING") {
		t.Fatalf("health of a serving server: exit %d\n%s", code, out)
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	code, out := runHealth(t, bin, "--addr", p.addr, "--timeout", "10s")
	if code == 0 || !strings.Contains(out, p.addr) || !strings.Contains(out, "did not answer") {
		t.Errorf("health of a stopped server: exit %d, want a failure naming %s\n%s", code, p.addr, out)
	}
}

// TestHealthOverTLS: with the server's CA the check passes; in plain text
// against a TLS server it fails, and says TLS may be why.
func TestHealthOverTLS(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := newCA(t)
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", ca.Raw)
	issue(t, ca, caKey, filepath.Join(dir, "server"), x509.ExtKeyUsageServerAuth)
	bin := buildServer(t)
	p := startServer(t, bin, filepath.Join(dir, "data"),
		"--tls-cert", filepath.Join(dir, "server.pem"), "--tls-key", filepath.Join(dir, "server.key"))
	if code, out := runHealth(t, bin, "--addr", p.addr, "--tls-ca", filepath.Join(dir, "ca.pem")); code != 0 {
		t.Errorf("health over TLS with the CA: exit %d\n%s", code, out)
	}
	// The certificate is for 127.0.0.1: "localhost" must be named to pass.
	localhost := strings.Replace(p.addr, "127.0.0.1", "localhost", 1)
	if code, out := runHealth(t, bin, "--addr", localhost, "--tls-ca", filepath.Join(dir, "ca.pem")); code == 0 {
		t.Errorf("health over TLS to a name the certificate is not for passed:\n%s", out)
	}
	if code, out := runHealth(t, bin, "--addr", localhost, "--tls-ca", filepath.Join(dir, "ca.pem"), "--tls-server-name", "127.0.0.1"); code != 0 {
		t.Errorf("health over TLS with --tls-server-name: exit %d\n%s", code, out)
	}
	if code, out := runHealth(t, bin, "--addr", p.addr); code == 0 || !strings.Contains(out, "--tls-ca") {
		t.Errorf("plain-text health of a TLS server: exit %d, want a failure mentioning --tls-ca\n%s", code, out)
	}
}

// TestHealthNotServing: a server that answers but not SERVING, as one
// draining its calls does, fails the check with the status it gave.
func TestHealthNotServing(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	healthpb.RegisterHealthServer(srv, hs)
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-served })

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"health", "--addr", lis.Addr().String()}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "NOT_SERVING") {
		t.Errorf("health of a NOT_SERVING server: exit %d, stdout %q, stderr %q; want a failure saying NOT_SERVING", code, stdout.String(), stderr.String())
	}
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"health", "--addr", lis.Addr().String()}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "SERVING") {
		t.Errorf("health once SERVING: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

func TestHealthUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--timeout", "0s"},
		{"--tls-server-name", "market.example.cn"},
		{"stray"},
	} {
		var stderr bytes.Buffer
		if code := run(context.Background(), append([]string{"health"}, args...), &bytes.Buffer{}, &stderr); code != 2 {
			t.Errorf("health %v: exit %d, want 2 (a usage error)\n%s", args, code, stderr.String())
		}
	}
}
