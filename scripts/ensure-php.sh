#!/usr/bin/env bash
# The BTCPay PHP client e2e suite runs BTCPay's own PHP library under php-cli (with the curl,
# mbstring and bcmath extensions the library and the WooCommerce plugin use). Installs Debian's
# packages when any is missing; safe to run again.
set -euo pipefail

PACKAGES=(php-cli php-curl php-mbstring php-bcmath)
has_php() {
  command -v php >/dev/null || return 1
  local modules
  modules="$(php -m 2>/dev/null | tr 'A-Z' 'a-z')"
  for ext in curl mbstring bcmath json; do grep -qx "$ext" <<<"$modules" || return 1; done
}
has_php && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=(sudo -n); else
    echo "php-cli or one of its extensions is missing and this user cannot install them: apt-get install ${PACKAGES[*]}" >&2
    exit 1
  fi
else
  SUDO=()
fi

export DEBIAN_FRONTEND=noninteractive
install() { "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null; }
# The package lists may be missing or stale on a fresh machine: refresh them once and retry.
if ! install 2>/dev/null; then
  "${SUDO[@]}" apt-get update -qq >/dev/null
  install
fi
has_php || { echo "apt-get installed ${PACKAGES[*]} but php still lacks curl, mbstring or bcmath" >&2; exit 1; }
echo "installed $(php -r 'echo "PHP ", PHP_VERSION;')"
