package server

import (
	"context"

	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/market"
)

type interceptors struct {
	m   *market.Market
	log *slog.Logger
}

// authenticate reads `authorization: Bearer …`. No header means an
// anonymous caller; a header that is malformed, unknown or revoked is an
// error even on calls anyone may make, so a client with a broken token
// finds out at once instead of silently seeing less.
func (i interceptors) authenticate(ctx context.Context) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	switch len(values) {
	case 0:
		return auth.NewContext(ctx, auth.Principal{}), nil
	case 1:
	default:
		return nil, status.Error(codes.Unauthenticated, "send one authorization header, not several")
	}
	scheme, secret, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || secret == "" {
		return nil, status.Error(codes.Unauthenticated, "the authorization header must be `Bearer <token>`")
	}
	p, err := i.m.Authenticate(strings.TrimSpace(secret))
	if err != nil {
		return nil, toStatus(i.log, err)
	}
	if c, ok := ctx.Value(callKey{}).(*call); ok {
		c.caller = p
	}
	return auth.NewContext(ctx, p), nil
}

func (i interceptors) authUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	ctx, err := i.authenticate(ctx)
	if err != nil {
		return nil, err
	}
	if err := mayCall(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (i interceptors) authStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx, err := i.authenticate(ss.Context())
	if err != nil {
		return err
	}
	if err := mayCall(ctx, info.FullMethod); err != nil {
		return err
	}
	return handler(srv, &contextStream{ServerStream: ss, ctx: ctx})
}

// mayCall refuses a peer token every call but those of peerMethods.
func mayCall(ctx context.Context, method string) error {
	if auth.FromContext(ctx).IsPeer() && !peerMethods[method] {
		return status.Error(codes.PermissionDenied, "a peer token may only pull the feed (FederationService.PullListings); call with another token")
	}
	return nil
}

// contextStream replaces a stream's context.
type contextStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *contextStream) Context() context.Context { return s.ctx }

func (i interceptors) statusUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	return resp, toStatus(i.log, err)
}

func (i interceptors) statusStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	return toStatus(i.log, handler(srv, ss))
}

func (i interceptors) recovered(method string, r any) error {
	i.log.Error("panic in handler", "method", method, "panic", r, "stack", string(debug.Stack()))
	return status.Error(codes.Internal, "internal error; the server log has the details")
}

func (i interceptors) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, i.recovered(info.FullMethod, r)
		}
	}()
	return handler(ctx, req)
}

func (i interceptors) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = i.recovered(info.FullMethod, r)
		}
	}()
	return handler(srv, ss)
}

// call collects what the log line reports about a call: the log
// interceptor is outermost, so authentication, further in, fills in the
// caller here. Secrets never reach it.
type call struct{ caller auth.Principal }

type callKey struct{}

func (i interceptors) logUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start, c := time.Now(), &call{}
	resp, err := handler(context.WithValue(ctx, callKey{}, c), req)
	i.logCall(ctx, info.FullMethod, c, start, err)
	return resp, err
}

func (i interceptors) logStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	start, c := time.Now(), &call{}
	err := handler(srv, &contextStream{ServerStream: ss, ctx: context.WithValue(ss.Context(), callKey{}, c)})
	i.logCall(ss.Context(), info.FullMethod, c, start, err)
	return err
}

// logCall writes one structured line per call.
func (i interceptors) logCall(ctx context.Context, method string, c *call, start time.Time, err error) {
	code := status.Code(err)
	level := slog.LevelInfo
	switch code {
	case codes.OK, codes.Canceled:
	case codes.Internal, codes.Unknown, codes.DataLoss, codes.Unavailable:
		level = slog.LevelError
	default:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("code", code.String()),
		slog.String("caller", c.caller.String()),
		slog.Duration("latency", time.Since(start)),
	}
	if p, ok := peer.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("peer", p.Addr.String()))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", status.Convert(err).Message()))
	}
	i.log.LogAttrs(ctx, level, "rpc", attrs...)
}
