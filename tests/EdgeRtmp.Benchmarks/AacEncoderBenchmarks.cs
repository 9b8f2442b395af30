using BenchmarkDotNet.Attributes;
using EdgeRtmp.Media.Aac;

namespace EdgeRtmp.Benchmarks;

/// <summary>
/// Our AAC-LC encoder at 48 kHz, 64 kbit/s per channel: one frame (1024 samples per channel) per operation, cycling
/// through 5 s of music-like input (chords left and right, a noise bed and a decaying noise burst every half second,
/// so long and short windows both occur). Real-time multiple = 21.33 ms ÷ mean time per frame.
/// </summary>
[MemoryDiagnoser]
public class AacEncoderBenchmarks
{
    private const int SampleRate = 48000;
    private AacEncoder _encoder = null!;
    private short[] _signal = [];
    private byte[] _accessUnit = [];
    private int _frame;
    private int _frames;

    [Params(1, 2)]
    public int Channels { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _encoder = new AacEncoder(new AacEncoderOptions(SampleRate, Channels, 64 * Channels));
        _accessUnit = new byte[_encoder.MaxAccessUnitBytes];
        _frames = 5 * SampleRate / AacEncoder.FrameSamples;
        _signal = new short[_frames * AacEncoder.FrameSamples * Channels];
        var random = new Random(11);
        for (int i = 0; i < _frames * AacEncoder.FrameSamples; i++)
        {
            double t = (double)i / SampleRate;
            double burst = Math.Exp(-40 * (t % 0.5)) * (random.NextDouble() - 0.5);
            for (int c = 0; c < Channels; c++)
            {
                double root = c == 0 ? 261.63 : 220;
                double value = 0.16 * Math.Sin(2 * Math.PI * root * t) + 0.12 * Math.Sin(2 * Math.PI * root * 1.26 * t)
                    + 0.10 * Math.Sin(2 * Math.PI * root * 1.5 * t) + 0.01 * (random.NextDouble() - 0.5) + 0.3 * burst;
                _signal[i * Channels + c] = (short)(value * 32767);
            }
        }
    }

    [Benchmark(Description = "encode one frame")]
    public int EncodeFrame()
    {
        int frameLength = AacEncoder.FrameSamples * Channels;
        int length = _encoder.Encode(_signal.AsSpan(_frame * frameLength, frameLength), _accessUnit);
        _frame = (_frame + 1) % _frames;
        return length;
    }
}
