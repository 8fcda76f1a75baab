# Everyday commands. The tools are pinned in tools/go.mod and run with
# `go tool -modfile=tools/go.mod`, so nothing needs installing by hand.
TOOL := go tool -modfile=tools/go.mod

.PHONY: all build test proto lint ci run-demo

all: build test

build:
	go build -o bin/ ./cmd/...

test:
	go test -race -shuffle=on -timeout 30m ./...

proto:
	$(TOOL) buf lint
	$(TOOL) buf generate

lint:
	gofmt -l $$(git ls-files '*.go')
	go vet ./...
	$(TOOL) staticcheck ./...
	$(TOOL) buf lint

ci:
	bash .ci/run

run-demo:
	go run ./cmd/techmarketd serve --addr 127.0.0.1:7733 --data ./data --demo
