# The AOT cache of 'mailflow serve', sourced (POSIX sh) by ./mailflow and by the Debian
# package's /usr/bin/mailflow, so that both make and use it alike.
#
# On JDK 25 and newer (JEP 483, 514, 515), a cache of the classes loaded and linked by a run
# and of its method profiles lets the next start skip most of its warm-up (docs/performance.md,
# "The slow start"). The first 'serve' after a build, a package upgrade or a new JDK trains:
# the JVM writes the cache when it exits (a few seconds more at stop, once). Every later
# 'serve' starts from it. The cache belongs to one jar and one JVM build: a key file next to it
# names both (the jar's size and time, the runtime's release file), and a cache with another
# key is made again. One server at a time trains (a lock next to the cache); a cache being
# written is not used.
#
# mailflow_aot_options JAVA_HOME JAR CACHE_FILE ARGUMENTS...
#   Sets mailflow_aot_opts to the JVM options to add (empty when there is nothing to do: not
#   'serve', a JDK older than 25, MAILFLOW_JAVA_OPTS given, MAILFLOW_AOT_CACHE=off, no flock,
#   or a folder this user cannot write). When this run trains, file descriptor 9 holds the
#   lock and must stay open through exec.
mailflow_aot_options() {
  mailflow_aot_opts=""
  mailflow_aot_java="$1"
  mailflow_aot_jar="$2"
  mailflow_aot_cache="$3"
  shift 3
  # The first argument that is not an option is the command.
  for mailflow_aot_arg in "$@"; do
    case "$mailflow_aot_arg" in -*) continue ;; esac
    break
  done
  [ "${mailflow_aot_arg:-}" = serve ] || return 0
  [ -z "${MAILFLOW_JAVA_OPTS:-}" ] || return 0
  [ "${MAILFLOW_AOT_CACHE:-}" != off ] || return 0
  command -v flock >/dev/null 2>&1 || return 0
  case "$mailflow_aot_cache" in *[[:space:]]*) return 0 ;; esac
  [ -r "$mailflow_aot_java/release" ] && [ -f "$mailflow_aot_jar" ] || return 0
  mailflow_aot_major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$mailflow_aot_java/release")"
  case "$mailflow_aot_major" in '' | *[!0-9]*) return 0 ;; esac
  [ "$mailflow_aot_major" -ge 25 ] || return 0

  mailflow_aot_key="jar $(wc -c <"$mailflow_aot_jar" | tr -d ' ') $(date -r "$mailflow_aot_jar" +%s) runtime $(cksum <"$mailflow_aot_java/release")"
  mailflow_aot_dir="$(dirname "$mailflow_aot_cache")"
  # Warnings of the cache (classes it cannot hold: signed jars, JFR events) are not for the
  # server's log; errors still are.
  mailflow_aot_quiet="-Xlog:aot*=error -Xlog:cds*=error"

  if [ -f "$mailflow_aot_cache" ] && [ -r "$mailflow_aot_cache.key" ] \
    && [ "$(cat "$mailflow_aot_cache.key")" = "$mailflow_aot_key" ] \
    && [ "$mailflow_aot_cache" -nt "$mailflow_aot_cache.key" ]; then
    # Made for this jar and runtime, and complete unless a trainer holds the lock right now.
    if [ -e "$mailflow_aot_cache.lock" ]; then
      # (A redirection that fails on exec ends a POSIX shell: test first.)
      [ -r "$mailflow_aot_cache.lock" ] || return 0
      exec 9<"$mailflow_aot_cache.lock"
      if ! flock -n -s 9; then
        exec 9<&-
        return 0
      fi
      exec 9<&-
    fi
    mailflow_aot_opts="-XX:AOTCache=$mailflow_aot_cache $mailflow_aot_quiet"
    return 0
  fi

  # Train: this user must be able to write the folder, and no other server may be training.
  [ -d "$mailflow_aot_dir" ] && [ -w "$mailflow_aot_dir" ] || return 0
  [ ! -e "$mailflow_aot_cache.lock" ] || [ -w "$mailflow_aot_cache.lock" ] || return 0
  [ ! -e "$mailflow_aot_cache.key" ] || [ -w "$mailflow_aot_cache.key" ] || return 0
  exec 9>>"$mailflow_aot_cache.lock"
  if ! flock -n 9; then
    exec 9>&-
    return 0
  fi
  rm -f "$mailflow_aot_cache" "$mailflow_aot_cache.config"
  printf '%s\n' "$mailflow_aot_key" >"$mailflow_aot_cache.key" || { exec 9>&-; return 0; }
  mailflow_aot_opts="-XX:AOTCacheOutput=$mailflow_aot_cache $mailflow_aot_quiet"
}
