#!/usr/bin/env bash
# Fan-out benchmark: nginx-rtmp (one worker) and EdgeRtmp side by side in one run. One ffmpeg publisher
# (-re -c copy, a ~4 Mbit/s sample) and N players, for N in $COUNTS. For each server and N: server CPU over
# the whole run (from just before the players connect to their end: handshakes, connects and GOP replays
# included) and over a steady window (after the players connected), peak RSS, RSS growth per player (after a
# 10-player warm-up that leaves before the baseline: the cost of each further player, not the one-time cost
# of the first), players still receiving at the end. With the load client: keyframes missed and relay latency
# p50/p99 (see the load client for how latency is measured). Ratios are EdgeRtmp / nginx.
#
#   scripts/bench-fanout.sh                 # N = 1 10 50 100 300, 20 s each, edgertmp-load players, JIT build
#   COUNTS="100" SECONDS_PER_RUN=30 scripts/bench-fanout.sh
#   PLAYER=rtmpdump BINARY=aot COUNTS="100 300" SECONDS_PER_RUN=30 scripts/bench-fanout.sh
#
# PLAYER=load (default): one edgertmp-load process with N connections. PLAYER=rtmpdump: N rtmpdump processes
# (apt-get install rtmpdump) writing to /dev/null, an outside player; "receiving at end" counts those whose
# output (the stream, written to /dev/null) still grew in the last 2 s. BINARY=jit (default): dotnet edgertmp.dll; BINARY=aot: the
# Native-AOT binary, published here, or AOT_BINARY=path (artifacts/aot-smoke/bin/edgertmp after scripts/aot-smoke.sh).
# PUBLISHER=ffmpeg (default): ffmpeg -re -c copy publishes. PUBLISHER=load: edgertmp-load publishes the same sample the
# same way (each tag alone when due) and plays it with 2 probe players of its own, which measure the relay latency
# exactly (a video message's arrival minus the moment the publisher sent it, one clock); p50/p99 in the tables are
# then theirs, beside whatever players the run uses. PROBES=first (default): the probes join about when the players
# start, early in the server's list of players; PROBES=last: 2 s after the last player started, last in the list, where
# a frame arrives after the fan-out's whole length.
# BEFORE_BINARY=path: a second EdgeRtmp binary (say, main's, to compare a change) runs too, as "before", right after
# nginx and before this one for each N, so both ratios come from the same minutes of a shared machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
COUNTS=${COUNTS:-"1 10 50 100 300"}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
PLAYER=${PLAYER:-load}
BINARY=${BINARY:-jit}
PUBLISHER=${PUBLISHER:-ffmpeg}
PROBES=${PROBES:-first}
work=$(mktemp -d /tmp/edgertmp-bench.XXXXXX)
# The servers, publisher and players are started inside $(...) or a function, so `jobs` does not list all of them:
# an early exit (an error, Ctrl-C) kills them by pid, and nginx by its configuration's path.
cleanup() {
  kill $(jobs -p) ${pid:-} ${publisher:-} "${players[@]}" 2>/dev/null || true
  pkill -f -- "-c $work/nginx/nginx.conf" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in ffmpeg nginx; do
  command -v $tool >/dev/null || { echo "bench-fanout: $tool is missing (apt-get install ffmpeg nginx libnginx-mod-rtmp)" >&2; exit 1; }
done
[ -e /usr/lib/nginx/modules/ngx_rtmp_module.so ] || { echo "bench-fanout: libnginx-mod-rtmp is missing" >&2; exit 1; }

if [ "$PLAYER" = rtmpdump ]; then
  command -v rtmpdump >/dev/null || { echo "bench-fanout: rtmpdump is missing (apt-get install rtmpdump)" >&2; exit 1; }
fi

echo "building (Release)..." >&2
dotnet build src/EdgeRtmp -c Release -nologo -v quiet >/dev/null
dotnet build tests/EdgeRtmp.LoadClient -c Release -nologo -v quiet >/dev/null
edgertmp_dll=$(ls src/EdgeRtmp/bin/Release/net*/edgertmp.dll | head -1)
load_dll=$(ls tests/EdgeRtmp.LoadClient/bin/Release/net*/edgertmp-load.dll | head -1)
edgertmp_cmd=(dotnet "$edgertmp_dll")
if [ "$BINARY" = aot ] && [ -n "${AOT_BINARY:-}" ]; then
  edgertmp_cmd=("$AOT_BINARY")
elif [ "$BINARY" = aot ]; then
  echo "publishing the Native-AOT binary..." >&2
  dotnet publish src/EdgeRtmp/EdgeRtmp.csproj -c Release -r linux-x64 -p:EdgeRtmpAot=true -o "$work/aot" -nologo -v quiet >"$work/aot.log" 2>&1 \
    || { tail -n 30 "$work/aot.log" >&2; exit 1; }
  edgertmp_cmd=("$work/aot/edgertmp")
fi

sample=$(scripts/bench-sample.sh)
bitrate=$(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$sample")

cpu_seconds() { # utime + stime of a pid, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"
}
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
wchar_of() { # pid -> $wchar: bytes the process wrote (0 once it is gone)
  local key value
  wchar=0
  if [ -r "/proc/$1/io" ]; then
    while read -r key value; do
      if [ "$key" = wchar: ]; then wchar=$value; return; fi
    done <"/proc/$1/io" 2>/dev/null || true
  fi
}

start_nginx() { # port -> pid
  local dir="$work/nginx"
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
worker_processes 1;
error_log $dir/logs/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 4096; }
rtmp {
  server {
    listen 127.0.0.1:$1;
    chunk_size 4096;
    application live { live on; }
  }
}
EOF
  nginx -c "$dir/nginx.conf" -p "$dir" >/dev/null 2>&1 &
  echo $!
}

start_edgertmp() { # port server -> pid
  local cmd=("${edgertmp_cmd[@]}")
  if [ "$2" = before ]; then cmd=("$BEFORE_BINARY"); fi
  # shellcheck disable=SC2086 # EDGERTMP_BENCH_ENV: extra NAME=value pairs for experiments
  env EDGERTMP__Server__PublishKey=bench EDGERTMP__Server__MaxConnections=1000 ${EDGERTMP_BENCH_ENV:-} \
    "${cmd[@]}" run --listen "127.0.0.1:$1" --video none --audio none >"$work/edgertmp.log" 2>&1 &
  echo $!
}

wait_port() {
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "bench-fanout: nothing listens on $1" >&2; return 1
}

declare -A result
run_one() { # server N
  local server=$1 n=$2 port pid publisher load_out
  port=$((20000 + RANDOM % 20000))
  if [ "$server" = nginx ]; then pid=$(start_nginx $port); else pid=$(start_edgertmp $port "$server"); fi
  wait_port $port
  local probe_out="$work/probe-$server-$n.txt"
  local probe_go="$work/probes-go-$server-$n" probe_after=()
  if [ "$PROBES" = last ]; then probe_after=(--players-after "$probe_go"); fi
  if [ "$PUBLISHER" = load ]; then
    # Probes join 8 s in (after the warm-up, about when the players start); publisher and probes run until this script
    # stops them after the players' end check (SIGTERM: a script's background jobs ignore SIGINT): a fixed duration ran
    # out before that check when starting 300 player processes took longer than guessed, and players checked after it
    # counted as not receiving.
    dotnet "$load_dll" --url "rtmp://127.0.0.1:$port/live/cam" --publish "$sample" --publish-url "rtmp://127.0.0.1:$port/live/cam?key=bench" \
      --publish-lead 8 "${probe_after[@]}" --players 2 --duration 100000 --ramp-ms 0 >"$probe_out" 2>"$work/probe-$server-$n.err" </dev/null &
  else
    ffmpeg -v error -re -stream_loop -1 -i "$sample" -c copy -f flv "rtmp://127.0.0.1:$port/live/cam?key=bench" </dev/null &
  fi
  publisher=$!
  sleep 3
  # Warm-up: 10 players for 3 s, gone before the baseline, so the per-player figure is what each further player
  # costs, not the one-time cost of the first (compiling the session code, growing the heap).
  dotnet "$load_dll" --url "rtmp://127.0.0.1:$port/live/cam" --players 10 --duration 3 --ramp-ms 5 >/dev/null 2>&1 || true
  sleep 1
  local rss_before; rss_before=$(rss_kib $pid)
  local url="rtmp://127.0.0.1:$port/live/cam"
  local cpu_start; cpu_start=$(cpu_seconds $pid)
  local players=() load=""
  load_out="$work/load-$server-$n.txt"
  if [ "$PLAYER" = rtmpdump ]; then
    for _ in $(seq "$n"); do
      rtmpdump -q -v -r "$url" -o /dev/null </dev/null >/dev/null 2>&1 &
      players+=($!)
      sleep 0.005
    done
  else
    dotnet "$load_dll" --url "$url" --players "$n" --duration "$SECONDS_PER_RUN" --ramp-ms 5 >"$load_out" 2>"$work/load-$server-$n.err" &
    load=$!
  fi
  # PROBES=last: once every player has had 2 s to reach its play, the probes join, last in the server's fan-out.
  if [ "$PROBES" = last ]; then (sleep 2; touch "$probe_go") & fi
  # Steady window: from 5 s after the players started (all connected, GOP bursts done) to 2 s before the end.
  sleep 5
  local cpu0 rss_players; cpu0=$(cpu_seconds $pid); rss_players=$(rss_kib $pid)
  local window=$((SECONDS_PER_RUN - 7))
  sleep $window
  local cpu1; cpu1=$(cpu_seconds $pid)
  local hwm; hwm=$(hwm_kib $pid)
  local line receiving=0
  if [ "$PLAYER" = rtmpdump ]; then
    # Receiving at the end: still running, and what it wrote out (the stream, to /dev/null) grew over the last 2 s.
    # (Not rchar: socket recv() does not count there.)
    local publisher_live=yes
    kill -0 $publisher 2>/dev/null || publisher_live=no
    # Read with bash alone (no process per player), so every player's 2 s window is the same 2 s.
    declare -A read0=()
    for p in "${players[@]}"; do wchar_of "$p"; read0[$p]=$wchar; done
    sleep 2
    for p in "${players[@]}"; do
      wchar_of "$p"
      if [ "$wchar" -gt "${read0[$p]:-0}" ]; then receiving=$((receiving + 1)); fi
    done
    kill "${players[@]}" 2>/dev/null || true
    wait "${players[@]}" 2>/dev/null || true
    line="receiving_at_end=$receiving publisher_live_at_check=$publisher_live"
  else
    wait $load || true
    line=$(cat "$load_out")
  fi
  local cpu_end; cpu_end=$(cpu_seconds $pid)
  local whole; whole=$(awk -v a="$cpu_start" -v b="$cpu_end" 'BEGIN { printf "%.3f", b - a }')
  if [ "$PUBLISHER" = load ]; then
    # Stopped, the load client prints its probes' figures (the latency); only their own players' fields are kept.
    kill -TERM $publisher 2>/dev/null || true
    timeout 60 tail --pid=$publisher -f /dev/null || true
    line="$line $(tr ' ' '\n' <"$probe_out" | { grep '^latency_' || echo latency_missing=yes; } | tr '\n' ' ')"
  fi
  kill $publisher 2>/dev/null || true
  kill $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  wait $publisher 2>/dev/null || true
  if [ "$server" != nginx ]; then
    # Players we disconnected as too slow (CloseReason SlowPeer): a reason for "receiving at end" below N.
    line="$line slow_peer_closes=$(grep -c -e 'could not keep up' -e 'did not read' "$work/edgertmp.log" || true)"
  fi
  local cpu; cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.3f", b - a }')
  local per_player; per_player=$(awk -v a="$rss_before" -v b="$rss_players" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')
  result[$server,$n]="cpu_s=$cpu window_s=$window cpu_pct=$(awk -v c="$cpu" -v w="$window" 'BEGIN { printf "%.1f", 100 * c / w }') whole_cpu_s=$whole peak_rss_kib=$hwm rss_per_player_kib=$per_player $line"
  echo "$server N=$n: ${result[$server,$n]}" >&2
}

field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { v = $2 } END { print v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

servers=(nginx edgertmp)
if [ -n "${BEFORE_BINARY:-}" ]; then servers=(nginx before edgertmp); fi
for n in $COUNTS; do
  for server in "${servers[@]}"; do run_one "$server" "$n"; done
done

echo
echo "sample: $(basename "$sample") $((bitrate / 1000)) kbit/s; ${SECONDS_PER_RUN} s per run; players: $PLAYER; publisher: $PUBLISHER; edgertmp: $BINARY; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%F)"
printf '| N | server | whole-run CPU s | steady CPU %% of a core | peak RSS MiB | RSS/player KiB | receiving at end | keyframes missed | first frame not key | p50 ms | p99 ms |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|\n'
for n in $COUNTS; do
  for server in "${servers[@]}"; do
    r=${result[$server,$n]}
    printf '| %s | %s | %s | %s | %.1f | %s | %s/%s | %s | %s | %s | %s |\n' "$n" "$server" "$(field "$r" whole_cpu_s)" "$(field "$r" cpu_pct)" \
      "$(awk -v k="$(field "$r" peak_rss_kib)" 'BEGIN { print k / 1024 }')" "$(field "$r" rss_per_player_kib)" \
      "$(field "$r" receiving_at_end)" "$n" "$(field "$r" keyframes_missing)" "$(field "$r" first_frame_not_key)" \
      "$(field "$r" latency_p50_ms)" "$(field "$r" latency_p99_ms)"
  done
done
echo
printf '| N | EdgeRtmp | whole-run CPU ratio EdgeRtmp/nginx | steady CPU ratio | peak RSS ratio | p99 latency ratio |\n|---|---|---|---|---|---|\n'
for n in $COUNTS; do
  for server in "${servers[@]:1}"; do
    e=${result[$server,$n]}; x=${result[nginx,$n]}
    printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "$server" "$(ratio "$(field "$e" whole_cpu_s)" "$(field "$x" whole_cpu_s)")" "$(ratio "$(field "$e" cpu_s)" "$(field "$x" cpu_s)")" \
      "$(ratio "$(field "$e" peak_rss_kib)" "$(field "$x" peak_rss_kib)")" "$(ratio "$(field "$e" latency_p99_ms)" "$(field "$x" latency_p99_ms)")"
  done
done
