using System.Buffers;
using System.Security.Cryptography;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Protocol;
using EdgeRtmp.Protocol.Amf;
using EdgeRtmp.Protocol.Chunking;
using EdgeRtmp.Protocol.Handshake;
using EdgeRtmp.Protocol.Messages;

namespace EdgeRtmp.Fuzz;

/// <summary>
/// Cuts a capture (<see cref="Capture"/>) into small seeds per target: the handshakes, the first kilobytes of each chunk
/// stream, every command and data body, the AVC configuration record. Seeds are named after the capture and their
/// content hash, so running it twice adds nothing.
/// </summary>
internal static class Seeds
{
    private const int HandshakeLength = 1 + 2 * RtmpHandshake.PacketLength;
    private const int ChunkSeedLength = 6 * 1024;

    public static int FromCapture(string prefix, string corpusRoot)
    {
        string source = Path.GetFileName(prefix);
        byte[] c2s = File.ReadAllBytes(prefix + ".c2s");
        byte[] s2c = File.ReadAllBytes(prefix + ".s2c");
        int written = 0;
        written += Save(corpusRoot, "handshake-server", source, [0, .. c2s.AsSpan(0, Math.Min(HandshakeLength, c2s.Length))]);
        written += Save(corpusRoot, "handshake-server", source, [7, .. c2s.AsSpan(0, Math.Min(HandshakeLength, c2s.Length))]);
        written += Save(corpusRoot, "handshake-client", source, [0, .. s2c.AsSpan(0, Math.Min(HandshakeLength, s2c.Length))]);
        written += Save(corpusRoot, "handshake-client", source, [13, .. s2c.AsSpan(0, Math.Min(HandshakeLength, s2c.Length))]);
        foreach (byte[] direction in new[] { c2s, s2c })
        {
            if (direction.Length <= HandshakeLength)
            {
                continue;
            }

            ReadOnlySpan<byte> chunks = direction.AsSpan(HandshakeLength);
            written += Save(corpusRoot, "chunks", source, [0, .. chunks[..Math.Min(ChunkSeedLength, chunks.Length)]]);
            written += Save(corpusRoot, "chunks", source, [0x61, .. chunks[..Math.Min(ChunkSeedLength / 4, chunks.Length)]]);
            written += Messages(corpusRoot, source, chunks.ToArray());
        }

        Console.WriteLine($"seeds: {written} new files from {prefix}");
        return 0;
    }

    /// <summary>Seeds no capture has: AMF3 values (FFmpeg and nginx-rtmp speak AMF0 only).</summary>
    public static int Synthetic(string corpusRoot)
    {
        int written = 0;
        var output = new ArrayBufferWriter<byte>();
        var writer = new Amf3Writer(output);
        writer.WriteString("connect");
        writer.WriteString("connect");
        writer.WriteInteger(1);
        writer.WriteInteger(-1);
        writer.WriteDouble(1.5);
        writer.WriteBoolean(true);
        writer.WriteNull();
        writer.WriteByteArray([1, 2, 3]);
        writer.WriteDate(0);
        writer.WriteXml("<a/>");
        writer.WriteValue(AmfValue.FromObject([new("app", AmfValue.FromString("live")), new("n", AmfValue.FromNumber(3))]));
        writer.WriteValue(AmfValue.FromStrictArray([AmfValue.FromNumber(1), AmfValue.FromString("x")]));
        written += Save(corpusRoot, "amf3", "synthetic", output.WrittenSpan);
        Console.WriteLine($"seeds: {written} synthetic files");
        return 0;
    }

    private static int Messages(string corpusRoot, string source, byte[] chunks)
    {
        int written = 0;
        using var reader = new ChunkReader(RtmpLimits.Default);
        var input = new ReadOnlySequence<byte>(chunks);
        try
        {
            for (int count = 0; count < 10_000 && reader.TryReadMessage(ref input, out RtmpMessage message); count++)
            {
                ReadOnlySpan<byte> body = message.Payload.Span;
                switch (message.Type)
                {
                    case RtmpMessageType.CommandAmf0:
                        written += Save(corpusRoot, "commands", source, [0, .. body]);
                        written += Save(corpusRoot, "amf0", source, body);
                        break;
                    case RtmpMessageType.DataAmf0:
                        written += Save(corpusRoot, "commands", source, [2, .. body]);
                        written += Save(corpusRoot, "amf0", source, body);
                        break;
                    case RtmpMessageType.Video when FlvPayload.IsVideoSequenceHeader(body) && body.Length > 5:
                        written += Save(corpusRoot, "avcc", source, body[5..]);
                        break;
                }
            }
        }
        catch (RtmpProtocolException)
        {
            // The capture ends mid-message or was cut: what was read so far is enough.
        }

        return written;
    }

    private static int Save(string corpusRoot, string target, string source, ReadOnlySpan<byte> seed)
    {
        string directory = Path.Combine(corpusRoot, target);
        Directory.CreateDirectory(directory);
        string hash = Convert.ToHexString(SHA1.HashData(seed))[..10].ToLowerInvariant();
        string file = Path.Combine(directory, $"{source}-{hash}");
        if (File.Exists(file))
        {
            return 0;
        }

        File.WriteAllBytes(file, seed.ToArray());
        return 1;
    }
}
