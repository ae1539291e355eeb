#!/usr/bin/env bash
# The README's test command (`npm ci && npm test`) runs this on a fresh Debian 12 machine as root: install the
# system tools the end-to-end tests drive (skopeo, podman, the aws CLI v2, chromium for the web console's browser
# tests (playwright-core drives Debian's build; no browser is ever downloaded); docker-registry for the benchmark),
# type-check, then run every test with node's own runner. Under CI=true a tool that cannot be installed fails the
# run; locally the tests that need it skip and say why.
set -euo pipefail
cd "$(dirname "$0")/.."
# npm run already puts node_modules/.bin first; this makes `bash scripts/test.sh` behave the same.
export PATH="$PWD/node_modules/.bin:$PATH"

say() { echo "test.sh: $*" >&2; }
ci() { [[ "${CI:-}" == true ]]; }

# Which Node runs the tests: the pinned Node 24 that `npm ci` installs on linux-x64 and linux-arm64 (an optional
# dependency per platform, node_modules/.bin/node), else the machine's own Node if it is >= 22.18 (type stripping on
# by default). Under CI=true a supported platform must have the pinned one, so CI never drifts to another version.
if [[ ! -d node_modules ]]; then
  say "no node_modules: run 'npm ci' first"
  exit 1
fi
platform="$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
supported=false
[[ "$platform" == linux-x64 || "$platform" == linux-arm64 ]] && supported=true
if [[ -x node_modules/.bin/node ]]; then
  say "Node $(node -v) (pinned, node_modules/.bin/node)"
else
  if ci && $supported; then
    say "CI=true: npm ci did not install the pinned Node (node-$platform) on $platform; this run fails"
    exit 1
  fi
  version=$(node -v 2>/dev/null || true)
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 18) ? 0 : 1)' 2>/dev/null; then
    if $supported; then
      say "node_modules has no pinned Node (node-$platform; was it installed with --omit=optional?) and the machine's node is '${version:-missing}': run 'npm ci'"
    else
      say "no pinned Node for $platform (npm installs one on linux-x64 and linux-arm64 only) and the machine's node is '${version:-missing}':"
      say "install Node 24 (>= 22.18 works: it strips types by default) and put it first on PATH"
    fi
    exit 1
  fi
  say "no pinned Node for $platform: using the machine's Node $version ($(command -v node))"
fi

# command -> Debian package. Rootful podman on vfs needs nothing beyond podman's own dependencies (conmon,
# crun, containers-common, a network stack); uidmap (newuidmap) is for anyone running it rootless. PostgreSQL and a
# single-node Ceph (mon, osd, RADOS Gateway) are the real servers the scale-out tests run berth against.
declare -A package_of=([skopeo]=skopeo [podman]=podman [docker-registry]=docker-registry [newuidmap]=uidmap
  [ceph-mon]=ceph-mon [ceph-osd]=ceph-osd [radosgw]=radosgw [ceph]=ceph-common [chromium]=chromium)
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
  for cmd in skopeo podman docker-registry newuidmap ceph-mon ceph-osd radosgw ceph chromium; do
    command -v "$cmd" >/dev/null 2>&1 || echo "${package_of[$cmd]}"
  done
  aws_v2 || echo awscli
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || echo postgresql
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
  say "$(skopeo --version), $(podman --version), $(docker-registry --version 2>&1 | head -n1), $(chromium --version 2>/dev/null)"
fi
say "aws CLIs for the ECR tests: $(for cli in $(type -ap aws) /usr/bin/aws; do [[ -x "$cli" ]] && echo -n "$cli ($("$cli" --version 2>&1 | cut -d' ' -f1)) "; done)"

say "format and lint (biome ci; 'npm run format' applies the formatter and the safe fixes)"
biome ci --error-on-warnings .

say "type check (tsc -p .)"
tsc -p .

# One PostgreSQL and one S3 server for the whole run (test/servers.ts reads these variables; a test file run on
# its own starts its own). Each test uses its own database schema or key prefix, so files can share them.
stops=()
cleanup() { local s; for s in "${stops[@]}"; do eval "$s" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
start_server() { # $1 = script, $2 = variable prefix to export as BERTH_TEST_<prefix>...
  local out
  if ! out=$(bash "scripts/servers/$1"); then
    if ci; then say "CI=true: scripts/servers/$1 failed; the scale-out tests need it, so this run fails"; exit 1; fi
    say "scripts/servers/$1 failed: the tests that need it start their own and fail if they cannot"
    return 0
  fi
  local line key value
  while IFS= read -r line; do
    [[ "$line" =~ ^([A-Z0-9_]+)=(.*)$ ]] || continue
    key=${BASH_REMATCH[1]}; value=${BASH_REMATCH[2]}; value=${value#\'}; value=${value%\'}
    case "$key" in
      STOP) stops+=("$value") ;;
      PGURL) export BERTH_TEST_PG_URL="$value" ;;
      S3_ENDPOINT|S3_REGION|S3_ACCESS_KEY|S3_SECRET_KEY|S3_BUCKET) export "BERTH_TEST_$key=$value" ;;
    esac
  done <<<"$out"
}
say "starting PostgreSQL and S3 (Ceph RADOS Gateway, memstore) for the scale-out tests"
start_server start-postgres.sh
S3_STORE=memstore start_server start-s3.sh

say "running the tests ($(node -v), 2 at a time)"
node --test --test-concurrency=2 --test-timeout=300000 --test-reporter=spec 'src/**/*.test.ts' 'test/**/*.test.ts' 'bench/**/*.test.ts' 'console/**/*.test.js'
