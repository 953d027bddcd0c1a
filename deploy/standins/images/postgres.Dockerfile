# TEST STAND-IN for the postgres image (Debian's PostgreSQL 15; the tag is the one
# the compose file names). It honours what the compose file uses of the upstream
# image: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, PGDATA, pg_isready.
FROM taskrelay-standin/debian:bookworm
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /var/lib/postgresql/data /run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
LABEL org.opencontainers.image.description="taskrelay CI test stand-in, not the upstream image"
VOLUME /var/lib/postgresql/data
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
