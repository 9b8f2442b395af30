# Runs in the box at boot as root (box-hardware.service); see scripts/box/README.md.
# vicodec with multi-planar queues, as bcm2835-codec has. Its nodes come after vivid's /dev/video0; the stateful
# encoder's node is written to /run/box/vicodec for tests (encoder=/dev/videoN).
modprobe vicodec multiplanar=1
mkdir -p /run/box
for node in /sys/class/video4linux/video*; do
  if [ "$(cat "$node/name" 2>/dev/null)" = stateful-encoder ]; then
    printf 'encoder=/dev/%s\n' "$(basename "$node")" >/run/box/vicodec
  fi
done
