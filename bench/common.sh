# Sourced by the bench scripts: what they check before anything runs. Installs nothing.
# require_tools "apt-get install ..." TOOL...: exits 2 naming what is missing.
require_tools() {
  local hint="$1"; shift
  local missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: missing ${missing[*]}; install them with: $hint" >&2
    exit 2
  fi
}
# require_root WHY: exits 2 unless run as root.
require_root() {
  if [ "$(id -u)" != "0" ]; then
    echo "bench: run as root: $1" >&2
    exit 2
  fi
}
