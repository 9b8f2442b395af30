#!/usr/bin/env bash
# Runs one command in the booted box, as root under bash, and prints its output (stdout and stderr together);
# exits with the command's status (124 when no reply came in time).
# Usage: scripts/box/ctl.sh [--run-dir DIR] [--timeout S] COMMAND...   (default run dir: $BOX_RUN_DIR)
# Protocol (for clients in other languages): connect to RUN_DIR/ctl.sock, send "ID BASE64(command)\n", read
# lines until one starts with "ID ": "ID EXITCODE BASE64(output)". One client at a time; others wait.
set -euo pipefail
run_dir=${BOX_RUN_DIR:-} timeout=60
while [ $# -gt 0 ]; do
  case $1 in
    --run-dir) run_dir=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) break ;;
  esac
done
[ -n "$run_dir" ] && [ $# -gt 0 ] || { echo "usage: ctl.sh [--run-dir DIR] [--timeout S] COMMAND..." >&2; exit 2; }
command="$*"
id="$$.$RANDOM"
deadline=$(( $(date +%s) + timeout ))
# The socket appears a moment after qemu starts.
while [ ! -S "$run_dir/ctl.sock" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "ctl.sh: no socket $run_dir/ctl.sock" >&2; exit 124; }
  sleep 0.2
done
coproc CTL { exec socat - "UNIX-CONNECT:$run_dir/ctl.sock"; }
trap 'kill "$CTL_PID" 2>/dev/null || true' EXIT
printf '%s %s\n' "$id" "$(printf '%s' "$command" | base64 -w0)" >&"${CTL[1]}"
while true; do
  left=$(( deadline - $(date +%s) ))
  [ "$left" -gt 0 ] || { echo "ctl.sh: no reply within ${timeout}s" >&2; exit 124; }
  IFS=' ' read -r -t "$left" reply_id status output <&"${CTL[0]}" || { echo "ctl.sh: no reply within ${timeout}s" >&2; exit 124; }
  if [ "$reply_id" = "$id" ]; then
    [ -z "${output:-}" ] || printf '%s\n' "$(printf '%s' "$output" | base64 -d)"
    exit "$status"
  fi
done
