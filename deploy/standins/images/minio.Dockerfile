# TEST STAND-IN for minio/minio (MinIO built from github.com/minio/minio; it reports
# its version as DEVELOPMENT) with a small mc for the healthcheck (mc ready local).
FROM taskrelay-standin/debian:bookworm
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY minio mc /usr/bin/
LABEL org.opencontainers.image.description="taskrelay CI test stand-in, not the upstream image"
EXPOSE 9000 9001
VOLUME /data
ENTRYPOINT ["/usr/bin/minio"]
CMD ["server", "/data"]
