using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeRtmp.Protocol.Chunking;
using EdgeRtmp.Protocol.Messages;

namespace EdgeRtmp.Benchmarks;

/// <summary>
/// Chunking a 64 KiB video message and reading it back, against a plain copy of the same bytes as
/// the ceiling (a write plus a read is two copies). Payload throughput = 65536 B / mean time.
/// </summary>
[MemoryDiagnoser]
public class ChunkBenchmarks
{
    private const int PayloadLength = 64 * 1024;
    private readonly byte[] _payload = new byte[PayloadLength];
    private readonly byte[] _copyTarget = new byte[PayloadLength];
    private ArrayBufferWriter<byte> _output = null!;
    private ChunkWriter _writer = null!;
    private ChunkReader _reader = null!;
    private byte[] _chunked = [];
    private uint _timestamp;

    [Params(128, 4096)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_payload);
        _output = new ArrayBufferWriter<byte>(PayloadLength * 2);
        _writer = new ChunkWriter();
        _reader = new ChunkReader();
        ProtocolControl.WriteSetChunkSize(_writer, _output, ChunkSize);
        var setup = new ReadOnlySequence<byte>(_output.WrittenMemory);
        _reader.TryReadMessage(ref setup, out _);

        // A fixed chunked message for the read-only benchmark: type-0 first header so it reads alone.
        var single = new ArrayBufferWriter<byte>();
        var fresh = new ChunkWriter { ChunkSize = ChunkSize };
        fresh.WriteMessage(single, ChunkStreamIds.Video, new MessageHeader(1000, PayloadLength, RtmpMessageType.Video, 1), _payload);
        _chunked = single.WrittenSpan.ToArray();
    }

    [Benchmark(Baseline = true, Description = "memcpy 64 KiB")]
    public void Copy() => _payload.AsSpan().CopyTo(_copyTarget);

    [Benchmark(Description = "write 64 KiB")]
    public int Write()
    {
        _output.ResetWrittenCount();
        _timestamp += 33;
        _writer.WriteMessage(_output, ChunkStreamIds.Video, new MessageHeader(_timestamp, PayloadLength, RtmpMessageType.Video, 1), _payload);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "read 64 KiB")]
    public int Read()
    {
        // Each read resets the chunk stream with a type-0 header, so the same bytes read again and again.
        var buffer = new ReadOnlySequence<byte>(_chunked);
        _reader.TryReadMessage(ref buffer, out RtmpMessage message);
        return message.Payload.Length;
    }

    [Benchmark(Description = "write + read 64 KiB")]
    public int WriteAndRead()
    {
        _output.ResetWrittenCount();
        _timestamp += 33;
        _writer.WriteMessage(_output, ChunkStreamIds.Video, new MessageHeader(_timestamp, PayloadLength, RtmpMessageType.Video, 1), _payload);
        var buffer = new ReadOnlySequence<byte>(_output.WrittenMemory);
        _reader.TryReadMessage(ref buffer, out RtmpMessage message);
        return message.Payload.Length;
    }
}
