#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than package-lock.json (npm start
# and npm test both call it). The project's Node 24 is one of them (the `node` package, in
# node_modules/.bin/node): the first install necessarily runs on whatever Node the machine's npm
# runs on, and npm then warns (EBADENGINE) about every package that wants a newer one. Those
# warnings are about the install's Node, not the one the server will run on, so they are hidden
# (--loglevel=error); real errors still show. Later installs run on the project's Node.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

elapsed() {
  local s=$(( SECONDS - $1 ))
  if (( s >= 60 )); then printf '%dm %02ds' $(( s / 60 )) $(( s % 60 )); else printf '%ds' "$s"; fi
}

installed() {
  for bin in node tsc jest eslint prettier; do [ -x "node_modules/.bin/$bin" ] || return 1; done
  [ ! package-lock.json -nt node_modules/.package-lock.json ]
}

if ! installed; then
  began=$SECONDS
  if [ -x node_modules/.bin/node ]; then
    echo "updating dependencies (package-lock.json changed)…"
  else
    echo "installing dependencies (first run only, about 2 minutes; Node 24 comes with them)…"
  fi
  # `npm install`, not `npm ci`: the registry mirror lacks other platforms' optional binaries, which ci insists on.
  # --engine-strict=false: a user's npmrc with engine-strict would refuse the install on an older Node.
  # --no-save: install what package-lock.json says and leave it alone (npm would otherwise rewrite it,
  # adding a hasInstallScript line, and a fresh clone would show a change nobody made).
  npm install --no-audit --no-fund --no-save --loglevel=error --engine-strict=false
  echo "dependencies installed in $(elapsed "$began")"
fi

# The server and the tests run on the project's Node, never the machine's.
if ! node_modules/.bin/node -e 'process.exit(Number(process.versions.node.split(".")[0]) === 24 ? 0 : 1)' 2>/dev/null; then
  echo "node_modules/.bin/node is not Node 24 ($(node_modules/.bin/node --version 2>&1 || true)); remove node_modules and run again" >&2
  exit 1
fi
