#!/usr/bin/env bash
# Builds the container image the integration tests run in, locally and without any registry:
# a jlink'd Java runtime from this machine's JDK plus the few programs and libraries it needs,
# imported into Docker as a single layer (about 65 MB, a few seconds).
#
# Usage: build-image.sh [IMAGE]   (default: $LINUXAIO_TEST_IMAGE, else linux-aio-test-jre:17)
# Needs: Linux, docker, a JDK 17+ with jmods (Debian: openjdk-17-jdk-headless); JAVA_HOME picks it.
set -Eeuo pipefail
trap 'echo "build-image: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

image=${1:-${LINUXAIO_TEST_IMAGE:-linux-aio-test-jre:17}}

# Everything the test programs load: JNA (java.logging, jdk.unsupported), Testcontainers' probes
# and the examples (java.management, java.naming, java.xml, jdk.zipfs), TLS (jdk.crypto.ec).
modules=java.base,java.logging,java.management,java.naming,java.xml,jdk.unsupported,jdk.zipfs,jdk.crypto.ec
programs="sh dash sleep cat ls env"

die() { echo "build-image: $*" >&2; exit 1; }

find_jdk() {
  local candidate
  for candidate in "${JAVA_HOME:-}" \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v jlink 2>/dev/null || echo /nonexistent/bin/jlink)")")")" \
                   /usr/lib/jvm/*; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/jlink" ] && [ -f "$candidate/jmods/java.base.jmod" ]; then
      echo "$candidate"
      return
    fi
  done
  die "no JDK with jmods found (set JAVA_HOME; on Debian: apt-get install openjdk-17-jdk-headless)"
}

command -v docker >/dev/null || die "docker is not installed"
jdk=$(find_jdk)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

# Merged /usr: /bin, /lib, /lib64 and /sbin are links into /usr, as on Debian 12.
mkdir -p "$rootfs"/usr/bin "$rootfs"/usr/sbin "$rootfs"/usr/lib "$rootfs"/usr/lib64 \
         "$rootfs"/etc "$rootfs"/root "$rootfs"/tmp "$rootfs"/opt "$rootfs"/proc "$rootfs"/sys "$rootfs"/dev
for top in bin sbin lib lib64; do
  ln -s "usr/$top" "$rootfs/$top"
done
chmod 1777 "$rootfs"/tmp
chmod 0700 "$rootfs"/root

"$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --output "$rootfs/opt/java"

# Copies a file to the same place under the merged /usr (so /lib/x/libc.so.6 lands in /usr/lib/x).
place() {
  local path=$1 target
  target=${path#/usr}
  target=$rootfs/usr$target
  [ -e "$target" ] && return
  mkdir -p "$(dirname "$target")"
  cp -L "$path" "$target"
}

binaries=()
for program in $programs; do
  path=$(command -v "$program") || die "$program not found on this machine"
  # /bin/sh is a link to dash on Debian; give the image the real program under both names.
  cp -L "$path" "$rootfs/usr/bin/$program"
  binaries+=("$path")
done
while IFS= read -r -d '' elf; do
  binaries+=("$elf")
done < <(find "$rootfs/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0)

# Every library any of them needs, by the path the dynamic linker resolves here.
for binary in "${binaries[@]}"; do
  { ldd "$binary" 2>/dev/null || true; } | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }'
done | sort -u | while read -r library; do
  place "$library"
done
# Not named by ldd above but loaded at run time: libgcc_s for thread cancellation and unwinding;
# the glibc stubs that natives unpacked at run time still name (Netty's epoll: libdl, librt).
for soname in libgcc_s.so.1 libdl.so.2 libpthread.so.0 librt.so.1; do
  # No early exit in awk: ldconfig would die of SIGPIPE, and pipefail would end the script.
  library=$(ldconfig -p | awk -v name="$soname" '$1 == name && /x86-64/ && !found { found = $NF } END { print found }')
  [ -n "$library" ] || die "$soname not found on this machine"
  place "$library"
done

cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$rootfs/etc/hosts"
mkdir -p "$rootfs/etc/ld.so.conf.d"
printf 'include /etc/ld.so.conf.d/*.conf\n' > "$rootfs/etc/ld.so.conf"
printf '/usr/lib/x86_64-linux-gnu\n/usr/lib64\n' > "$rootfs/etc/ld.so.conf.d/x86_64-linux-gnu.conf"
ldconfig -r "$rootfs"

# The image's own smoke test before it is handed over: the runtime must start inside the rootfs.
"$rootfs/opt/java/bin/java" -version >/dev/null 2>&1 || die "the jlink runtime does not start"

previous=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -c . \
  | docker import \
      -c 'ENV PATH=/opt/java/bin:/usr/bin:/bin' \
      -c 'ENV JAVA_HOME=/opt/java' \
      -c 'ENV HOME=/root' \
      -c 'CMD ["java", "-version"]' \
      - "$image" >/dev/null
# A rebuild leaves the old image untagged; drop it unless a container still uses it.
if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$image")" ]; then
  docker image rm "$previous" >/dev/null 2>&1 || true
fi
version=$(docker run --rm --network none "$image" java -version 2>&1) || die "the image does not run java: $version"
echo "build-image: image runs: ${version%%$'\n'*}"
echo "build-image: built $image ($(docker image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')) from $jdk"
