#!/usr/bin/env bash
# Runs lnd with the given arguments and SIGKILLs it when its State RPC stops answering, so the
# container exits and `restart: unless-stopped` starts a fresh lnd.
#
# Why: Docker (unlike Kubernetes' livenessProbe) never restarts an `unhealthy` container, and a
# frozen lnd (a hung process, a paused VM) is worse than a dead one. A frozen cluster leader keeps
# its TCP connections open, so its channel peers still think they are connected to the node and
# refuse the new leader's connection (same identity), and the channels stay inactive until the
# frozen process dies. lnd's own leader health check cannot help: it runs inside the frozen process.
#
# The State RPC needs no macaroon and answers in every state, followers included
# (WAITING_TO_START), so a missing answer means the process is stuck, not merely not leading.
#
#   LND_LIVENESS_INTERVAL  seconds between probes (default 2)
#   LND_LIVENESS_TIMEOUT   seconds a probe may take (default 3: lncli's own start-up counts, and a
#                          busy host must not get a slow but live lnd killed)
#   LND_LIVENESS_FAILURES  consecutive failed probes before the kill (default 3)
# Probes count only after the State RPC answered once: a starting lnd (TLS key, wallet) is not frozen.
set -u

interval=${LND_LIVENESS_INTERVAL:-2}
timeout_s=${LND_LIVENESS_TIMEOUT:-3}
threshold=${LND_LIVENESS_FAILURES:-3}
lnddir=/lnd
network=regtest
rpcserver=127.0.0.1:10009
for arg in "$@"; do
  case "$arg" in
    --lnddir=*) lnddir=${arg#--lnddir=} ;;
    --rpclisten=*) rpcserver=${arg#--rpclisten=} rpcserver=${rpcserver/#0.0.0.0:/127.0.0.1:} ;;
    --bitcoin.mainnet) network=mainnet ;;
    --bitcoin.testnet) network=testnet ;;
    --bitcoin.signet) network=signet ;;
  esac
done
log() { echo "[lnd-liveness] $*" >&2; }

lnd "$@" &
pid=$!
# docker stop: pass SIGTERM on and wait for lnd's own graceful shutdown (no probing meanwhile).
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; exit $?' TERM INT

answered=0
failures=0
while kill -0 "$pid" 2>/dev/null; do
  sleep "$interval" &
  wait $!
  if timeout "$timeout_s" lncli --network="$network" --lnddir="$lnddir" --rpcserver="$rpcserver" state >/dev/null 2>&1; then
    answered=1
    failures=0
  elif [ "$answered" = 1 ]; then
    failures=$((failures + 1))
    log "State RPC did not answer within ${timeout_s}s ($failures/$threshold)"
    if [ "$failures" -ge "$threshold" ]; then
      log "lnd (pid $pid) is frozen: SIGKILL, the container restarts"
      kill -KILL "$pid" 2>/dev/null
      wait "$pid"
      exit $?
    fi
  fi
done
wait "$pid"
exit $?
