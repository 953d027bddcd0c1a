#!/usr/bin/env bash
# TEST STAND-INS ONLY. Builds, on a machine that reaches no image registry, an image
# for every third-party image docker-compose.yml names, tagged exactly as the file
# names it, from a Debian base made with debootstrap and Go modules built on the host.
# Users of taskrelay pull the real images; nothing here is published.
#
# Usage: deploy/standins/build.sh [WORKDIR]   (WORKDIR keeps the rootfs and binaries;
# default /var/tmp/taskrelay-standins). An image already present with the label of
# the current stand-in sources is kept (cache between CI runs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-/var/tmp/taskrelay-standins}
docker=${DOCKER:-/usr/bin/docker}
base=taskrelay-standin/debian:bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$work"
say() { printf '[standins %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() { echo "standins: FAIL: $*" >&2; exit 1; }

# One hash over the stand-in sources: an image labelled with it is up to date.
rev=$(cd "$here" && find . -type f ! -name '*.md' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
current() { [ "$("$docker" image inspect -f '{{ index .Config.Labels "taskrelay.standin.rev" }}' "$1" 2>/dev/null)" = "$rev" ]; }

# The images the compose file names, by stand-in kind.
declare -A kind_of=([postgresql]=postgres [temporal-admin-tools]=admin-tools [temporal-create-namespace]=admin-tools
  [temporal]=temporal-server [temporal-ui]=ui [minio]=minio [minio-create-bucket]=mc
  [dockerfile-build]=golang [dockerfile-run]=distroless)
images=$(cd "$root" && docker-compose config | python3 -c '
import sys, yaml
for name, svc in yaml.safe_load(sys.stdin)["services"].items():
    if "image" in svc and "build" not in svc and not svc["image"].startswith("taskrelay:"):
        print(name, svc["image"])')
[ -n "$images" ] || fail "no third-party images found in docker-compose.yml"
# The base images of taskrelay's own Dockerfile (its FROM lines).
while read -r image; do
  case $image in
    golang:*) images+=$'\n'"dockerfile-build $image" ;;
    *distroless*) images+=$'\n'"dockerfile-run $image" ;;
    *) fail "Dockerfile: FROM $image has no stand-in" ;;
  esac
done < <(awk 'toupper($1)=="FROM" {print $2}' "$root/Dockerfile")

declare -A want=()  # image -> kind
while read -r svc image; do
  k=${kind_of[$svc]:-}
  [ -n "$k" ] || fail "service $svc uses $image, which has no stand-in (add one in deploy/standins)"
  want[$image]=$k
done <<<"$images"

todo=()
for image in "${!want[@]}"; do
  # STANDINS_ONLY="postgres ui ...": only these kinds (when trying one stand-in).
  if [ -n "${STANDINS_ONLY:-}" ] && [[ " $STANDINS_ONLY " != *" ${want[$image]} "* ]]; then continue; fi
  if current "$image"; then say "$image: up to date (cached)"; else todo+=("$image"); fi
done
[ ${#todo[@]} -gt 0 ] || { say "all stand-ins cached"; exit 0; }

# The Debian base, once.
if ! "$docker" image inspect "$base" >/dev/null 2>&1; then
  say "debootstrap bookworm ($mirror)"
  rootfs=$work/rootfs
  rm -rf "$rootfs"
  nice -n 10 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s-security bookworm-security main\n' \
    "$mirror" "$mirror" "$mirror" >"$rootfs/etc/apt/sources.list"
  tar -C "$rootfs" -c . | "$docker" import --change 'CMD ["bash"]' - "$base" >/dev/null
  rm -rf "$rootfs"
fi

needbin=0
for image in "${todo[@]}"; do case ${want[$image]} in postgres|golang|distroless) ;; *) needbin=1 ;; esac; done
if [ $needbin = 1 ] && [ "${STANDINS_REUSE_BINARIES:-}" != 1 ]; then
  say "Go binaries (temporal-server, temporal-sql-tool, temporal, ui-server, minio, mc)"
  "$here/build-binaries.sh" "$work/bin"
fi

tmod=$(cd "$here/temporal" && go list -m -f '{{.Dir}}' go.temporal.io/server)
umod=$(cd "$here/ui" && go list -m -f '{{.Dir}}' github.com/temporalio/ui-server/v2)
for image in "${todo[@]}"; do
  k=${want[$image]}
  ctx=$(mktemp -d "$work/ctx-XXXX")
  cp "$here/images/$k.Dockerfile" "$ctx/Dockerfile"
  case $k in
    postgres) cp "$here/images/postgres-entrypoint.sh" "$ctx/" ;;
    temporal-server) cp "$work/bin/temporal-server" "$here/images/temporal-entrypoint.sh" "$ctx/" ;;
    admin-tools) cp "$work/bin/temporal-sql-tool" "$work/bin/temporal" "$ctx/"; cp -r "$tmod/schema" "$ctx/schema"; chmod -R u+w "$ctx/schema" ;;
    ui) cp "$work/bin/ui-server" "$umod/docker/start-ui-server.sh" "$umod/config/docker.yaml" "$ctx/"; chmod 755 "$ctx"/* ;;
    minio) cp "$work/bin/minio" "$work/bin/mc" "$ctx/" ;;
    mc) cp "$work/bin/mc" "$ctx/" ;;
    golang) cp -r "$(go env GOROOT)" "$ctx/go"; rm -rf "$ctx/go/pkg/obj" "$ctx/go/test" ;;
    distroless) ;;
  esac
  say "docker build $image (stand-in $k)"
  start=$SECONDS
  DOCKER_BUILDKIT=0 nice -n 10 "$docker" build -q --label "taskrelay.standin.rev=$rev" -t "$image" "$ctx" >/dev/null \
    || fail "docker build $image"
  rm -rf "$ctx"
  say "$image built in $((SECONDS - start)) s"
done
