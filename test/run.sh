#!/usr/bin/env bash
# Runs every check and test the way CI does, on a fresh machine or a developer's: installs
# the system packages and npm dependencies the tests need when they are missing, then lint,
# typecheck, build + stale-dist check, action.yml checks and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests start for real (servers and tools on loopback).
packages=(git ca-certificates postgresql prometheus buildah docker-registry)
# Commands the tests need that come with this machine kind's image rather than a package.
preinstalled=(moto_server kubectl openssl)

bash scripts/ensure-deps.sh "${packages[@]}"
for cmd in "${preinstalled[@]}"; do
  command -v "$cmd" >/dev/null || { echo "error: $cmd is not on PATH; the tests need it" >&2; exit 1; }
done

export CI=true
npm run lint
npm run typecheck
npm run build
npm run check:dist
npm run check:actions
npm test
