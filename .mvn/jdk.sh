# What Mailflow needs of the machine to start Java, sourced (POSIX sh) by ./mailflow and ./mvnw
# so that the launcher and the README's test command behave alike: a JDK 21 or newer found with
# no JAVA_HOME set, and a UTF-8 locale for file names.
# Order: JAVA_HOME, then java on the PATH, then the newest under /usr/lib/jvm
# (MAILFLOW_JVM_DIR overrides the folder). On success JAVA_HOME is set and exported.

mailflow_java_major() {
  # The major version of the java binary given ("17", "21", "25"), or nothing.
  "$1" -version 2>&1 | awk -F'"' '/version/ { v = $2; sub(/^1\./, "", v); sub(/[^0-9].*/, "", v); print v; exit }'
}

mailflow_is_jdk21() {
  # True when $1 is a JDK home (java and javac) of version 21 or newer.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  mailflow_jdk_major="$(mailflow_java_major "$1/bin/java")"
  case "$mailflow_jdk_major" in '' | *[!0-9]*) return 1 ;; esac
  [ "$mailflow_jdk_major" -ge 21 ]
}

mailflow_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && mailflow_is_jdk21 "$JAVA_HOME"; then
    export JAVA_HOME
    return 0
  fi
  mailflow_jdk_path="$(command -v java 2>/dev/null || true)"
  if [ -n "$mailflow_jdk_path" ]; then
    mailflow_jdk_path="$(readlink -f "$mailflow_jdk_path")"
    mailflow_jdk_path="$(dirname "$(dirname "$mailflow_jdk_path")")"
    if mailflow_is_jdk21 "$mailflow_jdk_path"; then
      JAVA_HOME="$mailflow_jdk_path"
      export JAVA_HOME
      return 0
    fi
  fi
  mailflow_jdk_best=""
  mailflow_jdk_noglob=false
  case $- in *f*) mailflow_jdk_noglob=true; set +f ;; esac
  mailflow_jdk_best_major=0
  for mailflow_jdk_dir in "${MAILFLOW_JVM_DIR:-/usr/lib/jvm}"/*/; do
    mailflow_jdk_dir="${mailflow_jdk_dir%/}"
    mailflow_is_jdk21 "$mailflow_jdk_dir" || continue
    if [ "$mailflow_jdk_major" -gt "$mailflow_jdk_best_major" ]; then
      mailflow_jdk_best="$mailflow_jdk_dir"
      mailflow_jdk_best_major="$mailflow_jdk_major"
    fi
  done
  if $mailflow_jdk_noglob; then set -f; fi
  if [ -n "$mailflow_jdk_best" ]; then
    JAVA_HOME="$mailflow_jdk_best"
    export JAVA_HOME
    return 0
  fi
  echo "mailflow: no JDK 21 or newer found (looked at JAVA_HOME, java on the PATH and ${MAILFLOW_JVM_DIR:-/usr/lib/jvm}); install one, for example 'apt-get install openjdk-21-jdk-headless' or Temurin 21/25, or set JAVA_HOME to it." >&2
  return 1
}

mailflow_utf8_locale() {
  # The JVM encodes file names by the locale it starts under (sun.jnu.encoding) and no -D option
  # changes that: under a POSIX locale (LANG unset, as services start) a mailbox such as
  # 用户@example.test cannot be a directory. When the locale is not UTF-8, use C.UTF-8
  # (built into glibc 2.35 and later, so present on every Debian since bookworm).
  case "$(locale charmap 2>/dev/null || true)" in
    UTF-8 | utf8) ;;
    *) # The language asked for stays known to the tester's --lang default (Messages).
       MAILFLOW_LANGUAGE_ASKED="${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}"; export MAILFLOW_LANGUAGE_ASKED
       LC_ALL=C.UTF-8; export LC_ALL ;;
  esac
}
