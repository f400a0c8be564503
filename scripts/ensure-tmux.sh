#!/usr/bin/env bash
# Prints the path of tmux, the terminal the CLI tests run `costctl status
# --watch` in (to see it redraw in place, and to stop it with Ctrl-C).
# Installs Debian's `tmux` package when it is missing. Exits non-zero when it
# can do neither: CI must install it or fail, never skip.
set -euo pipefail

if ! command -v tmux >/dev/null 2>&1; then
  "$(dirname "$0")/apt-install.sh" tmux
fi
command -v tmux >/dev/null 2>&1 || { echo "ensure-tmux: tmux installed, but not on PATH" >&2; exit 1; }
command -v tmux
