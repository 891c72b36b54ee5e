#!/usr/bin/env bash
# Starts the server on its embedded default (SQLite + the dev Lightning backend): no other service.
# Installs the dependencies on the first run, builds when the sources changed, and runs the server
# on the project's Node 24 (node_modules/.bin/node), whatever Node the machine has.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
# The server prints how long this whole start took (dependencies and build included).
LC_START_BEGAN_AT_MS="$(date +%s)000"
export LC_START_BEGAN_AT_MS

bash scripts/ensure-deps.sh
NODE="$PWD/node_modules/.bin/node"

# dist/.built marks the last successful build; any newer source (or dependency change) rebuilds.
if [ ! -f dist/.built ] || [ -n "$(find src plugins bench tsconfig.json tsconfig.build.json package-lock.json -newer dist/.built -print -quit)" ]; then
  echo "building…"
  built=$SECONDS
  "$NODE" node_modules/typescript/bin/tsc -p tsconfig.build.json
  touch dist/.built
  echo "built in $(( SECONDS - built ))s"
fi
echo "starting the server on Node $("$NODE" --version)…"
exec "$NODE" dist/src/main.js
