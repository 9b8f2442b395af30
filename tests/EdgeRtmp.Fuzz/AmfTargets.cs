using EdgeRtmp.Protocol;
using EdgeRtmp.Protocol.Amf;
using EdgeRtmp.Protocol.Messages;

namespace EdgeRtmp.Fuzz;

/// <summary>AMF0 and AMF3 values, and the typed command and data models read from them.</summary>
internal static class AmfTargets
{
    private static readonly RtmpLimits Limits = RtmpLimits.Default;

    /// <summary>A sequence of AMF0 values (a command body), read as a tree and skipped, as sessions do both.</summary>
    public static void Amf0(ReadOnlySpan<byte> data)
    {
        var tree = new Amf0Reader(data, Limits);
        var context = new Amf3Context(Limits);
        // Every value read consumes at least its marker byte; a reader that did not would throw or stop here.
        for (int values = 0; !tree.IsAtEnd && values <= data.Length; values++)
        {
            int before = tree.Position;
            AmfValue.ReadAmf0(ref tree, context);
            Progressed(before, tree.Position, "AMF0 tree read");
        }

        var skipper = new Amf0Reader(data, Limits);
        for (int values = 0; !skipper.IsAtEnd && values <= data.Length; values++)
        {
            int before = skipper.Position;
            skipper.Skip();
            Progressed(before, skipper.Position, "AMF0 skip");
        }
    }

    /// <summary>A sequence of AMF3 values sharing one set of reference tables, as in one AMF3 message.</summary>
    public static void Amf3(ReadOnlySpan<byte> data)
    {
        var reader = new Amf3Reader(data, new Amf3Context(Limits), Limits);
        for (int values = 0; reader.Position < data.Length && values <= data.Length; values++)
        {
            int before = reader.Position;
            reader.ReadValue();
            Progressed(before, reader.Position, "AMF3 read");
        }
    }

    /// <summary>
    /// A command or data message body: the first byte picks the message type the body arrived as (AMF0 or AMF3
    /// command, AMF0 or AMF3 data), the rest is the body.
    /// </summary>
    public static void Commands(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        RtmpMessageType type = (data[0] & 3) switch
        {
            0 => RtmpMessageType.CommandAmf0,
            1 => RtmpMessageType.CommandAmf3,
            2 => RtmpMessageType.DataAmf0,
            _ => RtmpMessageType.DataAmf3,
        };
        ReadOnlySpan<byte> body = data[1..];
        Messages.Read(new MessageHeader(0, body.Length, type, 1), body, Limits);
    }

    private static void Progressed(int before, int after, string what)
    {
        if (after <= before)
        {
            throw new InvalidOperationException($"{what} consumed nothing at offset {before}: a caller looping over values would spin");
        }
    }
}
