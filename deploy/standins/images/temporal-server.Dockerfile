# TEST STAND-IN for temporalio/server: the server built from go.temporal.io/server at
# the compose file's version, with the upstream entrypoint (its embedded config
# template reads DB, POSTGRES_*, TEMPORAL_TLS_*, BIND_ON_IP, DYNAMIC_CONFIG_FILE_PATH).
FROM taskrelay-standin/debian:bookworm
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata netcat-openbsd \
    && rm -rf /var/lib/apt/lists/* && groupadd -g 1000 temporal && useradd -u 1000 -g temporal -m temporal \
    && mkdir -p /etc/temporal/config/dynamicconfig && chown -R temporal:temporal /etc/temporal
COPY temporal-server /usr/local/bin/temporal-server
COPY temporal-entrypoint.sh /etc/temporal/entrypoint.sh
LABEL org.opencontainers.image.description="taskrelay CI test stand-in, not the upstream image"
WORKDIR /etc/temporal
USER temporal
CMD ["/etc/temporal/entrypoint.sh"]
