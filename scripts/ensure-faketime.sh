#!/usr/bin/env bash
# Prints the path of libfaketime, which the clock-jump tests preload into an
# app to move its wall clock while it runs. Installs Debian's `libfaketime`
# package when it is missing. Exits non-zero when it can do neither: CI must
# install it or fail, never skip.
set -euo pipefail

# No match is an answer, not a failure: under pipefail, ls's exit status would end the script before it installs.
find_lib() { ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1 || true; }

lib=$(find_lib)
if [ -z "$lib" ]; then
  "$(dirname "$0")/apt-install.sh" libfaketime
  lib=$(find_lib)
fi
[ -n "$lib" ] || { echo "ensure-faketime: libfaketime installed, but no libfaketime.so.1 under /usr/lib/*/faketime" >&2; exit 1; }
echo "$lib"
