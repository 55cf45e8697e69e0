#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine: system packages (as root) and the npm dependencies,
# including the project's own Node 24 (the `node` package from npm).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then bash scripts/install-system-deps.sh; else echo "setup: not root, skipping system packages (run scripts/install-system-deps.sh as root)" >&2; fi
npm ci --no-audit --no-fund
npm install-scripts approve node >/dev/null 2>&1 || true
