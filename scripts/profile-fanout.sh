#!/usr/bin/env bash
# Runs one EdgeRtmp binary under a fan-out load and hands its pid to a measuring command: the set-up of
# bench-fanout.sh (an ffmpeg or edgertmp-load publisher of the benchmark sample, N rtmpdump players) without nginx,
# for profiles (perf, strace) that need the server to themselves.
#
#   BINARY=DIR/edgertmp N=100 CMD='perf stat -e syscalls:sys_enter_sendmsg,context-switches,task-clock -p $SERVER -- sleep 10' scripts/profile-fanout.sh
#   BINARY=DIR/edgertmp N=300 CMD='perf record -e syscalls:sys_enter_sendmsg -e sched:sched_switch -p $SERVER -o /tmp/fan.data -- sleep 5' scripts/profile-fanout.sh
#   perf script -i /tmp/fan.data -F tid,time,event,trace | scripts/fanout-bursts.py    # how long one frame's fan-out takes
#
# CMD runs WARMUP seconds (default 10) after the last player started, with SERVER set to the server's pid; then
# everything stops. PUBLISHER=ffmpeg (default) or load.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
: "${BINARY:?BINARY=path of the edgertmp binary}" "${CMD:?CMD=the measuring command}"
N=${N:-100}
WARMUP=${WARMUP:-10}
PUBLISHER=${PUBLISHER:-ffmpeg}
sample=$(scripts/bench-sample.sh)
work=$(mktemp -d /tmp/edgertmp-profile.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; sleep 0.5; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
env EDGERTMP__Server__PublishKey=bench EDGERTMP__Server__MaxConnections=1000 "$BINARY" run --listen "127.0.0.1:$port" --video none --audio none >"$work/edgertmp.log" 2>&1 &
SERVER=$!
sleep 1
url="rtmp://127.0.0.1:$port/live/cam"
if [ "$PUBLISHER" = load ]; then
  dotnet build tests/EdgeRtmp.LoadClient -c Release -nologo -v quiet >/dev/null
  load_dll=$(ls tests/EdgeRtmp.LoadClient/bin/Release/net*/edgertmp-load.dll | head -1)
  dotnet "$load_dll" --url "$url" --publish "$sample" --publish-url "$url?key=bench" --publish-lead 4 --players 2 --duration 100000 --ramp-ms 0 </dev/null &
else
  ffmpeg -v error -re -stream_loop -1 -i "$sample" -c copy -f flv "$url?key=bench" </dev/null >/dev/null 2>&1 &
fi
sleep 4
for _ in $(seq "$N"); do
  rtmpdump -q -v -r "$url" -o /dev/null </dev/null >/dev/null 2>&1 &
  sleep 0.005
done
sleep "$WARMUP"
export SERVER
bash -c "$CMD"
