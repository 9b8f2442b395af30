using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace EdgeRtmp.Protocol.Handshake;

/// <summary>
/// One RTMP handshake, either role, as a synchronous state machine over whatever bytes have arrived
/// (any fragmentation, down to one byte per call). Simple (RTMP 1.0 spec, section 5.2) and complex
/// (Flash Player 9 digest) handshakes are both spoken; see <see cref="HandshakeDigest"/> for the latter.
/// </summary>
/// <remarks>
/// <code>
///  client                                   server
///  C0 (1: version 3) + C1 (1536)  ───────►
///                                 ◄───────  S0 (1) + S1 (1536) + S2 (1536)   once C1 is in
///  C2 (1536)                      ───────►                                   once S1 is in
///  complete once S2 is in                   complete once C2 is in
///
///  C1/S1: time u32 | version u32 (zero in the simple handshake) | 1528 random bytes
///  C2/S2 (simple): an echo of S1/C1
/// </code>
/// The server answers S0+S1+S2 together once C1 has arrived, because S1 depends on whether C1 carried a
/// digest. The client sends C2 as soon as S1 has arrived (the spec allows it) and checks S2 afterwards.
/// Bytes after the handshake (a client pipelines its first chunk right behind C2) stay in the input.
/// One buffer per instance, allocated once; <see cref="Reset"/> makes the instance reusable.
/// </remarks>
public sealed class RtmpHandshake
{
    /// <summary>The C0/S0 byte of plain RTMP.</summary>
    public const byte RtmpVersion = 3;

    /// <summary>Length of C1, S1, C2 and S2.</summary>
    public const int PacketLength = HandshakeDigest.PacketLength;

    private const int TimeOffset = 0;
    private const int VersionOffset = 4;
    private const int RandomOffset = 8;

    private enum Stage { NotStarted, ReadVersion, ReadPacket, ReadEcho, Complete }

    private readonly HandshakeOptions _options;

    // Server: [C1]. Client: [S1 | our C1 | S2].
    private readonly byte[] _buffer;
    private Stage _stage;
    private int _filled;
    private int _ownDigestOffset;
    private int _peerDigestOffset;

    private RtmpHandshake(bool isServer, HandshakeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IsServer = isServer;
        _options = options;
        _buffer = new byte[isServer ? PacketLength : 3 * PacketLength];
        Reset();
    }

    public static RtmpHandshake CreateServer(HandshakeOptions options) => new(isServer: true, options);

    public static RtmpHandshake CreateClient(HandshakeOptions options) => new(isServer: false, options);

    public bool IsServer { get; }

    public bool IsComplete => _stage == Stage.Complete;

    /// <summary>What was negotiated; <see cref="HandshakeKind.Pending"/> until the peer's C1/S1 has arrived.</summary>
    public HandshakeKind Kind { get; private set; }

    /// <summary>Where the digest sat in the peer's C1/S1; meaningful only when <see cref="Kind"/> is complex.</summary>
    public HandshakeDigestScheme DigestScheme { get; private set; }

    /// <summary>The time field of the peer's C1/S1.</summary>
    public uint PeerEpoch { get; private set; }

    /// <summary>The version field of the peer's C1/S1 (Flash Player or FMS version; zero from simple peers).</summary>
    public uint PeerVersion { get; private set; }

    private Span<byte> PeerPacket => _buffer.AsSpan(0, PacketLength);

    private Span<byte> OwnPacket => _buffer.AsSpan(PacketLength, PacketLength);

    private Span<byte> PeerEcho => _buffer.AsSpan(2 * PacketLength, PacketLength);

    /// <summary>Returns the instance to its initial state so another connection can use it.</summary>
    public void Reset()
    {
        _stage = IsServer ? Stage.ReadVersion : Stage.NotStarted;
        _filled = 0;
        _ownDigestOffset = -1;
        _peerDigestOffset = -1;
        Kind = HandshakeKind.Pending;
        DigestScheme = HandshakeDigestScheme.DigestFirst;
        PeerEpoch = 0;
        PeerVersion = 0;
    }

    /// <summary>
    /// Client: writes C0+C1. Does nothing on a server (it speaks once C1 arrives) or when already started,
    /// so a connection loop may call it unconditionally. <see cref="TryAdvance"/> calls it if needed.
    /// </summary>
    public void Start(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_stage != Stage.NotStarted)
            return;

        Span<byte> c1 = OwnPacket;
        BinaryPrimitives.WriteUInt32BigEndian(c1[TimeOffset..], _options.Epoch);
        BinaryPrimitives.WriteUInt32BigEndian(c1[VersionOffset..], _options.OfferComplex ? _options.ClientVersion : 0);
        _options.RandomFill(c1[RandomOffset..]);
        if (_options.OfferComplex)
            _ownDigestOffset = HandshakeDigest.Imprint(c1, _options.DigestScheme, HandshakeDigest.ClientKey);

