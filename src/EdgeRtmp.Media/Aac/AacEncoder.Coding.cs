using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EdgeRtmp.Media.H264;

namespace EdgeRtmp.Media.Aac;

public sealed partial class AacEncoder
{
    private const int ScalefactorOffset = 100;       // 4.6.2.3.3: gain = 2^(¼ (sf − 100))
    private const int MinScalefactor = -ScalefactorOffset;
    private const int MaxScalefactor = 255 - ScalefactorOffset;
    private const int MaxScalefactorDelta = 60;
    private const float RoundingOffset = 0.4054f;    // rounds |x|^¾ so the error is least after the decoder's ^4/3
    private const int MinGain = -120;
    private const int MaxGain = 220;

    private const int IdSingleChannel = 0;
    private const int IdChannelPair = 1;
    private const int IdFill = 6;
    private const int IdEnd = 7;

    /// <summary>2^(−3·sf/16) for sf = −100..155: the step that maps |x|^¾ to the quantiser's integer grid.</summary>
    private static readonly float[] QuantizerScale = BuildQuantizerScale();

    private static float[] BuildQuantizerScale()
    {
        var table = new float[MaxScalefactor - MinScalefactor + 1];
        for (int sf = MinScalefactor; sf <= MaxScalefactor; sf++)
            table[sf - MinScalefactor] = (float)Math.Pow(2, -3.0 * sf / 16);
        return table;
    }

    private readonly bool[] _midSide = new bool[FrameLayout.MaxBands];
    private int _maxSfb;

    /// <summary>
    /// Quantises and writes the frame's elements and ID_END into <paramref name="accessUnit"/>, within the frame's
    /// budget (see <see cref="FrameBudget"/>). Returns the bits of the byte-aligned result.
    /// </summary>
    private int EncodeFrame(FrameLayout layout, int bandLimit, AacWindowSequence sequence, Span<byte> accessUnit, out int written)
    {
        _midSide.AsSpan().Clear();
        if (_channels == 2)
            ChooseMidSide(layout, bandLimit);
        for (int c = 0; c < _channels; c++)
            AnalyseBands(_channelStates[c], layout, bandLimit);

        // The noise level: the smallest gain (finest quantisation) whose frame fits the budget. The cost falls as
        // the gain rises; search from the recent gain, whose cost is also the frame's demand.
        int low = MinGain, high = MaxGain;
        int probe = Math.Clamp((int)MathF.Round(_referenceGain), MinGain, MaxGain);
        int probeBits = CountFrameBits(layout, sequence, probe);
        int budget = FrameBudget(probeBits);
        int step = 4;
        if (probeBits <= budget)
        {
            high = probe;
            while (high - step > MinGain && CountFrameBits(layout, sequence, high - step) <= budget)
            {
                high -= step;
                step *= 2;
            }
            low = Math.Max(MinGain, high - step);
        }
        else
        {
            low = probe;
            while (low + step < MaxGain && CountFrameBits(layout, sequence, low + step) > budget)
            {
                low += step;
                step *= 2;
            }
            high = Math.Min(MaxGain, low + step);
        }
        // Invariant: high fits (or is MaxGain), low does not (or is MinGain).
        while (high - low > 1)
        {
            int middle = (low + high) / 2;
            if (CountFrameBits(layout, sequence, middle) <= budget)
                high = middle;
            else
                low = middle;
        }
        int gain = high;
        _referenceGain += 0.1f * (gain - _referenceGain);

        QuantizeAll(layout, gain);
        for (int c = 0; c < _channels; c++)
            MergeSections(_channelStates[c].Bands, layout);
        int counted = (CountElementsBits(layout, sequence) + 3 + 7) & ~7;

        var writer = new BitWriter(accessUnit);
        WriteElements(ref writer, layout, sequence);
        writer.WriteBits(IdEnd, 3);
        writer.Flush();
        written = writer.Length;
        // The rate loop and the 6144-bit bound rest on the count being exact: a difference is a bug, not input.
        if (written * 8 != counted)
            throw new InvalidOperationException($"AAC encoder: counted {counted} bits but wrote {written * 8}.");
        return written * 8;
    }

