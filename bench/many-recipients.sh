#!/usr/bin/env bash
# One message to 1,000 local recipients: Mailflow (hard links, and written copies) beside Postfix.
# Installs nothing: it checks for what it needs and says what is missing.
# Usage: bench/many-recipients.sh [--recipients N] [--reps N] [--out FILE]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# --help before the checks (tools, root, the build).
for a in "$@"; do case "$a" in -h|--help) exec python3 "$here/many_recipients.py" --root "$root" --help;; esac; done
. "$here/common.sh"
require_tools "apt-get install postfix python3" postfix smtp-source python3
require_root "the script starts Mailflow and Postfix's own tools with private configurations"
"$root/mailflow" --version >/dev/null
exec python3 "$here/many_recipients.py" --root "$root" "$@"
