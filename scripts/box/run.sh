#!/usr/bin/env bash
# Boots the emulated box (qemu-system-aarch64, TCG) in the background and returns once its control channel
# answers. The box is a Debian arm64 system with systemd as PID 1; our arm64 binary and deploy/ are staged in
# the shared host folder and installed at boot with deploy/install.sh, which starts edgertmp.service.
#
# Usage: scripts/box/run.sh [--binary PATH | --no-service] [--share DIR] [--run-dir DIR] [--boot-timeout S]
#   --binary PATH    the linux-arm64 edgertmp (default: ./publish-arm64.sh's output)
#   --no-service     boot without staging edgertmp (the hardware and the control channel only)
#   --share DIR      host folder seen in the box at /mnt/host (default: RUN_DIR/share)
#   --run-dir DIR    where the box keeps its socket, logs and pid (default: a new /tmp/edgertmp-box.XXXXXX)
# Environment: BOX_RTMP_PORT (host port forwarded to the box's 1935; default: a free one), BOX_MEMORY_MB (1024),
# BOX_CPUS (2). Prints the box's variables (also written to RUN_DIR/box.env, for `source`):
#   BOX_RUN_DIR BOX_RTMP_PORT BOX_CTL (control socket) BOX_CONSOLE (console log: kernel + journal) BOX_SHARE BOX_QEMU_PID
# Then: scripts/box/ctl.sh COMMAND... runs a command in the box; scripts/box/stop.sh powers it off.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

binary="$box_repo/src/EdgeRtmp/bin/Release/net10.0/linux-arm64/publish/edgertmp"
stage=yes share="" run_dir="" boot_timeout=300
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --no-service) stage=no; shift ;;
    --share) share=$2; shift 2 ;;
    --run-dir) run_dir=$2; shift 2 ;;
    --boot-timeout) boot_timeout=$2; shift 2 ;;
    *) echo "run.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
if [ "$stage" = yes ] && [ ! -x "$binary" ]; then
  box_die "no arm64 binary at $binary: build it with ./publish-arm64.sh, pass --binary, or use --no-service"
fi

box_need_host qemu-system-arm socat
eval "$("$box_dir/build-image.sh")"

[ -n "$run_dir" ] || run_dir=$(mktemp -d /tmp/edgertmp-box.XXXXXX)
mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)
[ -n "$share" ] || share="$run_dir/share"
mkdir -p "$share"
share=$(cd "$share" && pwd)
rm -rf "$share/edgertmp"
if [ "$stage" = yes ]; then
  mkdir -p "$share/edgertmp/deploy"
  cp "$binary" "$share/edgertmp/edgertmp"
  cp "$box_repo"/deploy/* "$share/edgertmp/deploy/"
fi

port=${BOX_RTMP_PORT:-}
if [ -z "$port" ]; then
  # A free loopback port: ask the kernel for one by binding port 0.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    shuf -i 20000-40000 -n 1)
fi

ctl="$run_dir/ctl.sock" console="$run_dir/console.log"
rm -f "$ctl" "$console" "$run_dir/qemu.pid"
# The disk is opened with snapshot=on: every boot starts from the pristine image, writes go to a temporary file.
qemu-system-aarch64 -M virt -cpu cortex-a72 -smp "${BOX_CPUS:-2}" -m "${BOX_MEMORY_MB:-1024}" \
  -kernel "$KERNEL" -initrd "$INITRD" \
  -append "console=ttyAMA0 rdinit=/init panic=-1 quiet loglevel=4 systemd.show_status=0" \
  -drive "file=$IMAGE,format=raw,if=none,id=root,snapshot=on" -device virtio-blk-device,drive=root \
  -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:1935" -device virtio-net-device,netdev=net0 \
  -virtfs "local,path=$share,mount_tag=host,security_model=none,id=host" \
  -device virtio-serial-device \
  -chardev "socket,id=ctl,path=$ctl,server=on,wait=off" -device virtserialport,chardev=ctl,name=box.ctl \
  -display none -monitor none -serial "file:$console" -no-reboot \
  -daemonize -pidfile "$run_dir/qemu.pid" 2>"$run_dir/qemu.log" ||
  { cat "$run_dir/qemu.log" >&2; box_die "qemu-system-aarch64 failed to start"; }
qemu_pid=$(cat "$run_dir/qemu.pid")

cat >"$run_dir/box.env" <<ENV
BOX_RUN_DIR=$run_dir
BOX_RTMP_PORT=$port
BOX_CTL=$ctl
BOX_CONSOLE=$console
BOX_SHARE=$share
BOX_QEMU_PID=$qemu_pid
ENV

# Booted when the agent answers (it starts once systemd has the virtio port). Bounded by --boot-timeout.
started=$(date +%s)
if ! "$box_dir/ctl.sh" --run-dir "$run_dir" --timeout "$boot_timeout" true; then
  tail -n 40 "$console" >&2 || true
  "$box_dir/stop.sh" --run-dir "$run_dir" >/dev/null 2>&1 || true
  box_die "the box did not answer within ${boot_timeout}s (console: $console)"
fi
# The agent may answer before the hardware is set up and the service installed: tests expect both. Starting
# the oneshot units waits for them (a unit already done, or skipped by its condition, returns at once).
if ! "$box_dir/ctl.sh" --run-dir "$run_dir" --timeout "$boot_timeout" systemctl start box-hardware.service box-install.service; then
  tail -n 40 "$console" >&2 || true
  "$box_dir/stop.sh" --run-dir "$run_dir" >/dev/null 2>&1 || true
  box_die "the box's hardware set-up or install failed (console: $console)"
fi
box_log "booted in $(( $(date +%s) - started ))s; run dir $run_dir"
cat "$run_dir/box.env"
