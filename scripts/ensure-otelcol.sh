#!/usr/bin/env bash
# Prints the path of the OpenTelemetry Collector binary the end-to-end
# alerting tests run examples/collector/otel-collector.yaml with. Builds it
# from tools/otelcol (the official Go modules at one release, fetched through
# the Go module proxy) the first time, and caches it outside the repository
# under a name keyed by the hash of tools/otelcol's sources, go.mod and go.sum,
# so later runs on the same machine reuse it and a change of release rebuilds
# it. Exits non-zero with what to do when it cannot: CI must build the
# Collector or fail, never skip the tests that need it.
set -euo pipefail

fail() {
  echo "ensure-otelcol: $*" >&2
  exit 1
}

root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/tools/otelcol"

# Go ships with the machine under /usr/local/go, not always on PATH.
go=$(command -v go 2>/dev/null || true)
[ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } ||
  fail "Go is missing: install Go 1.26 or newer (tools/otelcol/go.mod says which) and put it on PATH"

key=$(cd "$src" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/costctl"
bin="$cache/otelcol-$key"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache"
# Built beside its final name and renamed, so a run that stops half-way or
# runs at the same time never leaves or reads a partial binary.
tmp=$(mktemp "$cache/.otelcol-$key.XXXXXX")
trap 'rm -f "$tmp"' EXIT
log=$(mktemp)
echo "ensure-otelcol: building the Collector from tools/otelcol into $bin (the first time downloads about 1 GB of modules and compiles for a few minutes)" >&2
(cd "$src" && "$go" build -trimpath -buildvcs=false -mod=readonly -ldflags="-s -w" -o "$tmp" .) >"$log" 2>&1 || {
  tail -n 30 "$log" >&2
  rm -f "$log"
  fail "go build in tools/otelcol failed (output above): it needs the Go module proxy, or the modules in go.sum already in the module cache"
}
rm -f "$log"
mv -f "$tmp" "$bin"
trap - EXIT
echo "$bin"
