using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRtmp.Media.Aac;

/// <summary>
/// Our AAC-LC encoder (ISO/IEC 14496-3 subpart 4, the GA coder without tools other than M/S): 1024 S16 samples per
/// channel in, one raw_data_block out. Per frame: attack detection one frame ahead, so a long window can turn into
/// LONG_START before EIGHT_SHORT; the MDCT; mid/side per band; a per-band noise allocation with one rate parameter
/// searched to fill the frame's share of the bit reservoir; sectioning and Huffman coding with the standard's
/// codebooks. Everything is allocated in the constructor; <see cref="Encode"/> allocates nothing. Not thread-safe:
/// one encoder per stream.
/// </summary>
public sealed partial class AacEncoder
{
    /// <summary>Samples per channel in one frame (the 1024-line frame length of AAC-LC).</summary>
    public const int FrameSamples = 1024;

    private const int LongBlock = 2 * FrameSamples;
    private const int ShortBlock = 256;
    private const int ShortLines = 128;
    private const int ShortWindows = 8;
    /// <summary>Frames n−2, n−1 (the block being coded) and n (the look-ahead for attack detection).</summary>
    private const int HistoryLength = 3 * FrameSamples;
    /// <summary>ISO/IEC 14496-3 4.5.3.2: a decoder buffers at most 6144 bits per channel.</summary>
    private const int MaxBitsPerChannel = 6144;

    private readonly AacEncoderOptions _options;
    private readonly int _channels;
    private readonly int _sampleRateIndex;
    private readonly byte[] _audioSpecificConfig;
    private readonly AacMdct _longMdct = new(LongBlock);
    private readonly AacMdct _shortMdct = new(ShortBlock);
    private readonly float[] _longWindow, _startWindow, _stopWindow, _shortWindow;
    private readonly float[] _block = new float[LongBlock];
    private readonly ChannelState[] _channelStates;
    private readonly FrameLayout _longLayout;
    private readonly FrameLayout _shortLayout;
    private readonly float[] _quietThresholdLong;
    private readonly float[] _quietThresholdShort;
    private readonly int _longBandLimit;   // scalefactor bands below the low-pass
    private readonly int _shortBandLimit;
    private readonly int _meanBitsPerFrame;
    private readonly int _bitRemainderPerFrame;   // the mean is fractional: carry the remainder
    private readonly int _remainderModulus;
    private int _remainderAccumulator;
    private readonly int _maxReservoirBits;
    private int _reservoirBits;
    private AacWindowSequence _previousSequence = AacWindowSequence.OnlyLong;
    private AttackPlace _attacksBefore;   // in frame n − 2
    private AttackPlace _attacksPrevious; // in frame n − 1
    private float _referenceGain = 60;
    private float _meanDemand;

    public AacEncoder(AacEncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _channels = options.Channels;
        _sampleRateIndex = AacSampleRates.IndexOf(options.SampleRate);
        _audioSpecificConfig = new byte[Aac.AudioSpecificConfig.LcLength];
        new Aac.AudioSpecificConfig(Aac.AudioSpecificConfig.AacLcObjectType, options.SampleRate, options.Channels).Write(_audioSpecificConfig);

        _longWindow = new float[LongBlock];
        _shortWindow = new float[ShortBlock];
        for (int n = 0; n < LongBlock; n++)
            _longWindow[n] = (float)Math.Sin(Math.PI / LongBlock * (n + 0.5));
        for (int n = 0; n < ShortBlock; n++)
            _shortWindow[n] = (float)Math.Sin(Math.PI / ShortBlock * (n + 0.5));
        // 4.6.11.3.2: LONG_START keeps the long rise, stays flat, then falls with the short window's second half
        // at 1472..1599; LONG_STOP mirrors it.
        _startWindow = new float[LongBlock];
        _stopWindow = new float[LongBlock];
        const int flatEnd = 1472; // 3N/4 − N_short/4 for N = 2048, N_short = 256
        for (int n = 0; n < LongBlock; n++)
        {
            float start = n < FrameSamples ? _longWindow[n]
                : n < flatEnd ? 1f
                : n < flatEnd + ShortLines ? _shortWindow[ShortLines + n - flatEnd]
                : 0f;
            _startWindow[n] = start;
            _stopWindow[LongBlock - 1 - n] = start;
        }

        _channelStates = new ChannelState[_channels];
        for (int c = 0; c < _channels; c++)
            _channelStates[c] = new ChannelState();
        _longLayout = FrameLayout.Long(AacSampleRates.LongBandWidths(_sampleRateIndex));
        _shortLayout = FrameLayout.Short(AacSampleRates.ShortBandWidths(_sampleRateIndex));

        _quietThresholdLong = QuietThresholds(AacSampleRates.LongBandWidths(_sampleRateIndex), LongBlock, options.SampleRate);
        _quietThresholdShort = QuietThresholds(AacSampleRates.ShortBandWidths(_sampleRateIndex), ShortBlock, options.SampleRate);
        int cutoffHz = LowPassHz(options);
        int cutoffLine = (int)Math.Min(FrameSamples, (long)cutoffHz * LongBlock / options.SampleRate);
        _longBandLimit = BandsBelow(AacSampleRates.LongBandWidths(_sampleRateIndex), cutoffLine);
        _shortBandLimit = BandsBelow(AacSampleRates.ShortBandWidths(_sampleRateIndex), (cutoffLine + 7) / 8);
        LowPassHertz = cutoffHz;

        long bitsPerSecond = options.BitrateKbps * 1000L;
        _meanBitsPerFrame = (int)(bitsPerSecond * FrameSamples / options.SampleRate);
        _bitRemainderPerFrame = (int)(bitsPerSecond * FrameSamples % options.SampleRate);
        _remainderModulus = options.SampleRate;
        _maxReservoirBits = Math.Max(0, MaxBitsPerChannel * _channels - _meanBitsPerFrame - 8);
    }

