using System.Globalization;
using System.Text;
using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Messages.Commands;

/// <summary>Helpers shared by the typed commands: lenient about optional arguments, strict about the name.</summary>
internal static class CommandReading
{
    public static Amf0Reader Open(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> expectedName, RtmpLimits? limits, out double transactionId)
    {
        var reader = new Amf0Reader(payload, limits);
        ExpectName(ref reader, expectedName);
        transactionId = reader.ReadNumber();
        return reader;
    }

    public static void ExpectName(ref Amf0Reader reader, ReadOnlySpan<byte> expectedName)
    {
        var start = reader.Position;
        var name = reader.ReadStringUtf8();
        if (!name.SequenceEqual(expectedName))
        {
            RtmpProtocolException.Throw(
                $"Command at offset {start} is '{Encoding.UTF8.GetString(name)}' where '{Encoding.UTF8.GetString(expectedName)}' was expected");
        }
    }

    /// <summary>Skips the command object (null for every command but connect and results) if present.</summary>
    public static void SkipOptional(ref Amf0Reader reader)
    {
        if (!reader.IsAtEnd)
        {
            reader.Skip();
        }
    }

    public static string? ReadOptionalString(ref Amf0Reader reader)
    {
        if (reader.IsAtEnd)
        {
            return null;
        }
        if (reader.TryReadString(out var utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }
        if (reader.PeekMarker() == Amf0Marker.Number)
        {
            return reader.ReadNumber().ToString("R", CultureInfo.InvariantCulture);
        }
        reader.Skip();
        return null;
    }

    public static double? ReadOptionalNumber(ref Amf0Reader reader)
    {
        if (reader.IsAtEnd)
        {
            return null;
        }
        switch (reader.PeekMarker())
        {
            case Amf0Marker.Number:
                return reader.ReadNumber();
            case Amf0Marker.Boolean:
                return reader.ReadBoolean() ? 1 : 0;
            case Amf0Marker.AvmPlusObject when reader.UnreadSpan.Length > 1
                && reader.UnreadSpan[1] is (byte)Amf3Marker.Integer or (byte)Amf3Marker.Double:
                return reader.ReadNumber();
            default:
                reader.Skip();
                return null;
        }
    }

    public static bool? ReadOptionalBoolean(ref Amf0Reader reader)
    {
        if (reader.IsAtEnd)
        {
            return null;
        }
        switch (reader.PeekMarker())
        {
            case Amf0Marker.Boolean:
                return reader.ReadBoolean();
            case Amf0Marker.Number:
                return reader.ReadNumber() != 0;
            case Amf0Marker.AvmPlusObject when reader.UnreadSpan.Length > 1
                && reader.UnreadSpan[1] is (byte)Amf3Marker.True or (byte)Amf3Marker.False:
                return reader.ReadBoolean();
            default:
                reader.Skip();
                return null;
        }
    }

    /// <summary>Opens an object or ECMA array; returns false (consuming a null/undefined, or skipping anything else) when there is none.</summary>
    public static bool TryOpenObject(ref Amf0Reader reader)
    {
        if (reader.IsAtEnd)
        {
            return false;
        }
        switch (reader.PeekMarker())
        {
            case Amf0Marker.Object:
            case Amf0Marker.EcmaArray:
                reader.ReadObjectOrEcmaArrayStart();
                return true;
            case Amf0Marker.TypedObject:
                reader.ReadTypedObjectStart();
                return true;
            default:
                reader.Skip();
                return false;
        }
    }

    public static void WriteHeader(ref Amf0Writer writer, ReadOnlySpan<byte> name, double transactionId)
    {
        writer.WriteString(name);
        writer.WriteNumber(transactionId);
    }

    public static void WriteOptionalString(ref Amf0Writer writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteProperty(name, value);
        }
    }

    public static void WriteOptionalNumber(ref Amf0Writer writer, ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteProperty(name, number);
        }
    }

    public static void WriteOptionalBoolean(ref Amf0Writer writer, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is { } flag)
        {
            writer.WriteProperty(name, flag);
        }
    }
}
