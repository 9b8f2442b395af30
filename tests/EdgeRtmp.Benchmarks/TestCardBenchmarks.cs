using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeRtmp.Media.H264;
using EdgeRtmp.Media.TestCard;

namespace EdgeRtmp.Benchmarks;

/// <summary>
/// The built-in test card at 1280x720@30: encoding (one IDR and 59 P pictures per operation batch, as in the
/// default two-second GOP) and the Annex B → AVCC conversion every frame goes through before RTMP.
/// Real-time multiple = 33.3 ms ÷ mean time per frame.
/// </summary>
[MemoryDiagnoser]
public class TestCardBenchmarks
{
    private const int GopFrames = 60;
    private const int FramesPerSecond = 30;

    private TestCardEncoder _encoder = null!;
    private ArrayBufferWriter<byte> _output = null!;
    private long _frameIndex;
    private byte[] _idrAccessUnit = [];
    private byte[] _pAccessUnit = [];
    private ArrayBufferWriter<byte> _avcc = null!;
    private H264ParameterSets _parameterSets = null!;

    /// <summary>Our H.264 encoder at 1.5 Mbit/s (the default) or lossless I_PCM.</summary>
    [Params(TestCardCoding.H264, TestCardCoding.Pcm)]
    public TestCardCoding Coding { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new TestCardOptions { Width = 1280, Height = 720, FramesPerSecond = FramesPerSecond, KeyframeInterval = GopFrames, Coding = Coding };
        _encoder = new TestCardEncoder(options);
        _output = new ArrayBufferWriter<byte>(4 << 20);

        // Ten seconds of output, to report the bitrate next to the timings.
        long total = 0;
        for (int i = 0; i < 10 * FramesPerSecond; i++)
        {
            _output.ResetWrittenCount();
            bool keyframe = _encoder.EncodeFrame(i, Timestamp(i), _output);
            total += _output.WrittenCount;
            if (keyframe && _idrAccessUnit.Length == 0)
                _idrAccessUnit = _output.WrittenSpan.ToArray();
            else if (!keyframe && _pAccessUnit.Length == 0)
                _pAccessUnit = _output.WrittenSpan.ToArray();
        }
        Console.WriteLine($"// TestCard 1280x720@30: {total / 10} bytes/s ({total * 8 / 10 / 1000} kbit/s); IDR {_idrAccessUnit.Length} B, first P {_pAccessUnit.Length} B");
        _frameIndex = 10 * FramesPerSecond;
        _avcc = new ArrayBufferWriter<byte>(4 << 20);
        _parameterSets = new H264ParameterSets();
    }

    private static TimeSpan Timestamp(long frameIndex) => TimeSpan.FromTicks(frameIndex * TimeSpan.TicksPerSecond / FramesPerSecond);

    /// <summary>Per frame, averaged over a whole GOP (1 IDR + 59 P).</summary>
    [Benchmark(OperationsPerInvoke = GopFrames)]
    public int EncodeFrame720p()
    {
        int bytes = 0;
        for (int i = 0; i < GopFrames; i++)
        {
            _output.ResetWrittenCount();
            _encoder.EncodeFrame(_frameIndex, Timestamp(_frameIndex), _output);
            _frameIndex++;
            bytes += _output.WrittenCount;
        }
        return bytes;
    }

    [Benchmark]
    public int AnnexBToAvccIdr720p()
    {
        _avcc.ResetWrittenCount();
        return AvccWriter.Write(_idrAccessUnit, _avcc, _parameterSets).BytesWritten;
    }

    [Benchmark]
    public int AnnexBToAvccP720p()
    {
        _avcc.ResetWrittenCount();
        return AvccWriter.Write(_pAccessUnit, _avcc, _parameterSets).BytesWritten;
    }
}
