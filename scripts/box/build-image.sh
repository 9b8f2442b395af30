#!/usr/bin/env bash
# Builds (once, cached) what the box boots: the kernel Image, an initramfs that mounts the root disk, and an
# ext4 root file system: Debian $BOX_SUITE arm64 (mmdebstrap, minbase + $BOX_ROOT_PACKAGES) with systemd as
# PID 1, the kernel's modules, the out-of-tree modules of scripts/box/modules/, and the box units of
# scripts/box/guest/. Our binary is not in the image: run.sh stages it in the host folder and the box installs
# it at boot with deploy/install.sh. Prints three lines: KERNEL=..., INITRD=..., IMAGE=...
set -euo pipefail
source "$(dirname "$0")/lib.sh"

box_need_host mmdebstrap arch-test qemu-user-static binfmt-support e2fsprogs cpio kmod
box_need_arm64_lists
# mmdebstrap runs the arm64 maintainer scripts through qemu-user: binfmt_misc must be mounted and enabled.
[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64

kernel_dir=$(box_kernel_dir)
kernel_image=$(ls "$kernel_dir"/boot/vmlinuz-"$BOX_KERNEL_RELEASE")
module_dirs=()
while read -r dir; do module_dirs+=("$dir"); done < <("$box_dir/build-modules.sh")

# 1. The Debian root (slow: minutes; keyed on the suite and package list only).
base="$BOX_CACHE/rootfs-$BOX_SUITE-$(box_hash "$BOX_SUITE" "$BOX_ROOT_PACKAGES").tar"
if [ ! -s "$base" ]; then
  box_log "mmdebstrap $BOX_SUITE arm64 (a few minutes under qemu-user)"
  sources=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$sources" ] || sources=$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null || true)
  # The host's own apt sources, so the box comes from the same archive as everything else.
  printf '%s\n' "$sources" | mmdebstrap --quiet --mode=root --format=tar --arch=arm64 --variant=minbase \
    --include="$BOX_ROOT_PACKAGES" "$BOX_SUITE" "$base.part" - ||
    box_die "mmdebstrap failed"
  mv "$base.part" "$base"
fi

# 2. The boot files, keyed on everything that goes into them.
key=$(box_hash "$base" "$BOX_KERNEL_VERSION" "$box_dir/guest" "${module_dirs[@]}" "$box_dir/modules")
out="$BOX_CACHE/boot-$key"
if [ ! -e "$out/.built" ]; then
  box_log "assembling root file system and initramfs ($out)"
  rm -rf "$out"
  mkdir -p "$out/root" "$out/initrd"
  root="$out/root"
  tar -xf "$base" -C "$root" --numeric-owner
  modules="$root/usr/lib/modules/$BOX_KERNEL_RELEASE"
  mkdir -p "$modules/extra" "$root/usr/local/lib/box/modules"
  cp -a "$kernel_dir/lib/modules/$BOX_KERNEL_RELEASE/." "$modules/"
  for dir in "${module_dirs[@]}"; do
    cp "$dir"/*.ko "$modules/extra/"
    name=$(basename "$dir"); name=${name%-*}
    if [ -f "$box_dir/modules/$name/guest.sh" ]; then
      install -m 0755 "$box_dir/modules/$name/guest.sh" "$root/usr/local/lib/box/modules/$name.sh"
    fi
  done
  depmod -b "$root/usr" "$BOX_KERNEL_RELEASE" 2>/dev/null || depmod -b "$root" "$BOX_KERNEL_RELEASE"

  install -m 0755 "$box_dir/guest/box-hardware.sh" "$box_dir/guest/box-agent.sh" "$root/usr/local/lib/box/"
  install -m 0755 "$box_dir/guest/box-button" "$box_dir/guest/box-led" "$box_dir/guest/box-play" "$root/usr/local/bin/"
  install -m 0644 "$box_dir"/guest/*.service "$root/etc/systemd/system/"
  mkdir -p "$root/etc/systemd/system/sysinit.target.wants" "$root/etc/systemd/system/multi-user.target.wants" \
    "$root/etc/systemd/system/dev-virtio\\x2dports-box.ctl.device.wants"
  ln -sf ../box-hardware.service "$root/etc/systemd/system/sysinit.target.wants/"
  ln -sf ../box-install.service "$root/etc/systemd/system/multi-user.target.wants/"
  ln -sf ../box-agent.service "$root/etc/systemd/system/dev-virtio\\x2dports-box.ctl.device.wants/"
  # Nothing logs in on the console; the journal goes there instead (run.sh keeps it as console.log).
  # Nothing logs in, and nothing runs on a timer: fewer units make the emulated boot shorter.
  for unit in serial-getty@.service getty@.service getty-static.service systemd-user-sessions.service \
    apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer \
    systemd-tmpfiles-clean.timer; do
    ln -sf /dev/null "$root/etc/systemd/system/$unit"
  done
  mkdir -p "$root/etc/systemd/journald.conf.d"
  printf '[Journal]\nForwardToConsole=yes\nTTYPath=/dev/ttyAMA0\nMaxLevelConsole=info\nStorage=volatile\n' \
    >"$root/etc/systemd/journald.conf.d/box-console.conf"
  echo box >"$root/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 box\n' >"$root/etc/hosts"
  printf '/dev/vda / ext4 defaults,noatime 0 1\n' >"$root/etc/fstab"
  : >"$root/etc/machine-id"
  # Root without password on the (unused) console; the box is never on a real network.
  sed -i 's/^root:[^:]*:/root::/' "$root/etc/shadow"

  size_mb=$(( $(du -sm "$root" | cut -f1) + 256 ))
  mke2fs -q -t ext4 -L boxroot -d "$root" "$out/root.ext4.part" "${size_mb}M" >&2
  mv "$out/root.ext4.part" "$out/root.ext4"

  # The initramfs: busybox and the modules that mount the root disk, with their dependencies.
  initrd="$out/initrd"
  mkdir -p "$initrd"/{bin,sbin,dev,proc,sys,newroot}
  busybox_dir="$BOX_CACHE/busybox-$BOX_BUSYBOX_VERSION"
  box_extract "$(box_deb busybox-static:arm64 "$BOX_BUSYBOX_VERSION")" "$busybox_dir"
  cp "$busybox_dir/bin/busybox" "$initrd/bin/busybox"
  install -m 0755 "$box_dir/guest/initrd-init" "$initrd/init"
  for module in virtio_mmio virtio_blk crc32c_generic ext4; do
    modprobe -d "$kernel_dir" -S "$BOX_KERNEL_RELEASE" --show-depends "$module" | awk '$1 == "insmod" { print $2 }'
  done | sort -u | while read -r file; do
    relative=${file#"$kernel_dir"}
    mkdir -p "$initrd$(dirname "$relative")"
    cp "$file" "$initrd$relative"
  done
  cp "$kernel_dir/lib/modules/$BOX_KERNEL_RELEASE"/modules.{dep,alias,symbols,builtin,order} \
    "$initrd/lib/modules/$BOX_KERNEL_RELEASE/" 2>/dev/null || true
  (cd "$initrd" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.cpio.gz"
  rm -rf "$root" "$initrd"
  touch "$out/.built"
fi
echo "KERNEL=$kernel_image"
echo "INITRD=$out/initrd.cpio.gz"
echo "IMAGE=$out/root.ext4"
