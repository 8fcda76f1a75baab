package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	attrRe   = regexp.MustCompile(`\b(?:src|href)="([^"]*)"`)
	scriptRe = regexp.MustCompile(`<script\b[^>]*>`)
	moduleRe = regexp.MustCompile(`<script type="module"[^>]* src="(/assets/[^"]+\.js)"`)
)

// TestBuiltPortal checks the committed build against what the handler's
// CSP allows: every file the page loads is the server's own, and no
// script is inline.
func TestBuiltPortal(t *testing.T) {
	h := Handler()
	res := get(t, h, http.MethodGet, "/")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %q, want 200 text/html", res.StatusCode, res.Header.Get("Content-Type"))
	}
	index := body(t, res)
	for _, m := range attrRe.FindAllStringSubmatch(index, -1) {
		if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
			t.Errorf("index.html loads %q from elsewhere; the CSP allows only the server's own files", m[1])
		}
	}
	for _, tag := range scriptRe.FindAllString(index, -1) {
		if !strings.Contains(tag, " src=") {
			t.Errorf("index.html has an inline script %s; the CSP forbids it", tag)
		}
	}
	entry := moduleRe.FindStringSubmatch(index)
	if entry == nil {
		t.Fatalf("index.html has no module script under /assets/:\n%s", index)
	}
	js := get(t, h, http.MethodGet, entry[1])
	if js.StatusCode != http.StatusOK || !strings.Contains(js.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s = %d, Cache-Control %q; want 200, immutable", entry[1], js.StatusCode, js.Header.Get("Cache-Control"))
	}
}

// TestPortalAddresses checks that a page's own address opens the portal.
func TestPortalAddresses(t *testing.T) {
	h := Handler()
	index := body(t, get(t, h, http.MethodGet, "/"))
	for _, path := range []string{"/offers/01abc", "/demands/01abc/edit", "/events/x", "/review", "/nope/"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			res := get(t, h, http.MethodGet, path)
			if got := body(t, res); res.StatusCode != http.StatusOK || got != index {
				t.Errorf("GET %s = %d, not index.html", path, res.StatusCode)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
			}
		})
	}
}
