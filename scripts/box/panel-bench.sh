#!/usr/bin/env bash
# The panel's figures in the emulated box (docs/BENCHMARKS.md): edgertmp under systemd with its LEDs and live button on
# the gpio-sim lines, then
#  - latency: button release -> status LED change, SAMPLES times. From idle (slow blink) the button is held until the
#    status LED goes dark (the slow blink's off phase lasts 500 ms), released (a short press acts on its release), and
#    the time until the LED lights (going live starts a fast blink lit) is measured in the box with bash's
#    EPOCHREALTIME, no process between the release and the LED reads. It includes the kernel's 20 ms debounce.
#    A second press takes the box back to idle between samples.
#  - idle CPU: the GPIO event thread's utime+stime over IDLE_SECONDS with no edge (it sleeps in poll(); no timer).
# The story of issue 14 (idle, live, reconnecting, long press, viewer LED, bounce) is tests/EdgeRtmp.Box.Tests/PanelTests.cs.
# Usage: scripts/box/panel-bench.sh [--driver cdev|libgpiod] [--samples N] [--idle-seconds S]
#   boots its own box with ./publish-arm64.sh's binary unless BOX_RUN_DIR names a running one (then the service's
#   configuration is left as the panel's).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
box=$root/scripts/box
driver=cdev samples=10 idle_seconds=30
while [ $# -gt 0 ]; do
  case $1 in
    --driver) driver=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    --idle-seconds) idle_seconds=$2; shift 2 ;;
    *) echo "usage: $0 [--driver cdev|libgpiod] [--samples N] [--idle-seconds S]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d /tmp/edgertmp-panel-bench.XXXXXX)
started_box=no
cleanup() {
  if [ "$started_box" = yes ]; then "$box/stop.sh" --run-dir "$BOX_RUN_DIR" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

if [ -z "${BOX_RUN_DIR:-}" ]; then
  "$box/run.sh" --run-dir "$work/box" >"$work/box.env"
  started_box=yes
  # shellcheck disable=SC1091
  source "$work/box.env"
  export BOX_RUN_DIR
fi
ctl() { "$box/ctl.sh" --run-dir "$BOX_RUN_DIR" --timeout 300 "$@"; }

# The push goes nowhere (a closed port on the host): going live shows "connecting/retrying", a fast blink.
ctl "systemctl is-system-running --wait >/dev/null || true
  cat >/etc/edgertmp/edgertmp.json <<'EOF'
{
  \"Video\": { \"Source\": \"testcard\", \"Width\": 320, \"Height\": 180, \"Fps\": 10 },
  \"Audio\": { \"Source\": \"none\" },
  \"Push\": [ { \"Url\": \"rtmp://10.0.2.2:9/live/box\", \"Enabled\": true } ],
  \"Gpio\": { \"Chip\": \"boxgpio\", \"Driver\": \"$driver\", \"StatusLed\": \"status-led\", \"ErrorLed\": \"error-led\",
            \"ViewerLed\": \"viewer-led\", \"LiveButton\": \"live-button\", \"ActiveLow\": false, \"LongPressMs\": 3000 }
}
EOF
  systemctl restart edgertmp && journalctl -u edgertmp -o cat --no-pager | grep '\\[1400\\]' | tail -1"

echo "panel-bench: host load average: $(cut -d' ' -f1-3 /proc/loadavg)"
ctl "source /run/box/gpio-sim
  f=\$sim/sim_gpio0/value p=\$sim/sim_gpio1/pull
  for i in \$(seq $samples); do
    end=\$((SECONDS + 20))
    echo pull-up >\$p
    read -r x <\$f; while [[ \$x == 0 ]] && ((SECONDS < end)); do read -r x <\$f; done
    while [[ \$x == 1 ]] && ((SECONDS < end)); do read -r x <\$f; done
    t0=\${EPOCHREALTIME/./}; echo pull-down >\$p
    while read -r x <\$f; [[ \$x == 0 ]] && ((SECONDS < end)); do :; done
    echo \$((\${EPOCHREALTIME/./} - t0))
    sleep 1; echo pull-up >\$p; sleep 0.2; echo pull-down >\$p; sleep 2   # back to idle for the next sample
  done" >"$work/latency"
# A sample past 500 ms would be the slow blink's own toggle: a press that was not acted on.
sort -n "$work/latency" | awk '
  { us[NR] = $1 } END {
    n = NR; if (n == 0) { print "panel-bench: no latency samples"; exit 1 }
    printf "panel-bench: button release to status LED: %d samples, min %.1f ms, median %.1f ms, max %.1f ms\n",
      n, us[1] / 1000, us[int((n + 1) / 2)] / 1000, us[n] / 1000 }'
echo "panel-bench: samples (us): $(tr '\n' ' ' <"$work/latency")"

ticks=$(ctl "pid=\$(systemctl show -p MainPID --value edgertmp)
  for t in /proc/\$pid/task/*; do [[ \$(cat \$t/comm) == gpio-events* ]] && task=\$t; done
  [ -n \"\${task:-}\" ] || { echo none; exit 0; }
  a=\$(awk '{print \$14 + \$15}' \$task/stat); sleep $idle_seconds; b=\$(awk '{print \$14 + \$15}' \$task/stat); echo \$((b - a))")
echo "panel-bench: GPIO event thread CPU while idle: $ticks clock ticks in $idle_seconds s ($driver driver)"
