#!/usr/bin/env bash
# Powers the box off (systemd stops every service, as on a real shutdown) and waits for qemu to exit; kills
# qemu after --timeout seconds (default 60). Usage: scripts/box/stop.sh [--run-dir DIR] [--timeout S]
set -uo pipefail
box_dir=$(cd "$(dirname "$0")" && pwd)
run_dir=${BOX_RUN_DIR:-} timeout=60
while [ $# -gt 0 ]; do
  case $1 in
    --run-dir) run_dir=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) echo "usage: stop.sh [--run-dir DIR] [--timeout S]" >&2; exit 2 ;;
  esac
done
[ -n "$run_dir" ] && [ -e "$run_dir/qemu.pid" ] || { echo "stop.sh: no box in '${run_dir}'" >&2; exit 1; }
pid=$(cat "$run_dir/qemu.pid")
kill -0 "$pid" 2>/dev/null || exit 0
"$box_dir/ctl.sh" --run-dir "$run_dir" --timeout 10 systemctl poweroff --no-block >/dev/null 2>&1 || true
deadline=$(( $(date +%s) + timeout ))
while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
if kill -0 "$pid" 2>/dev/null; then
  echo "stop.sh: the box did not power off within ${timeout}s; killing qemu $pid" >&2
  kill "$pid"
fi
