#!/usr/bin/env bash
# The README's test command (`npm ci && npm test`) runs this: install the system tools the tests drive
# (skopeo, podman, docker-registry) when missing, type-check, then run every test with node's runner.
set -euo pipefail
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [[ "$node_major" != 24 ]]; then
  echo "test.sh: expected Node 24 from node_modules/.bin (got $(node -v)); run through 'npm test' after 'npm ci'" >&2
  exit 1
fi

need=()
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v newuidmap >/dev/null 2>&1 || need+=(uidmap)
if (( ${#need[@]} > 0 )); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
  elif [[ "${CI:-}" == true ]]; then
    echo "test.sh: missing ${need[*]} and cannot install them (not root or no apt-get)" >&2
    exit 1
  else
    echo "test.sh: missing ${need[*]}; tests that need them will skip (set CI=true to make this fatal)" >&2
  fi
fi
if [[ "${CI:-}" == true ]]; then
  for tool in skopeo podman docker-registry; do
    command -v "$tool" >/dev/null 2>&1 || { echo "test.sh: $tool is still missing under CI=true" >&2; exit 1; }
  done
fi

echo "test.sh: type check" >&2
tsc -p .

exec node --test --test-concurrency=2 --test-timeout=600000 --test-reporter=spec 'src/**/*.test.ts' 'test/**/*.test.ts'
