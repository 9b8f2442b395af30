#!/usr/bin/env bash
# CPU of `edgertmp publish` vs `ffmpeg -re -c copy` pushing the same ~4 Mbit/s FLV to the same nginx-rtmp,
# side by side. CPU = utime+stime from /proc/PID/stat, over the same steady-state window that starts once
# both have been live 5 s; start-up CPU (launch to that point) is reported separately.
# Usage: scripts/bench-publish.sh [WINDOW_SECONDS]   (default 60: CPU time comes in 10 ms ticks, and both
#        processes use well under 1 % of a core, so shorter windows are mostly rounding)
# EDGERTMP_BIN=PATH runs that edgertmp binary (the Native-AOT one from scripts/aot-smoke.sh) instead of a JIT build;
# EDGERTMP_BENCH_THREADS=1 prints edgertmp's CPU per thread over the window.
set -euo pipefail
cd "$(dirname "$0")/.."
WINDOW=${1:-60}
WORK=$(mktemp -d /tmp/edgertmp-bench-publish.XXXXXX)
PORT=$(( 20000 + RANDOM % 20000 ))
TICKS=$(getconf CLK_TCK)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

SAMPLE=$(scripts/bench-sample.sh)

if [ -n "${EDGERTMP_BIN:-}" ]; then
  [ -x "$EDGERTMP_BIN" ] || { echo "bench-publish: EDGERTMP_BIN=$EDGERTMP_BIN is not an executable" >&2; exit 1; }
  ours=("$EDGERTMP_BIN")
else
  dotnet publish src/EdgeRtmp -c Release -o "$WORK/out" -p:PublishAot=false >/dev/null
  ours=(dotnet "$WORK/out/edgertmp.dll")
fi
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off; master_process off;
error_log $WORK/nginx/error.log warn; pid $WORK/nginx/nginx.pid;
events { worker_connections 256; }
rtmp { server { listen 127.0.0.1:$PORT; chunk_size 4096; application live { live on; } } }
CONF
/usr/sbin/nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" & pids+=($!)
sleep 1

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

"${ours[@]}" publish --to "rtmp://127.0.0.1:$PORT/live/ours" --video "file:$SAMPLE" >"$WORK/ours.log" 2>&1 & OURS=$!; pids+=($OURS)
ffmpeg -v error -re -stream_loop -1 -i "$SAMPLE" -c copy -f flv "rtmp://127.0.0.1:$PORT/live/theirs" </dev/null >"$WORK/ffmpeg.log" 2>&1 & FF=$!; pids+=($FF)

# Both live: our log says so; ffmpeg is live once it runs (it exits on a failed connect).
for _ in $(seq 100); do grep -q ": live" "$WORK/ours.log" && break; sleep 0.1; done
grep -q ": live" "$WORK/ours.log" || { echo "edgertmp never went live:"; cat "$WORK/ours.log"; exit 1; }
sleep 5
kill -0 $FF || { echo "ffmpeg exited:"; cat "$WORK/ffmpeg.log"; exit 1; }

# Per-thread CPU of edgertmp over the window (name, ticks), printed when EDGERTMP_BENCH_THREADS=1.
threads() { for t in /proc/$1/task/*; do printf '%s %s %s\n' "${t##*/}" "$(tr ' ' '_' <"$t/comm")" "$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')"; done 2>/dev/null; }
ours_threads_start=$(threads $OURS)
ours_start=$(cpu $OURS); ff_start=$(cpu $FF)
sleep "$WINDOW"
ours_end=$(cpu $OURS); ff_end=$(cpu $FF)
ours_threads_end=$(threads $OURS)
if [ "${EDGERTMP_BENCH_THREADS:-0}" = 1 ]; then
  echo "edgertmp CPU ticks per thread over the window (1 tick = 1/$TICKS s):"
  join -a 2 <(echo "$ours_threads_start" | sort) <(echo "$ours_threads_end" | sort) |
    awk 'NF == 5 { d = $5 - $3 } NF == 3 { d = $3 } d > 0 { printf "  %-24s %d\n", $2, d }' | sort -k2 -nr
fi

awk -v os="$ours_start" -v oe="$ours_end" -v fs="$ff_start" -v fe="$ff_end" -v t="$TICKS" -v w="$WINDOW" 'BEGIN {
  o = (oe - os) / t; f = (fe - fs) / t;
  printf "start-up CPU (launch to live+5 s): edgertmp %.2f s, ffmpeg %.2f s\n", os / t, fs / t;
  printf "steady state over %d s: edgertmp %.2f CPU s (%.1f%% of a core), ffmpeg %.2f CPU s (%.1f%% of a core)\n", w, o, 100*o/w, f, 100*f/w;
  printf "ratio edgertmp/ffmpeg: %.2fx (target <= 0.5x)\n", (f > 0 ? o / f : 0);
}'
tail -n 3 "$WORK/ours.log" | grep -i "drop" || true
