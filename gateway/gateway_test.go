package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/gateway"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/server"
)

const portalOrigin = "https://portal.example.cn"

// market runs a marketplace and serves it through the gateway on a
// plain HTTP/1.1 test server, as a browser reaches it.
func market(t *testing.T, opts ...testutil.Option) (*testutil.Env, *httptest.Server) {
	t.Helper()
	env := testutil.Start(t, opts...)
	other := http.NewServeMux()
	other.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "portal") })
	h, err := gateway.New(env.GRPCServer().Server, gateway.Options{Other: other, CORSOrigins: []string{portalOrigin}, MaxMessageBytes: server.MaxMessageBytes})
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(h)
	t.Cleanup(web.Close)
	return env, web
}

// connect makes a Connect unary call with a JSON body and returns the
// status and the decoded JSON answer.
func connect(t *testing.T, web *httptest.Server, token, method, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, web.URL+"/techmarket.v1."+method, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connect-Protocol-Version", "1")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %v", req.Method, req.URL.Path, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

func offerJSON(t *testing.T, o *techmarketv1.Offer) string {
	t.Helper()
	b, err := protojson.Marshal(&techmarketv1.CreateOfferRequest{Offer: o, Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fittingOffer(title string) *techmarketv1.Offer {
	return &techmarketv1.Offer{
		Title: title, Summary: "在焦炉上升管内设置换热器，回收荒煤气显热产生饱和蒸汽，防结焦涂层。",
		Keywords: []string{"上升管", "荒煤气", "余热回收", "焦炉"}, Industries: []string{"coal-chemical"},
		Region: techmarketv1.Region_REGION_INNER_MONGOLIA, Trl: 8,
	}
}

func TestConnectCallsReachTheService(t *testing.T) {
	env, web := market(t)
	agency := env.Token("agency", "甲技术转移中心")

	code, created := connect(t, web, agency, "OfferService/CreateOffer", offerJSON(t, fittingOffer("焦炉上升管荒煤气余热回收技术")))
	if code != http.StatusOK {
		t.Fatalf("CreateOffer over Connect: %d %v", code, created)
	}
	name := created["offer"].(map[string]any)["name"].(string)

	// Anyone reads published offers; the JSON names are protojson's.
	code, got := connect(t, web, "", "OfferService/GetOffer", `{"name":"`+name+`"}`)
	if code != http.StatusOK || got["offer"].(map[string]any)["title"] != "焦炉上升管荒煤气余热回收技术" {
		t.Fatalf("GetOffer over Connect: %d %v", code, got)
	}

	// The interceptors run: no token, no post.
	code, refused := connect(t, web, "", "OfferService/CreateOffer", offerJSON(t, fittingOffer("另一项")))
	if code != http.StatusUnauthorized || refused["code"] != "unauthenticated" {
		t.Errorf("CreateOffer without a token: %d %v; want 401 unauthenticated", code, refused)
	}
	// A token anywhere but the Authorization header is no token.
	req, _ := http.NewRequest(http.MethodPost, web.URL+"/techmarket.v1.OfferService/CreateOffer?access_token="+agency, strings.NewReader(offerJSON(t, fittingOffer("另一项"))))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connect-Protocol-Version", "1")
	if code, _ := do(t, req); code != http.StatusUnauthorized {
		t.Errorf("a token in the query string was taken: %d", code)
	}
	if n := countOffers(t, env); n != 1 {
		t.Errorf("%d offers stored; the refused posts changed something", n)
	}
}

func countOffers(t *testing.T, env *testutil.Env) int {
	t.Helper()
	resp, err := env.Client(env.Token("operator", "运营中心")).Offers.ListOffers(context.Background(), &techmarketv1.ListOffersRequest{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(resp.GetOffers())
}

func TestErrorsReachTheBrowserWithTheirFields(t *testing.T) {
	env, web := market(t)
	agency := env.Token("agency", "甲技术转移中心")
	bad := fittingOffer("焦炉余热")
	bad.Trl = 12
	code, got := connect(t, web, agency, "OfferService/CreateOffer", offerJSON(t, bad))
	if code != http.StatusBadRequest || got["code"] != "invalid_argument" {
		t.Fatalf("a TRL of 12: %d %v; want 400 invalid_argument", code, got)
	}
	// Connect carries the BadRequest detail as bytes and, for readers
	// without the schema, as JSON under "debug".
	var fields []string
	for _, d := range got["details"].([]any) {
		detail := d.(map[string]any)
		if detail["type"] != "google.rpc.BadRequest" {
			continue
		}
		for _, v := range detail["debug"].(map[string]any)["fieldViolations"].([]any) {
			fields = append(fields, v.(map[string]any)["field"].(string))
		}
	}
	if len(fields) != 1 || fields[0] != "offer.trl" {
		t.Errorf("violations name %v; want offer.trl", fields)
	}
	if n := countOffers(t, env); n != 0 {
		t.Errorf("%d offers stored after a refused post", n)
	}
}

func TestLimitsApplyToBrowsers(t *testing.T) {
	_, web := market(t, testutil.WithLimits(server.Limits{RatePerSecond: 0.001, Burst: 2}))
	var last int
	var body map[string]any
	for range 3 {
		last, body = connect(t, web, "", "OfferService/ListOffers", `{}`)
	}
	if last != http.StatusTooManyRequests || body["code"] != "resource_exhausted" {
		t.Fatalf("the third call of a burst of 2: %d %v; want 429 resource_exhausted", last, body)
	}
	found := false
	for _, d := range body["details"].([]any) {
		found = found || d.(map[string]any)["type"] == "google.rpc.RetryInfo"
	}
	if !found {
		t.Errorf("no RetryInfo for the browser to wait by: %v", body)
	}
}

// grpcWebFrame is one length-prefixed message of the gRPC-Web and
// Connect streaming protocols.
func frame(flags byte, msg []byte) []byte {
	b := make([]byte, 5, 5+len(msg))
	b[0] = flags
	binary.BigEndian.PutUint32(b[1:], uint32(len(msg)))
	return append(b, msg...)
}

func readFrame(r *bufio.Reader) (flags byte, msg []byte, err error) {
	var head [5]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return 0, nil, err
	}
	msg = make([]byte, binary.BigEndian.Uint32(head[1:]))
	_, err = io.ReadFull(r, msg)
	return head[0], msg, err
}

func TestGRPCWebCallsReachTheService(t *testing.T) {
	env, web := market(t)
	agency := env.Token("agency", "甲技术转移中心")
	o, err := env.Client(agency).CreateOffer(context.Background(), fittingOffer("焦炉上升管荒煤气余热回收技术"), true)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := proto.Marshal(&techmarketv1.GetOfferRequest{Name: o.GetName()})
	req, _ := http.NewRequest(http.MethodPost, web.URL+"/techmarket.v1.OfferService/GetOffer", bytes.NewReader(frame(0, msg)))
	req.Header.Set("Content-Type", "application/grpc-web+proto")
	req.Header.Set("X-Grpc-Web", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	flags, data, err := readFrame(r)
	if err != nil || flags != 0 {
		t.Fatalf("first gRPC-Web frame: flags %x, %v", flags, err)
	}
	var got techmarketv1.GetOfferResponse
	if err := proto.Unmarshal(data, &got); err != nil || got.GetOffer().GetTitle() != o.GetTitle() {
		t.Fatalf("GetOffer over gRPC-Web: %v, %v", got.GetOffer(), err)
	}
	flags, trailer, err := readFrame(r)
	if err != nil || flags&0x80 == 0 || !strings.Contains(strings.ToLower(string(trailer)), "grpc-status: 0") {
		t.Errorf("trailer frame: flags %x %q, %v; want grpc-status 0", flags, trailer, err)
	}
}

// TestAlertsStreamToABrowser watches a demand over Connect's server
// streaming, as the portal's page does, and sees the alert of an offer
// published while it watches.
func TestAlertsStreamToABrowser(t *testing.T) {
	env, web := market(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	agency := env.Token("agency", "甲技术转移中心")
	enterprise := env.Token("enterprise", "乌海某焦化公司")
	demand, err := env.Client(enterprise).CreateDemand(ctx, &techmarketv1.Demand{
		Title: "焦炉荒煤气余热回收产蒸汽", Description: "上升管荒煤气温度七八百度，希望回收余热产生蒸汽，要求不结焦。",
		Keywords: []string{"焦炉", "荒煤气", "余热"}, Industries: []string{"coal-chemical"}, Region: techmarketv1.Region_REGION_WUHAI,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	watch, _ := protojson.Marshal(&techmarketv1.WatchMatchesRequest{Listings: []string{demand.GetName()}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, web.URL+"/techmarket.v1.AlertService/WatchMatches", bytes.NewReader(frame(0, watch)))
	req.Header.Set("Content-Type", "application/connect+json")
	req.Header.Set("Authorization", "Bearer "+enterprise)
	// The transcoder holds the stream's headers back until its first
	// message, so the call is answered only once the offer below is in.
	type answer struct {
		resp *http.Response
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		answered <- answer{resp, err}
	}()
	offer, err := env.Client(agency).CreateOffer(ctx, fittingOffer("焦炉上升管荒煤气余热回收技术"), true)
	if err != nil {
		t.Fatal(err)
	}
	a := <-answered
	if a.err != nil {
		t.Fatal(a.err)
	}
	resp := a.resp
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("WatchMatches over Connect: %d", resp.StatusCode)
	}
	flags, data, err := readFrame(bufio.NewReader(resp.Body))
	if err != nil || flags != 0 {
		t.Fatalf("first frame: flags %x %s, %v", flags, data, err)
	}
	var got techmarketv1.WatchMatchesResponse
	if err := protojson.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.GetAlert().GetListing() != demand.GetName() || got.GetAlert().GetMatch().GetName() != offer.GetName() {
		t.Errorf("alert for %s about %s; want %s about %s", got.GetAlert().GetListing(), got.GetAlert().GetMatch().GetName(), demand.GetName(), offer.GetName())
	}
}

func TestCORSOnlyForListedOrigins(t *testing.T) {
	_, web := market(t)
	preflight := func(origin string) http.Header {
		req, _ := http.NewRequest(http.MethodOptions, web.URL+"/techmarket.v1.OfferService/CreateOffer", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		// As browsers send it: lower case, sorted.
		req.Header.Set("Access-Control-Request-Headers", "authorization,connect-protocol-version,content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header
	}
	h := preflight(portalOrigin)
	if h.Get("Access-Control-Allow-Origin") != portalOrigin || !strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("preflight from the listed origin: %v", h)
	}
	if h.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("credentials allowed: tokens travel in a header, cookies must not")
	}
	if h := preflight("https://elsewhere.example.com"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from an unlisted origin allowed: %v", h)
	}
}

func TestOtherPathsGoToTheirHandler(t *testing.T) {
	_, web := market(t)
	resp, err := http.Get(web.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "portal" {
		t.Errorf("GET /: %d %q", resp.StatusCode, b)
	}
	resp, err = http.Get(web.URL + "/no/such/page")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /no/such/page: %d, want 404", resp.StatusCode)
	}
}
