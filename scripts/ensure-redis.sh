#!/usr/bin/env bash
# Prints the path of the `redis-server` binary the Redis store tests start
# (each on its own free port). Takes it from PATH, or installs Debian's
# `redis-server` package without starting its service. Exits non-zero when
# it can do neither: CI must install Redis or fail, never skip.
set -euo pipefail

if path=$(command -v redis-server 2>/dev/null); then
  echo "$path"
  exit 0
fi
"$(dirname "$0")/apt-install.sh" redis-server
[ -x /usr/bin/redis-server ] || { echo "ensure-redis: redis-server installed, but /usr/bin/redis-server is missing" >&2; exit 1; }
echo /usr/bin/redis-server
