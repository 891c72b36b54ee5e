# lnd (with etcd clustering and the PostgreSQL backend) and btcd for the regtest stack, built
# from the Go module proxy the same way scripts/build-lightning.sh builds them for the tests.
FROM golang:1.26-bookworm AS build
ARG LND_VERSION=v0.21.3-beta
ARG BTCD_VERSION=v0.25.1-0.20260310163610-1c55c7c18179
ARG LND_TAGS="kvdb_etcd kvdb_postgres signrpc walletrpc chainrpc invoicesrpc routerrpc peersrpc"
ENV GOFLAGS=-buildvcs=false
RUN GOBIN=/out go install "github.com/btcsuite/btcd@${BTCD_VERSION}" "github.com/btcsuite/btcd/cmd/btcctl@${BTCD_VERSION}"
# lnd's go.mod has replace directives, so `go install lnd@version` fails: build from a wrapper
# module that requires lnd and copies its replace lines.
WORKDIR /wrapper
RUN go mod init lnd-wrapper \
 && go mod edit -require="github.com/lightningnetwork/lnd@${LND_VERSION}" \
 && go mod download -json "github.com/lightningnetwork/lnd@${LND_VERSION}" >/dev/null \
 && gomod="$(go env GOMODCACHE)/cache/download/github.com/lightningnetwork/lnd/@v/${LND_VERSION}.mod" \
 && grep -E '^replace ' "$gomod" >> go.mod \
 && go mod edit -go="$(awk '/^go /{print $2}' "$gomod")" \
 && printf 'package tools\n\nimport (\n\t_ "github.com/lightningnetwork/lnd/cmd/lnd"\n\t_ "github.com/lightningnetwork/lnd/cmd/lncli"\n)\n' > tools.go \
 && go mod tidy \
 && go build -tags="${LND_TAGS}" -o /out/lnd github.com/lightningnetwork/lnd/cmd/lnd \
 && go build -tags="${LND_TAGS}" -o /out/lncli github.com/lightningnetwork/lnd/cmd/lncli

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl jq && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /usr/local/bin/
COPY deploy/regtest/ /regtest/
RUN chmod +x /regtest/*.sh
