package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// Client talks to one techmarketd. It is safe for concurrent use; make one
// and share it, since each Client holds its own connection.
type Client struct {
	conn *grpc.ClientConn

	// The generated stubs, for what the typed calls do not cover.
	Offers  techmarketv1.OfferServiceClient
	Demands techmarketv1.DemandServiceClient
	Imports techmarketv1.ImportServiceClient
	Tokens  techmarketv1.TokenServiceClient
	Match   techmarketv1.MatchServiceClient
	Deals   techmarketv1.DealServiceClient
	Alerts  techmarketv1.AlertServiceClient
	Reviews techmarketv1.ReviewServiceClient
	Stats   techmarketv1.StatsServiceClient
	Admin   techmarketv1.AdminServiceClient
	Audit   techmarketv1.AuditServiceClient
	Events  techmarketv1.EventServiceClient
	// Federation is for peer tokens: another market's follower.
	Federation techmarketv1.FederationServiceClient
	// Links manages this market's links to others (operators).
	Links techmarketv1.LinkServiceClient
	// Introductions carries requests for contact across linked markets.
	Introductions techmarketv1.IntroductionServiceClient
	// Cluster manages the nodes of a replicated market.
	Cluster techmarketv1.ClusterServiceClient
}

// Option configures Dial.
type Option func(*config)

type config struct {
	retries     int
	token       string
	tls         *tls.Config
	dialOptions []grpc.DialOption
}

// WithToken makes every call carry `authorization: Bearer <token>`. An empty
// token means anonymous calls, which may read published listings only.
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// WithTLS makes the connection use TLS with the given configuration (nil
// means the system's roots and defaults). Without it the connection is
// plaintext, which is only fit for a server on the same machine.
func WithTLS(cfg *tls.Config) Option {
	return func(c *config) {
		if cfg == nil {
			cfg = &tls.Config{}
		}
		c.tls = cfg
	}
}

// WithDialOptions adds gRPC dial options after the client's own, so they win
// where both set the same thing. Tests use it to dial a bufconn listener:
//
//	client.Dial("passthrough:///bufnet", client.WithDialOptions(
//		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
//			return lis.DialContext(ctx)
//		})))
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(c *config) { c.dialOptions = append(c.dialOptions, opts...) }
}

// Dial makes a Client for the server at addr (HOST:PORT, or any target
// grpc.NewClient accepts). Like grpc.NewClient it does not wait for the
// connection: a server that is down shows up as an Unavailable error on the
// first call.
func Dial(addr string, opts ...Option) (*Client, error) {
	if addr == "" {
		return nil, errors.New("client: no server address")
	}
	cfg := config{retries: DefaultRetries}
	for _, opt := range opts {
		opt(&cfg)
	}
	transport := insecure.NewCredentials()
	if cfg.tls != nil {
		transport = credentials.NewTLS(cfg.tls)
	}
	seen := &seen{}
	dialOpts := []grpc.DialOption{grpc.WithTransportCredentials(transport)}
	if cfg.retries > 0 {
		dialOpts = append(dialOpts, grpc.WithChainUnaryInterceptor(retryUnary(cfg.retries)))
	}
	// Inside the retries: each try carries the newest change seen.
	dialOpts = append(dialOpts, grpc.WithChainUnaryInterceptor(seen.unary), grpc.WithChainStreamInterceptor(seen.stream))
	if cfg.token != "" {
		dialOpts = append(dialOpts, grpc.WithPerRPCCredentials(bearer{token: cfg.token, secure: cfg.tls != nil}))
	}
	dialOpts = append(dialOpts, cfg.dialOptions...)
	conn, err := grpc.NewClient(addr, dialOpts...)
	if err != nil {
		return nil, fmt.Errorf("client: dial %s: %w", addr, err)
	}
	return &Client{
		conn:    conn,
		Offers:  techmarketv1.NewOfferServiceClient(conn),
		Demands: techmarketv1.NewDemandServiceClient(conn),
		Imports: techmarketv1.NewImportServiceClient(conn),
		Tokens:  techmarketv1.NewTokenServiceClient(conn),
		Match:   techmarketv1.NewMatchServiceClient(conn),
		Deals:   techmarketv1.NewDealServiceClient(conn),
		Alerts:  techmarketv1.NewAlertServiceClient(conn),
		Reviews: techmarketv1.NewReviewServiceClient(conn),
		Stats:   techmarketv1.NewStatsServiceClient(conn),
		Admin:   techmarketv1.NewAdminServiceClient(conn),
		Audit:   techmarketv1.NewAuditServiceClient(conn),
		Events:  techmarketv1.NewEventServiceClient(conn),

		Federation: techmarketv1.NewFederationServiceClient(conn),
		Links:      techmarketv1.NewLinkServiceClient(conn),

		Introductions: techmarketv1.NewIntroductionServiceClient(conn),
		Cluster:       techmarketv1.NewClusterServiceClient(conn),
	}, nil
}

// Close ends the connection. Calls in flight fail with Canceled.
func (c *Client) Close() error { return c.conn.Close() }

// bearer puts the token on every call. It asks for transport security only
// when TLS is configured: then a dial option that swaps in a plaintext
// transport makes Dial fail instead of leaking the token, while a plaintext
// loopback server for development still gets it.
type bearer struct {
	token  string
	secure bool
}

var _ credentials.PerRPCCredentials = bearer{}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

func (b bearer) RequireTransportSecurity() bool { return b.secure }
