// Package openapi serves the OpenAPI (Swagger 2.0) document of the
// Techmarket REST API: every RPC with a google.api.http route, its
// parameters and the JSON of its request and response bodies, as the
// server speaks them (protojson: lowerCamelCase field names, enums by
// name, errors as google.rpc.Status).
//
// The document, techmarket.swagger.json, is generated from the protos by
// protoc-gen-openapiv2 (see buf.gen.yaml and openapiv2.yaml here); never
// edit it by hand, run `make proto`.
package openapi

import (
	_ "embed"
	"net/http"
	"strconv"
)

// Document is the OpenAPI document, JSON. Callers must not change it.
//
//go:embed techmarket.swagger.json
var Document []byte

// Handler serves Document to GET and HEAD requests, whatever their path,
// and answers any other method with 405 Method Not Allowed.
func Handler() http.Handler {
	length := strconv.Itoa(len(Document))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		// The document changes only with a new build of the server.
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(Document)
		}
	})
}
