using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace EdgeRtmp.Protocol.Amf;

/// <summary>
/// Writes AMF0 values (AMF0 specification, section 2) straight into an <see cref="IBufferWriter{T}"/>:
/// <c>GetSpan(n)</c>, fill with <see cref="BinaryPrimitives"/>, <c>Advance(n)</c>. Allocates nothing; strings given as
/// <see cref="string"/> are transcoded to UTF-8 directly into the output.
/// </summary>
public readonly ref struct Amf0Writer
{
    /// <summary>Longest UTF-8 string that fits a string-type (U16 length); longer ones become long strings.</summary>
    public const int MaxShortStringLength = ushort.MaxValue;

    private readonly IBufferWriter<byte> _output;

    public Amf0Writer(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    public void WriteNumber(double value)
    {
        var span = _output.GetSpan(9);
        span[0] = (byte)Amf0Marker.Number;
        BinaryPrimitives.WriteDoubleBigEndian(span.Slice(1), value);
        _output.Advance(9);
    }

    public void WriteBoolean(bool value)
    {
        var span = _output.GetSpan(2);
        span[0] = (byte)Amf0Marker.Boolean;
        span[1] = value ? (byte)1 : (byte)0;
        _output.Advance(2);
    }

    /// <summary>Writes a string-type, or a long-string-type when it is longer than 65535 UTF-8 bytes.</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxShortStringLength)
        {
            WriteLongLengthPrefixed(Amf0Marker.LongString, utf8);
            return;
        }
        var span = _output.GetSpan(3 + utf8.Length);
        span[0] = (byte)Amf0Marker.String;
        BinaryPrimitives.WriteUInt16BigEndian(span.Slice(1), (ushort)utf8.Length);
        utf8.CopyTo(span.Slice(3));
        _output.Advance(3 + utf8.Length);
    }

    /// <summary>Writes a string-type (or long-string-type), transcoding to UTF-8 without an intermediate buffer.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > MaxShortStringLength)
        {
            var longSpan = _output.GetSpan(5 + length);
            longSpan[0] = (byte)Amf0Marker.LongString;
            BinaryPrimitives.WriteUInt32BigEndian(longSpan.Slice(1), (uint)length);
            Encoding.UTF8.GetBytes(value, longSpan.Slice(5));
            _output.Advance(5 + length);
            return;
        }
        var span = _output.GetSpan(3 + length);
        span[0] = (byte)Amf0Marker.String;
        BinaryPrimitives.WriteUInt16BigEndian(span.Slice(1), (ushort)length);
        Encoding.UTF8.GetBytes(value, span.Slice(3));
        _output.Advance(3 + length);
    }

    public void WriteNull() => WriteMarker(Amf0Marker.Null);

    public void WriteUndefined() => WriteMarker(Amf0Marker.Undefined);

    public void WriteObjectStart() => WriteMarker(Amf0Marker.Object);

    /// <summary>Writes a property name (UTF-8, at most 65535 bytes, not empty); follow it with the value.</summary>
    public void WritePropertyName(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty || utf8.Length > MaxShortStringLength)
        {
            throw new ArgumentException($"An AMF0 property name must be 1 to {MaxShortStringLength} UTF-8 bytes; got {utf8.Length}.", nameof(utf8));
        }
        var span = _output.GetSpan(2 + utf8.Length);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)utf8.Length);
        utf8.CopyTo(span.Slice(2));
        _output.Advance(2 + utf8.Length);
    }

    public void WritePropertyName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var length = Encoding.UTF8.GetByteCount(name);
        if (length == 0 || length > MaxShortStringLength)
        {
            throw new ArgumentException($"An AMF0 property name must be 1 to {MaxShortStringLength} UTF-8 bytes; got {length}.", nameof(name));
        }
        var span = _output.GetSpan(2 + length);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)length);
        Encoding.UTF8.GetBytes(name, span.Slice(2));
        _output.Advance(2 + length);
    }

    public void WriteProperty(ReadOnlySpan<byte> name, double value)
    {
        WritePropertyName(name);
        WriteNumber(value);
    }

    public void WriteProperty(ReadOnlySpan<byte> name, bool value)
    {
        WritePropertyName(name);
        WriteBoolean(value);
    }

    public void WriteProperty(ReadOnlySpan<byte> name, ReadOnlySpan<byte> utf8Value)
    {
        WritePropertyName(name);
        WriteString(utf8Value);
    }

    public void WriteProperty(ReadOnlySpan<byte> name, string value)
    {
        WritePropertyName(name);
        WriteString(value);
    }

    /// <summary>Ends an object, typed object or ECMA array: UTF-8-empty followed by object-end-marker.</summary>
    public void WriteObjectEnd()
    {
        var span = _output.GetSpan(3);
        span[0] = 0;
        span[1] = 0;
        span[2] = (byte)Amf0Marker.ObjectEnd;
        _output.Advance(3);
    }

    /// <summary>Opens an ECMA array; write <paramref name="count"/> properties, then <see cref="WriteObjectEnd"/>.</summary>
    public void WriteEcmaArrayStart(uint count) => WriteMarkerAndCount(Amf0Marker.EcmaArray, count);

    /// <summary>Opens a strict array; write exactly <paramref name="count"/> values after it (there is no end marker).</summary>
    public void WriteStrictArrayStart(uint count) => WriteMarkerAndCount(Amf0Marker.StrictArray, count);

    public void WriteTypedObjectStart(ReadOnlySpan<byte> classNameUtf8)
    {
        WriteMarker(Amf0Marker.TypedObject);
        WritePropertyName(classNameUtf8);
    }

    /// <summary>Writes a date: milliseconds since the Unix epoch (UTC); the time zone is reserved and should be 0.</summary>
    public void WriteDate(double millisecondsSinceEpoch, short timeZone = 0)
    {
        var span = _output.GetSpan(11);
        span[0] = (byte)Amf0Marker.Date;
        BinaryPrimitives.WriteDoubleBigEndian(span.Slice(1), millisecondsSinceEpoch);
        BinaryPrimitives.WriteInt16BigEndian(span.Slice(9), timeZone);
        _output.Advance(11);
    }

    public void WriteXmlDocument(ReadOnlySpan<byte> utf8) => WriteLongLengthPrefixed(Amf0Marker.XmlDocument, utf8);

    public void WriteReference(ushort index)
    {
        var span = _output.GetSpan(3);
        span[0] = (byte)Amf0Marker.Reference;
        BinaryPrimitives.WriteUInt16BigEndian(span.Slice(1), index);
        _output.Advance(3);
    }

    /// <summary>Writes the unsupported-type marker (a value with no body).</summary>
    public void WriteUnsupported() => WriteMarker(Amf0Marker.Unsupported);

    /// <summary>Writes raw bytes (e.g. an already-encoded value, or the AMF3 body after <see cref="Amf0Marker.AvmPlusObject"/>).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => _output.Write(bytes);

    internal IBufferWriter<byte> Output => _output;

    private void WriteMarker(Amf0Marker marker)
    {
        var span = _output.GetSpan(1);
        span[0] = (byte)marker;
        _output.Advance(1);
    }

    private void WriteMarkerAndCount(Amf0Marker marker, uint count)
    {
        var span = _output.GetSpan(5);
        span[0] = (byte)marker;
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(1), count);
        _output.Advance(5);
    }

    private void WriteLongLengthPrefixed(Amf0Marker marker, ReadOnlySpan<byte> utf8)
    {
        var span = _output.GetSpan(5 + utf8.Length);
        span[0] = (byte)marker;
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(1), (uint)utf8.Length);
        utf8.CopyTo(span.Slice(5));
        _output.Advance(5 + utf8.Length);
    }
}
