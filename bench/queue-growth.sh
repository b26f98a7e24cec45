#!/usr/bin/env bash
# How the costs grow with 100,000 deferred messages: accept rate, memory, queue list, restart.
# Installs nothing: it checks for what it needs and says what is missing.
# Usage: bench/queue-growth.sh [--deferred N] [--messages N] [--reps N] [--out FILE]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
missing=()
for tool in postfix python3; do
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
"$root/mailflow" --version >/dev/null
exec python3 "$here/queue_growth.py" --root "$root" "$@"