    /// <summary>Appends fill elements of <paramref name="fillBytes"/> payload bytes in all before the frame's ID_END.</summary>
    private int AppendFill(Span<byte> accessUnit, int written, int bits, int fillBytes, out int totalBits)
    {
        // The fill element must come before ID_END: write the frame's elements again (cheap next to the rate loop,
        // and only when the reservoir is full, in quiet passages) with the fill in front of the end marker.
        int room = MaxAccessUnitBytes - written - 4;
        fillBytes = Math.Clamp(fillBytes, 0, room);
        if (fillBytes <= 0)
        {
            totalBits = bits;
            return written;
        }
        var writer = new BitWriter(accessUnit);
        WriteElements(ref writer, _previousLayout!, _previousSequence);
        while (fillBytes > 0)
        {
            int count = Math.Min(fillBytes, 15 + 255 - 1);
            writer.WriteBits(IdFill, 3);
            if (count < 15)
            {
                writer.WriteBits((uint)count, 4);
            }
            else
            {
                writer.WriteBits(15, 4);
                writer.WriteBits((uint)(count - 14), 8);
            }
            // extension_payload: extension_type EXT_FILL (0000) and a fill nibble, then fill_byte 10100101.
            writer.WriteBits(0, 8);
            for (int i = 1; i < count; i++)
                writer.WriteBits(0xA5, 8);
            fillBytes -= count + (count < 15 ? 1 : 2);
        }
        writer.WriteBits(IdEnd, 3);
        writer.Flush();
        totalBits = writer.Length * 8;
        return writer.Length;
    }

    private FrameLayout? _previousLayout;

    /// <summary>
    /// Mid/side per band (4.6.8.1) where it lowers the cost: with the same noise in L and R, coding M = (L+R)/2 and
    /// S = (L−R)/2 needs half that noise in each, so it pays when E(L+R)·E(L−R)/4 &lt; E(L)·E(R) (the bits of a band
    /// grow with the log of its energy over the noise).
    /// </summary>
    private void ChooseMidSide(FrameLayout layout, int bandLimit)
    {
        float[] left = _channelStates[0].Ordered;
        float[] right = _channelStates[1].Ordered;
        for (int g = 0; g < layout.GroupCount; g++)
        {
            for (int sfb = 0; sfb < bandLimit; sfb++)
            {
                int band = g * layout.SwbCount + sfb;
                int start = layout.BandStart(band), end = start + layout.BandWidth(band);
                double energyLeft = 0, energyRight = 0, energySum = 0, energyDifference = 0;
                for (int k = start; k < end; k++)
                {
                    float l = left[k], r = right[k];
                    energyLeft += l * l;
                    energyRight += r * r;
                    energySum += (l + r) * (l + r);
                    energyDifference += (l - r) * (l - r);
                }
                if (energyLeft + energyRight <= 0)
                    continue;
                // A small bias towards L/R: a tie buys nothing and M/S costs a flag.
                bool useMidSide = energySum * energyDifference * 0.25 < 0.8 * energyLeft * energyRight
                    || (energyDifference < 1e-3 * energySum);
                if (!useMidSide)
                    continue;
                _midSide[band] = true;
                for (int k = start; k < end; k++)
                {
                    float l = left[k], r = right[k];
                    left[k] = 0.5f * (l + r);
                    right[k] = 0.5f * (l - r);
                }
            }
        }
    }

