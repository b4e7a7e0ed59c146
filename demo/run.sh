#!/usr/bin/env bash
# The example pipeline end to end on this machine: installs what is missing (PostgreSQL and
# Prometheus from Debian, the npm dependencies with the pinned Node 24), then runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh ca-certificates postgresql prometheus
exec npm run --silent demo -- "$@"
