#!/usr/bin/env bash
# Prints the directory holding the `prometheus` and `promtool` binaries the
# rules tests use (SPEC §8). Takes them from PATH when both are there;
# otherwise installs Debian's `prometheus` package without starting its
# service. Exits non-zero with a message saying what to do when it cannot:
# CI must install the tools or fail, never skip the tests that need them.
set -euo pipefail

fail() {
  echo "ensure-prometheus: $*" >&2
  exit 1
}

# Both binaries must come from the same directory so the versions match.
found_dir() {
  local prometheus promtool
  prometheus=$(command -v prometheus 2>/dev/null) || return 1
  promtool=$(command -v promtool 2>/dev/null) || return 1
  [ "$(dirname "$prometheus")" = "$(dirname "$promtool")" ] || return 1
  dirname "$prometheus"
}

if dir=$(found_dir); then
  echo "$dir"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
  fail "prometheus and promtool are not on PATH and apt-get is missing: install Prometheus (https://prometheus.io/download/) and put both binaries on PATH"
[ "$(id -u)" = 0 ] ||
  fail "prometheus and promtool are not on PATH; install them as root with: apt-get install -y --no-install-recommends prometheus"

# Keep the package's maintainer scripts from starting its service:
# invoke-rc.d asks /usr/sbin/policy-rc.d, and exit status 101 means "not allowed".
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  own_policy=true
fi
cleanup() {
  if [ "$own_policy" = true ]; then rm -f "$policy"; fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1
log=$(mktemp)
{
  apt-get update -q &&
    apt-get install -y -q --no-install-recommends prometheus
} >"$log" 2>&1 || {
  tail -n 20 "$log" >&2
  rm -f "$log"
  fail "apt-get install prometheus failed (output above); install prometheus and promtool by hand and put them on PATH"
}
rm -f "$log"

# Belt and braces: if a service manager started it anyway, stop it.
if command -v invoke-rc.d >/dev/null 2>&1; then
  invoke-rc.d --force prometheus stop >/dev/null 2>&1 || true
fi

[ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] ||
  fail "the prometheus package installed, but /usr/bin/prometheus or /usr/bin/promtool is missing"
echo /usr/bin
