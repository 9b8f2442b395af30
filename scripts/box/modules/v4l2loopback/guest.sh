# Runs in the box at boot as root (box-hardware.service); see scripts/box/README.md.
# One loopback node at /dev/video20, "loopcam": whatever a writer puts in comes out as a camera's frames.
modprobe v4l2loopback video_nr=20 card_label=loopcam max_buffers=4
mkdir -p /run/box
echo "device=/dev/video20" >/run/box/v4l2loopback
