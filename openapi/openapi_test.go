package openapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/wuhai-techmarket/techmarket/openapi"
	_ "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1" // registers the techmarket.v1 files
)

// document is the part of the embedded document the tests read.
type document struct {
	Swagger string `json:"swagger"`
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title   string `json:"title"`
		Version string `json:"version"`
	} `json:"info"`
	// Paths maps a path to its operations by lower-case HTTP method.
	Paths map[string]map[string]struct {
		OperationID string `json:"operationId"`
	} `json:"paths"`
}

func parseDocument(t *testing.T) document {
	t.Helper()
	if !json.Valid(openapi.Document) {
		t.Fatal("the embedded document is not valid JSON")
	}
	var doc document
	if err := json.Unmarshal(openapi.Document, &doc); err != nil {
		t.Fatalf("the embedded document does not have the shape of an OpenAPI document: %v", err)
	}
	return doc
}

// route is one HTTP binding of a method, the way the document spells it.
type route struct {
	method string // RPC, as Service.Method
	verb   string // lower case, as the keys of an OpenAPI path item
	path   string // as a key of the document's paths
}

func (r route) String() string { return strings.ToUpper(r.verb) + " " + r.path + " (" + r.method + ")" }

// methods returns the methods of every service in package techmarket.v1,
// failing when there are none (the generated package not linked in).
func methods(t *testing.T) []protoreflect.MethodDescriptor {
	t.Helper()
	var all []protoreflect.MethodDescriptor
	protoregistry.GlobalFiles.RangeFilesByPackage("techmarket.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			for j := range sd.Methods().Len() {
				all = append(all, sd.Methods().Get(j))
			}
		}
		return true
	})
	if len(all) == 0 {
		t.Fatal("no services registered for package techmarket.v1")
	}
	return all
}

// httpRule returns a method's google.api.http option, or nil.
func httpRule(m protoreflect.MethodDescriptor) *annotations.HttpRule {
	opts := m.Options()
	if opts == nil || !proto.HasExtension(opts, annotations.E_Http) {
		return nil
	}
	rule, _ := proto.GetExtension(opts, annotations.E_Http).(*annotations.HttpRule)
	return rule
}

// routes returns the bindings of rule and of its additional bindings.
func routes(t *testing.T, m protoreflect.MethodDescriptor, rule *annotations.HttpRule) []route {
	t.Helper()
	name := string(m.Parent().Name()) + "." + string(m.Name())
	var verb, tmpl string
	switch p := rule.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		verb, tmpl = "get", p.Get
	case *annotations.HttpRule_Put:
		verb, tmpl = "put", p.Put
	case *annotations.HttpRule_Post:
		verb, tmpl = "post", p.Post
	case *annotations.HttpRule_Delete:
		verb, tmpl = "delete", p.Delete
	case *annotations.HttpRule_Patch:
		verb, tmpl = "patch", p.Patch
	case *annotations.HttpRule_Custom:
		verb, tmpl = strings.ToLower(p.Custom.GetKind()), p.Custom.GetPath()
	default:
		t.Fatalf("%s: google.api.http has no pattern", name)
	}
	rs := []route{{method: name, verb: verb, path: openAPIPath(t, tmpl)}}
	for _, b := range rule.GetAdditionalBindings() {
		rs = append(rs, routes(t, m, b)...)
	}
	return rs
}

// openAPIPath turns a google.api.http path template into the path
// protoc-gen-openapiv2 writes with expand_slashed_path_patterns (see
// buf.gen.yaml): a variable's pattern is spelled out, each `*` becoming a
// parameter named after the segment before it without its plural s, so
// `/v1/{name=offers/*}:publish` is `/v1/offers/{offer}:publish` and
// `/v1/{settings.name=demands/*/alertSettings}` is
// `/v1/demands/{demand}/alertSettings`. Other forms (a variable without a
// pattern, `*` or `**` alone) are not used; teach it them when they are.
func openAPIPath(t *testing.T, tmpl string) string {
	t.Helper()
	var b strings.Builder
	last := "" // the latest literal segment written
	rest := tmpl
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			b.WriteString(rest)
			break
		}
		literal := rest[:open]
		b.WriteString(literal)
		if i := strings.LastIndexByte(strings.TrimSuffix(literal, "/"), '/'); i >= 0 {
			last = strings.TrimSuffix(literal, "/")[i+1:]
		}
		end := strings.IndexByte(rest, '}')
		if end < open {
			t.Fatalf("path template %q: unbalanced braces", tmpl)
		}
		variable := rest[open : end+1]
		_, pattern, hasPattern := strings.Cut(variable[1:len(variable)-1], "=")
		rest = rest[end+1:]
		if !hasPattern || pattern == "*" || pattern == "**" {
			t.Fatalf("path template %q: this test does not know how the generator writes %s", tmpl, variable)
		}
		for i, seg := range strings.Split(pattern, "/") {
			if i > 0 {
				b.WriteByte('/')
			}
			switch seg {
			case "*":
				b.WriteString("{" + lowerCamel(strings.TrimSuffix(last, "s")) + "}")
			case "**":
				t.Fatalf("path template %q: this test does not know how the generator writes **", tmpl)
			default:
				b.WriteString(seg)
				last = seg
			}
		}
	}
	return b.String()
}

// lowerCamel is the protobuf JSON name of a snake_case name.
func lowerCamel(s string) string {
	var b strings.Builder
	upper := false
	for _, r := range s {
		switch {
		case r == '_':
			upper = true
		case upper && 'a' <= r && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			upper = false
		default:
			b.WriteRune(r)
			upper = false
		}
	}
	return b.String()
}

