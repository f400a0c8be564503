#!/usr/bin/env bash
# Installs Debian packages for the project's own tests and scripts, without
# starting any service they ship: `scripts/apt-install.sh <package>…`.
# Exits non-zero with what to do when it cannot, so CI installs or fails.
set -euo pipefail

fail() {
  echo "apt-install: $*" >&2
  exit 1
}

[ $# -gt 0 ] || fail "usage: scripts/apt-install.sh <package>…"
command -v apt-get >/dev/null 2>&1 || fail "apt-get is missing: install $* by hand and put the binaries on PATH"
[ "$(id -u)" = 0 ] || fail "installing $* needs root: sudo apt-get install -y --no-install-recommends $*"

# Keep the packages' maintainer scripts from starting services:
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
# Only refresh the package lists when they are missing or the install needs newer ones.
{
  apt-get install -y -q --no-install-recommends "$@" ||
    { apt-get update -q && apt-get install -y -q --no-install-recommends "$@"; }
} >"$log" 2>&1 || {
  tail -n 20 "$log" >&2
  rm -f "$log"
  fail "apt-get install $* failed (output above); install it by hand"
}
rm -f "$log"

# Belt and braces: if a service manager started one anyway, stop it.
if command -v invoke-rc.d >/dev/null 2>&1; then
  for package in "$@"; do invoke-rc.d --force "$package" stop >/dev/null 2>&1 || true; done
fi
