#!/usr/bin/env bash
# Soak: scripts/soak.sh [SECONDS] [PLAYERS]   (default 600 s and 50 players; CI: scripts/soak.sh 60)
# Our server (edgertmp run, no source of its own) on 127.0.0.1, one publisher (ffmpeg looping a small FLV with -c copy,
# so the publisher costs little CPU), and PLAYERS players joining and leaving at random (tests/EdgeRtmp.Soak). Every 10 s
# the server's RSS, CPU time, descriptors and threads go to artifacts/soak/soak.csv. Pass: RSS growth < 5 % once the
# heap has settled (the least-squares trend over the run's second half; judged only when that half spans 3 minutes, so
# not in the 60 s CI run), descriptors (less one per connected player) and threads flat, no player error, no session
# failure in the server log. Judge an earlier run's CSV again: dotnet exec PLAYERS/edgertmp-soak.dll --judge soak.csv
# Everything runs at nice 19 (SOAK_NICE overrides it): the machine is shared. A long soak beside busy neighbours
# runs at a higher priority (root: SOAK_NICE=-5) so that starved players do not count as the server's errors.
# Exit 0 on a pass.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
duration=${1:-600}
players=${2:-50}
out=${SOAK_OUT:-$root/artifacts/soak}
niceness=${SOAK_NICE:-19}
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
command -v ffmpeg >/dev/null 2>&1 || { echo "soak.sh: ffmpeg is needed (scripts/test.sh installs it)" >&2; exit 2; }

nice -n "$niceness" dotnet build src/EdgeRtmp -c Release -nologo -v quiet >/dev/null
nice -n "$niceness" dotnet build tests/EdgeRtmp.Soak -c Release -nologo -v quiet >/dev/null

# Run from copies, so a build during the soak cannot replace the assemblies under the running processes.
rm -rf "$out/server" "$out/players"
cp -r src/EdgeRtmp/bin/Release/net10.0 "$out/server"
cp -r tests/EdgeRtmp.Soak/bin/Release/net10.0 "$out/players"

sample="$out/publisher.flv"
if [ ! -s "$sample" ]; then
  nice -n "$niceness" ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 \
    -t 20 -c:v libx264 -preset veryfast -b:v 1000k -g 50 -pix_fmt yuv420p -c:a aac -b:a 64k -f flv "$sample"
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

EDGERTMP__Server__PublishKey=soak nice -n "$niceness" dotnet exec "$out/server/edgertmp.dll" \
  run --listen 127.0.0.1:0 --video none --audio none > "$out/server.log" 2>&1 &
server=$!
pids+=("$server")
port=""
for _ in $(seq 1 600); do
  port=$(sed -n 's/.*RTMP server listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out/server.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "soak.sh: the server did not listen" >&2; exit 1; }

nice -n "$niceness" ffmpeg -v error -re -stream_loop -1 -i "$sample" -c copy -f flv "rtmp://127.0.0.1:$port/live/cam?key=soak" \
  > "$out/publisher.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 300); do
  grep -q "publishes live/cam" "$out/server.log" && break
  sleep 0.1
done
grep -q "publishes live/cam" "$out/server.log" || { echo "soak.sh: the publisher did not start" >&2; cat "$out/publisher.log" >&2; exit 1; }

echo "soak.sh: server pid $server on port $port, $players players for $duration s; samples in $out/soak.csv"
status=0
nice -n "$niceness" dotnet exec "$out/players/edgertmp-soak.dll" --url "rtmp://127.0.0.1:$port/live/cam" \
  --pid "$server" --players "$players" --duration "$duration" --csv "$out/soak.csv" > "$out/soak.log" 2> "$out/players.err" || status=$?
tail -1 "$out/soak.log"
failures=$(grep -c "\[2005\]" "$out/server.log" || true)
if [ "$failures" -ne 0 ]; then
  echo "soak.sh: $failures session failures in the server log" >&2
  status=1
fi
if ! kill -0 "$server" 2>/dev/null; then
  echo "soak.sh: the server exited during the soak" >&2
  status=1
fi
exit $status
