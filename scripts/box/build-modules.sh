#!/usr/bin/env bash
# Builds every out-of-tree kernel module recipe under scripts/box/modules/<name>/ for the box's pinned kernel.
# A recipe is a folder with build.sh (sourced in an empty build folder; see README.md for its variables) and
# optionally guest.sh (run in the box at boot). Output: $BOX_CACHE/modules-<kernel>/<name>-<hash>/*.ko, rebuilt
# only when the recipe folder changes. Prints the output folders, one per line.
# Usage: scripts/box/build-modules.sh [NAME...]   (default: all)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

box_need_host make gcc bc flex bison libelf-dev libssl-dev gcc-12-aarch64-linux-gnu binutils-aarch64-linux-gnu patch
kdir=$(box_headers_dir)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for recipe in "$box_dir"/modules/*/; do names+=("$(basename "$recipe")"); done
fi

for name in "${names[@]}"; do
  recipe="$box_dir/modules/$name"
  [ -f "$recipe/build.sh" ] || box_die "no recipe $recipe/build.sh"
  out="$BOX_CACHE/modules-$BOX_KERNEL_VERSION/$name-$(box_hash "$recipe")"
  if [ ! -e "$out/.built" ]; then
    box_log "building module $name"
    rm -rf "$out" "$out.build"
    mkdir -p "$out" "$out.build"
    (
      cd "$out.build"
      export BOX_KDIR="$kdir" BOX_MODULE_SRC="$recipe" BOX_MODULE_OUT="$out"
      export BOX_MAKE="make -s -C $kdir ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- CC=aarch64-linux-gnu-gcc-12 -j2"
      set -euo pipefail
      source "$recipe/build.sh"
    ) || box_die "module $name failed to build (build folder kept: $out.build)"
    ls "$out"/*.ko >/dev/null 2>&1 || box_die "module $name built no .ko in $out"
    rm -rf "$out.build"
    touch "$out/.built"
  fi
  echo "$out"
done
