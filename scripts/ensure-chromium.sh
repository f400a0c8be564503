#!/usr/bin/env bash
# Prints the path of the Chromium binary scripts/render-dashboard.mjs drives
# headless. Takes it from PATH when it is there; otherwise installs Debian's
# `chromium` package (no browser download of its own: the registries are the
# only outside source). Exits non-zero with what to do when it cannot.
set -euo pipefail

if path=$(command -v chromium 2>/dev/null); then
  echo "$path"
  exit 0
fi

"$(dirname "$0")/apt-install.sh" chromium

[ -x /usr/bin/chromium ] || {
  echo "ensure-chromium: the chromium package installed, but /usr/bin/chromium is missing" >&2
  exit 1
}
echo /usr/bin/chromium
