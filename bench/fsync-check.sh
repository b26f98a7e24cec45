#!/usr/bin/env bash
# Every 250 after its fsync: Mailflow (started by its launcher) and Postfix receive the same
# local load under strace; each 250 that accepted a message is matched to the fsyncs of its
# queue file (and, for Mailflow, of the queue directory after its rename) in the trace.
# Installs nothing: it checks for what it needs and says what is missing.
# Usage: bench/fsync-check.sh [--messages N] [--out FILE]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# --help before the checks (tools, root, the build).
for a in "$@"; do case "$a" in -h|--help) exec python3 "$here/fsync_check.py" --root "$root" --help;; esac; done
. "$here/common.sh"
require_tools "apt-get install postfix python3 strace" postfix smtp-source python3 strace
require_root "the script starts a private Postfix instance and traces it, which needs root"
"$root/mailflow" --version >/dev/null
exec python3 "$here/fsync_check.py" --root "$root" "$@"
