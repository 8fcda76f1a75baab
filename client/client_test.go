package client_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// serve starts an in-process gRPC server with whatever register puts on it
// and returns a Client dialled to it over bufconn.
func serve(t *testing.T, register func(*grpc.Server), opts ...client.Option) *client.Client {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	register(srv)
	go func() { _ = srv.Serve(lis) }() // Serve returns when Stop closes lis.
	t.Cleanup(srv.Stop)

	opts = append(opts, client.WithDialOptions(grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return lis.DialContext(ctx)
	})))
	c, err := client.Dial("passthrough:///bufnet", opts...)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// callerServer answers GetCaller with the authorization header it received.
type callerServer struct {
	techmarketv1.UnimplementedTokenServiceServer
}

func (callerServer) GetCaller(ctx context.Context, _ *techmarketv1.GetCallerRequest) (*techmarketv1.GetCallerResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	got := md.Get("authorization")
	if len(got) > 1 {
		return nil, status.Errorf(codes.InvalidArgument, "%d authorization headers", len(got))
	}
	if len(got) == 0 {
		return &techmarketv1.GetCallerResponse{}, nil
	}
	return &techmarketv1.GetCallerResponse{Token: got[0]}, nil
}

func TestToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []client.Option
		want string
	}{
		{"with token", []client.Option{client.WithToken("X")}, "Bearer X"},
		{"anonymous", nil, ""},
		{"empty token is anonymous", []client.Option{client.WithToken("")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := serve(t, func(s *grpc.Server) { techmarketv1.RegisterTokenServiceServer(s, callerServer{}) }, tc.opts...)
			resp, err := c.Caller(t.Context())
			if err != nil {
				t.Fatalf("Caller: %v", err)
			}
			if got := resp.GetToken(); got != tc.want {
				t.Errorf("authorization header = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTokenNeedsTLSOnceConfigured swaps the TLS transport for plaintext
// behind the client's back: the token must then not be sent at all.
func TestTokenNeedsTLSOnceConfigured(t *testing.T) {
	t.Parallel()
	c, err := client.Dial("passthrough:///bufnet", client.WithToken("X"), client.WithTLS(nil),
		client.WithDialOptions(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err == nil {
		c.Close()
		t.Fatal("Dial with a TLS token over plaintext succeeded, want it refused")
	}
}

func TestDialNeedsAddress(t *testing.T) {
	t.Parallel()
	if _, err := client.Dial(""); err == nil {
		t.Error("Dial(\"\") succeeded, want an error")
	}
}

// offerServer serves total offers, numbered from 0, in pages whose token is
// the index of the first offer of the page. It records each request.
type offerServer struct {
	techmarketv1.UnimplementedOfferServiceServer
	total int

	mu       sync.Mutex
	requests []proto.Message
}

func (s *offerServer) record(m proto.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, m)
}

func (s *offerServer) calls() []proto.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]proto.Message(nil), s.requests...)
}

func (s *offerServer) ListOffers(_ context.Context, req *techmarketv1.ListOffersRequest) (*techmarketv1.ListOffersResponse, error) {
	s.record(req)
	if req.GetIndustry() == "fail" {
		return nil, status.Error(codes.Internal, "boom")
	}
	start := 0
	if req.GetPageToken() != "" {
		var err error
		if start, err = strconv.Atoi(req.GetPageToken()); err != nil {
			return nil, status.Error(codes.InvalidArgument, "bad page token")
		}
	}
	end := min(start+int(req.GetPageSize()), s.total)
	resp := &techmarketv1.ListOffersResponse{}
	for i := start; i < end; i++ {
		resp.Offers = append(resp.Offers, &techmarketv1.Offer{Name: fmt.Sprintf("offers/%d", i)})
	}
	if end < s.total {
		resp.NextPageToken = strconv.Itoa(end)
	}
	return resp, nil
}

func (s *offerServer) GetOffer(_ context.Context, req *techmarketv1.GetOfferRequest) (*techmarketv1.GetOfferResponse, error) {
	s.record(req)
	return &techmarketv1.GetOfferResponse{Offer: &techmarketv1.Offer{Name: req.GetName()}}, nil
}

func (s *offerServer) UpdateOffer(_ context.Context, req *techmarketv1.UpdateOfferRequest) (*techmarketv1.UpdateOfferResponse, error) {
	s.record(req)
	return &techmarketv1.UpdateOfferResponse{Offer: req.GetOffer()}, nil
}

func TestListOffersFollowsPages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		stopAfter int // break after this many offers; 0 reads all
		wantNames int
		wantCalls int
	}{
		{"all pages", 0, 8, 3},
		{"break on the first page", 2, 2, 1},
		{"break at a page boundary", 3, 3, 1},
		{"break on the second page", 4, 4, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := &offerServer{total: 8}
			c := serve(t, func(s *grpc.Server) { techmarketv1.RegisterOfferServiceServer(s, srv) })
			req := &techmarketv1.ListOffersRequest{PageSize: 3, Industry: "new-materials"}

			var names []string
			for o, err := range c.ListOffers(t.Context(), req) {
				if err != nil {
					t.Fatalf("ListOffers: %v", err)
				}
				names = append(names, o.GetName())
				if len(names) == tc.stopAfter {
					break
				}
			}

			if len(names) != tc.wantNames {
				t.Errorf("got %d offers %v, want %d", len(names), names, tc.wantNames)
			}
			for i, n := range names {
				if want := fmt.Sprintf("offers/%d", i); n != want {
					t.Errorf("offer %d is %q, want %q", i, n, want)
				}
			}
			calls := srv.calls()
			if len(calls) != tc.wantCalls {
				t.Errorf("%d ListOffers calls, want %d", len(calls), tc.wantCalls)
			}
			for _, m := range calls {
				if got := m.(*techmarketv1.ListOffersRequest).GetIndustry(); got != "new-materials" {
					t.Errorf("a page was asked for industry %q; filters must stay the same on every page", got)
				}
			}
			if req.GetPageToken() != "" {
				t.Errorf("the caller's request was changed: page token %q", req.GetPageToken())
			}
		})
	}
}

