#!/usr/bin/env bash
# Installs the Debian packages the example systems run on (the bidding stack: Redis, NATS with
# JetStream, PostgreSQL). Idempotent: installs only what is missing, so a second run does nothing.
# Needs root (or sudo) and Debian's package lists; the suites that need a missing package skip
# themselves saying which, so this script is what turns them on.
set -euo pipefail
packages=(redis-server nats-server postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "example services: all installed (${packages[*]})"
  exit 0
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "example services: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# The packages' own services are not wanted (the suites start throwaway instances on free ports);
# policy-rc.d 101 keeps apt from starting them where an init system would.
policy=/usr/sbin/policy-rc.d
created=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod +x "$policy"
  created=1
fi
trap '[ "$created" -eq 0 ] || "${sudo[@]}" rm -f "$policy"' EXIT
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "example services: installed ${missing[*]}"
