#!/usr/bin/env bash
# Runs the engine on an aarch64 JVM: the engine self-check, then every aio-core unit test, inside
# an arm64 Debian root under qemu-user emulation. On demand, not part of CI (a first run takes
# minutes, most of them the unit tests under emulation; a later one reuses qemu and the root):
#
#   bash .ci/aarch64-check.sh            exit status 0 only if both passed
#
# Needs root on an x86_64 Debian 12 machine with the Debian mirror its apt uses, and a
# binfmt_misc it may mount and register a handler in (a privileged container will do). Cached in
# $AARCH64_CHECK_CACHE (default /var/cache/linux-aio-aarch64): qemu and the arm64 root.
#
# qemu comes from Debian 13 (trixie), not from Debian 12's qemu-user-static: qemu 7.2 has no
# openat2 (ENOSYS) and refuses preadv2 flags, both of which the engine uses. Its binaries are
# static, so they are unpacked into the cache and never installed. Under qemu-user the guest's
# system calls are translated to the host's, open flags included, so a flag with another CPU's
# value does here what it would do on an aarch64 machine.
set -Eeuo pipefail
trap 'echo "aarch64-check: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."

cache=${AARCH64_CHECK_CACHE:-/var/cache/linux-aio-aarch64}
root=$cache/root-bookworm-arm64
java=/usr/lib/jvm/java-17-openjdk-arm64/bin/java
handler=linux-aio-aarch64
binfmt=/proc/sys/fs/binfmt_misc
started=$SECONDS
step() { printf '\n== %s (%ss)\n' "$*" "$((SECONDS - started))"; }

[ "$(id -u)" = 0 ] || { echo "aarch64-check: needs root (chroot, mount, binfmt_misc)" >&2; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "aarch64-check: runs on x86_64 (found $(uname -m))" >&2; exit 1; }

# The Debian mirror this machine's apt already uses for bookworm.
mirror=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 'Identifier: Packages' | awk '$1 == "bookworm" { print $2; exit }')
[ -n "$mirror" ] || { echo "aarch64-check: no bookworm mirror in /etc/apt/sources.list*" >&2; exit 1; }
mkdir -p "$cache"

step "packages"
missing=()
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v arch-test >/dev/null || missing+=(arch-test) # mmdebstrap asks it whether arm64 binaries run
command -v unshare >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

step "qemu-aarch64 from trixie"
qemu=$cache/qemu/usr/bin/qemu-aarch64
if [ ! -x "$qemu" ]; then
  apt_dir=$cache/apt-trixie
  rm -rf "$apt_dir" "$cache/qemu"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/sources"
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" > "$apt_dir/sources/trixie.sources"
  # A private apt state: this machine's own sources and package lists are left as they are.
  apt_private=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt_dir/sources"
    -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir" -o Dir::Cache::archives="$apt_dir/archives"
    -o Dir::State::status=/dev/null -o APT::Architecture=amd64 -o APT::Sandbox::User=root)
  apt-get -q "${apt_private[@]}" update
  (cd "$apt_dir" && apt-get -q "${apt_private[@]}" download qemu-user)
  dpkg-deb -x "$apt_dir"/qemu-user_*.deb "$cache/qemu"
  rm -rf "$apt_dir"
fi
"$qemu" --version | head -n 1

step "binfmt handler $handler"
mountpoint -q "$binfmt" || mount -t binfmt_misc binfmt_misc "$binfmt"
unregister() { if [ -e "$binfmt/$handler" ]; then echo -1 > "$binfmt/$handler"; fi; }
unregister
# Debian's own entry for this qemu (usr/share/qemu/binfmt.d/qemu-aarch64.conf), renamed and pointed
# at the unpacked binary. The kernel tries the newest entry first, so an older qemu registered for
# aarch64 is passed over while this one exists. F: the kernel opens qemu now, so it runs inside
# the chroot too. P: argv[0] is kept, which qemu expects when its name ends in -binfmt-P.
ln -sfn "$qemu" "$cache/qemu/aarch64-binfmt-P"
sed -e "s|^:qemu-aarch64:|:$handler:|" -e "s|:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:|:$cache/qemu/aarch64-binfmt-P:|" \
  "$cache/qemu/usr/share/qemu/binfmt.d/qemu-aarch64.conf" > "$binfmt/register"
