# syntax=docker/dockerfile:1
#
# techmarketd in a container: docs/deployment.md says how to build and run
# it. Two stages: Go builds one static binary, and the runtime image holds
# that binary and nothing else (no shell, no package manager), run as an
# unprivileged user.

# The build runs on the builder's own platform and cross-compiles to the
# target's, which is much faster than emulating the target.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
# Modules first: this layer is rebuilt only when go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# CGO_ENABLED=0: a static binary, which an image with no C library
# needs. -trimpath: no paths of the build machine in the binary.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/techmarketd ./cmd/techmarketd
# The runtime image has no shell to make the data folder with, so it is
# made here and copied owned by the runtime user: a new named volume
# mounted on /data starts as a copy of it, writable by that user.
# The user is named in /etc/passwd (for logs and tools that look it up);
# /tmp exists for Go's temporary files.
RUN mkdir -p /out/data /out/tmp && \
    echo 'techmarket:x:65532:65532:techmarket:/data:/sbin/nologin' > /out/passwd && \
    echo 'techmarket:x:65532:' > /out/group

# scratch: the binary, the CA certificates it trusts for TLS links to
# other markets, its user, and nothing else.
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/passwd /etc/passwd
COPY --from=build /out/group /etc/group
COPY --from=build /out/techmarketd /usr/local/bin/techmarketd
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build --chown=65532:65532 /out/tmp /tmp
USER 65532:65532
VOLUME /data
EXPOSE 7733
# The gRPC health service, asked by the binary itself (the image has no
# grpcurl). The start period covers loading the dictionaries and, on a
# first --demo start, the sample listings. A server started with TLS fails
# this plain-text check: give it its own in exec form (there is no shell
# for docker run --health-cmd), such as a Compose healthcheck test of
# ["CMD", "/usr/local/bin/techmarketd", "health", "--tls-ca", "/certs/ca.pem",
# "--tls-server-name", "market.example.cn"].
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["/usr/local/bin/techmarketd", "health", "--addr", "127.0.0.1:7733", "--timeout", "5s"]
ENTRYPOINT ["/usr/local/bin/techmarketd"]
# The demo market on every interface of the container, so that a published
# port reaches it. Plain text off loopback needs --insecure (see
# cmd/techmarketd/tls.go): fine for a try-out on one's own machine; for
# anything else give --tls-cert and --tls-key instead.
CMD ["serve", "--addr", "0.0.0.0:7733", "--data", "/data", "--demo", "--insecure"]
