#!/usr/bin/env bash
# Prints the path of the `alertmanager` binary the end-to-end alerting tests
# send the rules' alerts to. Takes it from PATH, or installs Debian's
# `prometheus-alertmanager` package without starting its service. Exits
# non-zero when it can do neither: CI must install it or fail, never skip.
set -euo pipefail

# Upstream names it alertmanager; Debian installs it as /usr/bin/prometheus-alertmanager.
for name in alertmanager prometheus-alertmanager; do
  if path=$(command -v "$name" 2>/dev/null); then
    echo "$path"
    exit 0
  fi
done
"$(dirname "$0")/apt-install.sh" prometheus-alertmanager
for path in /usr/bin/prometheus-alertmanager /usr/bin/alertmanager; do
  if [ -x "$path" ]; then
    echo "$path"
    exit 0
  fi
done
echo "ensure-alertmanager: prometheus-alertmanager installed, but neither /usr/bin/prometheus-alertmanager nor /usr/bin/alertmanager is there" >&2
exit 1