    /// <summary>Bytes the largest access unit can take: 6144 bits per channel.</summary>
    public int MaxAccessUnitBytes => MaxBitsPerChannel / 8 * _channels;

    /// <summary>The 2-byte AudioSpecificConfig (AAC-LC, this rate, these channels) for FLV's sequence header or MP4.</summary>
    public ReadOnlySpan<byte> AudioSpecificConfig => _audioSpecificConfig;

    /// <summary>
    /// Samples per channel by which the decoded stream lags the input: one frame of MDCT overlap plus the frame of
    /// look-ahead for attack detection. Decoded sample <c>i + EncoderDelaySamples</c> is input sample <c>i</c>.
    /// </summary>
    public int EncoderDelaySamples => 2 * FrameSamples;

    public AacEncoderOptions Options => _options;

    /// <summary>The low-pass chosen from the bitrate per channel: no line above it is coded.</summary>
    public int LowPassHertz { get; }

    /// <summary>False keeps every block long (for the test that measures what block switching saves).</summary>
    internal bool BlockSwitching { get; set; } = true;

    /// <summary>Window sequence of the last access unit (for tests and diagnostics).</summary>
    public AacWindowSequence LastWindowSequence => _previousSequence;

    /// <summary>
    /// Encodes one frame: <see cref="FrameSamples"/> × channels interleaved samples in, one raw AAC access unit
    /// (raw_data_block) written to <paramref name="accessUnit"/>, at least <see cref="MaxAccessUnitBytes"/> long.
    /// Returns its length in bytes.
    /// </summary>
    public int Encode(ReadOnlySpan<short> interleaved, Span<byte> accessUnit)
    {
        if (interleaved.Length != FrameSamples * _channels)
            throw new ArgumentException(
                $"An AAC frame takes {FrameSamples * _channels} interleaved samples ({FrameSamples} per channel × {_channels}), not {interleaved.Length}.",
                nameof(interleaved));
        if (accessUnit.Length < MaxAccessUnitBytes)
            throw new ArgumentException($"The access unit buffer needs {MaxAccessUnitBytes} bytes, not {accessUnit.Length}.", nameof(accessUnit));

        AttackPlace attacks = AttackPlace.None;
        for (int c = 0; c < _channels; c++)
        {
            ChannelState state = _channelStates[c];
            Span<float> history = state.History;
            history.Slice(FrameSamples).CopyTo(history);
            Span<float> incoming = history.Slice(2 * FrameSamples, FrameSamples);
            for (int i = 0, j = c; i < FrameSamples; i++, j += _channels)
                incoming[i] = interleaved[j];
            attacks |= state.Transients.Examine(incoming);
        }
        if (!BlockSwitching)
            attacks = AttackPlace.None;

        // The block coded now spans frames n − 2 and n − 1; its short windows would cover the end of n − 2 and the
        // start of n − 1. The next block's would cover the end of n − 1 and the start of n.
        bool shortNow = (_attacksPrevious & AttackPlace.Early) != 0 || (_attacksBefore & AttackPlace.Late) != 0;
        bool shortNext = (attacks & AttackPlace.Early) != 0 || (_attacksPrevious & AttackPlace.Late) != 0;
        AacWindowSequence sequence = NextSequence(_previousSequence, shortNow, shortNext);
        _attacksBefore = _attacksPrevious;
        _attacksPrevious = attacks;
        _previousSequence = sequence;

        for (int c = 0; c < _channels; c++)
            Transform(_channelStates[c], sequence);

        FrameLayout layout;
        if (sequence == AacWindowSequence.EightShort)
        {
            layout = _shortLayout;
            layout.SetGrouping(ChooseGrouping());
            for (int c = 0; c < _channels; c++)
                layout.Interleave(_channelStates[c].Spectrum, _channelStates[c].Ordered);
        }
        else
        {
            layout = _longLayout;
            for (int c = 0; c < _channels; c++)
                _channelStates[c].Spectrum.AsSpan().CopyTo(_channelStates[c].Ordered);
        }
        int bandLimit = sequence == AacWindowSequence.EightShort ? _shortBandLimit : _longBandLimit;

        int bits = EncodeFrame(layout, bandLimit, sequence, accessUnit, out int written);
        int spent = bits;
        _reservoirBits += CurrentMeanBits() - spent;
        if (_reservoirBits > _maxReservoirBits)
        {
            // The reservoir is full: spend the excess in a fill element so the average rate holds.
            int fillBytes = (_reservoirBits - _maxReservoirBits + 7) / 8;
            written = AppendFill(accessUnit, written, bits, fillBytes, out int totalBits);
            _reservoirBits -= totalBits - bits;
        }
        return written;
    }