// restCarries reports whether the REST gateway (connectrpc.com/vanguard)
// can serve a method: a unary one always; a server stream only of
// google.api.HttpBody, a client stream only of one, a bidi stream never.
// Vanguard answers 415 to a REST call of any other stream, so such a
// method must have no route (the document would promise what fails).
func restCarries(m protoreflect.MethodDescriptor) (ok bool, kind string) {
	const httpBody = "google.api.HttpBody"
	switch {
	case m.IsStreamingClient() && m.IsStreamingServer():
		return false, "bidi stream"
	case m.IsStreamingServer():
		return m.Output().FullName() == httpBody, "server stream of " + string(m.Output().FullName())
	case m.IsStreamingClient():
		return m.Input().FullName() == httpBody, "client stream of " + string(m.Input().FullName())
	}
	return true, "unary method"
}

func TestDocumentIsOpenAPI(t *testing.T) {
	doc := parseDocument(t)
	if doc.Swagger != "2.0" && !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("swagger = %q, openapi = %q; want an OpenAPI document (swagger 2.0 or openapi 3.x)", doc.Swagger, doc.OpenAPI)
	}
	if doc.Info.Title == "" || doc.Info.Version == "" {
		t.Errorf("info = %+v; want a title and a version (openapiv2.yaml)", doc.Info)
	}
	if len(doc.Paths) == 0 {
		t.Error("the document has no paths")
	}
}

// TestEveryRouteIsDocumented checks that every google.api.http binding,
// additional bindings included, is in the document as an operation of its
// own method, and that the document has no operation besides them.
func TestEveryRouteIsDocumented(t *testing.T) {
	doc := parseDocument(t)
	seen := map[string]route{} // by verb and path
	for _, m := range methods(t) {
		rule := httpRule(m)
		if rule == nil {
			continue
		}
		for _, r := range routes(t, m, rule) {
			key := r.verb + " " + r.path
			if other, dup := seen[key]; dup {
				t.Errorf("%v collides with %v", r, other)
				continue
			}
			seen[key] = r
			op, ok := doc.Paths[r.path][r.verb]
			if !ok {
				t.Errorf("%v: not in the document's paths; run `make proto`", r)
				continue
			}
			// The generator names operations Service_Method, with a
			// number after for additional bindings.
			want := strings.Replace(r.method, ".", "_", 1)
			if id := strings.TrimRight(op.OperationID, "0123456789"); id != want {
				t.Errorf("%v: the document's operation is %q, want %q", r, op.OperationID, want)
			}
		}
	}
	for path, ops := range doc.Paths {
		for verb, op := range ops {
			if _, ok := seen[verb+" "+path]; !ok {
				t.Errorf("the document has %s %s (%s), which no google.api.http binding declares; run `make proto`",
					strings.ToUpper(verb), path, op.OperationID)
			}
		}
	}
}

// TestEveryMethodHasARoute makes a new RPC without a REST route fail: every
// method the REST gateway can serve has a google.api.http option, and the
// others (the streams it cannot carry) have none.
func TestEveryMethodHasARoute(t *testing.T) {
	for _, m := range methods(t) {
		ok, kind := restCarries(m)
		has := httpRule(m) != nil
		switch {
		case ok && !has:
			t.Errorf("%s, a %s, has no google.api.http route; add one (AIP-127)", m.FullName(), kind)
		case !ok && has:
			t.Errorf("%s, a %s, has a google.api.http route, but REST cannot carry it; remove the route", m.FullName(), kind)
		}
	}
}

func TestOpenAPIPath(t *testing.T) {
	for tmpl, want := range map[string]string{
		"/v1/offers":                                  "/v1/offers",
		"/v1/offers:search":                           "/v1/offers:search",
		"/v1/{name=offers/*}":                         "/v1/offers/{offer}",
		"/v1/{name=offers/*}:publish":                 "/v1/offers/{offer}:publish",
		"/v1/{offer.name=offers/*}":                   "/v1/offers/{offer}",
		"/v1/{event=events/*}/agenda:plan":            "/v1/events/{event}/agenda:plan",
		"/v1/{settings.name=demands/*/alertSettings}": "/v1/demands/{demand}/alertSettings",
	} {
		if got := openAPIPath(t, tmpl); got != want {
			t.Errorf("openAPIPath(%q) = %q, want %q", tmpl, got, want)
		}
	}
}

func TestHandler(t *testing.T) {
	h := openapi.Handler()
	for _, tc := range []struct {
		method   string
		status   int
		wantBody bool
	}{
		{http.MethodGet, http.StatusOK, true},
		{http.MethodHead, http.StatusOK, false},
		{http.MethodPost, http.StatusMethodNotAllowed, false},
		{http.MethodPut, http.StatusMethodNotAllowed, false},
		{http.MethodDelete, http.StatusMethodNotAllowed, false},
	} {
		t.Run(tc.method, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, "/openapi.json", nil))
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", res.StatusCode, tc.status)
			}
			if tc.status == http.StatusMethodNotAllowed {
				if got := res.Header.Get("Allow"); got != "GET, HEAD" {
					t.Errorf("Allow = %q, want %q", got, "GET, HEAD")
				}
				return
			}
			if got := res.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			if res.Header.Get("Cache-Control") == "" {
				t.Error("no Cache-Control")
			}
			if got, want := res.Header.Get("Content-Length"), fmt.Sprint(len(openapi.Document)); got != want {
				t.Errorf("Content-Length = %q, want %q", got, want)
			}
			if tc.wantBody && !bytes.Equal(body, openapi.Document) {
				t.Errorf("GET served %d bytes, not the %d of the document", len(body), len(openapi.Document))
			}
			if !tc.wantBody && len(body) != 0 {
				t.Errorf("HEAD served a body of %d bytes", len(body))
			}
		})
	}
}
