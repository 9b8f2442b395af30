#!/usr/bin/env bash
# Real-time ALSA capture, end to end, in the emulated box: a 1 kHz sine WAV is played into snd-aloop's playback side
# (hw:Loopback,0,0), edgertmp captures the other side (--audio alsa:plughw:CARD=Loopback,DEV=1) with the test card,
# and a host ffmpeg plays the stream through the forwarded RTMP port. Prints the SNR of what ffmpeg decoded
# (scripts/box/sine-snr.py: a sine fitted per 20 ms segment, so phase and single-sample corrections do not count as
# noise), the stream's audio and video packet counts, and the service's ALSA log lines (format, overruns, drift).
#
# Usage: scripts/box/audio-capture.sh [--binary PATH] [--seconds N] [--video SRC]
#   (defaults: ./publish-arm64.sh's output, 10 s, testcard; --video none leaves the emulated CPU to the audio)
# Exit status 0 when SNR >= 20 dB with no dropout or click, 1 otherwise.
set -euo pipefail
box=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$box/../.." && pwd)
binary="$root/src/EdgeRtmp/bin/Release/net10.0/linux-arm64/publish/edgertmp" seconds=10 video=testcard
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --video) video=$2; shift 2 ;;
    *) echo "audio-capture.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d /tmp/edgertmp-audio-box.XXXXXX)
share="$work/share"
mkdir -p "$share"
# Longer than the recording: the box plays it once while edgertmp starts and the host listens.
ffmpeg -v error -f lavfi -i "sine=frequency=1000:sample_rate=48000:duration=$((seconds + 300))" -ac 1 -c:a pcm_s16le "$share/sine.wav"

"$box/run.sh" --binary "$binary" --share "$share" --run-dir "$work/run" >"$work/box.env"
source "$work/box.env"
export BOX_RUN_DIR
trap '"$box/stop.sh" --run-dir "$BOX_RUN_DIR" >/dev/null 2>&1 || true' EXIT

# The service runs as on a real box (box-install.service installs it at boot: wait for it, bounded); a drop-in
# points its audio at the loopback capture side.
"$box/ctl.sh" --timeout 900 'for i in $(seq 1 850); do systemctl is-enabled edgertmp >/dev/null 2>&1 && break; sleep 1; done; systemctl is-enabled edgertmp'
"$box/ctl.sh" --timeout 300 'mkdir -p /run/systemd/system/edgertmp.service.d && printf "[Service]\nEnvironment=EDGERTMP__Audio__Source=alsa:plughw:CARD=Loopback,DEV=1\nEnvironment=EDGERTMP__Video__Source='"$video"'\n" > /run/systemd/system/edgertmp.service.d/audio.conf && systemctl daemon-reload && systemctl restart --no-block edgertmp'
play_pid=$("$box/ctl.sh" --timeout 300 box-play /mnt/host/sine.wav | tail -n 1)

# Wait (bounded) for the stream to carry audio, then record it on the host.
deadline=$(( $(date +%s) + 600 ))
until ffprobe -v error -select_streams a -show_entries stream=codec_name -of csv=p=0 -rw_timeout 10000000 \
    "rtmp://127.0.0.1:$BOX_RTMP_PORT/live/cam" 2>/dev/null | grep -q aac; do
  [ "$(date +%s)" -lt "$deadline" ] || { "$box/ctl.sh" --timeout 300 journalctl -u edgertmp --no-pager | tail -n 30; echo "no audio in the stream" >&2; exit 1; }
done
timeout $((seconds * 10 + 60)) ffmpeg -v error -rw_timeout 10000000 -i "rtmp://127.0.0.1:$BOX_RTMP_PORT/live/cam" -t "$seconds" \
  -map 0:a -f s16le -ac 1 -ar 48000 "$work/captured.raw" 2>"$work/ffmpeg.err" || true
ffprobe -v error -read_intervals "%+5" -show_entries packet=codec_type -of csv=p=0 "rtmp://127.0.0.1:$BOX_RTMP_PORT/live/cam" \
  2>/dev/null | sort | uniq -c | sed 's/^/packets in 5 s: /'

echo "ffmpeg stderr: $(wc -l <"$work/ffmpeg.err") line(s)"; head -n 5 "$work/ffmpeg.err"
result=$(python3 "$box/sine-snr.py" "$work/captured.raw" 1000 --skip 0.5)
echo "$result"
"$box/ctl.sh" --timeout 300 "journalctl -u edgertmp --no-pager -o cat | grep -iE 'alsa|audio' | tail -n 20" || true
"$box/ctl.sh" --timeout 300 "kill $play_pid 2>/dev/null; true" >/dev/null || true

snr=$(echo "$result" | sed -n 's/.* snr=\([-0-9.]*\).*/\1/p')
dropouts=$(echo "$result" | sed -n 's/.* dropouts=\([0-9]*\).*/\1/p')
clicks=$(echo "$result" | sed -n 's/.* clicks=\([0-9]*\).*/\1/p')
python3 -c "import sys; sys.exit(0 if float('$snr') >= 20 and int('$dropouts') == 0 and int('$clicks') == 0 else 1)"
