# syntax=docker/dockerfile:1
# taskrelay image: the worker (default entrypoint), the starter CLI and consoled (the web console).
# The embedded Temporal engine's SQLite driver (modernc.org/sqlite) is pure Go,
# so both binaries build with CGO_ENABLED=0 and run on distroless/static.

FROM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
# Dependencies first: this layer is reused until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    go build -ldflags="-s -w" -o /out/worker ./worker && \
    go build -ldflags="-s -w" -o /out/starter ./starter && \
    go build -ldflags="-s -w" -o /out/consoled ./consoled && \
    mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /out/starter /out/consoled /usr/local/bin/
# /data belongs to the nonroot user (65532) so a fresh named volume mounted there is writable.
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV TASKRELAY_DATA=/data
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/worker"]
