#!/usr/bin/env bash
# Cross-compiles the Native-AOT service for a 64-bit Raspberry Pi (linux-arm64, net10.0). Output:
#   src/EdgeRtmp/bin/Release/net10.0/linux-arm64/publish/edgertmp   (then, on the box: sudo deploy/install.sh PATH)
# Installs the Debian cross-linking packages it needs when missing (as root, or through sudo). The ILCompiler
# passes --target=aarch64-linux-gnu to its linker, which gcc does not take: clang-14 links, with Debian's aarch64
# binutils, libgcc and libc development packages. SysRoot stays unset: with -p:SysRoot=/usr/aarch64-linux-gnu the
# link looks for libc_nonshared.a in the wrong place; clang finds the cross libraries by the target triple.
# Check it on this machine: qemu-aarch64 -L /usr/aarch64-linux-gnu src/EdgeRtmp/bin/Release/net10.0/linux-arm64/publish/edgertmp --version
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
rid=linux-arm64

packages=(clang-14 llvm binutils-aarch64-linux-gnu libgcc-12-dev-arm64-cross libc6-dev-arm64-cross)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "publish-arm64.sh: installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

dotnet publish src/EdgeRtmp -c Release -r "$rid" -p:CppCompilerAndLinker=clang-14 -nologo "$@"
binary="src/EdgeRtmp/bin/Release/net10.0/$rid/publish/edgertmp"
file "$binary" 2>/dev/null | grep -q "ARM aarch64" || [ ! -x "$(command -v file)" ] ||
  { echo "publish-arm64.sh: $binary is not an aarch64 executable" >&2; exit 1; }
echo "publish-arm64.sh: $binary, $(stat -c %s "$binary") bytes"
