#!/usr/bin/env bash
# Cross-compiles the Native-AOT service for a 64-bit Raspberry Pi (linux-arm64, net10.0). Output:
#   src/EdgeRtmp/bin/Release/net10.0/linux-arm64/publish/edgertmp   (then: sudo deploy/install.sh on the box)
# Needs full package access (the linux-arm64 ILCompiler and runtime packs) and a cross toolchain:
#   sudo apt-get install clang lld gcc-aarch64-linux-gnu libc6-dev-arm64-cross   (Debian/Ubuntu)
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
rid=linux-arm64

# Restore first, on its own, so a missing pack is reported as such rather than as a compile failure.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! dotnet restore src/EdgeRtmp/EdgeRtmp.csproj -r "$rid" -p:PublishAot=true -nologo >"$log" 2>&1; then
  if grep -Eq "runtime\.$rid\.Microsoft\.DotNet\.ILCompiler|Microsoft\.DotNet\.ILCompiler|Microsoft\.NETCore\.App\.Runtime\.$rid|NU1101|NU1102" "$log"; then
    grep -E "error" "$log" | sort -u >&2 || true
    cat >&2 <<MSG
publish-arm64.sh: a package needed to cross-compile is missing from the package source:
  runtime.$rid.Microsoft.DotNet.ILCompiler (the Native-AOT compiler for $rid) and/or
  Microsoft.NETCore.App.Runtime.$rid (its runtime pack), for net10.0.
Native AOT compiles the whole program to arm64 machine code, so it needs the arm64 ILCompiler package and a
linker that can target aarch64: install clang, lld and the Debian packages gcc-aarch64-linux-gnu and
libc6-dev-arm64-cross (the aarch64 sysroot), and publish from a machine whose NuGet source has those packs.
MSG
    exit 1
  fi
  cat "$log" >&2
  echo "publish-arm64.sh: restore failed" >&2
  exit 1
fi

for tool in clang ld.lld aarch64-linux-gnu-gcc aarch64-linux-gnu-objcopy; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "publish-arm64.sh: $tool not found: install clang, lld, gcc-aarch64-linux-gnu (with binutils-aarch64-linux-gnu) and libc6-dev-arm64-cross" >&2
    exit 1
  fi
done

dotnet publish src/EdgeRtmp -c Release -r "$rid" -p:PublishAot=true -nologo
echo "publish-arm64.sh: $(ls -l src/EdgeRtmp/bin/Release/net10.0/$rid/publish/edgertmp)"
