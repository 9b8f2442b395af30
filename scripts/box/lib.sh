# Sourced by the scripts under scripts/box/: pinned versions, the download cache, small helpers.
# Everything the box needs comes from Debian's archive through apt (the host's own sources), pinned below and
# cached under $BOX_CACHE, so a second run downloads nothing.

# Pins. The kernel ABI and the package version move together: `apt-cache depends linux-image-arm64:arm64`
# names the ABI, `apt-cache policy linux-image-$BOX_KERNEL_ABI-arm64:arm64` its version. Changing them means
# rebuilding the out-of-tree modules (scripts/box/modules/*), which build against exactly this kernel.
BOX_SUITE=bookworm
BOX_KERNEL_ABI=6.1.0-57
BOX_KERNEL_VERSION=6.1.192-3
BOX_KERNEL_RELEASE=$BOX_KERNEL_ABI-arm64
BOX_BUSYBOX_VERSION=1:1.35.0-4+deb12u1+b1
# The Debian root file system (mmdebstrap, minbase + these). systemd is PID 1; the rest serves the tests.
BOX_ROOT_PACKAGES=systemd,systemd-sysv,udev,kmod,iproute2,procps,alsa-utils,gpiod,v4l-utils,libssl3,passwd

box_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
box_repo=$(cd "$box_dir/../.." && pwd)
BOX_CACHE=${EDGERTMP_BOX_CACHE:-$HOME/.cache/edgertmp-box}
mkdir -p "$BOX_CACHE/debs"

box_log() { echo "box: $*" >&2; }
box_die() { echo "box: $*" >&2; exit 1; }

# Installs host packages that are missing (Debian names), the way scripts/test.sh does.
box_need_host() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  box_log "installing host packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
  fi
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# The arm64 architecture in apt, so `apt-get download PACKAGE:arm64` finds something.
box_need_arm64_lists() {
  if ! dpkg --print-foreign-architectures | grep -qx arm64 || ! apt-cache show "busybox-static:arm64" >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo dpkg --add-architecture arm64
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  fi
}

# box_deb PACKAGE[:ARCH] VERSION: prints the path of the cached .deb, downloading it once.
box_deb() {
  local package=$1 version=$2 name file
  name=${package%%:*}
  file=$(find "$BOX_CACHE/debs" -maxdepth 1 -name "${name}_$(echo "$version" | sed 's/:/%3a/')_*.deb" | head -1)
  if [ -z "$file" ]; then
    box_need_arm64_lists
    ( cd "$BOX_CACHE/debs" && apt-get download -q "$package=$version" >/dev/null 2>&1 ) ||
      box_die "apt-get download $package=$version failed: the pinned version may have left the archive; update the pins in scripts/box/lib.sh"
    file=$(find "$BOX_CACHE/debs" -maxdepth 1 -name "${name}_$(echo "$version" | sed 's/:/%3a/')_*.deb" | head -1)
  fi
  [ -n "$file" ] || box_die "no .deb for $package=$version in $BOX_CACHE/debs"
  echo "$file"
}

# box_extract DEB DIR: unpacks a .deb's files into DIR once (a stamp marks a finished unpack).
box_extract() {
  local deb=$1 dir=$2
  [ -e "$dir/.unpacked" ] && return 0
  mkdir -p "$dir"
  dpkg-deb -x "$deb" "$dir"
  touch "$dir/.unpacked"
}

# The kernel: $BOX_CACHE/kernel-$BOX_KERNEL_VERSION/{boot/vmlinuz-*,lib/modules/$BOX_KERNEL_RELEASE} with
# modules.dep (Debian ships none).
box_kernel_dir() {
  local dir="$BOX_CACHE/kernel-$BOX_KERNEL_VERSION"
  if [ ! -e "$dir/.depmod" ]; then
    box_extract "$(box_deb "linux-image-$BOX_KERNEL_RELEASE:arm64" "$BOX_KERNEL_VERSION")" "$dir"
    depmod -b "$dir" "$BOX_KERNEL_RELEASE"
    touch "$dir/.depmod"
  fi
  echo "$dir"
}

# The headers tree that out-of-tree modules build against (arm64 headers + common + the host's kbuild tools),
# with the arm64 Makefile's include pointed at the extracted common tree. Prints the KDIR for `make -C`.
box_headers_dir() {
  local dir="$BOX_CACHE/headers-$BOX_KERNEL_VERSION"
  if [ ! -e "$dir/.ready" ]; then
    box_extract "$(box_deb "linux-headers-$BOX_KERNEL_RELEASE:arm64" "$BOX_KERNEL_VERSION")" "$dir"
    box_extract "$(box_deb "linux-headers-$BOX_KERNEL_ABI-common" "$BOX_KERNEL_VERSION")" "$dir/.common"
    rm -f "$dir/.unpacked" "$dir/.common/.unpacked"
    cp -a "$dir/.common/." "$dir/"
    rm -rf "$dir/.common"
    box_extract "$(box_deb "linux-kbuild-6.1" "$BOX_KERNEL_VERSION")" "$dir/.kbuild"
    cp -a "$dir/.kbuild/." "$dir/"
    rm -rf "$dir/.kbuild"
    # The per-flavour Makefile includes the common tree by absolute path; its scripts/ and tools/ links are
    # relative and resolve inside $dir.
    sed -i "s#include /usr/src/#include $dir/usr/src/#" "$dir/usr/src/linux-headers-$BOX_KERNEL_RELEASE/Makefile"
    touch "$dir/.ready"
  fi
  echo "$dir/usr/src/linux-headers-$BOX_KERNEL_RELEASE"
}

# box_kernel_source PATH...: extracts paths (e.g. drivers/media/test-drivers/vicodec) of the pinned kernel's
# source into $BOX_CACHE/linux-source-$BOX_KERNEL_VERSION and prints that directory. The source package is
# 139 MB and leaves the archive when the kernel is superseded: module recipes should keep the few files they
# need in the repository (as modules/gpio-sim does) and use this only to refresh them.
box_kernel_source() {
  local dir="$BOX_CACHE/linux-source-$BOX_KERNEL_VERSION" deb
  mkdir -p "$dir"
  deb=$(box_deb "linux-source-6.1" "$BOX_KERNEL_VERSION")
  if [ ! -e "$dir/linux-source-6.1.tar.xz" ]; then
    dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz >"$dir/linux-source-6.1.tar.xz"
  fi
  local paths=() path
  for path in "$@"; do paths+=("linux-source-6.1/$path"); done
  tar -xJf "$dir/linux-source-6.1.tar.xz" -C "$dir" "${paths[@]}"
  echo "$dir/linux-source-6.1"
}

# A short hash of the contents of files and folders (named relative to themselves, so the hash is the same in
# any clone) and of extra strings, for cache keys.
box_hash() {
  local item
  { for item in "$@"; do
      if [ -d "$item" ]; then (cd "$item" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
      elif [ -f "$item" ]; then sha256sum <"$item"
      else echo "$item"; fi
    done; } | sha256sum | cut -c1-16
}
