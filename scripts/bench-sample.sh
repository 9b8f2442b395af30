#!/usr/bin/env bash
# The benchmarks' sample: 30 s of 1280x720 30 fps H.264 at ~4 Mbit/s (GOP 2 s) with 128 kbit/s AAC, made once with
# ffmpeg and kept in /tmp/edgertmp-samples. Prints its path. Used by bench-fanout.sh, bench-publish.sh and
# bench-player-memory.sh, so they measure the same stream.
set -euo pipefail
SAMPLE=/tmp/edgertmp-samples/h264-aac-4m.flv
if [ ! -f "$SAMPLE" ]; then
  command -v ffmpeg >/dev/null || { echo "bench-sample: ffmpeg is missing (apt-get install ffmpeg)" >&2; exit 1; }
  mkdir -p "$(dirname "$SAMPLE")"
  ffmpeg -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=44100 \
    -t 30 -c:v libx264 -preset veryfast -g 60 -b:v 4M -maxrate 4M -bufsize 8M -c:a aac -b:a 128k -f flv "$SAMPLE.part"
  mv "$SAMPLE.part" "$SAMPLE"
fi
echo "$SAMPLE"
