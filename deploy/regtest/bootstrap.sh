#!/usr/bin/env bash
# One-shot setup of the regtest stack in docker-compose.yml, safe to run again:
#   1. creates the LND cluster's wallet (lnd-1/lnd-2 share it through etcd),
#   2. bakes the checkout server's macaroons (info, channels, invoices) into /secrets,
#   3. funds the "customer" LND by mining to it (btcd has no generatetoaddress: a short-lived
#      second btcd started with --miningaddr mines and relays the blocks),
#   4. opens a channel from the customer to each merchant node, so they have inbound liquidity.
set -euo pipefail

NET=regtest
BTC_RPC=(--rpcuser=rpc --rpcpass=rpc)
CLUSTER=(lnd-1 lnd-2)
CHANNEL_SATS=5000000
log() { echo "[bootstrap] $*" >&2; }

# cli <node> <macaroon> args...
cli() {
  local node=$1 mac=$2
  shift 2
  lncli --network="$NET" --rpcserver="$node:10009" --tlscertpath="/$node/tls.cert" --macaroonpath="$mac" "$@"
}
admin_mac() { echo "/$1/data/chain/bitcoin/$NET/admin.macaroon"; }

wait_until() {
  local what=$1 tries=${3:-120}
  for _ in $(seq "$tries"); do
    # Conditions that loop run in a subshell ( ... ), so their `exit` cannot end this script.
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "timed out waiting for $what"
  exit 1
}

# Mines n blocks to an address from a temporary btcd peered with the main one.
mine() {
  local n=$1 address=$2 dir
  dir=$(mktemp -d)
  btcd --regtest --datadir="$dir/data" --logdir="$dir/logs" --connect=btcd:18444 --nolisten \
    --rpclisten=127.0.0.1:18556 --notls "${BTC_RPC[@]}" --miningaddr="$address" >/dev/null 2>&1 &
  local miner=$!
  local mctl=(btcctl --regtest --notls --rpcserver=127.0.0.1:18556 "${BTC_RPC[@]}")
  local main=(btcctl --regtest --rpcserver=btcd:18334 --rpccert=/btcd/rpc.cert "${BTC_RPC[@]}")
  wait_until "the temporary miner" '[ "$("${mctl[@]}" getblockcount)" = "$("${main[@]}" getblockcount)" ]' 60
  local target=$(($("${main[@]}" getblockcount) + n))
  "${mctl[@]}" generate "$n" >/dev/null
  wait_until "btcd to reach height $target" '[ "$("${main[@]}" getblockcount)" -ge "$target" ]' 60
  kill "$miner"
  wait "$miner" 2>/dev/null || true
  rm -rf "$dir"
}

for node in customer lnd-3 "${CLUSTER[@]}"; do wait_until "$node's TLS certificate" "[ -s /$node/tls.cert ]"; done

# 1. The cluster wallet: whichever member is leader waits for InitWallet on first start.
CLUSTER_ADMIN=/secrets/cluster-admin.macaroon
if [ ! -s "$CLUSTER_ADMIN" ]; then
  password=$(tr -d '\n' < /regtest/wallet-password | base64 -w0)
  wait_until "a cluster member waiting for its wallet" '( for m in "${CLUSTER[@]}"; do [ "$(curl -sk "https://$m:8080/v1/state" | jq -r .state)" = NON_EXISTING ] && exit 0; done; exit 1 )' 180
  for m in "${CLUSTER[@]}"; do
    [ "$(curl -sk "https://$m:8080/v1/state" | jq -r .state)" = NON_EXISTING ] || continue
    seed=$(curl -sk "https://$m:8080/v1/genseed" | jq -c .cipher_seed_mnemonic)
    curl -sk -X POST "https://$m:8080/v1/initwallet" \
      -d "{\"wallet_password\":\"$password\",\"cipher_seed_mnemonic\":$seed}" | jq -r .admin_macaroon | base64 -d > "$CLUSTER_ADMIN.tmp"
    mv "$CLUSTER_ADMIN.tmp" "$CLUSTER_ADMIN"
    log "cluster wallet created on $m"
    break
  done
fi
leader=""
wait_until "the cluster leader" '( for m in "${CLUSTER[@]}"; do cli "$m" "$CLUSTER_ADMIN" getinfo && exit 0; done; exit 1 )' 180
for m in "${CLUSTER[@]}"; do if cli "$m" "$CLUSTER_ADMIN" getinfo >/dev/null 2>&1; then leader=$m; fi; done
log "cluster leader: $leader"

# 2. Least-privilege macaroons for the checkout server.
# The documented least-privilege set (deploy/README.md, "Macaroon permissions").
PERMS=(invoices:write invoices:read info:read offchain:read macaroon:read)
[ -s /secrets/cluster-checkout.macaroon ] || cli "$leader" "$CLUSTER_ADMIN" bakemacaroon "${PERMS[@]}" --save_to /secrets/cluster-checkout.macaroon
wait_until "lnd-3" 'cli lnd-3 "$(admin_mac lnd-3)" getinfo'
[ -s /secrets/lnd-3-checkout.macaroon ] || cli lnd-3 "$(admin_mac lnd-3)" bakemacaroon "${PERMS[@]}" --save_to /secrets/lnd-3-checkout.macaroon
# The app runs as an unprivileged user in its own container.
chmod 0644 /secrets/*.macaroon

# 3. Fund the customer.
wait_until "customer" 'cli customer "$(admin_mac customer)" getinfo'
CUSTOMER=(customer "$(admin_mac customer)")
if [ "$(cli "${CUSTOMER[@]}" walletbalance | jq -r .confirmed_balance)" = 0 ]; then
  mine 110 "$(cli "${CUSTOMER[@]}" newaddress p2wkh | jq -r .address)"
  wait_until "the customer's funds" '[ "$(cli "${CUSTOMER[@]}" walletbalance | jq -r .confirmed_balance)" != 0 ]'
fi

# 4. Channels from the customer: merchants get inbound liquidity.
opened=0
for target in "$leader:$CLUSTER_ADMIN" "lnd-3:$(admin_mac lnd-3)"; do
  node=${target%%:*}
  pubkey=$(cli "$node" "${target#*:}" getinfo | jq -r .identity_pubkey)
  if cli "${CUSTOMER[@]}" listchannels | jq -e --arg pk "$pubkey" '.channels[] | select(.remote_pubkey == $pk)' >/dev/null \
    || cli "${CUSTOMER[@]}" pendingchannels | jq -e --arg pk "$pubkey" '.pending_open_channels[] | select(.channel.remote_node_pub == $pk)' >/dev/null; then
    continue
  fi
  cli "${CUSTOMER[@]}" connect "$pubkey@$node:9735" >/dev/null 2>&1 || true
  wait_until "customer synced to chain" '[ "$(cli "${CUSTOMER[@]}" getinfo | jq -r .synced_to_chain)" = true ]'
  cli "${CUSTOMER[@]}" openchannel --node_key "$pubkey" --local_amt "$CHANNEL_SATS" >/dev/null
  opened=$((opened + 1))
  log "channel opened to $node ($pubkey)"
done
if [ "$opened" -gt 0 ]; then
  mine 6 bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080
  wait_until "active channels" '[ "$(cli "${CUSTOMER[@]}" listchannels --active_only | jq ".channels | length")" -ge 2 ]'
fi
log "regtest stack ready"
