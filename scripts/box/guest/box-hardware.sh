#!/bin/bash
# The box's "board bring-up", run once at boot as root (box-hardware.service) before the service is installed:
# the virtual camera, the loopback sound card, the network, the host folder, then each module recipe's guest.sh
# (scripts/box/modules/<name>/guest.sh, installed as /usr/local/lib/box/modules/<name>.sh).
set -u
log() { echo "box-hardware: $*"; }

# vivid as one webcam-like single-planar capture node (/dev/video0): raw formats only, as EMULATED-BOX.md found.
modprobe vivid n_devs=1 node_types=0x1 num_inputs=1 input_types=0x0 multiplanar=1 allocators=0 || log "vivid failed"
# snd-aloop as card 0 "Loopback": what is played into hw:Loopback,0 is captured from hw:Loopback,1 and back.
modprobe snd-aloop enable=1 index=0 pcm_substreams=2 || log "snd-aloop failed"

# qemu's user-mode network: fixed address, the host's loopback is reachable as 10.0.2.2.
modprobe virtio_net
# Only its existence matters (udev may still be busy with it on a loaded host).
udevadm wait --initialized=no --timeout=120 /sys/class/net/eth0 || log "no eth0"
ip link set lo up
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2 || log "network failed"

# The host folder run.sh shares (tag "host"), at /mnt/host.
modprobe 9pnet_virtio
modprobe 9p
mkdir -p /mnt/host
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 host /mnt/host || log "9p mount failed"

for recipe in /usr/local/lib/box/modules/*.sh; do
  [ -e "$recipe" ] || continue
  log "running $(basename "$recipe")"
  bash "$recipe" || log "$(basename "$recipe") failed"
done
log "ready"
