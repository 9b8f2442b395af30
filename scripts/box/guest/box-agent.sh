#!/bin/bash
# The box's control channel: one request a line on the virtio serial port "box.ctl" (a Unix socket on the
# host, see scripts/box/README.md). Request: "ID BASE64(command)"; the command runs under bash as root with
# stdin closed and a time limit; reply: "ID EXITCODE BASE64(stdout and stderr)". Commands that must outlive
# their request background themselves with their output redirected (box-play does).
port=/dev/virtio-ports/box.ctl
exec 3<>"$port"
echo "box-agent: listening on $port"
while true; do
  if ! IFS=' ' read -r id command <&3; then
    # A virtio serial port reads end-of-file at once while no host client is connected, and poll() says
    # POLLHUP until one is: there is no event to wait for, so look again a little later.
    sleep 0.2
    continue
  fi
  [ -n "$id" ] || continue
  script=$(printf '%s' "$command" | base64 -d 2>/dev/null)
  output=$(timeout 300 bash -c "$script" </dev/null 2>&1)
  status=$?
  printf '%s %d %s\n' "$id" "$status" "$(printf '%s' "$output" | base64 -w0)" >&3 || true
done
