#!/usr/bin/env bash
# Native-AOT smoke test of the appliance: publish (net10.0, linux-x64), fail on any trim/AOT warning, then run the binary:
# --version, and `run` on a free loopback port for 2 s stopped by SIGINT (must exit 0). Prints the size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

out="$root/artifacts/aot-smoke"
rm -rf "$out"
mkdir -p "$out"
log="$out/publish.log"

echo "aot-smoke: publishing (Native AOT, net10.0, linux-x64)..."
status=0
dotnet publish src/EdgeRtmp/EdgeRtmp.csproj -c Release -r linux-x64 -o "$out/bin" -nologo >"$log" 2>&1 || status=$?
# Trim analysis (IL2xxx) and AOT analysis (IL3xxx) warnings; with warnings-as-errors they may show as errors.
if grep -Eq "(warning|error) (IL[23][0-9]{3}|AOT)" "$log"; then
  grep -E "(warning|error) (IL[23][0-9]{3}|AOT)" "$log" | sort -u >&2
  echo "aot-smoke: FAILED: trim/AOT warnings (full log: $log)" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  tail -n 40 "$log" >&2
  echo "aot-smoke: FAILED: publish exited $status (full log: $log)" >&2
  exit 1
fi
binary="$out/bin/edgertmp"
[ -x "$binary" ] || { echo "aot-smoke: FAILED: no binary at $binary" >&2; exit 1; }

version=$("$binary" --version) || { echo "aot-smoke: FAILED: --version exited $?" >&2; exit 1; }
echo "aot-smoke: --version: $version"

# Not under systemd here, whatever started us: keep the simple log format and no notify socket.
run_log="$out/run.log"
status=0
env -u NOTIFY_SOCKET -u INVOCATION_ID -u JOURNAL_STREAM -u WATCHDOG_USEC -u WATCHDOG_PID \
  timeout -s INT --preserve-status 2 "$binary" run --config "$root/deploy/edgertmp.json" \
  --listen 127.0.0.1:0 --video none --audio none >"$run_log" 2>&1 || status=$?
cat "$run_log"
if [ "$status" -ne 0 ]; then
  echo "aot-smoke: FAILED: run exited $status after SIGINT (expected 0)" >&2
  exit 1
fi
grep -q "Listening on 127.0.0.1:" "$run_log" || { echo "aot-smoke: FAILED: run never logged that it listens" >&2; exit 1; }

# A bad flag must be a usage error (2), also in the AOT build.
status=0
"$binary" run --listen nonsense >/dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || { echo "aot-smoke: FAILED: bad --listen exited $status (expected 2)" >&2; exit 1; }

size=$(stat -c %s "$binary")
echo "aot-smoke: OK: $binary is $size bytes ($(awk "BEGIN { printf \"%.1f\", $size / 1048576 }") MiB)"
