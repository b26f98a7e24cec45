#!/usr/bin/env bash
# The slow start: Mailflow's first 10,000 messages after a start against its steady rate,
# side by side with a freshly started Postfix: without the launcher's AOT cache, on the first
# start after a build (the launcher records the run and the JVM writes the cache at exit), and on
# the start after it (from the cache; JDK 25).
# Installs nothing: it checks for what it needs and says what is missing.
# Usage: bench/slow-start.sh [--first N] [--block N] [--steady N] [--out FILE]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# --help before the checks (tools, root, the build).
for a in "$@"; do case "$a" in -h|--help) exec python3 "$here/slow_start.py" --root "$root" --help;; esac; done
. "$here/common.sh"
require_tools "apt-get install postfix python3" postfix smtp-source python3
require_root "the script starts a private Postfix instance, which needs root"
"$root/mailflow" --version >/dev/null
exec python3 "$here/slow_start.py" --root "$root" "$@"
