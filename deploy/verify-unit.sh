#!/usr/bin/env bash
# Verify systemd unit files with `systemd-analyze verify`, failing on any warning too (it exits 0
# on an unknown key or a misspelt system-call group, which would silently weaken the hardening).
# Installs Debian's systemd package when systemd-analyze is missing and we are root; otherwise says
# what to install.
set -euo pipefail

if ! command -v systemd-analyze >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "verify-unit: systemd-analyze is missing; installing Debian's systemd package to check the unit" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null
  else
    echo "verify-unit: systemd-analyze is needed to check deploy/*.service and is not installed." >&2
    echo "verify-unit: install it (Debian/Ubuntu: sudo apt-get install systemd) and run make test again." >&2
    exit 1
  fi
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The units start the installed bot, /opt/azabot/venv/bin/azabot, which is not on a test machine:
# point that one path at a stand-in and verify everything else exactly as written.
mkdir -p "$scratch/bin"
printf '#!/bin/sh\nexit 0\n' >"$scratch/bin/azabot"
chmod +x "$scratch/bin/azabot"

status=0
units=()
for unit in "$@"; do
  sed "s#/opt/azabot/venv/bin/#$scratch/bin/#g" "$unit" >"$scratch/$(basename "$unit")"
  units+=("$scratch/$(basename "$unit")")
done
if ! output=$(systemd-analyze verify "${units[@]}" 2>&1) || [ -n "$output" ]; then
  printf '%s\n' "${output//$scratch\//deploy/}" >&2
  status=1
fi
if [ "$status" = 0 ]; then
  echo "verify-unit: $* verified with $(systemd-analyze --version | head -1)"
fi
exit "$status"
