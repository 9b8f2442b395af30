#!/usr/bin/env bash
# What each further player costs our server, measured inside it (tests/EdgeRtmp.MemoryProbe): the server and the
# benchmark sample looping in one process, players from edgertmp-load in waves, a full collection after each wave,
# then live managed bytes and RSS per player added. It leaves out what bench-fanout.sh's per-player figure still
# holds: the first player's one-time cost and garbage the GC has not collected yet.
#   scripts/bench-player-memory.sh            # waves of 100 and 200 players, 12 s each
#   WAVES=100,200,200 SETTLE_SECONDS=15 scripts/bench-player-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WAVES=${WAVES:-100,200}
SETTLE_SECONDS=${SETTLE_SECONDS:-12}
sample=$(scripts/bench-sample.sh)
echo "building (Release)..." >&2
dotnet build tests/EdgeRtmp.LoadClient -c Release -nologo -v quiet >/dev/null
dotnet build tests/EdgeRtmp.MemoryProbe -c Release -nologo -v quiet >/dev/null
load_dll=$(ls tests/EdgeRtmp.LoadClient/bin/Release/net*/edgertmp-load.dll | head -1)
probe_dll=$(ls tests/EdgeRtmp.MemoryProbe/bin/Release/net*/edgertmp-memory-probe.dll | head -1)
dotnet "$probe_dll" --file "$sample" --load "$load_dll" --waves "$WAVES" --settle "$SETTLE_SECONDS"
