#!/usr/bin/env python3
"""How long one frame's fan-out takes, from `perf script -F tid,time,event,trace` of syscalls:sys_enter_sendmsg and
sched:sched_switch recorded on the server (see scripts/profile-fanout.sh). The sending thread is the one with the most
sendmsg calls; a burst is its run of sends with no gap over 4 ms (one frame to every player)."""
import collections, re, statistics, sys

sends, switches = collections.defaultdict(list), collections.defaultdict(list)
for line in sys.stdin:
    parts = line.split()
    if len(parts) < 3:
        continue
    tid, t = parts[0], float(parts[1].rstrip(':'))
    if 'sys_enter_sendmsg' in line:
        sends[tid].append((t, int(re.search(r'fd: (0x[0-9a-f]+)', line).group(1), 16)))
    elif 'sched_switch' in line:
        prev = re.search(r'prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=(.*) next_pid', line)
        switches[prev.group(1)].append((prev.group(2), prev.group(3)))
tid = max(sends, key=lambda k: len(sends[k]))
own = sends[tid]
seconds = own[-1][0] - own[0][0]
players = len({fd for _, fd in own})
print(f'sender {tid}: {len(own)} sends to {players} sockets in {seconds:.1f} s, {len(own) / seconds / max(players, 1):.1f} per socket a second')
out = switches.get(tid, [])
preempted = [nxt for state, nxt in out if state.startswith('R')]
print(f'switched out {len(out) / seconds:.0f}/s, preempted {len(preempted) / seconds:.0f}/s; preempted by (count): {collections.Counter(preempted).most_common(4)}')
bursts, current = [], [own[0]]
for send in own[1:]:
    if send[0] - current[-1][0] > 0.004:
        bursts.append(current)
        current = [send]
    else:
        current.append(send)
bursts.append(current)
full = [b for b in bursts if len(b) >= 0.8 * players]
q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]
durations = [(b[-1][0] - b[0][0]) * 1000 for b in full]
print(f'{len(full)} frames to (nearly) every player: fan-out p50 {q(durations, .5):.1f} ms, p90 {q(durations, .9):.1f}, p99 {q(durations, .99):.1f}, max {max(durations):.1f}')
gaps = [(c[0] - a[0]) * 1e6 for b in full for a, c in zip(b, b[1:])]
print(f'gap between two sends: p50 {q(gaps, .5):.0f} us, p90 {q(gaps, .9):.0f}, p99 {q(gaps, .99):.0f}')
delay = collections.defaultdict(list)
for b in full:
    for t, fd in b:
        delay[fd].append((t - b[0][0]) * 1000)
means = sorted(statistics.mean(v) for v in delay.values())
print(f"a player's mean delay after the frame's first send: first {means[0]:.1f} ms, median {means[len(means) // 2]:.1f}, last {means[-1]:.1f}")
