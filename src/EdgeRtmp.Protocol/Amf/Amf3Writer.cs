using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace EdgeRtmp.Protocol.Amf;

/// <summary>
/// Writes AMF3 values (AMF3 specification, section 3). It never emits references: every string and traits block
/// is written inline, which every reader accepts and which keeps the writer stateless. Objects are written as
/// dynamic objects with no sealed members.
/// </summary>
public readonly ref struct Amf3Writer
{
    /// <summary>Smallest and largest values an AMF3 integer (signed 29 bits) holds.</summary>
    public const int MinInteger = -(1 << 28);
    public const int MaxInteger = (1 << 28) - 1;

    private readonly IBufferWriter<byte> _output;

    public Amf3Writer(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    public void WriteUndefined() => WriteMarker(Amf3Marker.Undefined);

    public void WriteNull() => WriteMarker(Amf3Marker.Null);

    public void WriteBoolean(bool value) => WriteMarker(value ? Amf3Marker.True : Amf3Marker.False);

    /// <summary>Writes an integer-type, or a double-type when the value does not fit 29 bits.</summary>
    public void WriteInteger(int value)
    {
        if (value is < MinInteger or > MaxInteger)
        {
            WriteDouble(value);
            return;
        }
        WriteMarker(Amf3Marker.Integer);
        WriteU29((uint)value & 0x1FFFFFFF);
    }

    /// <summary>Writes a number: as an integer when it is integral and fits 29 bits, else as a double.</summary>
    public void WriteNumber(double value)
    {
        if (value >= MinInteger && value <= MaxInteger && Math.Floor(value) == value && !(value == 0 && double.IsNegative(value)))
        {
            WriteInteger((int)value);
        }
        else
        {
            WriteDouble(value);
        }
    }

    public void WriteDouble(double value)
    {
        var span = _output.GetSpan(9);
        span[0] = (byte)Amf3Marker.Double;
        BinaryPrimitives.WriteDoubleBigEndian(span.Slice(1), value);
        _output.Advance(9);
    }

    public void WriteString(string value)
    {
        WriteMarker(Amf3Marker.String);
        WriteUtf8Vr(value);
    }

    public void WriteDate(double millisecondsSinceEpoch)
    {
        WriteMarker(Amf3Marker.Date);
        WriteU29(1);
        var span = _output.GetSpan(8);
        BinaryPrimitives.WriteDoubleBigEndian(span, millisecondsSinceEpoch);
        _output.Advance(8);
    }

    public void WriteXml(string value)
    {
        WriteMarker(Amf3Marker.Xml);
        WriteUtf8Vr(value);
    }

    public void WriteByteArray(ReadOnlySpan<byte> bytes)
    {
        WriteMarker(Amf3Marker.ByteArray);
        WriteLength(bytes.Length);
        _output.Write(bytes);
    }

    /// <summary>Writes a generic value (cold path).</summary>
    public void WriteValue(AmfValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (value.Kind)
        {
            case AmfKind.Undefined:
            case AmfKind.Unsupported:
            case AmfKind.Reference:
                WriteUndefined();
                break;
            case AmfKind.Null:
                WriteNull();
                break;
            case AmfKind.Boolean:
                WriteBoolean(value.Boolean);
                break;
            case AmfKind.Number:
                WriteNumber(value.Number);
                break;
            case AmfKind.String:
                WriteString(value.String!);
                break;
            case AmfKind.XmlDocument:
                WriteXml(value.String!);
                break;
            case AmfKind.Date:
                WriteDate(value.Number);
                break;
            case AmfKind.ByteArray:
                WriteByteArray(value.Bytes);
                break;
            case AmfKind.StrictArray:
            case AmfKind.EcmaArray:
                WriteMarker(Amf3Marker.Array);
                WriteLength(value.Items.Count);
                foreach (var (key, item) in value.Properties)
                {
                    WriteUtf8Vr(key);
                    WriteValue(item);
                }
                WriteU29(1); // UTF-8-empty ends the associative part
                foreach (var item in value.Items)
                {
                    WriteValue(item);
                }
                break;
            case AmfKind.Object:
            case AmfKind.TypedObject:
                WriteMarker(Amf3Marker.Object);
                WriteU29(0b1011); // inline object, inline traits, dynamic, 0 sealed members
                WriteUtf8Vr(value.ClassName ?? string.Empty);
                foreach (var (key, item) in value.Properties)
                {
                    WriteUtf8Vr(key);
                    WriteValue(item);
                }
                WriteU29(1);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.Kind, "Unknown AMF value kind.");
        }
    }

    internal void WriteU29(uint value)
    {
        var span = _output.GetSpan(4);
        int length;
        if (value < 0x80)
        {
            span[0] = (byte)value;
            length = 1;
        }
        else if (value < 0x4000)
        {
            span[0] = (byte)((value >> 7) | 0x80);
            span[1] = (byte)(value & 0x7F);
            length = 2;
        }
        else if (value < 0x200000)
        {
            span[0] = (byte)((value >> 14) | 0x80);
            span[1] = (byte)((value >> 7) | 0x80);
            span[2] = (byte)(value & 0x7F);
            length = 3;
        }
        else if (value < 0x20000000)
        {
            span[0] = (byte)((value >> 22) | 0x80);
            span[1] = (byte)((value >> 15) | 0x80);
            span[2] = (byte)((value >> 8) | 0x80);
            span[3] = (byte)value;
            length = 4;
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "An AMF3 U29 holds at most 2^29 - 1.");
        }
        _output.Advance(length);
    }

    private void WriteLength(int length)
    {
        if (length > (1 << 28) - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "An AMF3 length holds at most 2^28 - 1.");
        }
        WriteU29(((uint)length << 1) | 1);
    }

    private void WriteUtf8Vr(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteLength(length);
        var span = _output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        _output.Advance(length);
    }

    private void WriteMarker(Amf3Marker marker)
    {
        var span = _output.GetSpan(1);
        span[0] = (byte)marker;
        _output.Advance(1);
    }
}
