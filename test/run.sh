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

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
for cmd in "${preinstalled[@]}"; do
  command -v "$cmd" >/dev/null || { echo "error: $cmd is not on PATH; the tests need it" >&2; exit 1; }
done

# npm ci when node_modules is missing or older than the lockfile (Node 24 comes with it).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

export CI=true
npm run lint
npm run typecheck
npm run build
npm run check:dist
npm run check:actions
npm test