trap 'unregister' EXIT
head -n 2 "$binfmt/$handler"

# The JRE; a shell, coreutils and the C.UTF-8 locale (libc-bin) for the tests, which run mkfifo
# and sh, and name files in UTF-8.
packages=openjdk-17-jre-headless,dash,coreutils,libc-bin
step "arm64 Debian root: $packages"
if [ "$(cat "$root/.complete" 2>/dev/null)" != "$packages" ]; then
  rm -rf "$root"
  # Unpacked only: maintainer scripts would run arm64 java under emulation for ten minutes (the
  # JRE's certificate store), and the engine needs nothing they make but the link below.
  mmdebstrap --mode=root --variant=extract --arch=arm64 --include="$packages" bookworm "$root" "$mirror"
  mkdir -p "$root/proc" "$root/tmp" && chmod 1777 "$root/tmp"
  [ -e "$root/bin/sh" ] || ln -s dash "$root/bin/sh"
  echo "$packages" > "$root/.complete"
fi

step "build on the host: the self-check jar, aio-core's classes and tests, and their classpath"
mvn -q -B -pl aio-core,examples -am -DskipTests package
# JUnit's console launcher, at the Platform version that goes with the project's Jupiter (5.x.y -> 1.x.y).
jupiter=$(mvn -q -B help:evaluate -Dexpression=junit.version -DforceStdout | sed 's/\x1b\[[0-9;]*m//g')
opt=$root/opt/linux-aio
rm -rf "$opt"
mkdir -p "$opt/lib" "$opt/aio-core/target"
mvn -q -B dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:1.${jupiter#5.}" \
  -DoutputDirectory="$opt/lib"
mvn -q -B -pl aio-core dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$opt/lib"
cp examples/target/engine-self-check.jar "$opt/"
# Laid out as Surefire sees the module: the tests run in its directory, next to its pom.xml.
cp aio-core/pom.xml "$opt/aio-core/"
cp -r aio-core/target/classes aio-core/target/test-classes "$opt/aio-core/target/"

# Runs a command in the root, in directory $1 there, with /proc and /dev mounted in a mount
# namespace of its own, so the mounts end with the command whatever happens.
in_root() {
  unshare --mount --propagation private -- sh -c '
    root=$1 dir=$2; shift 2
    mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" && exec chroot "$root" sh -c "cd \"\$0\" && exec \"\$@\"" "$dir" "$@"
  ' sh "$root" "$@"
}

step "on aarch64: the machine and the JVM"
in_root / uname -m
in_root / "$java" -XshowSettings:properties -version 2>&1 | grep -E 'os.arch|java.vm.version'

status=0
step "on aarch64: engine self-check"
in_root / "$java" -jar /opt/linux-aio/engine-self-check.jar /tmp || status=1

step "on aarch64: aio-core unit tests"
# On the JVM's own class path, since some tests start a child JVM with java.class.path.
module=/opt/linux-aio/aio-core
classpath=$module/target/test-classes:$module/target/classes$(cd "$opt/lib" && printf ':/opt/linux-aio/lib/%s' *.jar)
# Tests tagged host-kernel-views read the kernel's view of the process (/proc/self/smaps,
# /proc/mounts), which under qemu-user in a chroot shows the emulator and the host: left out here.
in_root "$module" "$java" -cp "$classpath" org.junit.platform.console.ConsoleLauncher execute --disable-banner \
  --details=summary --details-theme=ascii --exclude-tag host-kernel-views \
  --scan-class-path "$module/target/test-classes" || status=1

step "done"
if [ "$status" -ne 0 ]; then
  echo "aarch64-check: FAILED"
  exit 1
fi
echo "aarch64-check: OK on aarch64 in ${SECONDS}s"
