#!/usr/bin/env python3
"""SNR and segmental SNR of a decoded stream against its source, both raw s16le with the same channel count.

usage: audio-snr.py REFERENCE.raw DECODED.raw CHANNELS [--delay N | --search MAX]

The decoded stream is shifted by the encoder delay (given, or found by cross-correlation within MAX samples) and
compared sample by sample. Segmental SNR: the mean over 20 ms segments of each segment's SNR clamped to
[-10, 60] dB, skipping segments of the reference below -60 dBFS (silence). A "dropout" is a segment whose decoded
energy is 20 dB below the reference's while the reference is not silent; a "click" one whose error is 10 dB above
its reference energy.
"""
import array, math, sys

def load(path):
    a = array.array('h')
    with open(path, 'rb') as f:
        a.frombytes(f.read())
    return a

def main():
    ref, dec, ch = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
    delay, search = None, 4096
    if '--delay' in sys.argv: delay = int(sys.argv[sys.argv.index('--delay') + 1])
    if '--search' in sys.argv: search = int(sys.argv[sys.argv.index('--search') + 1])
    rate = int(sys.argv[sys.argv.index('--rate') + 1]) if '--rate' in sys.argv else 48000
    n = len(ref) // ch
    if delay is None:
        # Cross-correlate a 1 s window of the first channel (coarse then fine).
        start = min(n // 4, rate)
        length = min(rate, n - start - search - 1)
        best, delay = -1e300, 0
        for d in range(0, search + 1):
            if (start + d + length) * ch > len(dec): break
            s = 0.0
            for i in range(start, start + length, 7):
                s += ref[i * ch] * dec[(i + d) * ch]
            if s > best: best, delay = s, d
    total = min(n, len(dec) // ch - delay)
    seg = rate // 50
    signal = noise = 0.0
    segs, dropouts, clicks = [], 0, 0
    silence = (32768 * 10 ** (-60 / 20)) ** 2
    for s0 in range(0, total - seg + 1, seg):
        es = en = ed = 0.0
        for i in range(s0 * ch, (s0 + seg) * ch):
            r = ref[i]; d = dec[i + delay * ch]
            es += r * r; en += (r - d) * (r - d); ed += d * d
        signal += es; noise += en
        count = seg * ch
        if es / count < silence: continue
        snr = 10 * math.log10(es / max(en, 1e-9))
        segs.append(max(-10.0, min(60.0, snr)))
        if ed < es * 0.01: dropouts += 1
        if en > es * 10: clicks += 1
    snr = 10 * math.log10(signal / max(noise, 1e-9))
    segsnr = sum(segs) / max(len(segs), 1)
    print(f"delay={delay} snr={snr:.2f} segsnr={segsnr:.2f} segments={len(segs)} dropouts={dropouts} clicks={clicks}")

main()
