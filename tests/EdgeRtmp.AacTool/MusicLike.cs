using System.Buffers.Binary;

/// <summary>
/// A reproducible music-like test signal, 16-bit stereo: a chord progression (C, Am, F, G; two seconds each) with
/// harmonics and soft attacks, voiced differently left and right; a lead line of bright notes, panned left; drums:
/// a kick (a 120→45 Hz sweep) on every beat at 120 bpm, a snare (band-limited noise) on beats 2 and 4, a hi-hat
/// (high-passed noise) on every eighth; and a pink-ish noise bed at about −45 dBFS. <c>drums</c> scales the snare
/// and hi-hat (1: loud noise-like drums, which set the SNR of any encoder at 128 kbit/s). Fixed seed: every run is
/// the same input for both encoders.
/// </summary>
internal static class MusicLike
{
    public static void Write(string path, double seconds, int sampleRate, double drums = 1)
    {
        int frames = (int)(seconds * sampleRate);
        var left = new double[frames];
        var right = new double[frames];
        double[][] chords =
        [
            [261.63, 329.63, 392.00], // C
            [220.00, 261.63, 329.63], // Am
            [174.61, 220.00, 261.63], // F
            [196.00, 246.94, 293.66], // G
        ];
        double[] lead = [523.25, 587.33, 659.25, 783.99, 659.25, 587.33, 523.25, 493.88];
        var random = new Random(20261202);
        double pinkState = 0, snareLow = 0, snareHigh = 0, hatPrevious = 0;
        for (int i = 0; i < frames; i++)
        {
            double t = (double)i / sampleRate;
            int chordIndex = (int)(t / 2) % chords.Length;
            double chordTime = t % 2;
            double chordEnvelope = Math.Min(1, chordTime / 0.02) * Math.Exp(-0.6 * chordTime);
            double l = 0, r = 0;
            for (int n = 0; n < 3; n++)
            {
                double f = chords[chordIndex][n];
                for (int h = 1; h <= 4; h++)
                {
                    double vibrato = 1 + 0.002 * Math.Sin(2 * Math.PI * 5 * t + n);
                    l += 0.07 / h * Math.Sin(2 * Math.PI * f * h * vibrato * t);
                    // Right: an octave lower, a slightly different mix of harmonics.
                    r += 0.07 / (h + 0.5) * Math.Sin(2 * Math.PI * f / 2 * h * t + n);
                }
            }
            l *= chordEnvelope;
            r *= chordEnvelope;

            double leadTime = t % 0.25;
            double leadFrequency = lead[(int)(t / 0.25) % lead.Length];
            double leadEnvelope = Math.Min(1, leadTime / 0.005) * Math.Exp(-8 * leadTime);
            double leadValue = 0;
            for (int h = 1; h <= 9; h += 2)
                leadValue += Math.Sin(2 * Math.PI * leadFrequency * h * t) / h;
            l += 0.08 * leadEnvelope * leadValue;
            r += 0.03 * leadEnvelope * leadValue;

            double beatTime = t % 0.5;
            double kickPhase = 2 * Math.PI * (45 * beatTime + 75 / 30.0 * (1 - Math.Exp(-30 * beatTime)));
            double kick = 0.45 * Math.Exp(-12 * beatTime) * Math.Sin(kickPhase);
            double white = random.NextDouble() * 2 - 1;
            // Snare: white noise between two one-pole filters (about 200 Hz to 5 kHz) on beats 2 and 4.
            snareLow += 0.5 * (white - snareLow);
            snareHigh += 0.03 * (snareLow - snareHigh);
            bool snareBeat = ((int)(t / 0.5) & 1) == 1;
            double snare = snareBeat ? 0.35 * drums * Math.Exp(-25 * beatTime) * (snareLow - snareHigh) : 0;
            double hatTime = t % 0.125;
            double hat = 0.05 * drums * Math.Exp(-150 * hatTime) * (white - hatPrevious);
            hatPrevious = white;
            pinkState += 0.05 * (white - pinkState);
            double bed = 0.02 * pinkState;

            left[i] = l + kick + 0.9 * snare + 1.2 * hat + bed;
            right[i] = r + kick + snare + 0.8 * hat - bed;
        }

        byte[] wav = new byte[44 + frames * 4];
        "RIFF"u8.CopyTo(wav);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(4), 36 + frames * 4);
        "WAVEfmt "u8.CopyTo(wav.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(22), 2);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(24), sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(28), sampleRate * 4);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(32), 4);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(34), 16);
        "data"u8.CopyTo(wav.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(40), frames * 4);
        for (int i = 0; i < frames; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(44 + 4 * i), ToSample(left[i]));
            BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(46 + 4 * i), ToSample(right[i]));
        }
        File.WriteAllBytes(path, wav);
    }

    private static short ToSample(double value) => (short)Math.Clamp(Math.Round(value * 32767), -32768, 32767);
}
