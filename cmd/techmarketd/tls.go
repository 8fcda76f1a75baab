package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"net"
	"os"

	"github.com/wuhai-techmarket/techmarket/client"
)

// transportFlags say how the server protects its connections.
type transportFlags struct {
	cert, key, clientCA string
	insecure            bool
}

func (t *transportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.cert, "tls-cert", "", "serve TLS with this certificate chain, a PEM `FILE` (with --tls-key)")
	fs.StringVar(&t.key, "tls-key", "", "the certificate's private key, a PEM `FILE`")
	fs.StringVar(&t.clientCA, "tls-client-ca", "", "require client certificates signed by the CAs in this PEM `FILE` (mutual TLS)")
	fs.BoolVar(&t.insecure, "insecure", false, "serve plain text on a non-loopback address (only on a trusted network)")
}

// config returns the server's TLS configuration, nil for plain text, or
// an error saying what to change. Plain text is refused on any address a
// remote machine could reach unless --insecure says so: bearer tokens and
// unpublished listings would cross the network readable.
func (t *transportFlags) config(addr string) (*tls.Config, error) {
	if (t.cert == "") != (t.key == "") {
		return nil, fmt.Errorf("%w: give --tls-cert and --tls-key together", errUsage)
	}
	if t.cert == "" {
		if t.clientCA != "" {
			return nil, fmt.Errorf("%w: --tls-client-ca needs --tls-cert and --tls-key", errUsage)
		}
		if !t.insecure && !loopback(addr) {
			return nil, fmt.Errorf("%w: refusing to serve %s in plain text: tokens and unpublished listings would cross the network readable; "+
				"give --tls-cert and --tls-key, listen on 127.0.0.1, or add --insecure on a trusted network", errUsage, addr)
		}
		return nil, nil
	}
	pair, err := tls.LoadX509KeyPair(t.cert, t.key)
	if err != nil {
		return nil, fmt.Errorf("loading the TLS certificate: %w; check --tls-cert and --tls-key are the PEM certificate and its key", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	if t.clientCA != "" {
		pem, err := os.ReadFile(t.clientCA)
		if err != nil {
			return nil, fmt.Errorf("reading --tls-client-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: --tls-client-ca %s holds no PEM certificate", errUsage, t.clientCA)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// loopback reports whether addr can only be reached from this machine.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// operatorClient dials a running server with an operator's token,
// trusting the CAs of caFile (--tls-ca) when given.
func operatorClient(addr, token, caFile string) (*client.Client, []client.Option, error) {
	opts := []client.Option{client.WithToken(token)}
	if caFile != "" {
		roots, err := readCAs(caFile, "--tls-ca")
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, client.WithTLS(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}))
	}
	c, err := client.Dial(addr, opts...)
	return c, opts, err
}

// readCAs reads the PEM CA certificates of file, named by flagName in
// errors.
func readCAs(file, flagName string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", flagName, err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w: %s %s holds no PEM certificate", errUsage, flagName, file)
	}
	return roots, nil
}
