using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeRtmp.Media.H264.Encoding;

namespace EdgeRtmp.Benchmarks;

/// <summary>
/// Our H.264 encoder on camera-like pictures (a moving pattern with sensor-like noise), 640x360 and 1280x720 at
/// 30 fps and 1 Mbit/s: per frame over a one-second GOP (1 IDR + 29 P). Real-time multiple = 33.3 ms ÷ mean.
/// MemoryDiagnoser shows the allocation per frame (0 B).
/// </summary>
[MemoryDiagnoser]
public class H264EncoderBenchmarks
{
    private const int Gop = 30;

    private H264Encoder _encoder = null!;
    private byte[][] _pictures = [];
    private ArrayBufferWriter<byte> _output = null!;

    [Params(640, 1280)]
    public int Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int height = Width * 9 / 16;
        _encoder = new H264Encoder(new H264EncoderOptions(Width, height, 30, 1000, KeyframeInterval: Gop));
        _output = new ArrayBufferWriter<byte>(_encoder.MaxAccessUnitLength);
        var random = new Random(1);
        _pictures = new byte[Gop][];
        for (int frame = 0; frame < Gop; frame++)
        {
            byte[] picture = new byte[YuvPlanes.I420Size(Width, height)];
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < Width; x++)
                {
                    int pattern = ((x + 3 * frame) / 24 + y / 24) % 2 == 0 ? 60 : 180;
                    picture[y * Width + x] = (byte)Math.Clamp(pattern + (x + y) / 16 + random.Next(-6, 7), 0, 255);
                }
            }
            for (int i = Width * height; i < picture.Length; i++)
                picture[i] = (byte)(128 + ((i / 7 + frame) % 32) - 16);
            _pictures[frame] = picture;
        }
        EncodeGop(); // warm-up: the rate control settles
    }

    [Benchmark(OperationsPerInvoke = Gop)]
    public int EncodeFrame() => EncodeGop();

    private int EncodeGop()
    {
        int bytes = 0;
        int height = Width * 9 / 16;
        for (int frame = 0; frame < Gop; frame++)
        {
            _output.ResetWrittenCount();
            _encoder.Encode(YuvPlanes.FromI420(_pictures[frame], Width, height), _output);
            bytes += _output.WrittenCount;
        }
        return bytes;
    }
}
