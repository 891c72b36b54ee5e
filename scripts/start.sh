#!/usr/bin/env bash
# Starts the server on its embedded default (SQLite + the dev Lightning backend): no other service.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
if [ ! -x node_modules/.bin/tsc ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
tsc -p tsconfig.build.json
exec node dist/src/main.js
