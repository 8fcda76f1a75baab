package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/wuhai-techmarket/techmarket/gateway"
	"github.com/wuhai-techmarket/techmarket/netsplit"
	"github.com/wuhai-techmarket/techmarket/openapi"
	"github.com/wuhai-techmarket/techmarket/server"
	portal "github.com/wuhai-techmarket/techmarket/web"
)

// listeners are where the server takes native gRPC and where it takes
// browsers and HTTP clients (Connect, gRPC-Web, REST, the portal).
type listeners struct {
	grpc, http net.Listener
}

// listen opens the listeners. On plain text one port serves both: native
// gRPC clients open with the HTTP/2 preface and browsers speak HTTP/1.1
// (netsplit). Under TLS both speak HTTP/2 once the handshake is done, and
// only grpc-go's ServeHTTP could take native gRPC from net/http's server,
// a slower path; so there the main port stays native and browsers need
// their own, httpAddr. httpAddr also moves the browsers off the main port
// on plain text.
func listen(addr, httpAddr string, tlsConfig *tls.Config, log *slog.Logger) (listeners, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return listeners{}, fmt.Errorf("listening on %s: %w; is another server using the port? choose one with --addr", addr, err)
	}
	if httpAddr == "" {
		if tlsConfig != nil {
			log.Warn("browsers and HTTP clients are not served: under TLS they need a port of their own, --http-addr")
			return listeners{grpc: lis}, nil
		}
		split := netsplit.New(lis)
		return listeners{grpc: split.HTTP2(), http: split.HTTP1()}, nil
	}
	web, err := net.Listen("tcp", httpAddr)
	if err != nil {
		_ = lis.Close()
		return listeners{}, fmt.Errorf("listening on %s: %w; is another server using the port? choose one with --http-addr", httpAddr, err)
	}
	if tlsConfig != nil {
		c := tlsConfig.Clone()
		c.NextProtos = []string{"h2", "http/1.1"}
		web = tls.NewListener(web, c)
	}
	return listeners{grpc: lis, http: web}, nil
}

// webServer serves srv's services to browsers over HTTP, the OpenAPI
// document at /openapi.json and the portal at every other path.
func webServer(srv *server.Server, corsOrigins []string) (*http.Server, error) {
	other := http.NewServeMux()
	other.Handle("/openapi.json", openapi.Handler())
	other.Handle("/", portal.Handler())
	h, err := gateway.New(srv.Server, gateway.Options{Other: other, CORSOrigins: corsOrigins, MaxMessageBytes: server.MaxMessageBytes})
	if err != nil {
		return nil, err
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		// No write timeout: WatchMatches streams alerts for as long as a
		// portal page is open.
	}, nil
}

// shutdownWeb lets the web server's calls in flight finish until ctx is
// done, then closes what is left, alert streams included.
func shutdownWeb(ctx context.Context, s *http.Server, log *slog.Logger) {
	if err := s.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Error("stopping the web server", "err", err)
	}
	_ = s.Close()
}
