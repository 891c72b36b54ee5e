#!/usr/bin/env bash
# The hosted-page e2e suite drives Debian's Chromium through playwright-core (Playwright's own
# browser download cannot be used here). Installs it when missing; safe to run again.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
# Without a font package, screenshots show boxes instead of text.
has_fonts() { command -v fc-list >/dev/null && [ -n "$(fc-list 2>/dev/null | head -1)" ]; }
[ -x "$CHROMIUM" ] && has_fonts && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=(sudo -n); else
    echo "Chromium is missing ($CHROMIUM) and this user cannot install it: apt-get install chromium" >&2
    exit 1
  fi
else
  SUDO=()
fi

export DEBIAN_FRONTEND=noninteractive
install() { "${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fontconfig >/dev/null; }
# The package lists may be missing or stale on a fresh machine: refresh them once and retry.
if ! install 2>/dev/null; then
  "${SUDO[@]}" apt-get update -qq >/dev/null
  install
fi
[ -x "$CHROMIUM" ] || { echo "apt-get installed chromium but $CHROMIUM is missing" >&2; exit 1; }
echo "installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