    /// <summary>Per band: energy, |x|^¾ per line, the scalefactor of unit noise and the least scalefactor that keeps lines ≤ 8191.</summary>
    private void AnalyseBands(ChannelState state, FrameLayout layout, int bandLimit)
    {
        BandState bands = state.Bands;
        float[] spectrum = state.Ordered;
        float[] magnitude34 = state.Magnitude34;
        Power34(spectrum, magnitude34);
        for (int g = 0; g < layout.GroupCount; g++)
        {
            for (int sfb = 0; sfb < layout.SwbCount; sfb++)
            {
                int band = g * layout.SwbCount + sfb;
                int start = layout.BandStart(band), width = layout.BandWidth(band);
                if (sfb >= bandLimit)
                {
                    bands.Silent[band] = true;
                    bands.Energy[band] = 0;
                    continue;
                }
                (float energy, float sumSqrt, float max34) = BandSums(spectrum.AsSpan(start, width), magnitude34.AsSpan(start, width));
                bands.Energy[band] = energy;
                if (max34 < 1e-3f)
                {
                    bands.Silent[band] = true;
                    continue;
                }
                bands.Silent[band] = false;
                // 4/27 · mean√|x| · step^1.5 is the noise of the power-law quantiser; solve for the step at unit noise.
                float meanSqrt = sumSqrt / width;
                float unitNoiseScalefactor = 8f / 3f * (Log2SeventyOneQuarters - MathF.Log2(meanSqrt));
                if (_midSide[band])
                    unitNoiseScalefactor -= 8f / 3f;   // half the noise in M and in S gives the noise of L/R
                bands.Base[band] = unitNoiseScalefactor;
                // log2 of the energy per line, in the gain's units (noise = 2^(3·gain/8)).
                float level = MathF.Log2(energy / width + 1e-9f) * 8f / 3f;
                bands.ZeroBelowGain[band] = _midSide[band] ? level + 8f / 3f : level;
                int least = (int)MathF.Ceiling(16f / 3f * MathF.Log2(max34 / (AacSpectralCoding.MaxQuantizedValue - 1)));
                bands.LeastScalefactor[band] = Math.Clamp(least, MinScalefactor, MaxScalefactor);
            }
            MaskingThresholds(bands, layout, g, bandLimit);
        }
    }

    /// <summary>
    /// The psychoacoustic part, an energy-based masking model in the manner of FAAC's: each band's energy spreads to
    /// its neighbours (about −8 dB per band upwards, −15 dB downwards), the masked threshold sits
    /// <see cref="SignalToMaskDb"/> below the spread energy, and never below the threshold in quiet (Terhardt's
    /// formula, taken 10 dB lower since the playback level is unknown). Stored per line in the gain's units; the
    /// rate loop lets a band's noise rise towards it by at most <see cref="MaxMaskingBoost"/> above the common
    /// level, so bits move from masked bands to exposed ones without giving up much SNR. M/S bands keep the common
    /// level: their masking would have to be judged in L/R.
    /// </summary>
    private void MaskingThresholds(BandState bands, FrameLayout layout, int group, int bandLimit)
    {
        int offset = group * layout.SwbCount;
        float[] quiet = layout.IsShort ? _quietThresholdShort : _quietThresholdLong;
        Span<float> spread = stackalloc float[layout.SwbCount];
        float carry = 0;
        for (int sfb = 0; sfb < layout.SwbCount; sfb++)
        {
            carry = bands.Energy[offset + sfb] + UpwardSpread * carry;
            spread[sfb] = carry;
        }
        carry = 0;
        for (int sfb = layout.SwbCount - 1; sfb >= 0; sfb--)
        {
            float own = spread[sfb];
            spread[sfb] += DownwardSpread * carry;
            carry = own;
        }
        for (int sfb = 0; sfb < layout.SwbCount; sfb++)
        {
            int band = offset + sfb;
            if (sfb >= bandLimit || bands.Silent[band] || _midSide[band])
            {
                bands.MaskLevel[band] = float.NegativeInfinity;
                continue;
            }
            float perLine = spread[sfb] * SignalToMask / layout.BandWidth(band);
            float level = MathF.Log2(perLine + 1e-9f) * 8f / 3f;
            bands.MaskLevel[band] = MathF.Max(level, quiet[sfb]);
        }
    }