        Span<byte> destination = output.GetSpan(1 + PacketLength);
        destination[0] = RtmpVersion;
        c1.CopyTo(destination[1..]);
        output.Advance(1 + PacketLength);
        _stage = Stage.ReadVersion;
    }

    /// <summary>
    /// Consumes what it can of <paramref name="input"/> (advancing it past the consumed bytes and leaving anything
    /// after the handshake untouched) and writes what must be sent to <paramref name="output"/>.
    /// Returns true once the handshake is complete. Throws <see cref="RtmpProtocolException"/> on a bad peer.
    /// </summary>
    public bool TryAdvance(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_stage == Stage.NotStarted)
            Start(output);

        while (_stage != Stage.Complete && !input.IsEmpty)
        {
            switch (_stage)
            {
                case Stage.ReadVersion:
                    ReadVersion(ref input);
                    break;
                case Stage.ReadPacket:
                    if (TryFill(ref input, PeerPacket))
                    {
                        if (IsServer)
                            AnswerC1(output);
                        else
                            AnswerS1(output);
                    }
                    break;
                case Stage.ReadEcho:
                    if (IsServer)
                    {
                        if (TrySkipC2(ref input))
                            _stage = Stage.Complete;
                    }
                    else if (TryFill(ref input, PeerEcho))
                    {
                        CheckS2();
                    }
                    break;
            }
        }
        return _stage == Stage.Complete;
    }

    private void ReadVersion(ref ReadOnlySequence<byte> input)
    {
        byte version;
        if (!input.FirstSpan.IsEmpty)
        {
            version = input.FirstSpan[0];
        }
        else
        {
            Span<byte> one = stackalloc byte[1];
            input.Slice(0, 1).CopyTo(one);
            version = one[0];
        }
        if (version != RtmpVersion)
            ThrowUnsupportedVersion(IsServer ? "C0" : "S0", version);

        input = input.Slice(1);
        _stage = Stage.ReadPacket;
    }

    private bool TryFill(ref ReadOnlySequence<byte> input, Span<byte> destination)
    {
        int take = (int)Math.Min(input.Length, destination.Length - _filled);
        input.Slice(0, take).CopyTo(destination[_filled..]);
        input = input.Slice(take);
        _filled += take;
        if (_filled < destination.Length)
            return false;
        _filled = 0;
        return true;
    }

    // Nobody checks C2 strictly: Flash-era clients send echoes, signed packets or neither depending on
    // their age, and nginx-rtmp and SRS accept all of them. Its bytes are skipped, not copied.
    private bool TrySkipC2(ref ReadOnlySequence<byte> input)
    {
        int take = (int)Math.Min(input.Length, PacketLength - _filled);
        input = input.Slice(take);
        _filled += take;
        if (_filled < PacketLength)
            return false;
        _filled = 0;
        return true;
    }

    private void ReadPeerHeader(ReadOnlySpan<byte> packet)
    {
        PeerEpoch = BinaryPrimitives.ReadUInt32BigEndian(packet[TimeOffset..]);
        PeerVersion = BinaryPrimitives.ReadUInt32BigEndian(packet[VersionOffset..]);
    }

    /// <summary>
    /// Server, C1 complete: a non-zero version field announces a digest, which we look for at scheme 0, then 1
    /// (as nginx-rtmp and SRS do). Found: complex S1/S2 in the client's scheme. Not found: the simple handshake.
    /// </summary>
    private void AnswerC1(IBufferWriter<byte> output)
    {
        ReadOnlySpan<byte> c1 = PeerPacket;
        ReadPeerHeader(c1);
        if (_options.AcceptComplex && PeerVersion != 0)
        {
            if (HandshakeDigest.TryValidate(c1, HandshakeDigestScheme.DigestFirst, HandshakeDigest.ClientKey, out int offset))
                UseComplex(HandshakeDigestScheme.DigestFirst, offset);
            else if (HandshakeDigest.TryValidate(c1, HandshakeDigestScheme.KeyFirst, HandshakeDigest.ClientKey, out offset))
                UseComplex(HandshakeDigestScheme.KeyFirst, offset);
        }
        if (Kind == HandshakeKind.Pending)
            Kind = HandshakeKind.Simple;

        const int replyLength = 1 + 2 * PacketLength;
        Span<byte> reply = output.GetSpan(replyLength)[..replyLength];
        reply[0] = RtmpVersion;
        Span<byte> s1 = reply.Slice(1, PacketLength);
        Span<byte> s2 = reply.Slice(1 + PacketLength, PacketLength);

        BinaryPrimitives.WriteUInt32BigEndian(s1[TimeOffset..], _options.Epoch);
        if (Kind == HandshakeKind.Complex)
        {
            BinaryPrimitives.WriteUInt32BigEndian(s1[VersionOffset..], _options.ServerVersion);
            _options.RandomFill(s1[RandomOffset..]);
            HandshakeDigest.Imprint(s1, DigestScheme, HandshakeDigest.ServerKey);

            _options.RandomFill(s2[..HandshakeDigest.SignatureOffset]);
            HandshakeDigest.SignResponse(s2, c1.Slice(_peerDigestOffset, HandshakeDigest.DigestLength), HandshakeDigest.ServerFullKey);
        }
        else
        {
            // A zero version tells FFmpeg and librtmp not to look for an S1 digest or check S2's signature.
            BinaryPrimitives.WriteUInt32BigEndian(s1[VersionOffset..], 0);
            _options.RandomFill(s1[RandomOffset..]);
            c1.CopyTo(s2);
        }
        output.Advance(replyLength);
        _stage = Stage.ReadEcho;
    }

    /// <summary>
    /// Client, S1 complete: if we offered a digest and S1 carries a valid one (either scheme; ours first, as a
    /// server mirrors it), C2 is signed; otherwise the server is simple and C2 echoes S1, as FFmpeg does.
    /// </summary>
    private void AnswerS1(IBufferWriter<byte> output)
    {
        ReadOnlySpan<byte> s1 = PeerPacket;
        ReadPeerHeader(s1);
        if (_ownDigestOffset >= 0 && PeerVersion != 0)
        {
            HandshakeDigestScheme preferred = _options.DigestScheme;
            HandshakeDigestScheme other = preferred == HandshakeDigestScheme.DigestFirst ? HandshakeDigestScheme.KeyFirst : HandshakeDigestScheme.DigestFirst;
            if (HandshakeDigest.TryValidate(s1, preferred, HandshakeDigest.ServerKey, out int offset))
                UseComplex(preferred, offset);
            else if (HandshakeDigest.TryValidate(s1, other, HandshakeDigest.ServerKey, out offset))
                UseComplex(other, offset);
        }
        if (Kind == HandshakeKind.Pending)
            Kind = HandshakeKind.Simple;

        Span<byte> c2 = output.GetSpan(PacketLength)[..PacketLength];
        if (Kind == HandshakeKind.Complex)
        {
            _options.RandomFill(c2[..HandshakeDigest.SignatureOffset]);
            HandshakeDigest.SignResponse(c2, s1.Slice(_peerDigestOffset, HandshakeDigest.DigestLength), HandshakeDigest.ClientFullKey);
        }
        else
        {
            s1.CopyTo(c2);
        }
        output.Advance(PacketLength);
        _stage = Stage.ReadEcho;
    }

    /// <summary>
    /// Client, S2 complete. A simple server's S2 is not checked (FFmpeg does not either: some servers send
    /// random bytes). A complex server's S2 must carry the signature keyed from our C1 digest, or be an
    /// echo of C1 (servers that sign S1 but answer C1 the RTMP 1.0 way).
    /// </summary>
    private void CheckS2()
    {
        if (Kind == HandshakeKind.Complex)
        {
            ReadOnlySpan<byte> s2 = PeerEcho;
            ReadOnlySpan<byte> c1 = OwnPacket;
            if (!HandshakeDigest.VerifyResponse(s2, c1.Slice(_ownDigestOffset, HandshakeDigest.DigestLength), HandshakeDigest.ServerFullKey)
                && !s2.SequenceEqual(c1))
            {
                RtmpProtocolException.Throw(
                    "RTMP handshake: S2 is neither signed with the key derived from our C1 digest nor an echo of C1, although S1 carried a valid digest");
            }
        }
        _stage = Stage.Complete;
    }

    private void UseComplex(HandshakeDigestScheme scheme, int peerDigestOffset)
    {
        Kind = HandshakeKind.Complex;
        DigestScheme = scheme;
        _peerDigestOffset = peerDigestOffset;
    }

    [DoesNotReturn]
    private static void ThrowUnsupportedVersion(string packet, byte version)
    {
        string reason = version switch
        {
            6 or 8 or 9 => $"asks for RTMPE (encrypted RTMP, version byte {version}), which is not supported; use plain RTMP (3) or RTMPS",
            0x16 => "is 0x16, the start of a TLS handshake: the peer speaks RTMPS (TLS) to a plain RTMP port",
            (byte)'G' or (byte)'P' or (byte)'H' => $"is 0x{version:X2} ('{(char)version}'), which looks like HTTP, not RTMP",
            _ => $"is {version} (0x{version:X2}); only 3 (plain RTMP) is supported",
        };
        RtmpProtocolException.Throw($"RTMP handshake: {packet} version byte {reason}");
    }
}
