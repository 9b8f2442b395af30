#!/usr/bin/env bash
# The one test command: installs the Debian peers the tests need, builds, runs every test project,
# and ends with one line of totals over all of them: "N passed, N failed, N skipped".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Real peers for the interop tests and the toolchain for the kernel-header layout tests.
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v nginx >/dev/null 2>&1 || need+=(nginx)
[ -e /usr/lib/nginx/modules/ngx_rtmp_module.so ] || need+=(libnginx-mod-rtmp)
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
[ -e /usr/include/alsa/asoundlib.h ] || need+=(libasound2-dev)
command -v aplay >/dev/null 2>&1 || need+=(alsa-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# GPIO uAPI layout checked for arm64 too: the cross compiler and qemu-user run the header probe.
command -v aarch64-linux-gnu-gcc-12 >/dev/null 2>&1 || need+=(gcc-12-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$root/TestResults"
rm -rf "$results"
dotnet build EdgeRtmp.sln -c Release -nologo -v quiet

# The emulated arm64 box (scripts/box, tests/EdgeRtmp.Box.Tests) runs when qemu-system-aarch64 can be installed:
# then the linux-arm64 Native-AOT binary is built for it (publish-arm64.sh installs its cross toolchain).
filter=()
if ! command -v qemu-system-aarch64 >/dev/null 2>&1; then
  echo "test.sh: installing qemu-system-arm for the box tests"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends qemu-system-arm >/dev/null 2>&1 || true
fi
if command -v qemu-system-aarch64 >/dev/null 2>&1; then
  ./publish-arm64.sh -v quiet >/dev/null
  # The box's root file system is made with mmdebstrap under qemu-user, which needs binfmt_misc: a container
  # without it cannot build the box, and says so here rather than as a failed test.
  if ! scripts/box/build-image.sh >/dev/null 2>"$root/artifacts-box-image.log"; then
    echo "test.sh: the emulated box cannot be built here (see artifacts-box-image.log): the box tests do not run"
    filter=(--filter "FullyQualifiedName!~EdgeRtmp.Box.Tests")
  fi
else
  echo "test.sh: qemu-system-aarch64 cannot be installed here: the box tests do not run"
  filter=(--filter "FullyQualifiedName!~EdgeRtmp.Box.Tests")
fi

status=0
dotnet test EdgeRtmp.sln -c Release --no-build -nologo "${filter[@]}" \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TestSessionTimeout=1800000 || status=$?

# The soak's CI run (issue 15): one publisher, 20 players joining and leaving for 60 s; counted as one test.
soak=0
scripts/soak.sh 60 20 || soak=$?

# Totals over every test project, read from the trx files (one per project).
passed=0 failed=0 skipped=0 files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done
if [ "$soak" -eq 0 ]; then
  passed=$((passed + 1))
else
  echo "test.sh: the 60 s soak failed (artifacts/soak/soak.log)" >&2
  failed=$((failed + 1))
  status=1
fi
if [ "$files" -eq 0 ]; then
  echo "test.sh: no test results were written" >&2
  status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
