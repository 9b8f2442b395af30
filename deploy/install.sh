#!/usr/bin/env bash
# Installs edgertmp on the box: user and groups, binary, default config (kept if present), systemd unit,
# udev rule for GPIO; then enables and (re)starts the service.
# Usage: sudo deploy/install.sh [PATH/TO/edgertmp]   (default: the linux-arm64 publish output)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
binary=${1:-$root/src/EdgeRtmp/bin/Release/net10.0/linux-arm64/publish/edgertmp}

if [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (sudo $0 $*)" >&2
  exit 2
fi
if [ ! -x "$binary" ]; then
  echo "install.sh: no executable at $binary (build it with ./publish-arm64.sh, or pass its path)" >&2
  exit 2
fi

# Groups the unit's SupplementaryGroups name; video and audio exist on Debian, gpio may not.
for group in video audio gpio; do
  getent group "$group" >/dev/null || groupadd --system "$group"
done
if ! id edgertmp >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /var/lib/edgertmp --shell /usr/sbin/nologin \
    --user-group --groups video,audio,gpio edgertmp
else
  usermod --append --groups video,audio,gpio edgertmp
fi

install -D -m 0755 "$binary" /usr/local/bin/edgertmp
install -d -m 0755 /etc/edgertmp
if [ -e /etc/edgertmp/edgertmp.json ]; then
  echo "install.sh: keeping existing /etc/edgertmp/edgertmp.json (new defaults: /etc/edgertmp/edgertmp.json.dist)"
  install -m 0644 "$here/edgertmp.json" /etc/edgertmp/edgertmp.json.dist
else
  install -m 0644 "$here/edgertmp.json" /etc/edgertmp/edgertmp.json
fi
install -d -o edgertmp -g edgertmp -m 0750 /var/lib/edgertmp

install -m 0644 "$here/99-edgertmp.rules" /etc/udev/rules.d/99-edgertmp.rules
udevadm control --reload-rules && udevadm trigger --subsystem-match=gpio || true

# Refuse to install a configuration the binary rejects (exit 2 = configuration error).
/usr/local/bin/edgertmp run --config /etc/edgertmp/edgertmp.json --listen 127.0.0.1:0 --video none --audio none &
check=$!
sleep 2
if kill -0 "$check" 2>/dev/null; then
  # SIGTERM: a background job of a non-interactive shell starts with SIGINT ignored, so INT would not stop it.
  kill -TERM "$check"; wait "$check" || true
else
  status=0
  wait "$check" || status=$?
  if [ "$status" -eq 2 ]; then
    echo "install.sh: /etc/edgertmp/edgertmp.json is not valid (see above); fix it and run install.sh again" >&2
    exit 2
  elif [ "$status" -ne 0 ]; then
    echo "install.sh: /usr/local/bin/edgertmp failed its start check (exit $status, see above)" >&2
    exit 1
  fi
fi

install -m 0644 "$here/edgertmp.service" /etc/systemd/system/edgertmp.service
systemctl daemon-reload
systemctl enable edgertmp.service
systemctl restart edgertmp.service
echo "install.sh: edgertmp installed; follow it with: journalctl -u edgertmp -f"
