#!/usr/bin/env python3
"""SNR of a captured sine: raw s16le mono in, the sine's frequency known.

usage: sine-snr.py CAPTURED.raw FREQUENCY [--rate 48000] [--skip SECONDS]

The captured audio went through a sound card, our capture (which may insert or drop single samples to follow the
clock) and AAC, and starts at an unknown phase: so each 20 ms segment is fitted on its own with a sine of the known
frequency (least squares over sin, cos and a constant) and the residual is the noise. SNR: fitted power over
residual power, whole run; segmental SNR: the mean of the segments' SNRs clamped to [-10, 60] dB (a segment of digital
silence, a dropout, counts -10). A "dropout" is a
segment 20 dB quieter than the run's median; a "click" one whose residual is 20 dB above the median residual.
"""
import array, math, sys

def main():
    path, frequency = sys.argv[1], float(sys.argv[2])
    rate = int(sys.argv[sys.argv.index('--rate') + 1]) if '--rate' in sys.argv else 48000
    skip = float(sys.argv[sys.argv.index('--skip') + 1]) if '--skip' in sys.argv else 0.0
    samples = array.array('h')
    with open(path, 'rb') as f:
        samples.frombytes(f.read())
    seg = rate // 50
    w = 2 * math.pi * frequency / rate
    signal_total = noise_total = 0.0
    segments = []
    start = int(skip * rate)
    for s0 in range(start, len(samples) - seg + 1, seg):
        # Normal equations for x ≈ a·sin + b·cos + c over the segment.
        ss = sc = cc = s1 = c1 = xs = xc = x1 = 0.0
        for i in range(seg):
            s = math.sin(w * i); c = math.cos(w * i); x = samples[s0 + i]
            ss += s * s; sc += s * c; cc += c * c; s1 += s; c1 += c
            xs += x * s; xc += x * c; x1 += x
        m = [[ss, sc, s1], [sc, cc, c1], [s1, c1, float(seg)]]
        v = [xs, xc, x1]
        a, b, c = solve(m, v)
        fit = res = 0.0
        for i in range(seg):
            y = a * math.sin(w * i) + b * math.cos(w * i) + c
            x = samples[s0 + i]
            fit += (y - c) ** 2; res += (x - y) ** 2
        signal_total += fit; noise_total += res
        segments.append((fit, res))
    if not segments:
        print("no audio"); sys.exit(1)
    fits = sorted(f for f, _ in segments); residuals = sorted(r for _, r in segments)
    median_fit = fits[len(fits) // 2]; median_res = residuals[len(residuals) // 2]
    dropouts = sum(1 for f, _ in segments if f < median_fit / 100)
    clicks = sum(1 for _, r in segments if r > max(median_res, 1.0) * 100)
    snr = 10 * math.log10(signal_total / max(noise_total, 1e-9))
    seg_snr = sum(max(-10.0, min(60.0, 10 * math.log10(max(f, 1e-9) / max(r, 1e-9)))) for f, r in segments) / len(segments)
    level = 10 * math.log10(max(median_fit / seg, 1e-9) / (32768.0 ** 2))
    print(f"seconds={len(segments) * seg / rate:.1f} level={level:.1f}dBFS snr={snr:.2f} segsnr={seg_snr:.2f} segments={len(segments)} dropouts={dropouts} clicks={clicks}")

def solve(m, v):
    n = len(v)
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]; v[col], v[pivot] = v[pivot], v[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for k in range(col, n):
                m[r][k] -= f * m[col][k]
            v[r] -= f * v[col]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (v[r] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x

main()
