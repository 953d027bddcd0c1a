# taskrelay image: the worker (default entrypoint), the starter CLI and consoled (the web console).
# The embedded Temporal engine's SQLite driver (modernc.org/sqlite) is pure Go,
# so the binaries build with CGO_ENABLED=0 and run on distroless/static.
# Builds with the classic builder as with BuildKit (no RUN --mount, no COPY --chmod).

FROM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
# The module proxy (override with --build-arg GOPROXY=… for a mirror, e.g. goproxy.cn).
ARG GOPROXY=https://proxy.golang.org,direct
# Dependencies first: this layer is reused until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -ldflags="-s -w" -o /out/worker ./worker && \
    go build -ldflags="-s -w" -o /out/starter ./starter && \
    go build -ldflags="-s -w" -o /out/consoled ./consoled && \
    mkdir -p /out/data /out/keys && chown 65532:65532 /out/data /out/keys

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /out/starter /out/consoled /usr/local/bin/
# /data and /keys (the shared trusted-keys file) belong to the nonroot user (65532): a
# fresh named volume mounted there takes the image's ownership and is writable.
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build --chown=65532:65532 /out/keys /keys
WORKDIR /data
ENV TASKRELAY_DATA=/data
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/worker"]
