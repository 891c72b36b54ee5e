#!/usr/bin/env bash
# Builds lnd and btcd from the Go module proxy once, caching the binaries outside the checkout
# keyed by version, and makes sure an etcd binary is available. Idempotent: a second run is instant.
#
# lnd's go.mod carries `replace` directives, which `go install module@version` refuses, so lnd is
# built from a throwaway wrapper module that requires lnd and repeats those replace lines.
set -euo pipefail

LND_VERSION="${LND_VERSION:-v0.21.3-beta}"
# The btcd version the lnd release above pins in its go.mod.
BTCD_VERSION="${BTCD_VERSION:-v0.25.1-0.20260310163610-1c55c7c18179}"
LND_TAGS="kvdb_etcd kvdb_postgres signrpc walletrpc chainrpc invoicesrpc routerrpc peersrpc"
CACHE_ROOT="${LIGHTNING_BIN_CACHE:-$HOME/.cache/lightning-checkout}"
# The build tags are part of the key: a binary built without kvdb_postgres cannot run that cluster layout.
LND_DIR="$CACHE_ROOT/lnd-$LND_VERSION-$(printf %s "$LND_TAGS" | sha256sum | cut -c1-8)"
BTCD_DIR="$CACHE_ROOT/btcd-$BTCD_VERSION"

export PATH="/usr/local/go/bin:$PATH"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { echo "[build-lightning] $*" >&2; }

build_btcd() {
  if [ -x "$BTCD_DIR/btcd" ] && [ -x "$BTCD_DIR/btcctl" ]; then return; fi
  log "building btcd $BTCD_VERSION (first run only)"
  mkdir -p "$BTCD_DIR.tmp"
  GOBIN="$BTCD_DIR.tmp" go install "github.com/btcsuite/btcd@$BTCD_VERSION" "github.com/btcsuite/btcd/cmd/btcctl@$BTCD_VERSION"
  rm -rf "$BTCD_DIR" && mv "$BTCD_DIR.tmp" "$BTCD_DIR"
}

build_lnd() {
  if [ -x "$LND_DIR/lnd" ] && [ -x "$LND_DIR/lncli" ]; then return; fi
  log "building lnd $LND_VERSION with tags: $LND_TAGS (first run only, several minutes)"
  local work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  (
    cd "$work"
    go mod init lnd-wrapper >/dev/null 2>&1
    go mod edit -require="github.com/lightningnetwork/lnd@$LND_VERSION"
    # Copy lnd's own replace directives; without them the module graph differs from lnd's release.
    go mod download -json "github.com/lightningnetwork/lnd@$LND_VERSION" >/dev/null
    local gomod
    gomod="$(go env GOMODCACHE)/cache/download/github.com/lightningnetwork/lnd/@v/$LND_VERSION.mod"
    grep -E '^replace ' "$gomod" >> go.mod
    go mod edit -go="$(awk '/^go /{print $2}' "$gomod")"
    printf 'package tools\n\nimport (\n\t_ "github.com/lightningnetwork/lnd/cmd/lnd"\n\t_ "github.com/lightningnetwork/lnd/cmd/lncli"\n)\n' > tools.go
    go mod tidy >/dev/null 2>&1 || go mod tidy
    mkdir -p "$LND_DIR.tmp"
    go build -tags="$LND_TAGS" -o "$LND_DIR.tmp/lnd" github.com/lightningnetwork/lnd/cmd/lnd
    go build -tags="$LND_TAGS" -o "$LND_DIR.tmp/lncli" github.com/lightningnetwork/lnd/cmd/lncli
  )
  rm -rf "$LND_DIR" && mv "$LND_DIR.tmp" "$LND_DIR"
}

ensure_etcd() {
  if command -v etcd >/dev/null 2>&1; then return; fi
  log "installing Debian's etcd-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q etcd-server etcd-client >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q etcd-server etcd-client >/dev/null; }
  # The Debian package starts a system etcd on the default ports; tests run their own.
  (service etcd stop || pkill -x etcd || true) >/dev/null 2>&1
}

build_btcd
build_lnd
ensure_etcd

# Machine-readable result for the test harness.
cat > "$CACHE_ROOT/paths.env" <<ENV
LND_BIN=$LND_DIR/lnd
LNCLI_BIN=$LND_DIR/lncli
BTCD_BIN=$BTCD_DIR/btcd
BTCCTL_BIN=$BTCD_DIR/btcctl
ETCD_BIN=$(command -v etcd)
LND_VERSION=$LND_VERSION
BTCD_VERSION=$BTCD_VERSION
ENV
log "ready: $(tr '\n' ' ' < "$CACHE_ROOT/paths.env")"
