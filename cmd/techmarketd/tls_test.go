package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7733": true, "[::1]:7733": true, "localhost:7733": true,
		"0.0.0.0:7733": false, ":7733": false, "[::]:7733": false, "10.1.2.3:7733": false, "example.com:7733": false, "garbage": false,
	} {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestPlainTextRefusedOffLoopback: a server asked to listen on every
// interface without TLS refuses, and says what to do; --insecure lets it.
func TestPlainTextRefusedOffLoopback(t *testing.T) {
	bin := buildServer(t)
	dir := t.TempDir()
	out, err := exec.Command(bin, "serve", "--addr", "0.0.0.0:0", "--data", dir).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--insecure") || !strings.Contains(string(out), "--tls-cert") {
		t.Fatalf("plain text on 0.0.0.0: %v\n%s", err, out)
	}
	p := startServerAt(t, bin, "0.0.0.0:0", dir, "--insecure")
	if !strings.Contains(p.logs.String(), "plain text on a non-loopback address") {
		t.Errorf("--insecure serves without warning:\n%s", p.logs)
	}
}

// TestMutualTLS: with a server certificate and a client CA, a client with
// a certificate from that CA is served; one without, or in plain text, is
// not.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := newCA(t)
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", ca.Raw)
	issue(t, ca, caKey, filepath.Join(dir, "server"), x509.ExtKeyUsageServerAuth)
	clientCert := issue(t, ca, caKey, filepath.Join(dir, "client"), x509.ExtKeyUsageClientAuth)

	bin := buildServer(t)
	p := startServer(t, bin, filepath.Join(dir, "data"),
		"--tls-cert", filepath.Join(dir, "server.pem"), "--tls-key", filepath.Join(dir, "server.key"),
		"--tls-client-ca", filepath.Join(dir, "ca.pem"))
	roots := x509.NewCertPool()
	roots.AddCert(ca)

	whoami := func(cfg *tls.Config) error {
		var opts []client.Option
		if cfg != nil {
			opts = append(opts, client.WithTLS(cfg))
		}
		c, err := client.Dial(p.addr, opts...)
		if err != nil {
			return err
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err = c.Tokens.GetCaller(ctx, &techmarketv1.GetCallerRequest{})
		return err
	}
	if err := whoami(&tls.Config{RootCAs: roots, Certificates: []tls.Certificate{clientCert}, MinVersion: tls.VersionTLS12}); err != nil {
		t.Errorf("client with a certificate: %v", err)
	}
	if err := whoami(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}); err == nil {
		t.Error("client without a certificate was served")
	}
	if err := whoami(nil); err == nil {
		t.Error("plain-text client was served")
	}

	// The command line takes the same files.
	cli := filepath.Join(t.TempDir(), "techmarket")
	if out, err := exec.Command("go", "build", "-o", cli, "../techmarket").CombinedOutput(); err != nil {
		t.Fatalf("building the CLI: %v\n%s", err, out)
	}
	tlsArgs := []string{"--addr", p.addr, "--tls-ca", filepath.Join(dir, "ca.pem")}
	mutual := append(tlsArgs, "--tls-cert", filepath.Join(dir, "client.pem"), "--tls-key", filepath.Join(dir, "client.key"))
	if out, err := exec.Command(cli, append([]string{"whoami"}, mutual...)...).CombinedOutput(); err != nil {
		t.Errorf("techmarket whoami over mutual TLS: %v\n%s", err, out)
	}
	if out, err := exec.Command(cli, append([]string{"whoami"}, tlsArgs...)...).CombinedOutput(); err == nil {
		t.Errorf("techmarket whoami without a client certificate succeeded:\n%s", out)
	}

	if !strings.Contains(p.logs.String(), "mutual=true") {
		t.Errorf("no note of mutual TLS in the log:\n%s", p.logs)
	}
}

func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "techmarket test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// issue makes a certificate for 127.0.0.1 signed by the CA and writes it
// and its key to base.pem and base.key.
func issue(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, base string, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: filepath.Base(base)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, base+".pem", "CERTIFICATE", der)
	writePEM(t, base+".key", "EC PRIVATE KEY", keyDER)
	pair, err := tls.LoadX509KeyPair(base+".pem", base+".key")
	if err != nil {
		t.Fatal(err)
	}
	return pair
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