    private const float SignalToMaskDb = 18;
    private static readonly float SignalToMask = MathF.Pow(10, -SignalToMaskDb / 10);
    private const float UpwardSpread = 0.16f;
    private const float DownwardSpread = 0.03f;
    /// <summary>
    /// 4 gain units = 4.5 dB. Measured (docs/BENCHMARKS.md material): at 4 the SNR drops by under 0.1 dB and the
    /// segmental SNR by about 0.5 dB against none; at 8, 0.4 and 1.6 dB.
    /// </summary>
    private const float MaxMaskingBoost = 4;

    /// <summary>
    /// Threshold in quiet per scalefactor band, as noise energy per MDCT line in the gain's units, with a
    /// full-scale sine taken as 96 dB SPL: a line of energy e adds e / (N · N/2) to the signal's power for an
    /// N-point MDCT, so the line energy at the threshold is N²/2 · P(ATH).
    /// </summary>
    private static float[] QuietThresholds(ReadOnlySpan<byte> widths, int transformLength, int sampleRate)
    {
        var thresholds = new float[widths.Length];
        double fullScalePower = 32767.0 * 32767.0 / 2;
        double lineScale = (double)transformLength * transformLength / 2;
        int start = 0;
        for (int sfb = 0; sfb < widths.Length; sfb++)
        {
            double lowest = double.MaxValue;
            for (int k = start; k < start + widths[sfb]; k++)
            {
                double kilohertz = Math.Max((k + 0.5) * sampleRate / transformLength / 1000.0, 0.02);
                double athDb = 3.64 * Math.Pow(kilohertz, -0.8) - 6.5 * Math.Exp(-0.6 * Math.Pow(kilohertz - 3.3, 2))
                    + 1e-3 * Math.Pow(kilohertz, 4) - 10;
                lowest = Math.Min(lowest, athDb);
            }
            double lineEnergy = lineScale * fullScalePower * Math.Pow(10, (lowest - 96) / 10);
            thresholds[sfb] = (float)(Math.Log2(lineEnergy) * 8 / 3);
            start += widths[sfb];
        }
        return thresholds;
    }

