#!/usr/bin/env bash
# Our H.264 encoder against x264 (ffmpeg -c:v libx264 -preset ultrafast -tune zerolatency), same input, same
# bitrate: PSNR (ffmpeg's psnr filter on the decoded pictures), the bitrate reached, and frames per second of CPU
# time on one core (taskset; user+sys of the whole process, so input reading and our JIT start-up count too).
# Input: 10 s of camera-like content (testsrc2 with temporal noise) at 640x360@30 and 1280x720@30.
# Then the test card at 1280x720@30, 1.5 Mbit/s: its PSNR against the rendering.
#   scripts/bench-h264.sh            BENCH_CORE=1 BENCH_SECONDS=10 BENCH_NOISE=8 to change the defaults
set -euo pipefail
cd "$(dirname "$0")/.."
core=${BENCH_CORE:-1}
seconds=${BENCH_SECONDS:-10}
noise=${BENCH_NOISE:-8}
work=$(mktemp -d /tmp/edgertmp-bench-h264.XXXXXX)
trap 'rm -rf "$work"' EXIT
frames=$((seconds * 30))

nice dotnet build tests/EdgeRtmp.H264Encode -c Release -v q -nologo >/dev/null
encoder=tests/EdgeRtmp.H264Encode/bin/Release/net10.0/edgertmp-h264-encode

# cpu_seconds COMMAND...: runs it pinned to one core, prints user+sys seconds.
cpu_seconds() {
    local TIMEFORMAT='%U %S'
    { time taskset -c "$core" "$@" >/dev/null 2>"$work/stderr" ; } 2>"$work/time"
    awk '{ printf "%.3f", $1 + $2 }' "$work/time"
}

psnr() { # psnr DECODED.yuv SOURCE.yuv SIZE
    ffmpeg -hide_banner -nostats -f rawvideo -pix_fmt yuv420p -s "$3" -i "$1" -f rawvideo -pix_fmt yuv420p -s "$3" -i "$2" \
        -lavfi "[0:v][1:v]psnr" -f null - 2>&1 | sed -n 's/.*PSNR.* average:\([0-9.inf]*\).*/\1/p'
}

echo "| size | target kbit/s | encoder | kbit/s reached | PSNR (dB) | fps (one core, CPU time) |"
echo "|---|---|---|---|---|---|"
for size in 640x360 1280x720; do
    width=${size%x*}; height=${size#*x}
    source="$work/source-$size.yuv"
    ffmpeg -v error -nostdin -y -f lavfi -i "testsrc2=size=$size:rate=30,noise=alls=$noise:allf=t" -frames:v "$frames" -pix_fmt yuv420p -f rawvideo "$source"
    for kbps in 1000 2500; do
        for which in x264 ours; do
            stream="$work/$which.h264"
            if [ "$which" = x264 ]; then
                cpu=$(cpu_seconds ffmpeg -v error -nostdin -y -f rawvideo -pix_fmt yuv420p -s "$size" -framerate 30 -i "$source" \
                    -c:v libx264 -preset ultrafast -tune zerolatency -threads 1 -b:v "${kbps}k" -f h264 "$stream")
            else
                cpu=$(cpu_seconds "$encoder" --width "$width" --height "$height" --fps 30 --bitrate "$kbps" "$source" "$stream")
            fi
            ffmpeg -v error -nostdin -y -i "$stream" -f rawvideo -pix_fmt yuv420p "$work/decoded.yuv"
            bytes=$(stat -c %s "$stream")
            reached=$(awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.0f", b * 8 / s / 1000 }')
            fps=$(awk -v f="$frames" -v c="$cpu" 'BEGIN { printf "%.0f", f / c }')
            echo "| $size | $kbps | $which | $reached | $(psnr "$work/decoded.yuv" "$source" "$size") | $fps |"
        done
    done
done

echo
echo "Test card 1280x720@30, 1500 kbit/s, ours (PSNR against the rendered card, CPU fps of encoding alone):"
nice "$encoder" --testcard --width 1280 --height 720 --fps 30 --bitrate 1500 --frames "$frames" "$work/card.h264"
ffmpeg -v error -nostdin -i "$work/card.h264" -f null - && echo "ffmpeg decodes the card stream with an empty stderr"
