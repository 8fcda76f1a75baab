// Package server is Techmarket's gRPC transport. Handlers are thin: they
// unpack a request, call the market package with the caller's principal
// and pack the answer. Authentication, panic recovery, request logs and the
// mapping of domain errors to status codes are interceptors, assembled with
// the services, the health service and reflection in New, the one place
// that builds the gRPC server.
package server

import (
	"context"
	"log/slog"
	"slices"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/match"
	"github.com/wuhai-techmarket/techmarket/matchmaking"
	"github.com/wuhai-techmarket/techmarket/metrics"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/stats"
)

// MaxMessageBytes bounds every request and response. An import batch of
// 1,000 typical listings is about 3 MB; a single listing at every FORMAT.md
// limit about 100 KB.
const MaxMessageBytes = 16 << 20

// Options configure a Server.
type Options struct {
	// Logger receives one structured line per call; nil discards them.
	Logger *slog.Logger
	// GRPCOptions are added to the server's own, for transport security
	// and tuning.
	GRPCOptions []grpc.ServerOption
	// Alerts serves AlertService; nil leaves it unimplemented.
	Alerts *alert.Alerter
	// Stats counts matches served and serves StatsService; nil leaves it
	// unimplemented.
	Stats *stats.Stats
	// Limits protect the service from overload; zero fields take defaults.
	Limits Limits
	// Metrics, when set, counts and times every call.
	Metrics *metrics.Metrics
	// Events serves EventService; nil leaves it unimplemented.
	Events *matchmaking.Service
	// Links is told when LinkService changes the links (the follower);
	// nil when nothing follows them.
	Links Waker
	// Cluster, when set, makes this server one node of a replicated
	// market (docs/cluster.md); nil runs it alone.
	Cluster *Cluster
}

// Server is the assembled gRPC server.
type Server struct {
	*grpc.Server
	health     *health.Server
	log        *slog.Logger
	replicated *replicated // nil: the server runs alone
}

// New builds the gRPC server for the market m and its matcher mt with
// every service registered, and reports SERVING on the health service.
func New(m *market.Market, mt *match.Matcher, opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{health: health.NewServer(), log: log}
	i := interceptors{m: m, log: log}
	limits := opts.Limits.withDefaults()
	shed := newShedder(limits)
	// Outermost first: shed the calls over their caller's rate that the
	// transport's tap did not see, count and time, log the outcome of
	// everything, recover before the log sees a dead call, cap the
	// deadline, authenticate, then map domain errors.
	unary := []grpc.UnaryServerInterceptor{i.logUnary, i.recoverUnary, deadlineUnary(limits.MaxCallTime), i.authUnary, i.statusUnary}
	stream := []grpc.StreamServerInterceptor{i.logStream, i.recoverStream, i.authStream, i.statusStream}
	cs := &clusterServer{m: m}
	if c := opts.Cluster; c != nil {
		// After authentication (a forwarded call carries the caller's
		// token), around the status mapping (it reads NOT_LEADER).
		s.replicated = newReplicated(c.Node, m, log, c.Dial)
		unary = slices.Insert(unary, len(unary)-1, s.replicated.unary)
		stream = slices.Insert(stream, len(stream)-1, s.replicated.stream)
		cs.node, cs.indexApplied = c.Node, c.IndexApplied
	}
	if opts.Metrics != nil {
		unary = append([]grpc.UnaryServerInterceptor{opts.Metrics.Unary}, unary...)
		stream = append([]grpc.StreamServerInterceptor{opts.Metrics.Stream}, stream...)
	}
	unary = append([]grpc.UnaryServerInterceptor{shed.unary}, unary...)
	stream = append([]grpc.StreamServerInterceptor{shed.stream}, stream...)
	grpcOpts := append([]grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessageBytes),
		grpc.MaxSendMsgSize(MaxMessageBytes),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
	}, limits.serverOptions(shed)...)
	grpcOpts = append(grpcOpts, opts.GRPCOptions...)
	s.Server = grpc.NewServer(grpcOpts...)

	techmarketv1.RegisterOfferServiceServer(s.Server, &offerServer{l: m.Offers})
	techmarketv1.RegisterDemandServiceServer(s.Server, &demandServer{l: m.Demands})
	techmarketv1.RegisterImportServiceServer(s.Server, &importServer{m: m})
	techmarketv1.RegisterTokenServiceServer(s.Server, &tokenServer{m: m})
	techmarketv1.RegisterMatchServiceServer(s.Server, &matchServer{m: m, mt: mt, stats: opts.Stats})
	techmarketv1.RegisterDealServiceServer(s.Server, &dealServer{m: m})
	techmarketv1.RegisterReviewServiceServer(s.Server, &reviewServer{m: m})
	techmarketv1.RegisterAdminServiceServer(s.Server, &adminServer{m: m})
	techmarketv1.RegisterAuditServiceServer(s.Server, &auditServer{m: m})
	techmarketv1.RegisterFederationServiceServer(s.Server, &federationServer{m: m})
	techmarketv1.RegisterLinkServiceServer(s.Server, &linkServer{m: m, wakeup: opts.Links})
	techmarketv1.RegisterIntroductionServiceServer(s.Server, &introductionServer{m: m, wakeup: opts.Links})
	techmarketv1.RegisterClusterServiceServer(s.Server, cs)
	if opts.Events != nil {
		techmarketv1.RegisterEventServiceServer(s.Server, &eventServer{e: opts.Events})
	}
	if opts.Stats != nil {
		techmarketv1.RegisterStatsServiceServer(s.Server, &statsServer{s: opts.Stats})
	}
	if opts.Alerts != nil {
		techmarketv1.RegisterAlertServiceServer(s.Server, &alertServer{a: opts.Alerts, m: m, watchers: &watchers{max: limits.MaxWatchers}})
	}
	healthpb.RegisterHealthServer(s.Server, s.health)
	reflection.Register(s.Server)

	for name := range s.Server.GetServiceInfo() {
		s.health.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	return s
}

// Shutdown reports NOT_SERVING, so that load balancers stop sending new
// calls, then lets calls in flight finish until ctx is done, and stops.
func (s *Server) Shutdown(ctx context.Context) {
	s.health.Shutdown()
	done := make(chan struct{})
	go func() {
		s.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.Stop()
		<-done
	}
	if s.replicated != nil {
		s.replicated.close()
	}
}
