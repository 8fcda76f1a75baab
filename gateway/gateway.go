// Package gateway makes the gRPC services reachable from browsers and
// plain HTTP clients: the Connect protocol, gRPC-Web and REST+JSON (the
// google.api.http routes of the protos), all transcoded by vanguard into
// calls of the one *grpc.Server. No handler is written twice, and every
// interceptor of that server (authentication, limits, logs, metrics,
// recovery, the status mapping) runs for every protocol, because every
// call ends up in it.
package gateway

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/vanguard"
	"github.com/rs/cors"
	"google.golang.org/grpc"
)

// Options configure the gateway.
type Options struct {
	// Other serves every path that is no RPC: the portal and
	// /openapi.json. Nil answers 404.
	Other http.Handler
	// CORSOrigins are the origins (scheme://host[:port]) whose pages may
	// call the API from a browser. None by default: the portal served by
	// the same server is same-origin and needs none.
	CORSOrigins []string
	// MaxMessageBytes bounds a request or response the gateway buffers
	// while transcoding; the gRPC server's own limit still applies.
	MaxMessageBytes uint32
}

// servicePrefix selects the services the gateway exposes: Techmarket's
// own and the health service. Reflection, a bidirectional stream for
// tools, stays native.
var servicePrefix = []string{"techmarket.v1.", "grpc.health.v1."}

// New returns the handler of srv's services over Connect, gRPC-Web and
// REST, with every other path left to opts.Other. Call it after every
// service is registered on srv.
func New(srv *grpc.Server, opts Options) (http.Handler, error) {
	var services []*vanguard.Service
	for name := range srv.GetServiceInfo() {
		for _, p := range servicePrefix {
			if strings.HasPrefix(name, p) {
				services = append(services, vanguard.NewService(name, srv))
			}
		}
	}
	other := opts.Other
	if other == nil {
		other = http.NotFoundHandler()
	}
	serviceOpts := []vanguard.ServiceOption{
		// The gRPC server speaks protobuf only: the gateway turns JSON
		// into it and back.
		vanguard.WithTargetProtocols(vanguard.ProtocolGRPC),
		vanguard.WithTargetCodecs(vanguard.CodecProto),
	}
	if opts.MaxMessageBytes > 0 {
		serviceOpts = append(serviceOpts, vanguard.WithMaxMessageBufferBytes(opts.MaxMessageBytes))
	}
	t, err := vanguard.NewTranscoder(services,
		vanguard.WithDefaultServiceOptions(serviceOpts...),
		vanguard.WithUnknownHandler(other))
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	var h http.Handler = t
	if len(opts.CORSOrigins) > 0 {
		h = allowOrigins(opts.CORSOrigins).Handler(h)
	}
	return h, nil
}

// allowOrigins is the CORS policy for the listed origins: the methods of
// the REST routes and the headers the Connect, gRPC-Web and gRPC
// protocols send and answer with. Credentials are bearer tokens in the
// Authorization header, never cookies, so credentialed requests stay off.
func allowOrigins(origins []string) *cors.Cors {
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete},
		AllowedHeaders: []string{
			"Authorization", "Content-Type", "Accept", "Accept-Encoding", "Content-Encoding",
			"Connect-Protocol-Version", "Connect-Timeout-Ms", "Connect-Accept-Encoding", "Connect-Content-Encoding",
			"Grpc-Timeout", "Grpc-Accept-Encoding", "Grpc-Encoding", "X-Grpc-Web", "X-User-Agent",
		},
		ExposedHeaders: []string{
			"Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin", "Grpc-Encoding", "Grpc-Accept-Encoding",
			"Connect-Content-Encoding", "Connect-Accept-Encoding", "Content-Encoding",
		},
		MaxAge: int((2 * time.Hour).Seconds()),
	})
}
