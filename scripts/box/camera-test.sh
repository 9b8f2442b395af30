#!/usr/bin/env bash
# The camera against real kernel drivers in the emulated box (issue 12's Show list). Boots the box with the arm64
# edgertmp as its service (video auto: vivid's YUYV webcam through the software H.264 encoder), then checks, each
# printed as "ok ..." or "FAIL ...":
#   1. `edgertmp devices` in the box lists vivid with its formats, vicodec, the gpio-sim chip and the snd-aloop card;
#   2. the host's ffprobe reads H.264 at 640x360 and 30 fps from the box's RTMP port;
#   3. the host's ffmpeg decodes 10 s with an empty stderr;
#   4. unplug (vivid's platform device unbound: the node disappears, streaming ioctls give ENODEV) and replug
#      (bound again): a player connected throughout receives frames again within 3 s of the camera's return;
#   5. with the service stopped, the service's own capture loop (`edgertmp v4l2-check`) on vivid: bytes allocated on
#      the device thread after warm-up (must be 0) and its CPU time per frame;
#   6. the same loop through vicodec's stateful encoder (the M2M interface: queues, ENCODER_CMD STOP drain).
# Usage: scripts/box/camera-test.sh [--binary PATH]   (default: ./publish-arm64.sh's output). Exit 0 when all pass.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
binary=$repo/src/EdgeRtmp/bin/Release/net10.0/linux-arm64/publish/edgertmp
[ "${1:-}" = --binary ] && binary=$2
command -v ffprobe >/dev/null && command -v ffmpeg >/dev/null || { echo "camera-test: ffmpeg and ffprobe are needed on the host" >&2; exit 2; }

failures=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
box() { "$here/ctl.sh" --timeout "${BOX_TIMEOUT:-120}" "$@"; }

env_file=$(mktemp)
"$here/run.sh" --binary "$binary" >"$env_file"
# shellcheck disable=SC1090
source "$env_file"
export BOX_RUN_DIR
trap '"$here/stop.sh" --run-dir "$BOX_RUN_DIR" >/dev/null 2>&1 || true' EXIT
url="rtmp://127.0.0.1:$BOX_RTMP_PORT/live/cam"

# The service is up once it listens and its source runs (Type=notify): wait for that, with a deadline.
deadline=$(( $(date +%s) + 300 ))
until box systemctl is-active --quiet edgertmp; do
  [ "$(date +%s)" -lt "$deadline" ] || { fail "edgertmp.service not active: $(box systemctl status edgertmp --no-pager | tail -n 20)"; exit 1; }
  sleep 2
done
echo "service: $(box journalctl -u edgertmp --no-pager -o cat | grep -m1 'Video source' || true)"

# 1. devices
devices=$(box /usr/local/bin/edgertmp devices)
for expected in "/dev/video0  'vivid'" "YUYV" "640x360@" "stateful-encoder\|vicodec" "boxgpio" "Loopback"; do
  if grep -q "$expected" <<<"$devices"; then ok "devices lists $expected"; else fail "devices does not list $expected"; fi
done

# 2. ffprobe: codec, size and rate
probe=$(timeout 120 ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height,r_frame_rate -of csv=p=0 "$url" || true)
if [ "$probe" = "h264,640,360,30/1" ]; then ok "ffprobe: $probe"; else fail "ffprobe: '$probe', expected h264,640,360,30/1"; fi

# 3. ffmpeg decodes 10 s with an empty stderr
# (-enc_time_base -1: no rounding onto a 1/30 s grid, where two frames 33 ms apart can share a slot; see ServiceTests)
errors=$(timeout 120 ffmpeg -nostdin -v error -t 10 -i "$url" -enc_time_base -1 -f null - 2>&1 || echo "ffmpeg exited $?")
if [ -z "$errors" ]; then ok "ffmpeg decoded 10 s, stderr empty"; else fail "ffmpeg stderr: $errors"; fi

