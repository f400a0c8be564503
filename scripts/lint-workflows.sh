#!/usr/bin/env bash
# Lints .github/workflows with actionlint: syntax, expressions and contexts,
# job outputs and needs, permissions, inputs of well-known actions. The
# pinned version is built from the Go module proxy with the machine's Go
# (>= 1.25, or a Go that fetches that toolchain) into node_modules/.cache,
# once per node_modules. Exits non-zero on a finding, or with what to do
# when it cannot build actionlint.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v1.7.12
bin_dir="node_modules/.cache/actionlint-$version"
actionlint="$bin_dir/actionlint"

if [ ! -x "$actionlint" ]; then
  go=$(command -v go || echo /usr/local/go/bin/go)
  [ -x "$go" ] || { echo "lint-workflows: Go is missing: install Go >= 1.25 and put go on PATH" >&2; exit 1; }
  GOBIN="$PWD/$bin_dir" "$go" install "github.com/rhysd/actionlint/cmd/actionlint@$version" || {
    echo "lint-workflows: go install github.com/rhysd/actionlint/cmd/actionlint@$version failed (output above)" >&2
    exit 1
  }
fi

# The files by name: actionlint then needs no git checkout around them.
"$actionlint" -no-color .github/workflows/*.yml
echo "ok   .github/workflows: actionlint $version"
