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

# As root (CI containers) apt-get runs directly; otherwise through passwordless sudo. No TTY is
# needed: sudo -n never prompts, and the frontend is set on apt-get's own command line because sudo
# drops the caller's environment.
APT=(env DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o Dpkg::Use-Pty=0)
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then APT=(sudo -n "${APT[@]}"); else
    echo "php-cli or one of its extensions is missing and this user cannot install them: apt-get install ${PACKAGES[*]}" >&2
    exit 1
  fi
fi

# A fresh Debian machine (or container image) has no package lists: refresh them first.
"${APT[@]}" update >/dev/null
"${APT[@]}" install --no-install-recommends "${PACKAGES[@]}" >/dev/null
has_php || { echo "apt-get installed ${PACKAGES[*]} but php still lacks curl, mbstring or bcmath" >&2; exit 1; }
echo "installed $(php -r 'echo "PHP ", PHP_VERSION;')"
