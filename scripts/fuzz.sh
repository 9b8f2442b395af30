#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser: scripts/fuzz.sh TARGET SECONDS
#   TARGET: one of `edgertmp-fuzz list` (handshake-server, handshake-client, chunks, amf0, amf3, commands, flv,
#           annexb, avcc); SECONDS: how long afl-fuzz runs (it stops by itself).
# Publishes tests/EdgeRtmp.Fuzz, instruments EdgeRtmp.Protocol.dll and EdgeRtmp.Media.dll with SharpFuzz, and runs
# AFL++ on the harness at nice 19 with the committed seeds (tests/EdgeRtmp.Fuzz/corpus/TARGET). Findings stay in
# artifacts/fuzz/TARGET (AFL's queue, crashes, hangs); a second run of the same target resumes from them.
# Prints one summary line (executions, paths, bitmap coverage, crashes, hangs) and replays each crash to show its
# exception. Exit 1 when a crash or hang was found. FUZZ_OUT overrides artifacts/fuzz.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ $# -ne 2 ]; then
  echo "usage: scripts/fuzz.sh TARGET SECONDS" >&2
  exit 2
fi
target=$1 seconds=$2
out=${FUZZ_OUT:-$root/artifacts/fuzz}
bin="$out/bin"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
export PATH="$PATH:$HOME/.dotnet/tools"
if ! command -v sharpfuzz >/dev/null 2>&1; then
  dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

# sharpfuzz rewrites the assemblies in place and refuses to instrument twice, so the harness is published afresh
# unless an instrumented publish newer than every source file is already there (a run of several targets in a row).
stamp="$bin/.instrumented"
if [ ! -e "$stamp" ] || [ -n "$(find src tests/EdgeRtmp.Fuzz -newer "$stamp" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -print -quit)" ]; then
  rm -rf "$bin"
  nice -n 19 dotnet publish tests/EdgeRtmp.Fuzz -c Release -o "$bin" -nologo -v quiet >/dev/null
fi
if ! "$bin/edgertmp-fuzz" list | awk '{print $1}' | grep -qx "$target"; then
  echo "fuzz.sh: unknown target '$target'; targets:" >&2
  "$bin/edgertmp-fuzz" list >&2
  exit 2
fi
if [ ! -e "$stamp" ]; then
  for assembly in EdgeRtmp.Protocol EdgeRtmp.Media; do
    sharpfuzz "$bin/$assembly.dll" >/dev/null
  done
  touch "$stamp"
fi

corpus="tests/EdgeRtmp.Fuzz/corpus/$target"
mkdir -p "$out/$target"
# AFL's checks meant for native binaries do not apply to the dotnet host; the machine is shared, so no CPU binding.
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_AUTORESUME=1 \
AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_FAST_CAL=1 \
  nice -n 19 afl-fuzz -V "$seconds" -i "$corpus" -o "$out/$target" -t 5000 -m none \
  -- "$bin/edgertmp-fuzz" afl "$target" > "$out/$target/afl.log" 2>&1 || {
    echo "fuzz.sh: afl-fuzz failed; the end of its log:" >&2
    tail -30 "$out/$target/afl.log" >&2
    exit 1
  }

stats="$out/$target/default/fuzzer_stats"
stat() { sed -n "s/^$1 *: *//p" "$stats"; }
crashes=$(stat saved_crashes) hangs=$(stat saved_hangs)
echo "$target: $(stat execs_done) executions in $(stat run_time) s ($(stat execs_per_sec)/s), $(stat corpus_count) paths, $(stat edges_found) edges, $crashes crashes, $hangs hangs"
status=0
for finding in "$out/$target"/default/crashes/id:* "$out/$target"/default/hangs/id:*; do
  [ -e "$finding" ] || continue
  status=1
  echo "finding: $finding"
  timeout 20 "$bin/edgertmp-fuzz" run "$target" "$finding" 2>&1 | head -20 || true
done
exit $status
