#!/usr/bin/env bash
# Installs what landfall's local stack and tests need, idempotently; builds are cached under .cache/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

# Node dependencies: reinstall only when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
