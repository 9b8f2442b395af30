using System.Buffers;
using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Messages.Commands;

/// <summary>
/// AMF3 command (type 17) and data (type 15) messages: one format byte (0x00) followed by AMF0 values, any of which
/// may switch to AMF3 with marker 0x11. <see cref="CommandHeader.Read"/> handles them directly (scalars switched to
/// AMF3 are read inline). For the typed commands, first rewrite the payload to plain AMF0 with <see cref="ToAmf0"/>,
/// then call the same <c>Read</c> as for type 20:
/// <code>
/// var amf0 = new ArrayBufferWriter&lt;byte&gt;();
/// Amf3Commands.ToAmf0(payload, amf0);
/// var connect = ConnectCommand.Read(amf0.WrittenSpan);
/// </code>
/// This allocates (an <see cref="AmfValue"/> tree per value): only old Flash clients send AMF3, a cold path.
/// </summary>
public static class Amf3Commands
{
    /// <summary>Rewrites an AMF3 command or data payload as the equivalent AMF0 payload (no format byte).</summary>
    public static void ToAmf0(ReadOnlySpan<byte> payload, IBufferWriter<byte> output, RtmpLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        limits ??= RtmpLimits.Default;
        var reader = new Amf0Reader(payload.Slice(SkipFormatByte(payload)), limits);
        // One AMF3 context for the whole message: reference tables span every switch in it.
        var context = new Amf3Context(limits);
        var writer = new Amf0Writer(output);
        var values = 0;
        while (!reader.IsAtEnd)
        {
            if (++values > limits.MaxAmfElements)
            {
                RtmpProtocolException.Throw(
                    $"AMF3 command holds more than {limits.MaxAmfElements} top-level values (MaxAmfElements) at offset {reader.Position}");
            }
            AmfValue.ReadAmf0(ref reader, context).WriteAmf0(ref writer);
        }
    }

    internal static int SkipFormatByte(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            RtmpProtocolException.Throw("AMF3 command is truncated at offset 0: the format byte is missing");
        }
        if (payload[0] != 0)
        {
            RtmpProtocolException.Throw($"AMF3 command has format byte 0x{payload[0]:X2} at offset 0; only 0x00 (AMF0 values) is defined");
        }
        return 1;
    }
}