func TestListOffersError(t *testing.T) {
	t.Parallel()
	srv := &offerServer{total: 8}
	c := serve(t, func(s *grpc.Server) { techmarketv1.RegisterOfferServiceServer(s, srv) })
	var errs int
	for o, err := range c.ListOffers(t.Context(), &techmarketv1.ListOffersRequest{Industry: "fail"}) {
		if err == nil {
			t.Fatalf("got offer %v, want an error", o)
		}
		if status.Code(err) != codes.Internal {
			t.Errorf("error %v, want Internal", err)
		}
		errs++
	}
	if errs != 1 {
		t.Errorf("%d errors, want exactly 1 and then the end", errs)
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	srv := &offerServer{}
	c := serve(t, func(s *grpc.Server) { techmarketv1.RegisterOfferServiceServer(s, srv) })
	for in, want := range map[string]string{
		"abc":        "offers/abc",
		"offers/abc": "offers/abc",
		"demands/x":  "demands/x", // passed on for the server to refuse by name
	} {
		o, err := c.GetOffer(t.Context(), in)
		if err != nil {
			t.Fatalf("GetOffer(%q): %v", in, err)
		}
		if o.GetName() != want {
			t.Errorf("GetOffer(%q) asked for %q, want %q", in, o.GetName(), want)
		}
	}

	mine := &techmarketv1.Offer{Name: "abc", Title: "新标题"}
	if _, err := c.UpdateOffer(t.Context(), mine, "title"); err != nil {
		t.Fatalf("UpdateOffer: %v", err)
	}
	calls := srv.calls()
	got := calls[len(calls)-1].(*techmarketv1.UpdateOfferRequest)
	if got.GetOffer().GetName() != "offers/abc" {
		t.Errorf("UpdateOffer sent name %q, want offers/abc", got.GetOffer().GetName())
	}
	if paths := got.GetUpdateMask().GetPaths(); len(paths) != 1 || paths[0] != "title" {
		t.Errorf("update mask %v, want [title]", paths)
	}
	if mine.GetName() != "abc" {
		t.Errorf("UpdateOffer changed the caller's offer: name %q", mine.GetName())
	}
	if _, err := c.UpdateOffer(t.Context(), mine); err != nil {
		t.Fatalf("UpdateOffer: %v", err)
	}
	calls = srv.calls()
	if m := calls[len(calls)-1].(*techmarketv1.UpdateOfferRequest).GetUpdateMask(); m != nil {
		t.Errorf("UpdateOffer without paths sent mask %v, want none", m)
	}
}
