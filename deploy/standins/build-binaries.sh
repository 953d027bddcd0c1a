#!/usr/bin/env bash
# TEST STAND-INS: builds the Go binaries the stand-in images carry, on the host
# (the shared Go module and build caches make a second run take seconds).
# Usage: deploy/standins/build-binaries.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
export CGO_ENABLED=0 GOFLAGS="-trimpath -mod=readonly" GOOS=linux
b() { # module-dir output package
  echo "stand-in binaries: $2 ($3)"
  (cd "$here/$1" && nice -n 10 go build -ldflags="-s -w" -o "$out/$2" "$3")
}
b temporal temporal-server go.temporal.io/server/cmd/server
b temporal temporal-sql-tool go.temporal.io/server/cmd/tools/sql
b temporal temporal ./cmd/temporal
b ui ui-server github.com/temporalio/ui-server/v2/cmd/server
b minio minio github.com/minio/minio
b minio mc ./cmd/mc
