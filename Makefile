# Everyday commands. The tools are pinned in tools/go.mod and run with
# `go tool -modfile=tools/go.mod`, so nothing needs installing by hand.
TOOL := go tool -modfile=tools/go.mod

.PHONY: all build test test-go test-web web proto lint ci run-demo

all: build test

build:
	go build -o bin/ ./cmd/...

# Every test: the Go packages, then the portal in Debian's chromium.
test: test-go test-web

test-go:
	go test -race -shuffle=on -timeout 30m ./...

# The browser tests build techmarketd and run demo markets of their own.
test-web:
	cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm test

proto:
	$(TOOL) buf lint
	$(TOOL) buf generate
	cd web && npm run gen

# The portal's bundle, embedded in techmarketd: rebuild it after changing web/src.
web:
	cd web && npm ci --no-audit --no-fund && npm run build

lint:
	gofmt -l $$(git ls-files '*.go')
	go vet ./...
	$(TOOL) staticcheck ./...
	$(TOOL) buf lint

ci:
	bash .ci/run

run-demo:
	go run ./cmd/techmarketd serve --addr 127.0.0.1:7733 --data ./data --demo
