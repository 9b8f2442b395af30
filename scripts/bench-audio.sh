#!/usr/bin/env bash
# Our AAC-LC encoder against ffmpeg's native one (`-c:a aac`), same input, same bitrate, same decoder (ffmpeg):
# SNR and segmental SNR after decoding, each aligned for its encoder delay (found by search, 0..4096 samples),
# for music-like material and speech at 128 kbit/s stereo and 64 kbit/s mono; then speed on one core (taskset),
# 60 s of 48 kHz stereo at 128 kbit/s, both as multiples of real time by CPU time (user + sys; the machine is
# shared, so wall time says more about the neighbours than about the encoder).
# Usage: scripts/bench-audio.sh            (needs ffmpeg and espeak-ng: apt-get install ffmpeg espeak-ng)
# Material: `EdgeRtmp.AacTool music` (chords, lead, kick, snare, hi-hat, noise bed; different left and right;
# DRUMS 0.5 is "music-like", 1 "loud drums") and espeak-ng reading a fixed text.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/edgertmp-bench-audio.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
CORE=${BENCH_CORE:-0}
for tool in ffmpeg espeak-ng taskset; do
  command -v "$tool" >/dev/null || { echo "bench-audio: $tool is missing (apt-get install ffmpeg espeak-ng util-linux)" >&2; exit 1; }
done
dotnet build tests/EdgeRtmp.AacTool -c Release -v quiet -nologo >/dev/null
TOOL=(dotnet tests/EdgeRtmp.AacTool/bin/Release/net10.0/EdgeRtmp.AacTool.dll)

# Material: 30 s each, 48 kHz.
"${TOOL[@]}" music "$WORK/music-stereo.wav" 30 48000 0.5
"${TOOL[@]}" music "$WORK/drums-stereo.wav" 30 48000 1
espeak-ng -s 150 -w "$WORK/speech-raw.wav" "The quick brown fox jumps over the lazy dog. Pack my box with five dozen \
liquor jugs. A camera box has a microphone that gives P C M, and every R T M P service expects A A C. Audio and video \
must stay in sync for days, without drift, clicks or dropouts. She sells sea shells by the sea shore. Peter Piper \
picked a peck of pickled peppers. How razorback jumping frogs can level six piqued gymnasts."
ffmpeg -v error -y -i "$WORK/speech-raw.wav" -af aresample=48000 -ac 1 -c:a pcm_s16le "$WORK/speech-mono.wav"
ffmpeg -v error -y -i "$WORK/speech-raw.wav" -af aresample=48000 -ac 2 -c:a pcm_s16le "$WORK/speech-stereo.wav"
ffmpeg -v error -y -i "$WORK/music-stereo.wav" -ac 1 -c:a pcm_s16le "$WORK/music-mono.wav"
ffmpeg -v error -y -i "$WORK/drums-stereo.wav" -ac 1 -c:a pcm_s16le "$WORK/drums-mono.wav"

# decode FILE.aac CHANNELS OUT.raw: fails on any ffmpeg message
decode() {
  local err
  err=$(ffmpeg -nostdin -v error -y -i "$1" -f s16le -ac "$2" "$3" 2>&1) || { echo "bench-audio: ffmpeg failed on $1: $err" >&2; exit 1; }
  [ -z "$err" ] || { echo "bench-audio: ffmpeg said on $1: $err" >&2; exit 1; }
}
kbps() { local bytes seconds; bytes=$(stat -c %s "$1"); seconds=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$2"); awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.1f", b * 8 / s / 1000 }'; }
field() { grep -o "\b$1=[^ ]*" <<<"$2" | head -1 | cut -d= -f2; }

echo "| material | bitrate | encoder | kbit/s (ADTS) | SNR dB | segmental SNR dB | delay | dropouts | clicks |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
for case in "music stereo 128" "music mono 64" "speech stereo 128" "speech mono 64" "drums stereo 128" "drums mono 64"; do
  set -- $case
  name=$1 layout=$2 rate=$3
  channels=$([ "$layout" = stereo ] && echo 2 || echo 1)
  wav="$WORK/$name-$layout.wav"
  ffmpeg -v error -y -i "$wav" -f s16le "$WORK/ref.raw"
  "${TOOL[@]}" "$wav" "$WORK/ours.aac" --bitrate "$rate" >/dev/null
  ffmpeg -nostdin -v error -y -i "$wav" -c:a aac -b:a "${rate}k" -f adts "$WORK/ffmpeg.aac"
  for encoder in ours ffmpeg; do
    decode "$WORK/$encoder.aac" "$channels" "$WORK/$encoder.raw"
    result=$("${TOOL[@]}" snr "$WORK/ref.raw" "$WORK/$encoder.raw" "$channels" 48000 -1)
    label=$([ "$name" = music ] && echo "music-like" || ([ "$name" = drums ] && echo "music, loud drums" || echo "speech (espeak-ng)"))
    echo "| $label | $rate k $layout | $encoder | $(kbps "$WORK/$encoder.aac" "$wav") | $(field snr "$result") | $(field segsnr "$result") | $(field delay "$result") | $(field dropouts "$result") | $(field clicks "$result") |"
  done
done

# Speed: 60 s of music-like 48 kHz stereo at 128 kbit/s, one core.
"${TOOL[@]}" music "$WORK/speed.wav" 60 48000 0.5
ours=$(taskset -c "$CORE" "${TOOL[@]}" "$WORK/speed.wav" "$WORK/speed-ours.aac" --bitrate 128)
bench=$(taskset -c "$CORE" ffmpeg -nostdin -benchmark -y -i "$WORK/speed.wav" -c:a aac -b:a 128k -f adts "$WORK/speed-ffmpeg.aac" 2>&1 | grep 'bench: utime')
ffmpeg_cpu=$(awk '{ for (i = 1; i <= NF; i++) { if ($i ~ /^utime=/) { sub("utime=", "", $i); sub("s", "", $i); u = $i } if ($i ~ /^stime=/) { sub("stime=", "", $i); sub("s", "", $i); s = $i } } } END { print u + s }' <<<"$bench")
ffmpeg_wall=$(sed -n 's/.*rtime=\([0-9.]*\)s.*/\1/p' <<<"$bench")
echo
echo "| encoder (60 s, 48 kHz stereo, 128 kbit/s, 1 core) | CPU s | × real time (CPU) | wall s | × real time (wall) |"
echo "|---|---:|---:|---:|---:|"
echo "| ours (EdgeRtmp.AacTool, JIT, no tiering; encode loop only) | $(awk -v ms="$(field cpu_ms "$ours")" 'BEGIN { printf "%.3f", ms / 1000 }') | $(field realtime_cpu "$ours") | $(awk -v ms="$(field encode_ms "$ours")" 'BEGIN { printf "%.3f", ms / 1000 }') | $(field 'realtime' "$ours") |"
echo "| ffmpeg -c:a aac (whole process: WAV read, encode, ADTS write) | $ffmpeg_cpu | $(awk -v c="$ffmpeg_cpu" 'BEGIN { printf "%.1f", 60 / c }') | $ffmpeg_wall | $(awk -v w="$ffmpeg_wall" 'BEGIN { printf "%.1f", 60 / w }') |"