    private int CurrentMeanBits()
    {
        _remainderAccumulator += _bitRemainderPerFrame;
        if (_remainderAccumulator >= _remainderModulus)
        {
            _remainderAccumulator -= _remainderModulus;
            return _meanBitsPerFrame + 1;
        }
        return _meanBitsPerFrame;
    }

    // Measured on the benchmark material (docs/BENCHMARKS.md): wider limits raise the SNR of loud transients a
    // little and cost the quiet frames more in segmental SNR; without them (1, 1) loud frames lose 2-3 dB.
    private const double MinRatio = 0.8;
    private const double MaxRatio = 2.0;
    private const int ReservoirPull = 8;

    /// <summary>
    /// The frame's share of the bits. <paramref name="demand"/> is what the frame costs at the recent noise level:
    /// against its running mean it says how much harder this frame is than its neighbours, and the frame gets the
    /// mean rate scaled by that (within 0.8 to 2 times), so the noise level stays even from frame to frame where
    /// the reservoir allows. Short windows need no rule of their own: their demand already says what they cost.
    /// A small pull towards a half-full reservoir keeps room both to save and to spend.
    /// </summary>
    private int FrameBudget(int demand)
    {
        if (_meanDemand <= 0)
            _meanDemand = Math.Max(demand, 1);
        double ratio = Math.Clamp(demand / (double)_meanDemand, MinRatio, MaxRatio);
        _meanDemand += 0.05f * (demand - _meanDemand);
        long budget = (long)(_meanBitsPerFrame * ratio) + (_reservoirBits - _maxReservoirBits / 2) / ReservoirPull;
        budget = Math.Min(budget, _meanBitsPerFrame + (long)_reservoirBits);
        return (int)Math.Clamp(budget, 0, MaxBitsPerChannel * _channels - 16);
    }

    /// <summary>
    /// 4.6.11.3: after LONG_START must come EIGHT_SHORT, after EIGHT_SHORT either EIGHT_SHORT or LONG_STOP, and a
    /// short sequence must be announced by a LONG_START. An attack in this block's short region or the next one's
    /// keeps short windows; one in the next block's alone starts them.
    /// </summary>
    internal static AacWindowSequence NextSequence(AacWindowSequence previous, bool attackInCodedFrame, bool attackAhead)
    {
        switch (previous)
        {
            case AacWindowSequence.LongStart:
                return AacWindowSequence.EightShort;
            case AacWindowSequence.EightShort:
                return attackInCodedFrame || attackAhead ? AacWindowSequence.EightShort : AacWindowSequence.LongStop;
            default:
                return attackAhead ? AacWindowSequence.LongStart : AacWindowSequence.OnlyLong;
        }
    }

    private void Transform(ChannelState state, AacWindowSequence sequence)
    {
        ReadOnlySpan<float> samples = state.History.AsSpan(0, LongBlock);
        if (sequence == AacWindowSequence.EightShort)
        {
            // Eight overlapping short blocks centred in the long one: window w covers 448 + 128w .. 448 + 128w + 255.
            const int firstShort = 448; // N/4 − N_short/4
            Span<float> shortBlock = _block.AsSpan(0, ShortBlock);
            for (int w = 0; w < ShortWindows; w++)
            {
                Multiply(samples.Slice(firstShort + w * ShortLines, ShortBlock), _shortWindow, shortBlock);
                _shortMdct.Forward(shortBlock, state.Spectrum.AsSpan(w * ShortLines, ShortLines));
            }
            return;
        }
        float[] window = sequence switch
        {
            AacWindowSequence.LongStart => _startWindow,
            AacWindowSequence.LongStop => _stopWindow,
            _ => _longWindow,
        };
        Multiply(samples, window, _block);
        _longMdct.Forward(_block, state.Spectrum);
    }

