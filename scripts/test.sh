#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs dependencies, builds (or reuses) lnd/btcd,
# installs etcd, makes sure Redis and PostgreSQL answer, typechecks and lints, then runs unit, e2e
# (on SQLite and on PostgreSQL) and the integration suites against the real regtest stack.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
# Nest 12 is ESM-only; Jest loads it through require(esm), which needs the VM modules API.
export NODE_OPTIONS="--experimental-vm-modules --no-warnings ${NODE_OPTIONS:-}"
REPORTS="$(mktemp -d)"
trap 'rm -rf "$REPORTS"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
bash scripts/ensure-deps.sh
echo "Node $(node --version) (node_modules/.bin/node)"

step "lightning binaries (cached in ${LIGHTNING_BIN_CACHE:-$HOME/.cache/lightning-checkout})"
bash scripts/build-lightning.sh

step "services"
bash scripts/ensure-services.sh
bash scripts/ensure-chromium.sh # the hosted-page e2e suite drives Debian's Chromium
bash scripts/ensure-php.sh # the BTCPay PHP client e2e suite runs BTCPay's library under php-cli

step "typecheck"
tsc -p tsconfig.json --noEmit

# A lint or format failure fails the run, but the tests still run so one run shows everything.
step "lint"
lint_failed=0
# No --cache: with type-aware rules an edit to one file can change another file's result.
eslint . || lint_failed=1
prettier --check . || lint_failed=1

run_jest() {
  local name="$1"; shift
  step "$name"
  local status=0
  # --forceExit: a stray keep-alive socket must not hang CI after the results are in.
  jest --ci --forceExit --json --outputFile="$REPORTS/$name.json" "$@" || status=$?
  return $status
}

failed=$lint_failed
run_jest unit --selectProjects unit || failed=1
TEST_DB=sqlite run_jest e2e-sqlite test/e2e --maxWorkers=2 --selectProjects integration || failed=1
TEST_DB=postgres run_jest e2e-postgres test/e2e --maxWorkers=2 --selectProjects integration || failed=1
# The regtest suites run one at a time: each starts several lnd processes on a 2-core machine.
TEST_DB=postgres run_jest integration test/integration --runInBand --selectProjects integration || failed=1
# The server on an LND cluster once more in lnd's other layout: data in PostgreSQL, etcd only elects.
HARNESS_CLUSTER_LAYOUT=postgres TEST_DB=postgres run_jest integration-pg-cluster test/integration/lightning-cluster.test.ts --runInBand --selectProjects integration || failed=1

step "summary"
node -e '
  const fs = require("fs"); const path = require("path");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(path.join(process.argv[1], f), "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0); skipped += r.numPendingTests;
    console.log(`${f.replace(/\.json$/, "").padEnd(14)} ${r.numPassedTests} passed, ${r.numFailedTests} failed (${r.numTotalTestSuites} suites)`);
  }
  console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$REPORTS"
if [ "$lint_failed" -ne 0 ]; then echo "lint: failed (eslint or prettier --check, see the lint step)"; else echo "lint: clean"; fi
exit $failed
