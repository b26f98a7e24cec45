#!/usr/bin/env bash
# What email authentication (SPF, DKIM, DMARC, ARC) of strangers' mail costs per message:
# Mailflow with authentication = "off" and "record" (and "enforce" on request) side by side,
# DNS from a private dnsmasq on a loopback port, every answer from Mailflow's cache once warm.
# Installs nothing: it checks for what it needs and says what is missing.
# Usage: bench/auth-overhead.sh [--reps N] [--messages N] [--sessions N] [--modes off,record[,enforce]]
#                               [--out FILE] [--no-write]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# --help before the checks (tools, root, the build).
for a in "$@"; do case "$a" in -h|--help) exec python3 "$here/auth_overhead.py" --root "$root" --help;; esac; done

missing=()
packages=()
need() {  # need TOOL DEBIAN-PACKAGE
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$1" ]; then
    missing+=("$1")
    packages+=("$2")
  fi
}
need smtp-source postfix
need dnsmasq dnsmasq-base
need dkimsign python3-dkim
need python3 python3
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing ${missing[*]}; install them with: apt-get install ${packages[*]}" >&2
  exit 2
fi
# dkimsign signs Ed25519 through PyNaCl (python3-nacl), which python3-dkim only suggests.
dkimsign_python="$(head -1 "$(command -v dkimsign)" | sed -n 's/^#! *\([^ ]*\).*/\1/p')"
if ! "${dkimsign_python:-python3}" -c 'import dkim, nacl' 2>/dev/null; then
  echo "bench: dkimsign cannot sign with Ed25519; install it with: apt-get install python3-nacl" >&2
  exit 2
fi
# Build Mailflow (and find a JDK) through the launcher, before anything is timed.
"$root/mailflow" --version >/dev/null
exec python3 "$here/auth_overhead.py" --root "$root" "$@"
