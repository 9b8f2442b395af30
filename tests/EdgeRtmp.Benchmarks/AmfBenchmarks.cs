using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeRtmp.Protocol.Amf;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Benchmarks;

/// <summary>
/// onMetaData (sent once per publish and to every new player) and the per-command hot path: decode into a struct of
/// numbers and encode into a reused buffer must both allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class AmfBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private StreamMetadata _metadata;
    private byte[] _metadataPayload = [];
    private byte[] _playPayload = [];

    [GlobalSetup]
    public void Setup()
    {
        _metadata = new StreamMetadata
        {
            Duration = 0,
            Width = 1280,
            Height = 720,
            VideoDataRate = 2500,
            FrameRate = 30,
            VideoCodecId = 7,
            AudioDataRate = 128,
            AudioSampleRate = 48000,
            AudioSampleSize = 16,
            Stereo = true,
            AudioCodecId = 10,
            Encoder = "Lavf61.7.100",
            FileSize = 0,
        };
        var buffer = new ArrayBufferWriter<byte>();
        _metadata.Write(buffer, withSetDataFrame: true);
        _metadataPayload = buffer.WrittenSpan.ToArray();
        buffer.ResetWrittenCount();
        new PlayCommand(0, "cam", -2, -1, true).Write(buffer);
        _playPayload = buffer.WrittenSpan.ToArray();
    }

    [Benchmark]
    public double DecodeOnMetaDataNumbers()
    {
        var metadata = StreamMetadata.Read(_metadataPayload, keepStrings: false);
        return metadata.Width.GetValueOrDefault() + metadata.FrameRate.GetValueOrDefault();
    }

    [Benchmark]
    public int EncodeOnMetaData()
    {
        _buffer.ResetWrittenCount();
        _metadata.Write(_buffer, withSetDataFrame: true);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int DispatchPlayAndSkip()
    {
        var header = CommandHeader.Read(_playPayload);
        var reader = new Amf0Reader(_playPayload.AsSpan(header.Length));
        while (!reader.IsAtEnd)
        {
            reader.Skip();
        }
        return (int)header.Kind;
    }

    [Benchmark]
    public int EncodeOnStatus()
    {
        _buffer.ResetWrittenCount();
        OnStatusCommand.Write(_buffer, "status"u8, "NetStream.Play.Start"u8, "Started playing cam."u8, "cam"u8);
        return _buffer.WrittenCount;
    }
}
