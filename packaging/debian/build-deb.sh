#!/usr/bin/env bash
# Builds target/mailflow_VERSION_ARCH.deb from the jar and its libraries; run by the Maven
# build's deb profile (./mvnw -Pdeb package), after the jar and target/lib are made.
#
#   build-deb.sh JAVA_HOME VERSION TARGET_DIR
#
# The package ships its own Java runtime, made here with jlink from the build's JDK, with the
# modules that jdeps finds in the jar and its libraries (plus the few loaded by name at run
# time), because Debian 12 has no Java 21 package.
set -euo pipefail
umask 022

java_home="$1"
version="$2"
target="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/../.." && pwd)"

fail() {
  echo "build-deb: $*" >&2
  exit 1
}

[ -f "$target/mailflow.jar" ] || fail "no $target/mailflow.jar: run the package phase first"
[ -d "$target/lib" ] || fail "no $target/lib (the runtime libraries)"
for tool in jdeps jlink java; do
  [ -x "$java_home/bin/$tool" ] || fail "$java_home/bin/$tool is missing: the build's JDK must have jdeps and jlink"
done
command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing (Debian's package dpkg)"
mozilla=/usr/share/ca-certificates/mozilla
[ -d "$mozilla" ] || fail "$mozilla is missing (Debian's package ca-certificates): the runtime's trust store is made from it"

# Debian's version order puts 0.1.0~SNAPSHOT before 0.1.0.
deb_version="${version//-/\~}"
arch="$(dpkg --print-architecture)"
stage="$target/deb/mailflow"
deb="$target/mailflow_${deb_version}_${arch}.deb"
rm -rf "$target/deb" "$target"/mailflow_*.deb
mkdir -p "$stage"

# The modules: what jdeps sees in the jar and every library, and those loaded by name:
# jdk.charsets (the charsets of mail in every language), jdk.crypto.ec (where the JDK still
# has it), jdk.localedata is left out (dates in mail are in English, Locale.ROOT).
libs=("$target"/lib/*.jar)
modules="$("$java_home/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 21 \
  --class-path "$target/lib/*" "$target/mailflow.jar" "${libs[@]}" 2>/dev/null | tail -1)"
case "$modules" in
  java.base*) ;;
  *) fail "jdeps found no modules (it printed: $modules)" ;;
esac
for extra in jdk.charsets jdk.crypto.ec; do
  if "$java_home/bin/java" --list-modules | grep -q "^$extra@"; then
    modules="$modules,$extra"
  fi
done
echo "build-deb: runtime modules: $modules"

lib="$stage/usr/lib/mailflow"
mkdir -p "$lib"
"$java_home/bin/jlink" --add-modules "$modules" --output "$lib/runtime" \
  --strip-debug --no-man-pages --no-header-files --compress zip-6 --generate-cds-archive
# The class data archive for heaps beyond 32 GB (no compressed oops) is 15 MB of no use here.
rm -f "$lib/runtime/lib/server/classes_nocoops.jsa"
# The trust store: Mozilla's set as Debian ships it, never the build machine's own additions
# (the JDK's cacerts may be a link to the machine's store). The launcher prefers the system's
# /etc/ssl/certs/java/cacerts where ca-certificates-java keeps one.
rm -f "$lib/runtime/lib/security/cacerts"
"$java_home/bin/java" "$here/TrustStore.java" "$mozilla" "$lib/runtime/lib/security/cacerts"
chmod 0644 "$lib/runtime/lib/security/cacerts"

install -m 0644 "$target/mailflow.jar" "$lib/mailflow.jar"
install -d "$lib/lib"
install -m 0644 "${libs[@]}" "$lib/lib/"
install -D -m 0755 "$here/mailflow" "$stage/usr/bin/mailflow"
install -m 0644 "$project/packaging/aot-cache.sh" "$lib/aot-cache.sh"
install -D -m 0644 "$here/mailflow.toml" "$stage/etc/mailflow/mailflow.toml"
install -D -m 0644 "$here/mailflow.service" "$stage/lib/systemd/system/mailflow.service"
doc="$stage/usr/share/doc/mailflow"
install -d "$doc"
install -m 0644 "$project/README.md" "$project/docs/operator-guide.md" "$project/docs/configuration.md" "$doc/"

install -d "$stage/DEBIAN"
install -m 0644 "$here/conffiles" "$stage/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "$here/$script" "$stage/DEBIAN/$script"
done
size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s/@VERSION@/$deb_version/" -e "s/@ARCHITECTURE@/$arch/" -e "s/@INSTALLED_SIZE@/$size/" \
  "$here/control" >"$stage/DEBIAN/control"

# gzip: every dpkg reads it, and it is five times faster than xz here for 10% more.
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$deb" >/dev/null
echo "build-deb: $deb ($(du -h "$deb" | cut -f1), $((size / 1024)) MB installed)"
