#!/usr/bin/env bash
# Starts the server on its embedded default (SQLite + the dev Lightning backend): no other service.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
if [ ! -x node_modules/.bin/tsc ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: the registry mirror lacks other platforms' optional binaries, which ci insists on.
  npm install --no-audit --no-fund
fi
tsc -p tsconfig.build.json
exec node dist/src/main.js
