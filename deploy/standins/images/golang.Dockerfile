# TEST STAND-IN for golang:1.26 (the build stage of taskrelay's Dockerfile): Debian
# with the Go toolchain this machine has (copied in as go/), GOPATH /go as upstream.
FROM taskrelay-standin/debian:bookworm
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates git \
    && rm -rf /var/lib/apt/lists/*
COPY go /usr/local/go
ENV GOPATH=/go PATH=/go/bin:/usr/local/go/bin:$PATH GOTOOLCHAIN=local
LABEL org.opencontainers.image.description="taskrelay CI test stand-in, not the upstream image"
WORKDIR /go