# 4. unplug and replug with a player connected
progress=$(mktemp)
timeout 90 ffmpeg -nostdin -v error -i "$url" -f null - -progress "$progress" >/dev/null 2>&1 &
player=$!
frames() { { grep '^frame=' "$progress" 2>/dev/null || true; } | tail -n1 | cut -d= -f2; }
deadline=$(( $(date +%s) + 60 ))
until [ "${frames_before:-0}" -gt 30 ]; do
  frames_before=$(frames); frames_before=${frames_before:-0}
  [ "$(date +%s)" -lt "$deadline" ] || break
  sleep 1
done
box 'echo vivid.0 > /sys/bus/platform/drivers/vivid/unbind'
box 'for i in $(seq 100); do test -e /dev/video0 || exit 0; sleep 0.05; done; exit 1' && ok "unplugged: /dev/video0 gone" || fail "unplug: /dev/video0 still there"
stalled=$(frames)
box 'echo vivid.0 > /sys/bus/platform/drivers/vivid/bind'
returned=$(date +%s.%N)
resumed=""
while [ "$(echo "$(date +%s.%N) - $returned < 10" | bc)" = 1 ]; do
  now=$(frames)
  if [ "${now:-0}" -gt "$(( ${stalled:-0} + 5 ))" ]; then resumed=$(echo "$(date +%s.%N) - $returned" | bc); break; fi
  sleep 0.2
done
kill "$player" 2>/dev/null || true
wait "$player" 2>/dev/null || true
if [ -n "$resumed" ] && [ "$(echo "$resumed < 3" | bc)" = 1 ]; then
  ok "replugged: the connected player had frames again ${resumed} s after the camera returned"
else
  fail "replug: the player had no new frames within 3 s (resumed after: ${resumed:-never}); journal: $(box journalctl -u edgertmp --no-pager -o cat | grep -i camera | tail -n 5)"
fi

# 5 and 6. the capture loop itself, the service stopped so the camera is free
box systemctl stop edgertmp
check=$(box /usr/local/bin/edgertmp v4l2-check --device /dev/video0 --frames 300 || true)
echo "$check" | sed 's/^/  capture: /'
grep -qx "allocated_after_warmup=0" <<<"$check" && ok "capture: 0 bytes allocated after warm-up" || fail "capture allocated: $(grep allocated <<<"$check")"
encoder=$(box cat /run/box/vicodec | sed -n 's/^encoder=//p')
m2m=$(box /usr/local/bin/edgertmp v4l2-check --device /dev/video0 --encoder "$encoder" --coded FWHT --frames 90 || true)
echo "$m2m" | sed 's/^/  vicodec: /'
if grep -q '^drained=yes' <<<"$m2m" && [ "$(sed -n 's/^coded=//p' <<<"$m2m")" -gt 0 ] && grep -q '^formats=FWHT' <<<"$m2m"; then
  ok "vicodec: frames coded through the M2M queues and drained with ENCODER_CMD STOP"
else
  fail "vicodec: $m2m"
fi

# 7. an H.264 camera: v4l2loopback fed with the test card's access units (320x180, unlike the configured 640x360);
# auto takes it first and passes it through, so the host sees the writer's size: nothing was re-encoded.
box 'setsid /usr/local/bin/edgertmp v4l2-feed --device /dev/video20 --seconds 100 >/run/box/feed.log 2>&1 &'
loop=$(box /usr/local/bin/edgertmp v4l2-check --device /dev/video20 --format H264 --width 320 --height 180 --frames 30 || true)
echo "$loop" | sed 's/^/  loopback: /'
grep -q '^formats=H264' <<<"$loop" && ok "v4l2loopback: H.264 frames captured from the loopback node" || fail "v4l2loopback capture: $loop"
box systemctl start edgertmp
probe=$(timeout 120 ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of csv=p=0 "$url" || true)
if [ "$probe" = "h264,320,180" ]; then ok "pass-through: ffprobe sees the writer's h264 320x180 (configured 640x360: not re-encoded)"; else fail "pass-through: ffprobe '$probe'; $(box journalctl -u edgertmp --no-pager -o cat | grep -m2 -i 'source\|camera')"; fi

echo "camera-test: $failures failure(s)"
[ "$failures" -eq 0 ]
