#!/usr/bin/env bash
# Prints the directory holding the `prometheus` and `promtool` binaries the
# rules tests use (docs/operations.md). Takes them from PATH when both are there;
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

"$(dirname "$0")/apt-install.sh" prometheus

[ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] ||
  fail "the prometheus package installed, but /usr/bin/prometheus or /usr/bin/promtool is missing"
echo /usr/bin
