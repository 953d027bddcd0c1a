# TEST STAND-IN for minio/mc: a small mc doing ready, alias set, mb and ls
# (deploy/standins/minio/cmd/mc).
FROM taskrelay-standin/debian:bookworm
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY mc /usr/bin/mc
LABEL org.opencontainers.image.description="taskrelay CI test stand-in, not the upstream image"
ENTRYPOINT ["/usr/bin/mc"]
