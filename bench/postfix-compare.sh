#!/usr/bin/env bash
# Mailflow against Postfix, side by side on this machine, driven by Postfix's smtp-source.
# Installs nothing: it checks for what it needs and says what is missing.
# Usage: bench/postfix-compare.sh [--reps N] [--messages-1k N] [--messages-64k N] [--out FILE]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# --help before the checks (tools, root, the build).
for a in "$@"; do case "$a" in -h|--help) exec python3 "$here/compare_postfix.py" --root "$root" --help;; esac; done

. "$here/common.sh"
require_tools "apt-get install postfix python3" postfix smtp-source python3
require_root "the script starts a private Postfix instance, which needs root"
# Build Mailflow (and find a JDK) through the launcher, before anything is timed.
"$root/mailflow" --version >/dev/null
exec python3 "$here/compare_postfix.py" --root "$root" "$@"
