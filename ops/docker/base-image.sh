#!/usr/bin/env bash
# Makes the local JRE base image for ops/Dockerfile where no image registry is reachable:
# busybox (Debian's busybox-static) plus a JRE made with jlink from this machine's JDK, plus the
# shared libraries the JRE and RocksDB's JNI library need, imported with `docker import`.
#
#   ops/docker/base-image.sh [--force] [TAG]      # TAG default raftmesh/base:17
#   docker build -f ops/Dockerfile --build-arg BASE=raftmesh/base:17 ...
#
# Idempotent: does nothing when TAG already exists (--force rebuilds). Needs a Docker engine
# (DOCKER_HOST as usual), jlink (JDK 17+), ldd and /bin/busybox (apt-get install busybox-static).
# Without a built distribution the RocksDB libraries come from a fixed list (what
# librocksdbjni-linux64.so links against: libstdc++, libgcc_s and glibc's).
set -euo pipefail

force=0
tag=raftmesh/base:17
for a in "$@"; do
  case $a in
    --force) force=1 ;;
    -*) echo "base-image: unknown option $a (expected: --force [TAG])" >&2; exit 64 ;;
    *) tag=$a ;;
  esac
done

if [ "$force" = 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base-image: $tag exists" >&2
  exit 0
fi

busybox=$(command -v busybox || true)
[ -x /bin/busybox ] && busybox=/bin/busybox
if [ -z "$busybox" ] || ! { ldd "$busybox" 2>&1 || true; } | grep -q 'not a dynamic'; then
  echo "base-image: a static busybox is needed (apt-get install busybox-static)" >&2
  exit 2
fi
# The jlink of the JDK whose java is on PATH (the one the build uses).
jlink=$(dirname "$(readlink -f "$(command -v java || echo /nonexistent)")")/jlink
[ -x "$jlink" ] || { echo "base-image: jlink not found (a JDK 17+ is needed)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,etc,tmp,opt,var/lib,usr/bin,usr/sbin,sbin,root}
chmod 1777 "$root/tmp"

cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
# Scripts start with `#!/usr/bin/env sh` (bin/raftmesh does).
ln -s ../../bin/busybox "$root/usr/bin/env"

# Everything the server and agent use (java.se covers logging, management, naming, sql, xml),
# plus the JDK modules they reach for: Unsafe (Netty), EC/PKCS11 crypto, the HTTP server
# (Prometheus, agent admin), management beans, zip file systems, DNS naming.
"$jlink" --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.httpserver,jdk.management,jdk.zipfs,jdk.naming.dns \
  --strip-debug --no-man-pages --no-header-files --compress=0 --output "$root/opt/java"

# Shared libraries: those of the JRE and of RocksDB's JNI library (libstdc++ and friends).
libs=$work/libs.txt
: >"$libs"
find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}' >>"$libs" || true
ops=$(cd "$(dirname "$0")/.." && pwd)
rocks=$(ls "$ops"/target/raftmesh-*/raftmesh-*/lib/server/rocksdbjni-*.jar 2>/dev/null | head -n 1 || true)
if [ -n "$rocks" ]; then
  (cd "$work" && "$(dirname "$jlink")/jar" xf "$rocks" librocksdbjni-linux64.so)
  ldd "$work/librocksdbjni-linux64.so" | awk '/=> \//{print $3} /^\t\/lib/{print $1}' >>"$libs"
else
  # Without a built distribution: what librocksdbjni-linux64.so links against.
  for l in libstdc++.so.6 libgcc_s.so.1 libm.so.6 libc.so.6 libpthread.so.0 libdl.so.2 librt.so.1; do
    f=$(ldconfig -p | awk -v l="$l" '$1==l && /x86-64/{print $NF; exit}')
    [ -n "$f" ] && echo "$f" >>"$libs"
  done
fi
for l in libnss_files.so.2 libnss_dns.so.2 libresolv.so.2; do
  f=$(ldconfig -p | awk -v l="$l" '$1==l && /x86-64/{print $NF; exit}')
  [ -n "$f" ] && echo "$f" >>"$libs"
done
sort -u "$libs" | while read -r lib; do
  [ -e "$lib" ] || continue
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
  # Keep the name the loader asks for when the path went through a symlinked directory.
  real=$(readlink -f "$lib")
  if [ "$real" != "$lib" ]; then mkdir -p "$root$(dirname "$real")"; cp -L "$lib" "$root$real"; fi
done
[ -d "$root/lib64" ] || { [ -e /lib64/ld-linux-x86-64.so.2 ] && mkdir -p "$root/lib64" && cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"; }

cat >"$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat >"$root/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
G
echo 'hosts: files dns' >"$root/etc/nsswitch.conf"

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/opt/java/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV JAVA_HOME=/opt/java' \
  --change 'CMD ["/bin/sh"]' \
  - "$tag.candidate" >/dev/null
# Smoke test before tagging: the JRE starts in the image (the network is not needed).
if ! out=$(docker run --rm --network none "$tag.candidate" java -version 2>&1); then
  echo "base-image: java does not start in the image: $out" >&2
  docker rmi "$tag.candidate" >/dev/null 2>&1 || true
  exit 1
fi
docker tag "$tag.candidate" "$tag"
docker rmi "$tag.candidate" >/dev/null
echo "base-image: built $tag ($(du -sh "$root" | cut -f1) root filesystem)" >&2
