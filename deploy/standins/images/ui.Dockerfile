# TEST STAND-IN for temporalio/ui: the UI server from github.com/temporalio/ui-server/v2
# (its module carries the built UI) with its own docker.yaml template and start script.
FROM taskrelay-standin/debian:bookworm
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* && groupadd -g 1000 temporal && useradd -u 1000 -g temporal -m temporal \
    && mkdir -p /home/ui-server/config
WORKDIR /home/ui-server
COPY ui-server start-ui-server.sh ./
COPY docker.yaml ./config/docker.yaml
RUN chown -R temporal:temporal /home/ui-server
LABEL org.opencontainers.image.description="taskrelay CI test stand-in, not the upstream image"
USER temporal
EXPOSE 8080
ENTRYPOINT ["./start-ui-server.sh"]
