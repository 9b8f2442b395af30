#!/usr/bin/env bash
# Native-AOT figures for docs/BENCHMARKS.md: binary sizes (x64 from scripts/aot-smoke.sh's publish, arm64 from
# ./publish-arm64.sh's), and for the x64 binary started as systemd would (parent named systemd, NOTIFY_SOCKET set,
# default config: test card, no audio encoder): start to READY=1, idle RSS, and RSS with 10 players
# (edgertmp-load, 10 s). Runs RUNS times (default 5) and prints each run and the median.
#   scripts/bench-aot.sh            # publishes x64 AOT if missing
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
RUNS=${RUNS:-5}
x64="$root/artifacts/aot-smoke/bin/edgertmp"
arm64="$root/src/EdgeRtmp/bin/Release/net10.0/linux-arm64/publish/edgertmp"
[ -x "$x64" ] || scripts/aot-smoke.sh >/dev/null
dotnet build tests/EdgeRtmp.LoadClient -c Release -nologo -v quiet >/dev/null
load_dll=$(ls tests/EdgeRtmp.LoadClient/bin/Release/net*/edgertmp-load.dll | head -1)

echo "x64 binary:   $(stat -c %s "$x64") bytes"
if [ -x "$arm64" ]; then echo "arm64 binary: $(stat -c %s "$arm64") bytes"; else echo "arm64 binary: not built (./publish-arm64.sh)"; fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$x64" "$load_dll" "$RUNS" <<'PY'
import os, socket, statistics, subprocess, sys, tempfile, time
binary, load_dll, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def receive_until(sock, wanted, deadline):
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        data = sock.recv(4096).decode()
        if wanted in data.split("\n"):
            return time.monotonic()
    raise TimeoutError(wanted)

ready_ms, idle, loaded = [], [], []
for run in range(runs):
    with tempfile.TemporaryDirectory() as folder:
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(os.path.join(folder, "notify.sock"))
        # The systemd package turns itself on only under a parent named systemd.
        os.symlink("/bin/bash", os.path.join(folder, "systemd"))
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("EDGERTMP__")}
        env.update(NOTIFY_SOCKET=os.path.join(folder, "notify.sock"), INVOCATION_ID="bench")
        started = time.monotonic()
        launcher = subprocess.Popen([os.path.join(folder, "systemd"), "-c", '"$@"; exit $?', "systemd",
                                     binary, "run", "--listen", f"127.0.0.1:{port}", "--audio", "none"],
                                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ready = receive_until(notify, "READY=1", started + 30)
        ready_ms.append((ready - started) * 1000)
        with open(f"/proc/{launcher.pid}/task/{launcher.pid}/children") as children:
            pid = int(children.read().split()[0])
        time.sleep(5)  # let start-up garbage settle before the idle figure
        idle.append(rss_kib(pid))
        load = subprocess.Popen(["dotnet", load_dll, "--url", f"rtmp://127.0.0.1:{port}/live/cam", "--players", "10",
                                 "--duration", "12"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(10)
        loaded.append(rss_kib(pid))
        load.wait()
        subprocess.run(["kill", "-TERM", str(pid)])
        launcher.wait(timeout=30)
        print(f"run {run + 1}: start to READY {ready_ms[-1]:.0f} ms, idle RSS {idle[-1] / 1024:.1f} MiB, "
              f"RSS with 10 players {loaded[-1] / 1024:.1f} MiB", flush=True)

print(f"median: start to READY {statistics.median(ready_ms):.0f} ms, idle RSS {statistics.median(idle) / 1024:.1f} MiB, "
      f"RSS with 10 players {statistics.median(loaded) / 1024:.1f} MiB")
PY
