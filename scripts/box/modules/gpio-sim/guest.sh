# Runs in the box at boot as root (box-hardware.service, before edgertmp.service); see scripts/box/README.md.
# One simulated chip, label "boxgpio", 8 lines named as a panel would be wired:
#   line 0 "status-led", 1 "live-button", 2 "error-led", 3 "viewer-led", 4 "record-button", 5-7 unnamed.
# The chip's name (gpiochipN) and its sysfs simulation folder are written to /run/box/gpio-sim for tests.
modprobe gpio-sim
root=/sys/kernel/config/gpio-sim/box
mkdir -p "$root/bank0"
echo 8 >"$root/bank0/num_lines"
echo boxgpio >"$root/bank0/label"
line=0
for name in status-led live-button error-led viewer-led record-button; do
  mkdir -p "$root/bank0/line$line"
  echo "$name" >"$root/bank0/line$line/name"
  line=$((line + 1))
done
echo 1 >"$root/live"
chip=$(cat "$root/bank0/chip_name")
device=$(cat "$root/dev_name")
mkdir -p /run/box
printf 'chip=%s\nsim=/sys/devices/platform/%s/%s\n' "$chip" "$device" "$chip" >/run/box/gpio-sim