    private static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> product)
    {
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref float aRef = ref MemoryMarshal.GetReference(a);
            ref float bRef = ref MemoryMarshal.GetReference(b);
            ref float pRef = ref MemoryMarshal.GetReference(product);
            for (; i + 4 <= product.Length; i += 4)
                (Vector128.LoadUnsafe(ref aRef, (nuint)i) * Vector128.LoadUnsafe(ref bRef, (nuint)i)).StoreUnsafe(ref pRef, (nuint)i);
        }
        for (; i < product.Length; i++)
            product[i] = a[i] * b[i];
    }

    /// <summary>
    /// Groups the eight short windows (scale_factor_grouping): a window joins the group before it unless its energy
    /// differs from the group's by more than 8 dB, so the attack gets scalefactors of its own and the steady
    /// windows around it share theirs.
    /// </summary>
    private int ChooseGrouping()
    {
        Span<float> energies = stackalloc float[ShortWindows];
        energies.Clear();
        for (int c = 0; c < _channels; c++)
        {
            ReadOnlySpan<float> spectrum = _channelStates[c].Spectrum;
            for (int w = 0; w < ShortWindows; w++)
            {
                float sum = 0;
                ReadOnlySpan<float> lines = spectrum.Slice(w * ShortLines, ShortLines);
                for (int k = 0; k < lines.Length; k++)
                    sum += lines[k] * lines[k];
                energies[w] += sum;
            }
        }
        int grouping = 0;
        float groupEnergy = energies[0];
        int groupSize = 1;
        for (int w = 1; w < ShortWindows; w++)
        {
            float mean = groupEnergy / groupSize + 1f;
            float ratio = (energies[w] + 1f) / mean;
            bool join = ratio < 6.3f && ratio > 1 / 6.3f;
            grouping <<= 1;
            if (join)
            {
                grouping |= 1;
                groupEnergy += energies[w];
                groupSize++;
            }
            else
            {
                groupEnergy = energies[w];
                groupSize = 1;
            }
        }
        return grouping;
    }

    /// <summary>From the bitrate per channel: 6 kHz plus 250 Hz per kbit/s, at most 20 kHz and the Nyquist rate.</summary>
    internal static int LowPassHz(AacEncoderOptions options)
    {
        int perChannel = options.BitrateKbps / options.Channels;
        return Math.Min(Math.Min(6000 + 250 * perChannel, 20000), options.SampleRate / 2);
    }

    private static int BandsBelow(ReadOnlySpan<byte> widths, int line)
    {
        int start = 0;
        for (int b = 0; b < widths.Length; b++)
        {
            if (start >= line)
                return b;
            start += widths[b];
        }
        return widths.Length;
    }

    private sealed class ChannelState
    {
        public readonly float[] History = new float[HistoryLength];
        public readonly float[] Spectrum = new float[FrameSamples];
        /// <summary>The spectrum in band order: for short windows, group by group, band by band, window by window.</summary>
        public readonly float[] Ordered = new float[FrameSamples];
        public readonly float[] Magnitude34 = new float[FrameSamples];
        public readonly int[] Quantized = new int[FrameSamples];
        public readonly int[] Magnitudes = new int[FrameSamples];
        public readonly AacTransientDetector Transients = new();
        public readonly BandState Bands;

        public ChannelState() => Bands = new BandState(Quantized);
    }

    /// <summary>What the rate loop knows of each band of one channel (index: group · bands per window + sfb).</summary>
    private sealed class BandState(int[] quantized)
    {
        public readonly int[] Quantized = quantized;
        public readonly bool[] Silent = new bool[FrameLayout.MaxBands];
        /// <summary>The scalefactor that gives unit noise per line; the gain adds to it.</summary>
        public readonly float[] Base = new float[FrameLayout.MaxBands];
        public readonly float[] Energy = new float[FrameLayout.MaxBands];
        /// <summary>The masked threshold per line in the gain's units (see MaskingThresholds).</summary>
        public readonly float[] MaskLevel = new float[FrameLayout.MaxBands];
        /// <summary>Gains above this make the allowed noise exceed the band's energy: it is not coded.</summary>
        public readonly float[] ZeroBelowGain = new float[FrameLayout.MaxBands];
        public readonly int[] LeastScalefactor = new int[FrameLayout.MaxBands];
        public readonly int[] Scalefactor = new int[FrameLayout.MaxBands];
        public readonly int[] Codebook = new int[FrameLayout.MaxBands];
        public readonly int[] Bits = new int[FrameLayout.MaxBands];
    }
}
