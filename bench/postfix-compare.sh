#!/usr/bin/env bash
# Mailflow against Postfix, side by side on this machine, driven by Postfix's smtp-source.
# Installs nothing: it checks for what it needs and says what is missing.
# Usage: bench/postfix-compare.sh [--reps N] [--messages-1k N] [--messages-64k N] [--out FILE]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

missing=()
for tool in postfix smtp-source python3; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing ${missing[*]}; install them with: apt-get install postfix python3" >&2
  exit 2
fi
if [ "$(id -u)" != "0" ]; then
  echo "bench: run as root: the script starts a private Postfix instance, which needs root" >&2
  exit 2
fi
# Build Mailflow (and find a JDK) through the launcher, before anything is timed.
"$root/mailflow" --version >/dev/null
exec python3 "$here/compare_postfix.py" --root "$root" "$@"
