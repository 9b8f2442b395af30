using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeRtmp.Protocol.Handshake;

namespace EdgeRtmp.Benchmarks;

/// <summary>
/// A whole handshake, our client against our server in memory: C0C1 → S0S1S2 → C2. The instances and
/// buffers are reused through <see cref="RtmpHandshake.Reset"/>, so the numbers are the protocol work
/// (HMAC-SHA256 and the random filler from RandomNumberGenerator, as in production), not allocation.
/// </summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks
{
    private readonly ArrayBufferWriter<byte> _toServer = new(4096);
    private readonly ArrayBufferWriter<byte> _toClient = new(4096);
    private RtmpHandshake _simpleClient = null!;
    private RtmpHandshake _simpleServer = null!;
    private RtmpHandshake _complexClient = null!;
    private RtmpHandshake _complexServer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _simpleClient = RtmpHandshake.CreateClient(new HandshakeOptions { OfferComplex = false });
        _simpleServer = RtmpHandshake.CreateServer(HandshakeOptions.Default);
        _complexClient = RtmpHandshake.CreateClient(HandshakeOptions.Default);
        _complexServer = RtmpHandshake.CreateServer(HandshakeOptions.Default);
        if (Simple() != HandshakeKind.Simple || Complex() != HandshakeKind.Complex)
            throw new InvalidOperationException("the benchmark handshakes did not negotiate what they measure");
    }

    [Benchmark(Baseline = true)]
    public HandshakeKind Simple() => Run(_simpleClient, _simpleServer);

    [Benchmark]
    public HandshakeKind Complex() => Run(_complexClient, _complexServer);

    private HandshakeKind Run(RtmpHandshake client, RtmpHandshake server)
    {
        client.Reset();
        server.Reset();
        _toServer.ResetWrittenCount();
        _toClient.ResetWrittenCount();

        client.Start(_toServer);
        var c0c1 = new ReadOnlySequence<byte>(_toServer.WrittenMemory);
        server.TryAdvance(ref c0c1, _toClient);
        _toServer.ResetWrittenCount();

        var s0s1s2 = new ReadOnlySequence<byte>(_toClient.WrittenMemory);
        client.TryAdvance(ref s0s1s2, _toServer);
        _toClient.ResetWrittenCount();

        var c2 = new ReadOnlySequence<byte>(_toServer.WrittenMemory);
        if (!server.TryAdvance(ref c2, _toClient) || !client.IsComplete)
            throw new InvalidOperationException("handshake did not complete");
        return server.Kind;
    }
}
