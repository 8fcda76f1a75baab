package netsplit_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	"github.com/wuhai-techmarket/techmarket/netsplit"
)

func TestMain(m *testing.M) { testutil.VerifyNoLeaks(m) }

// serve runs a gRPC server and an HTTP server on one split loopback port.
func serve(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	split := netsplit.New(lis)
	g := grpc.NewServer()
	healthpb.RegisterHealthServer(g, health.NewServer())
	h := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello over "+r.Proto)
	})}
	gDone, hDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(gDone); _ = g.Serve(split.HTTP2()) }()
	go func() { defer close(hDone); _ = h.Serve(split.HTTP1()) }()
	t.Cleanup(func() {
		g.Stop()
		_ = h.Close()
		<-gDone
		<-hDone
	})
	return lis.Addr().String()
}

func TestOnePortServesBoth(t *testing.T) {
	addr := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// A client that connects and says nothing holds up no one else.
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("native gRPC on the split port: %v, %v", resp, err)
	}

	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	r, err := hc.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if string(b) != "hello over HTTP/1.1" {
		t.Errorf("HTTP/1.1 on the split port: %q", b)
	}
}

func TestShortRequestsReachTheHTTPServer(t *testing.T) {
	addr := serve(t)
	// Shorter than the HTTP/2 preface, and it starts like it ("P").
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "PUT / HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil || len(b) < 12 || string(b[:12]) != "HTTP/1.0 200" {
		t.Errorf("a short HTTP/1.0 request got %q, %v", b, err)
	}
}

func TestClosingStopsBoth(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	split := netsplit.New(lis)
	if err := split.HTTP2().Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := split.HTTP1().Accept(); err == nil {
		t.Error("the HTTP/1 side still accepts after the split closed")
	}
	if _, err := net.Dial("tcp", lis.Addr().String()); err == nil {
		t.Error("the port still takes connections after the split closed")
	}
}