    /// <summary>Σx², Σ√|x| and max |x|^¾ of a band.</summary>
    private static (float Energy, float SumSqrt, float Max34) BandSums(ReadOnlySpan<float> lines, ReadOnlySpan<float> magnitude34)
    {
        int k = 0;
        float energy = 0, sumSqrt = 0, max34 = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref float lineRef = ref MemoryMarshal.GetReference(lines);
            ref float magnitudeRef = ref MemoryMarshal.GetReference(magnitude34);
            Vector128<float> energyVector = Vector128<float>.Zero, sqrtVector = Vector128<float>.Zero, maxVector = Vector128<float>.Zero;
            for (; k + 4 <= lines.Length; k += 4)
            {
                Vector128<float> x = Vector128.LoadUnsafe(ref lineRef, (nuint)k);
                energyVector += x * x;
                sqrtVector += Vector128.Sqrt(Vector128.Abs(x));
                maxVector = Vector128.Max(maxVector, Vector128.LoadUnsafe(ref magnitudeRef, (nuint)k));
            }
            energy = Vector128.Sum(energyVector);
            sumSqrt = Vector128.Sum(sqrtVector);
            max34 = MathF.Max(MathF.Max(maxVector[0], maxVector[1]), MathF.Max(maxVector[2], maxVector[3]));
        }
        for (; k < lines.Length; k++)
        {
            float x = lines[k];
            energy += x * x;
            sumSqrt += MathF.Sqrt(MathF.Abs(x));
            max34 = MathF.Max(max34, magnitude34[k]);
        }
        return (energy, sumSqrt, max34);
    }

    private const float Log2SeventyOneQuarters = 2.7548875f; // log2(27/4)

    private static void Power34(ReadOnlySpan<float> spectrum, Span<float> magnitude34)
    {
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref float source = ref MemoryMarshal.GetReference(spectrum);
            ref float target = ref MemoryMarshal.GetReference(magnitude34);
            for (; i + 4 <= spectrum.Length; i += 4)
            {
                Vector128<float> root = Vector128.Sqrt(Vector128.Abs(Vector128.LoadUnsafe(ref source, (nuint)i)));
                (root * Vector128.Sqrt(root)).StoreUnsafe(ref target, (nuint)i);
            }
        }
        for (; i < spectrum.Length; i++)
        {
            float root = MathF.Sqrt(MathF.Abs(spectrum[i]));
            magnitude34[i] = root * MathF.Sqrt(root);
        }
    }

    private int CountFrameBits(FrameLayout layout, AacWindowSequence sequence, int gain)
    {
        QuantizeAll(layout, gain);
        return (CountElementsBits(layout, sequence) + 3 + 7) & ~7;   // ID_END, then byte alignment
    }

    private void QuantizeAll(FrameLayout layout, int gain)
    {
        int maxSfb = 0;
        for (int c = 0; c < _channels; c++)
            maxSfb = Math.Max(maxSfb, Quantize(_channelStates[c], layout, gain));
        _maxSfb = maxSfb;
        _previousLayout = layout;
    }

    /// <summary>Quantises every band at <paramref name="gain"/>; returns one past the highest band (sfb) with a non-zero line.</summary>
    private static int Quantize(ChannelState state, FrameLayout layout, int gain)
    {
        BandState bands = state.Bands;
        float[] spectrum = state.Ordered;
        float[] magnitude34 = state.Magnitude34;
        int[] quantized = state.Quantized;
        int[] magnitudes = state.Magnitudes;
        int maxSfb = 0;
        int lastScalefactor = int.MinValue;
        for (int band = 0; band < layout.BandCount; band++)
        {
            int start = layout.BandStart(band), width = layout.BandWidth(band);
            Span<int> lines = quantized.AsSpan(start, width);
            float bandGain = gain + Math.Clamp(bands.MaskLevel[band] - gain, 0, MaxMaskingBoost);
            if (bands.Silent[band] || bands.ZeroBelowGain[band] < bandGain)
            {
                lines.Clear();
                bands.Codebook[band] = AacSpectralCoding.ZeroCodebook;
                bands.Bits[band] = 0;
                continue;
            }
            int scalefactor = Math.Max((int)MathF.Round(bands.Base[band] + bandGain), bands.LeastScalefactor[band]);
            scalefactor = Math.Clamp(scalefactor, MinScalefactor, MaxScalefactor);
            if (lastScalefactor != int.MinValue)
                scalefactor = Math.Clamp(scalefactor, lastScalefactor - MaxScalefactorDelta, lastScalefactor + MaxScalefactorDelta);
            Span<int> bandMagnitudes = magnitudes.AsSpan(start, width);
            int maxAbs = QuantizeBand(spectrum.AsSpan(start, width), magnitude34.AsSpan(start, width), lines, bandMagnitudes, scalefactor);
            if (maxAbs == 0)
            {
                bands.Codebook[band] = AacSpectralCoding.ZeroCodebook;
                bands.Bits[band] = 0;
                continue;
            }
            lastScalefactor = scalefactor;
            bands.Scalefactor[band] = scalefactor;
            int bits = AacSpectralCoding.CountBest(maxAbs, lines, bandMagnitudes, out int codebook);
            bands.Codebook[band] = codebook;
            bands.Bits[band] = bits;
            int sfb = band % layout.SwbCount;
            if (sfb + 1 > maxSfb)
                maxSfb = sfb + 1;
        }
        return maxSfb;
    }

    /// <summary>q = sign(x) · ⌊|x|^¾ · 2^(−3·sf/16) + 0.4054⌋, capped at 8191; returns the largest |q|.</summary>
    private static int QuantizeBand(ReadOnlySpan<float> spectrum, ReadOnlySpan<float> magnitude34, Span<int> lines, Span<int> magnitudes, int scalefactor)
    {
        float scale = QuantizerScale[scalefactor - MinScalefactor];
        int maxAbs = 0;
        int k = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var scaleVector = Vector128.Create(scale);
            var offset = Vector128.Create(RoundingOffset);
            var cap = Vector128.Create((float)AacSpectralCoding.MaxQuantizedValue);
            var maxVector = Vector128<int>.Zero;
            ref float magnitudeRef = ref MemoryMarshal.GetReference(magnitude34);
            ref float spectrumRef = ref MemoryMarshal.GetReference(spectrum);
            ref int linesRef = ref MemoryMarshal.GetReference(lines);
            ref int magnitudesRef = ref MemoryMarshal.GetReference(magnitudes);
            for (; k + 4 <= lines.Length; k += 4)
            {
                Vector128<float> value = Vector128.Min(Vector128.LoadUnsafe(ref magnitudeRef, (nuint)k) * scaleVector + offset, cap);
                Vector128<int> magnitude = Vector128.ConvertToInt32(value);
                maxVector = Vector128.Max(maxVector, magnitude);
                magnitude.StoreUnsafe(ref magnitudesRef, (nuint)k);
                Vector128<int> negative = Vector128.LessThan(Vector128.LoadUnsafe(ref spectrumRef, (nuint)k), Vector128<float>.Zero).AsInt32();
                // Two's complement negation where negative: (m ^ −1) − (−1).
                ((magnitude ^ negative) - negative).StoreUnsafe(ref linesRef, (nuint)k);
            }
            maxAbs = Math.Max(Math.Max(maxVector[0], maxVector[1]), Math.Max(maxVector[2], maxVector[3]));
        }
        for (; k < lines.Length; k++)
        {
            int magnitude = (int)MathF.Min(magnitude34[k] * scale + RoundingOffset, AacSpectralCoding.MaxQuantizedValue);
            lines[k] = spectrum[k] < 0 ? -magnitude : magnitude;
            magnitudes[k] = magnitude;
            if (magnitude > maxAbs)
                maxAbs = magnitude;
        }
        return maxAbs;
    }

    private int SectionLengthBits(FrameLayout layout) => layout.IsShort ? 3 : 5;

    private int CountElementsBits(FrameLayout layout, AacWindowSequence sequence)
    {
        int icsInfo = 1 + 2 + 1 + (layout.IsShort ? 4 + 7 : 6 + 1);
        int bits = 3 + 4;
        if (_channels == 2)
        {
            bits += 1 + icsInfo + 2;
            if (MidSidePresent(layout))
                bits += layout.GroupCount * _maxSfb;
        }
        else
        {
            bits += icsInfo;
        }
        for (int c = 0; c < _channels; c++)
            bits += CountChannelBits(_channelStates[c].Bands, layout);
        return bits;
    }

    private int CountChannelBits(BandState bands, FrameLayout layout)
    {
        int bits = 8 + 3;   // global_gain; pulse, TNS and gain control absent
        int lengthBits = SectionLengthBits(layout);
        int escape = (1 << lengthBits) - 1;
        ReadOnlySpan<byte> scalefactorLengths = AacHuffmanTables.ScalefactorLength;
        int last = int.MinValue;
        for (int g = 0; g < layout.GroupCount; g++)
        {
            int sfb = 0;
            while (sfb < _maxSfb)
            {
                int band = g * layout.SwbCount + sfb;
                int codebook = bands.Codebook[band];
                int run = 0;
                while (sfb < _maxSfb && bands.Codebook[g * layout.SwbCount + sfb] == codebook)
                {
                    int current = g * layout.SwbCount + sfb;
                    if (codebook != AacSpectralCoding.ZeroCodebook)
                    {
                        // The first coded band sends its difference from global_gain, which is its own value: 0.
                        int scalefactor = bands.Scalefactor[current];
                        bits += scalefactorLengths[(last == int.MinValue ? 0 : scalefactor - last) + MaxScalefactorDelta];
                        last = scalefactor;
                        bits += bands.Bits[current];
                    }
                    run++;
                    sfb++;
                }
                bits += 4 + lengthBits * (run / escape + 1);
            }
        }
        return bits;
    }

    private bool MidSidePresent(FrameLayout layout)
    {
        for (int g = 0; g < layout.GroupCount; g++)
            for (int sfb = 0; sfb < _maxSfb; sfb++)
                if (_midSide[g * layout.SwbCount + sfb])
                    return true;
        return false;
    }

    /// <summary>
    /// Joins neighbouring sections when coding both with the larger codebook costs less than a section header.
    /// Zero sections stay apart: joining them would need scalefactors and codewords for lines that are all zero.
    /// </summary>
    private void MergeSections(BandState bands, FrameLayout layout)
    {
        int headerBits = 4 + SectionLengthBits(layout);
        for (int g = 0; g < layout.GroupCount; g++)
        {
            int offset = g * layout.SwbCount;
            int runStart = 0;
            while (runStart < _maxSfb)
            {
                int runEnd = RunEnd(bands, offset, runStart);
                int nextEnd = runEnd < _maxSfb ? RunEnd(bands, offset, runEnd) : runEnd;
                int first = bands.Codebook[offset + runStart];
                int second = runEnd < _maxSfb ? bands.Codebook[offset + runEnd] : 0;
                if (first == AacSpectralCoding.ZeroCodebook || second == AacSpectralCoding.ZeroCodebook)
                {
                    runStart = runEnd;
                    continue;
                }
                int merged = AacSpectralCoding.LargestAbsoluteValue(first) >= AacSpectralCoding.LargestAbsoluteValue(second) ? first : second;
                int separate = headerBits;
                int together = 0;
                for (int sfb = runStart; sfb < nextEnd; sfb++)
                {
                    int band = offset + sfb;
                    separate += bands.Bits[band];
                    together += bands.Codebook[band] == merged ? bands.Bits[band]
                        : AacSpectralCoding.CountBits(merged, BandLines(bands, layout, band));
                }
                if (together <= separate)
                {
                    for (int sfb = runStart; sfb < nextEnd; sfb++)
                    {
                        int band = offset + sfb;
                        if (bands.Codebook[band] != merged)
                        {
                            bands.Bits[band] = AacSpectralCoding.CountBits(merged, BandLines(bands, layout, band));
                            bands.Codebook[band] = merged;
                        }
                    }
                    // Stay on the merged run: it may join the next one too.
                    continue;
                }
                runStart = runEnd;
            }
        }
    }

    private static ReadOnlySpan<int> BandLines(BandState bands, FrameLayout layout, int band) =>
        bands.Quantized.AsSpan(layout.BandStart(band), layout.BandWidth(band));

    private int RunEnd(BandState bands, int offset, int start)
    {
        int codebook = bands.Codebook[offset + start];
        int end = start + 1;
        while (end < _maxSfb && bands.Codebook[offset + end] == codebook)
            end++;
        return end;
    }

    private void WriteElements(ref BitWriter writer, FrameLayout layout, AacWindowSequence sequence)
    {
        if (_channels == 1)
        {
            writer.WriteBits(IdSingleChannel, 3);
            writer.WriteBits(0, 4);
            WriteChannel(ref writer, _channelStates[0], layout, sequence, commonWindow: false);
            return;
        }
        writer.WriteBits(IdChannelPair, 3);
        writer.WriteBits(0, 4);
        writer.WriteBits(1, 1);   // common_window
        WriteIcsInfo(ref writer, layout, sequence);
        bool midSide = MidSidePresent(layout);
        writer.WriteBits(midSide ? 1u : 0u, 2);
        if (midSide)
        {
            for (int g = 0; g < layout.GroupCount; g++)
                for (int sfb = 0; sfb < _maxSfb; sfb++)
                    writer.WriteBits(_midSide[g * layout.SwbCount + sfb] ? 1u : 0u, 1);
        }
        WriteChannel(ref writer, _channelStates[0], layout, sequence, commonWindow: true);
        WriteChannel(ref writer, _channelStates[1], layout, sequence, commonWindow: true);
    }

    private void WriteIcsInfo(ref BitWriter writer, FrameLayout layout, AacWindowSequence sequence)
    {
        writer.WriteBits(0, 1);                    // ics_reserved_bit
        writer.WriteBits((uint)sequence, 2);
        writer.WriteBits(0, 1);                    // window_shape: sine
        if (layout.IsShort)
        {
            writer.WriteBits((uint)_maxSfb, 4);
            writer.WriteBits((uint)layout.Grouping, 7);
        }
        else
        {
            writer.WriteBits((uint)_maxSfb, 6);
            writer.WriteBits(0, 1);                // predictor_data_present
        }
    }

    private void WriteChannel(ref BitWriter writer, ChannelState state, FrameLayout layout, AacWindowSequence sequence, bool commonWindow)
    {
        BandState bands = state.Bands;
        int globalGain = ScalefactorOffset;
        for (int g = 0, found = 0; g < layout.GroupCount && found == 0; g++)
        {
            for (int sfb = 0; sfb < _maxSfb; sfb++)
            {
                int band = g * layout.SwbCount + sfb;
                if (bands.Codebook[band] != AacSpectralCoding.ZeroCodebook)
                {
                    globalGain = bands.Scalefactor[band] + ScalefactorOffset;
                    found = 1;
                    break;
                }
            }
        }
        writer.WriteBits((uint)globalGain, 8);
        if (!commonWindow)
            WriteIcsInfo(ref writer, layout, sequence);

        // section_data (4.6.3.2)
        int lengthBits = SectionLengthBits(layout);
        uint escape = (1u << lengthBits) - 1;
        for (int g = 0; g < layout.GroupCount; g++)
        {
            int sfb = 0;
            while (sfb < _maxSfb)
            {
                int codebook = bands.Codebook[g * layout.SwbCount + sfb];
                int run = 0;
                while (sfb < _maxSfb && bands.Codebook[g * layout.SwbCount + sfb] == codebook)
                {
                    run++;
                    sfb++;
                }
                writer.WriteBits((uint)codebook, 4);
                while (run >= escape)
                {
                    writer.WriteBits(escape, lengthBits);
                    run -= (int)escape;
                }
                writer.WriteBits((uint)run, lengthBits);
            }
        }

        // scale_factor_data: differences from the previous coded band, the first from global_gain.
        ReadOnlySpan<uint> scalefactorCodes = AacHuffmanTables.ScalefactorCode;
        ReadOnlySpan<byte> scalefactorLengths = AacHuffmanTables.ScalefactorLength;
        int last = globalGain - ScalefactorOffset;
        for (int g = 0; g < layout.GroupCount; g++)
        {
            for (int sfb = 0; sfb < _maxSfb; sfb++)
            {
                int band = g * layout.SwbCount + sfb;
                if (bands.Codebook[band] == AacSpectralCoding.ZeroCodebook)
                    continue;
                int index = bands.Scalefactor[band] - last + MaxScalefactorDelta;
                writer.WriteBits(scalefactorCodes[index], scalefactorLengths[index]);
                last = bands.Scalefactor[band];
            }
        }

        writer.WriteBits(0, 3);   // pulse_data_present, tns_data_present, gain_control_data_present

        for (int g = 0; g < layout.GroupCount; g++)
        {
            for (int sfb = 0; sfb < _maxSfb; sfb++)
            {
                int band = g * layout.SwbCount + sfb;
                int codebook = bands.Codebook[band];
                if (codebook != AacSpectralCoding.ZeroCodebook)
                    AacSpectralCoding.Write(ref writer, codebook, state.Quantized.AsSpan(layout.BandStart(band), layout.BandWidth(band)));
            }
        }
    }
}
