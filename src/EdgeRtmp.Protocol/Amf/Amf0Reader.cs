using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace EdgeRtmp.Protocol.Amf;

/// <summary>
/// A forward-only AMF0 reader over one complete message payload (AMF0 specification, section 2).
/// Nothing is allocated unless asked for (<see cref="ReadString"/>, <see cref="ReadAmf3"/>):
/// strings come back as UTF-8 spans into the payload, objects are iterated property by property.
/// </summary>
/// <remarks>
/// <para>Every truncated or invalid input throws <see cref="RtmpProtocolException"/> naming what was wrong
/// and the offset; no length read from the input sizes an allocation.</para>
/// <para>Limits: <see cref="Skip"/> enforces <see cref="RtmpLimits.MaxAmfDepth"/> and
/// <see cref="RtmpLimits.MaxAmfElements"/> per container. Caller-driven iteration
/// (<see cref="ReadObjectStart"/> … <see cref="TryReadPropertyName"/>) checks depth on every open and counts
/// property names cumulatively over the whole reader against <see cref="RtmpLimits.MaxAmfElements"/>: the reader
/// keeps no per-level stack, so this is a cheaper, stricter bound than "per object".</para>
/// <para>References (marker 0x07) are never resolved: the reader keeps no table. <see cref="ReadReference"/>
/// validates the index against the number of complex values (object, ECMA array, strict array, typed object)
/// seen so far in this reader and returns it.</para>
/// <para>Values switched to AMF3 (marker 0x11) are read inline by <see cref="ReadNumber"/>, <see cref="ReadBoolean"/>,
/// <see cref="TryReadString"/> and <see cref="TryReadNull"/> when they are scalars; anything else goes through
/// <see cref="ReadAmf3"/> (allocating, cold path) or <see cref="Skip"/>.</para>
/// </remarks>
public ref struct Amf0Reader
{
    private const int NumberLength = 8;
    private const int DateLength = NumberLength + 2;
    private const int ShortLengthPrefix = 2;
    private const int LongLengthPrefix = 4;

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _maxDepth;
    private readonly int _maxElements;
    private int _position;
    private int _openContainers;
    private int _propertiesRead;
    private int _complexValuesSeen;
    private Amf3Context? _amf3Context;

    public Amf0Reader(ReadOnlySpan<byte> buffer, RtmpLimits? limits = null)
    {
        limits ??= RtmpLimits.Default;
        _buffer = buffer;
        _maxDepth = limits.MaxAmfDepth;
        _maxElements = limits.MaxAmfElements;
        _position = 0;
        _openContainers = 0;
        _propertiesRead = 0;
        _complexValuesSeen = 0;
        _amf3Context = null;
    }

    /// <summary>Offset of the next unread byte in the payload.</summary>
    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool IsAtEnd => _position >= _buffer.Length;

    public readonly ReadOnlySpan<byte> UnreadSpan => _buffer.Slice(_position);

    internal readonly ReadOnlySpan<byte> Buffer => _buffer;

    internal readonly int MaxDepth => _maxDepth;

    internal readonly int MaxElements => _maxElements;

    public readonly Amf0Marker PeekMarker()
    {
        if (_position >= _buffer.Length)
        {
            ThrowTruncated("value marker", _position, 1);
        }
        return (Amf0Marker)_buffer[_position];
    }

    public readonly bool TryPeekMarker(out Amf0Marker marker)
    {
        if (_position >= _buffer.Length)
        {
            marker = default;
            return false;
        }
        marker = (Amf0Marker)_buffer[_position];
        return true;
    }

    // number-type = number-marker DOUBLE
    public double ReadNumber()
    {
        var marker = PeekMarker();
        if (marker == Amf0Marker.AvmPlusObject)
        {
            return ReadAmf3Number();
        }
        ExpectMarker(marker, Amf0Marker.Number, "number");
        Need(1 + NumberLength, "number");
        _position++;
        return ReadDoubleBody("number");
    }

    // boolean-type = boolean-marker U8 ; 0 is false, <> 0 is true
    public bool ReadBoolean()
    {
        var marker = PeekMarker();
        if (marker == Amf0Marker.AvmPlusObject)
        {
            return ReadAmf3Boolean();
        }
        ExpectMarker(marker, Amf0Marker.Boolean, "boolean");
        Need(2, "boolean");
        var value = _buffer[_position + 1] != 0;
        _position += 2;
        return value;
    }

    /// <summary>
    /// Reads a string (marker 0x02), long string (0x0C) or an AMF3 inline string (0x11 0x06) as UTF-8.
    /// Returns false, consuming nothing, when the next value is of another type.
    /// </summary>
    public bool TryReadString(out ReadOnlySpan<byte> utf8)
    {
        var marker = PeekMarker();
        switch (marker)
        {
            case Amf0Marker.String:
                _position++;
                utf8 = ReadUtf8Body(ShortLengthPrefix, "string");
                return true;
            case Amf0Marker.LongString:
                _position++;
                utf8 = ReadUtf8Body(LongLengthPrefix, "long string");
                return true;
            case Amf0Marker.AvmPlusObject when _position + 1 < _buffer.Length && _buffer[_position + 1] == (byte)Amf3Marker.String:
                utf8 = ReadAmf3InlineString();
                return true;
            default:
                utf8 = default;
                return false;
        }
    }

    /// <summary>Reads a string as UTF-8 or throws when the next value is not a string.</summary>
    public ReadOnlySpan<byte> ReadStringUtf8()
    {
        if (!TryReadString(out var utf8))
        {
            ThrowUnexpected(PeekMarker(), "string", _position);
        }
        return utf8;
    }

    /// <summary>Reads a string and allocates a <see cref="string"/> for it (cold paths only).</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadStringUtf8());

    public void ReadNull()
    {
        if (!TryReadNull())
        {
            ThrowUnexpected(PeekMarker(), "null", _position);
        }
    }

    public void ReadUndefined()
    {
        ExpectMarker(PeekMarker(), Amf0Marker.Undefined, "undefined");
        _position++;
    }

    /// <summary>Consumes a null or undefined (AMF0 or AMF3) and returns true; otherwise consumes nothing.</summary>
    public bool TryReadNull()
    {
        if (!TryPeekMarker(out var marker))
        {
            return false;
        }
        switch (marker)
        {
            case Amf0Marker.Null:
            case Amf0Marker.Undefined:
                _position++;
                return true;
            case Amf0Marker.AvmPlusObject when _position + 1 < _buffer.Length
                && _buffer[_position + 1] is (byte)Amf3Marker.Null or (byte)Amf3Marker.Undefined:
                _position += 2;
                return true;
            default:
                return false;
        }
    }

    // object-type = object-marker *(object-property) object-end
    // object-property = (UTF-8 value-type) | (UTF-8-empty object-end-marker)
    /// <summary>Opens an anonymous object (marker 0x03). Follow with <see cref="TryReadPropertyName"/> until it returns false.</summary>
    public void ReadObjectStart()
    {
        ExpectMarker(PeekMarker(), Amf0Marker.Object, "object");
        _position++;
        OpenContainer();
    }

    /// <summary>
    /// Opens an ECMA array (marker 0x08) and returns its declared count. The count is only a hint (encoders get it
    /// wrong); the array ends with an object-end like an object. A count over <see cref="RtmpLimits.MaxAmfElements"/> is rejected.
    /// </summary>
    // ecma-array-type = associative-count *(object-property) object-end
    public uint ReadEcmaArrayStart()
    {
        ExpectMarker(PeekMarker(), Amf0Marker.EcmaArray, "ECMA array");
        var start = _position;
        Need(1 + 4, "ECMA array count");
        var count = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_position + 1));
        CheckCount(count, "ECMA array", start);
        _position += 5;
        OpenContainer();
        return count;
    }

    /// <summary>Opens an object or an ECMA array, whichever comes (onMetaData is sent both ways).</summary>
    public void ReadObjectOrEcmaArrayStart()
    {
        if (PeekMarker() == Amf0Marker.EcmaArray)
        {
            ReadEcmaArrayStart();
        }
        else
        {
            ReadObjectStart();
        }
    }

    // typed-object-type = object-marker class-name *(object-property) object-end
    /// <summary>Opens a typed object (marker 0x10) and returns its class name; iterate like an object.</summary>
    public ReadOnlySpan<byte> ReadTypedObjectStart()
    {
        ExpectMarker(PeekMarker(), Amf0Marker.TypedObject, "typed object");
        _position++;
        var className = ReadUtf8Body(ShortLengthPrefix, "typed object class name");
        OpenContainer();
        return className;
    }

    /// <summary>
    /// Reads the next property name of the innermost open object, typed object or ECMA array. Returns false, having
    /// consumed the object end (0x00 0x00 0x09), when the object is complete. After true, read or skip the value.
    /// </summary>
    public bool TryReadPropertyName(out ReadOnlySpan<byte> name)
    {
        var start = _position;
        if (_buffer.Length - _position < ShortLengthPrefix)
        {
            RtmpProtocolException.Throw(
                $"AMF0 object is truncated at offset {start}: missing object end (0x00 0x00 0x09)");
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.Slice(_position));
        if (length == 0)
        {
            if (_buffer.Length - _position < ShortLengthPrefix + 1)
            {
                RtmpProtocolException.Throw(
                    $"AMF0 object is truncated at offset {start}: missing object end (0x00 0x00 0x09)");
            }
            if (_buffer[_position + ShortLengthPrefix] != (byte)Amf0Marker.ObjectEnd)
            {
                RtmpProtocolException.Throw(
                    $"AMF0 empty property name at offset {start} is not followed by the object end marker 0x09 (found 0x{_buffer[_position + ShortLengthPrefix]:X2})");
            }
            _position += ShortLengthPrefix + 1;
            if (_openContainers > 0)
            {
                _openContainers--;
            }
            name = default;
            return false;
        }
        if (++_propertiesRead > _maxElements)
        {
            RtmpProtocolException.Throw(
                $"AMF0 property at offset {start} is over the limit of {_maxElements} properties (MaxAmfElements) for one message");
        }
        name = ReadUtf8Body(ShortLengthPrefix, "property name");
        return true;
    }

    /// <summary>Opens a strict array (marker 0x0A) and returns its count; then read exactly that many values.</summary>
    // strict-array-type = array-count *(value-type)
    public uint ReadStrictArrayStart()
    {
        ExpectMarker(PeekMarker(), Amf0Marker.StrictArray, "strict array");
        var start = _position;
        Need(1 + 4, "strict array count");
        var count = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_position + 1));
        CheckCount(count, "strict array", start);
        // Every element takes at least its marker byte, so a count beyond the bytes left is a lie we can catch now.
        if (count > (uint)(_buffer.Length - _position - 5))
        {
            RtmpProtocolException.Throw(
                $"AMF0 strict array at offset {start} claims {count} elements but only {_buffer.Length - _position - 5} bytes remain (truncated)");
        }
        _position += 5;
        _complexValuesSeen++;
        return count;
    }

    // date-type = date-marker DOUBLE time-zone ; time-zone = S16, reserved, should be 0
    /// <summary>Reads a date: milliseconds since the Unix epoch (UTC) and the reserved time-zone field.</summary>
    public double ReadDate(out short timeZone)
    {
        ExpectMarker(PeekMarker(), Amf0Marker.Date, "date");
        Need(1 + DateLength, "date");
        var body = _buffer.Slice(_position + 1);
        var milliseconds = BinaryPrimitives.ReadDoubleBigEndian(body);
        timeZone = BinaryPrimitives.ReadInt16BigEndian(body.Slice(NumberLength));
        _position += 1 + DateLength;
        return milliseconds;
    }

    // xml-document-type = xml-document-marker UTF-8-long
    public ReadOnlySpan<byte> ReadXmlDocument()
    {
        ExpectMarker(PeekMarker(), Amf0Marker.XmlDocument, "XML document");
        _position++;
        return ReadUtf8Body(LongLengthPrefix, "XML document");
    }

    // reference-type = reference-marker U16
    /// <summary>
    /// Reads a reference and returns its index after checking it names a complex value already seen by this reader.
    /// The reader keeps no table, so resolving it is the caller's business (no RTMP peer we know sends references).
    /// </summary>
    public ushort ReadReference()
    {
        ExpectMarker(PeekMarker(), Amf0Marker.Reference, "reference");
        var start = _position;
        Need(3, "reference");
        var index = BinaryPrimitives.ReadUInt16BigEndian(_buffer.Slice(_position + 1));
        if (index >= _complexValuesSeen)
        {
            RtmpProtocolException.Throw(
                $"AMF0 reference at offset {start} names index {index}, out of range: only {_complexValuesSeen} complex values precede it");
        }
        _position += 3;
        return index;
    }

    /// <summary>
    /// Reads a value switched to AMF3 (marker 0x11) into an <see cref="AmfValue"/>. Allocates (cold path: only old
    /// Flash clients send AMF3). The reader keeps one set of AMF3 reference tables for the whole message (made on
    /// first use), so references into an earlier switch resolve; pass <paramref name="context"/> to use your own.
    /// </summary>
    public AmfValue ReadAmf3(Amf3Context? context = null) => ReadAmf3(context, depthUsed: 0);

    internal AmfValue ReadAmf3(Amf3Context? context, int depthUsed)
    {
        ExpectMarker(PeekMarker(), Amf0Marker.AvmPlusObject, "AMF3 switch");
        var amf3 = new Amf3Reader(_buffer, _position + 1, context ?? Amf3Tables, _maxDepth - depthUsed, _maxElements);
        var value = amf3.ReadValue();
        _position = amf3.Position;
        return value;
    }

    /// <summary>Skips one value of any type, bounded by <see cref="RtmpLimits.MaxAmfDepth"/> and <see cref="RtmpLimits.MaxAmfElements"/>.</summary>
    public void Skip() => SkipValue(depth: 0);

    // Depth-counted recursion: the depth is capped by MaxAmfDepth (32 by default) before each descent.
    private void SkipValue(int depth)
    {
        var start = _position;
        var marker = PeekMarker();
        switch (marker)
        {
            case Amf0Marker.Number:
                Need(1 + NumberLength, "number");
                _position += 1 + NumberLength;
                break;
            case Amf0Marker.Boolean:
                Need(2, "boolean");
                _position += 2;
                break;
            case Amf0Marker.String:
                _position++;
                ReadUtf8Body(ShortLengthPrefix, "string");
                break;
            case Amf0Marker.LongString:
                _position++;
                ReadUtf8Body(LongLengthPrefix, "long string");
                break;
            case Amf0Marker.XmlDocument:
                _position++;
                ReadUtf8Body(LongLengthPrefix, "XML document");
                break;
            case Amf0Marker.Null:
            case Amf0Marker.Undefined:
            case Amf0Marker.Unsupported:
                _position++;
                break;
            case Amf0Marker.Reference:
                ReadReference();
                break;
            case Amf0Marker.Date:
                Need(1 + DateLength, "date");
                _position += 1 + DateLength;
                break;
            case Amf0Marker.Object:
                _position++;
                SkipProperties(depth + 1, start);
                break;
            case Amf0Marker.TypedObject:
                _position++;
                ReadUtf8Body(ShortLengthPrefix, "typed object class name");
                SkipProperties(depth + 1, start);
                break;
            case Amf0Marker.EcmaArray:
                {
                    Need(1 + 4, "ECMA array count");
                    var count = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_position + 1));
                    CheckCount(count, "ECMA array", start);
                    _position += 5;
                    SkipProperties(depth + 1, start);
                    break;
                }
            case Amf0Marker.StrictArray:
                {
                    CheckDepth(depth + 1, start);
                    var count = ReadStrictArrayStart();
                    for (uint i = 0; i < count; i++)
                    {
                        SkipValue(depth + 1);
                    }
                    break;
                }
            case Amf0Marker.AvmPlusObject:
                {
                    var amf3 = new Amf3Reader(_buffer, _position + 1, Amf3Tables, _maxDepth - depth, _maxElements);
                    amf3.ReadValue();
                    _position = amf3.Position;
                    break;
                }
            default:
                ThrowBadMarker(marker, start);
                break;
        }
    }

    // One set of AMF3 reference tables per reader (per message): references may point into an earlier switch.
    private Amf3Context Amf3Tables => _amf3Context ??= new Amf3Context(_maxElements);

    private void SkipProperties(int depth, int containerStart)
    {
        CheckDepth(depth, containerStart);
        _complexValuesSeen++;
        var properties = 0;
        while (true)
        {
            var start = _position;
            if (_position + ShortLengthPrefix > _buffer.Length)
            {
                RtmpProtocolException.Throw(
                    $"AMF0 object starting at offset {containerStart} is truncated at offset {start}: missing object end (0x00 0x00 0x09)");
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.Slice(_position));
            if (length == 0)
            {
                if (_position + ShortLengthPrefix >= _buffer.Length)
                {
                    RtmpProtocolException.Throw(
                        $"AMF0 object starting at offset {containerStart} is truncated at offset {start}: missing object end (0x00 0x00 0x09)");
                }
                var endMarker = _buffer[_position + ShortLengthPrefix];
                if (endMarker != (byte)Amf0Marker.ObjectEnd)
                {
                    RtmpProtocolException.Throw(
                        $"AMF0 empty property name at offset {start} is not followed by the object end marker 0x09 (found 0x{endMarker:X2})");
                }
                _position += ShortLengthPrefix + 1;
                return;
            }
            if (++properties > _maxElements)
            {
                RtmpProtocolException.Throw(
                    $"AMF0 object starting at offset {containerStart} has more than {_maxElements} properties (MaxAmfElements)");
            }
            ReadUtf8Body(ShortLengthPrefix, "property name");
            SkipValue(depth);
        }
    }

    private void OpenContainer()
    {
        _complexValuesSeen++;
        if (++_openContainers > _maxDepth)
        {
            RtmpProtocolException.Throw(
                $"AMF0 object at offset {_position - 1} nests {_openContainers} deep, over the depth limit of {_maxDepth} (MaxAmfDepth)");
        }
    }

    private readonly void CheckDepth(int depth, int start)
    {
        if (depth > _maxDepth)
        {
            RtmpProtocolException.Throw(
                $"AMF0 value at offset {start} nests {depth} deep, over the depth limit of {_maxDepth} (MaxAmfDepth)");
        }
    }

    private readonly void CheckCount(uint count, string what, int start)
    {
        if (count > (uint)_maxElements)
        {
            RtmpProtocolException.Throw(
                $"AMF0 {what} at offset {start} declares {count} elements, over the element count limit of {_maxElements} (MaxAmfElements)");
        }
    }

    private ReadOnlySpan<byte> ReadUtf8Body(int prefixLength, string what)
    {
        var start = _position;
        if (_buffer.Length - _position < prefixLength)
        {
            ThrowTruncated(what, _position, prefixLength);
        }
        ulong length = prefixLength == ShortLengthPrefix
            ? BinaryPrimitives.ReadUInt16BigEndian(_buffer.Slice(_position))
            : BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_position));
        var available = (ulong)(_buffer.Length - _position - prefixLength);
        if (length > available)
        {
            RtmpProtocolException.Throw(
                $"AMF0 {what} at offset {start} is truncated: declares {length} bytes but only {available} remain");
        }
        var value = _buffer.Slice(_position + prefixLength, (int)length);
        _position += prefixLength + (int)length;
        return value;
    }

    private double ReadDoubleBody(string what)
    {
        Need(NumberLength, what);
        var value = BinaryPrimitives.ReadDoubleBigEndian(_buffer.Slice(_position));
        _position += NumberLength;
        return value;
    }

    private double ReadAmf3Number()
    {
        var start = _position;
        Need(2, "AMF3 number");
        var amf3 = new Amf3Reader(_buffer, _position + 2, context: null, _maxDepth, _maxElements);
        double value;
        switch ((Amf3Marker)_buffer[_position + 1])
        {
            case Amf3Marker.Integer:
                value = amf3.ReadInt29Body();
                break;
            case Amf3Marker.Double:
                value = amf3.ReadDoubleBody();
                break;
            default:
                RtmpProtocolException.Throw(
                    $"AMF3 value at offset {start + 1} has marker 0x{_buffer[_position + 1]:X2} where a number was expected");
                return 0;
        }
        _position = amf3.Position;
        return value;
    }

    private bool ReadAmf3Boolean()
    {
        var start = _position;
        Need(2, "AMF3 boolean");
        var marker = _buffer[_position + 1];
        if (marker is not ((byte)Amf3Marker.True or (byte)Amf3Marker.False))
        {
            RtmpProtocolException.Throw(
                $"AMF3 value at offset {start + 1} has marker 0x{marker:X2} where a boolean was expected");
        }
        _position += 2;
        return marker == (byte)Amf3Marker.True;
    }

    private ReadOnlySpan<byte> ReadAmf3InlineString()
    {
        var amf3 = new Amf3Reader(_buffer, _position + 2, context: null, _maxDepth, _maxElements);
        var value = amf3.ReadInlineStringBody();
        _position = amf3.Position;
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Need(int count, string what)
    {
        if (_buffer.Length - _position < count)
        {
            ThrowTruncated(what, _position, count);
        }
    }

    private readonly void ExpectMarker(Amf0Marker actual, Amf0Marker expected, string what)
    {
        if (actual != expected)
        {
            ThrowUnexpected(actual, what, _position);
        }
    }

    private readonly void ThrowTruncated(string what, int offset, int needed) =>
        RtmpProtocolException.Throw(
            $"AMF0 {what} at offset {offset} is truncated: needs {needed} bytes but only {Math.Max(0, _buffer.Length - offset)} remain");

    private static void ThrowUnexpected(Amf0Marker marker, string expected, int offset)
    {
        if ((byte)marker > (byte)Amf0Marker.AvmPlusObject || marker is Amf0Marker.MovieClip or Amf0Marker.RecordSet or Amf0Marker.ObjectEnd)
        {
            ThrowBadMarker(marker, offset);
        }
        RtmpProtocolException.Throw($"AMF0 value at offset {offset} is a {marker} (0x{(byte)marker:X2}) where a {expected} was expected");
    }

    private static void ThrowBadMarker(Amf0Marker marker, int offset)
    {
        var reason = marker switch
        {
            Amf0Marker.MovieClip => "reserved marker 0x04 (movieclip) is not supported",
            Amf0Marker.RecordSet => "reserved marker 0x0E (recordset) is not supported",
            Amf0Marker.ObjectEnd => "object end marker 0x09 outside an object",
            _ => $"unknown marker 0x{(byte)marker:X2}",
        };
        RtmpProtocolException.Throw($"AMF0 {reason} at offset {offset}");
    }
}
