#!/usr/bin/env bash
# The cluster point: three Mailflow nodes on 127.0.0.2-4 sharing one queue in a private
# PostgreSQL, relaying to one smtp-sink, beside one node with the file queue, in one run.
# Installs nothing: it checks for what it needs and says what is missing.
# Usage: bench/cluster.sh [--reps N] [--messages N] [--sessions N] [--out FILE]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# --help before the checks (tools, root, the build).
for a in "$@"; do case "$a" in -h|--help) exec python3 "$here/cluster_bench.py" --root "$root" --pgbin x --help;; esac; done
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
missing=()
for tool in smtp-source smtp-sink python3 runuser; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || missing+=("postgresql")
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing ${missing[*]}; install them with: apt-get install postfix postgresql python3" >&2
  exit 2
fi
if [ "$(id -u)" != "0" ]; then
  echo "bench: run as root: the private PostgreSQL runs as the postgres user" >&2
  exit 2
fi
"$root/mailflow" --version >/dev/null
exec python3 "$here/cluster_bench.py" --root "$root" --pgbin "$pgbin" "$@"
