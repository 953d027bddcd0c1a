# TEST STAND-IN for temporalio/admin-tools: temporal-sql-tool and the schemas from
# go.temporal.io/server at the compose file's version, and a small `temporal` that
# does only `operator namespace create` (deploy/standins/temporal/cmd/temporal).
FROM taskrelay-standin/debian:bookworm
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* && groupadd -g 1000 temporal && useradd -u 1000 -g temporal -m temporal
COPY temporal-sql-tool temporal /usr/local/bin/
COPY schema /etc/temporal/schema
LABEL org.opencontainers.image.description="taskrelay CI test stand-in, not the upstream image"
USER temporal
CMD ["sh", "-c", "trap exit INT HUP TERM; sleep infinity"]
