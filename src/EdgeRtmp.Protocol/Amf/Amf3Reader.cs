using System.Buffers.Binary;
using System.Text;

namespace EdgeRtmp.Protocol.Amf;

/// <summary>
/// The three AMF3 reference tables (AMF3 specification, section 2.2) for one message. Every table is capped at
/// <see cref="RtmpLimits.MaxAmfElements"/> entries, and the total size of the values that references expand to is
/// capped too, so shared references cannot blow a small payload up into a huge tree.
/// </summary>
/// <remarks>This type allocates: AMF3 only arrives from old Flash clients (message types 15, 16, 17), a cold path.</remarks>
public sealed class Amf3Context
{
    private readonly int _maxEntries;
    internal readonly List<string> Strings = [];
    internal readonly List<AmfValue?> Objects = [];
    internal readonly List<Amf3Traits> Traits = [];
    internal long ExpandedNodes;

    public Amf3Context(int maxEntries) => _maxEntries = maxEntries;

    public Amf3Context(RtmpLimits limits) : this(limits.MaxAmfElements) { }

    internal long MaxExpandedNodes => (long)_maxEntries * 16;

    internal void Add<T>(List<T> table, T value, string what, int offset)
    {
        if (table.Count >= _maxEntries)
        {
            RtmpProtocolException.Throw(
                $"AMF3 {what} reference table is full ({_maxEntries} entries, MaxAmfElements) at offset {offset}");
        }
        table.Add(value);
    }
}

internal sealed class Amf3Traits(string className, bool isDynamic, string[] sealedNames)
{
    public string ClassName { get; } = className;
    public bool IsDynamic { get; } = isDynamic;
    public string[] SealedNames { get; } = sealedNames;
}

/// <summary>
/// Reads AMF3 values (AMF3 specification, section 3) into <see cref="AmfValue"/> trees. Allocates; see
/// <see cref="Amf3Context"/>. Vectors and dictionaries (never seen in RTMP commands or metadata) and externalizable
/// objects (their body format is private to the class) are rejected.
/// </summary>
public ref struct Amf3Reader
{
    private const int U29MaxBytes = 4;

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly Amf3Context? _context;
    private readonly int _maxDepth;
    private readonly int _maxElements;
    private int _position;

    public Amf3Reader(ReadOnlySpan<byte> buffer, Amf3Context context, RtmpLimits? limits = null)
        : this(buffer, 0, context, (limits ?? RtmpLimits.Default).MaxAmfDepth, (limits ?? RtmpLimits.Default).MaxAmfElements)
    {
    }

    internal Amf3Reader(ReadOnlySpan<byte> buffer, int position, Amf3Context? context, int maxDepth, int maxElements)
    {
        _buffer = buffer;
        _position = position;
        _context = context;
        _maxDepth = maxDepth;
        _maxElements = maxElements;
    }

    public readonly int Position => _position;

    public AmfValue ReadValue() => ReadValue(depth: 0);

    // U29 = 1 to 4 bytes, big-endian 7-bit groups with a continuation bit, the 4th byte carrying 8 bits.
    internal uint ReadU29(string what)
    {
        var start = _position;
        uint value = 0;
        for (var i = 0; i < U29MaxBytes; i++)
        {
            if (_position >= _buffer.Length)
            {
                RtmpProtocolException.Throw(
                    $"AMF3 U29 {what} at offset {start} overruns the payload: byte {i + 1} of up to 4 is missing (truncated)");
            }
            var b = _buffer[_position++];
            if (i == U29MaxBytes - 1)
            {
                return (value << 8) | b;
            }
            value = (value << 7) | (uint)(b & 0x7F);
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        return value;
    }

    internal int ReadInt29Body()
    {
        var raw = ReadU29("integer");
        // Sign-extend the 29-bit two's complement value.
        return (int)(raw << 3) >> 3;
    }

    internal double ReadDoubleBody()
    {
        Need(8, "double");
        var value = BinaryPrimitives.ReadDoubleBigEndian(_buffer.Slice(_position));
        _position += 8;
        return value;
    }

    /// <summary>Reads a string that must be inline (no reference table at hand): used for scalars switched from AMF0.</summary>
    internal ReadOnlySpan<byte> ReadInlineStringBody()
    {
        var start = _position;
        var header = ReadU29("string length");
        if ((header & 1) == 0)
        {
            RtmpProtocolException.Throw(
                $"AMF3 string reference {header >> 1} at offset {start} is out of range: no strings precede it here");
        }
        return ReadBytes((int)(header >> 1), "string");
    }

    private AmfValue ReadValue(int depth)
    {
        var start = _position;
        Need(1, "value marker");
        var marker = (Amf3Marker)_buffer[_position++];
        switch (marker)
        {
            case Amf3Marker.Undefined:
                return AmfValue.Undefined;
            case Amf3Marker.Null:
                return AmfValue.Null;
            case Amf3Marker.False:
                return AmfValue.False;
            case Amf3Marker.True:
                return AmfValue.True;
            case Amf3Marker.Integer:
                return AmfValue.FromNumber(ReadInt29Body());
            case Amf3Marker.Double:
                return AmfValue.FromNumber(ReadDoubleBody());
            case Amf3Marker.String:
                return AmfValue.FromString(ReadString());
            case Amf3Marker.XmlDocument:
            case Amf3Marker.Xml:
                return ReadXml(start);
            case Amf3Marker.Date:
                return ReadDate(start);
            case Amf3Marker.Array:
                return ReadArray(depth + 1, start);
            case Amf3Marker.Object:
                return ReadObject(depth + 1, start);
            case Amf3Marker.ByteArray:
                return ReadByteArray(start);
            case Amf3Marker.VectorInt:
            case Amf3Marker.VectorUInt:
            case Amf3Marker.VectorDouble:
            case Amf3Marker.VectorObject:
            case Amf3Marker.Dictionary:
                RtmpProtocolException.Throw($"AMF3 marker 0x{(byte)marker:X2} ({marker}) at offset {start} is not supported");
                return null!;
            default:
                RtmpProtocolException.Throw($"AMF3 unknown marker 0x{(byte)marker:X2} at offset {start}");
                return null!;
        }
    }

    // UTF-8-vr = U29S-ref | (U29S-value *(UTF8-char))
    private string ReadString()
    {
        var context = Context;
        var start = _position;
        var header = ReadU29("string length");
        if ((header & 1) == 0)
        {
            var index = (int)(header >> 1);
            if (index >= context.Strings.Count)
            {
                RtmpProtocolException.Throw(
                    $"AMF3 string reference {index} at offset {start} is out of range: the table holds {context.Strings.Count}");
            }
            return context.Strings[index];
        }
        var bytes = ReadBytes((int)(header >> 1), "string");
        if (bytes.IsEmpty)
        {
            return string.Empty; // the empty string is never sent by reference
        }
        var value = Encoding.UTF8.GetString(bytes);
        context.Add(context.Strings, value, "string", start);
        return value;
    }

    private bool TryReadObjectReference(int start, out AmfValue value, out uint header)
    {
        header = ReadU29("header");
        if ((header & 1) != 0)
        {
            value = null!;
            return false;
        }
        var context = Context;
        var index = (int)(header >> 1);
        if (index >= context.Objects.Count)
        {
            RtmpProtocolException.Throw(
                $"AMF3 object reference {index} at offset {start} is out of range: the table holds {context.Objects.Count}");
        }
        var target = context.Objects[index];
        if (target is null)
        {
            RtmpProtocolException.Throw(
                $"AMF3 object reference {index} at offset {start} points to a value still being read (a cycle), which is not supported");
        }
        context.ExpandedNodes += target.NodeCount;
        if (context.ExpandedNodes > context.MaxExpandedNodes)
        {
            RtmpProtocolException.Throw(
                $"AMF3 object reference {index} at offset {start} expands the message past {context.MaxExpandedNodes} values (MaxAmfElements x 16)");
        }
        value = target;
        return true;
    }

    private AmfValue ReadXml(int start)
    {
        if (TryReadObjectReference(start, out var reference, out var header))
        {
            return reference;
        }
        var bytes = ReadBytes((int)(header >> 1), "XML");
        var value = AmfValue.FromXml(Encoding.UTF8.GetString(bytes));
        Context.Add(Context.Objects, value, "object", start);
        return value;
    }

    private AmfValue ReadDate(int start)
    {
        if (TryReadObjectReference(start, out var reference, out _))
        {
            return reference;
        }
        var value = AmfValue.FromDate(ReadDoubleBody());
        Context.Add(Context.Objects, value, "object", start);
        return value;
    }

    private AmfValue ReadByteArray(int start)
    {
        if (TryReadObjectReference(start, out var reference, out var header))
        {
            return reference;
        }
        var value = AmfValue.FromByteArray(ReadBytes((int)(header >> 1), "byte array").ToArray());
        Context.Add(Context.Objects, value, "object", start);
        return value;
    }

    // array-type = array-marker (U29O-ref | (U29A-value (UTF-8-empty | *(assoc-value) UTF-8-empty) *(value-type)))
    private AmfValue ReadArray(int depth, int start)
    {
        if (TryReadObjectReference(start, out var reference, out var header))
        {
            return reference;
        }
        CheckDepth(depth, start);
        var denseCount = header >> 1;
        if (denseCount > (uint)_maxElements)
        {
            RtmpProtocolException.Throw(
                $"AMF3 array at offset {start} declares {denseCount} dense elements, over the element count limit of {_maxElements} (MaxAmfElements)");
        }
        if (denseCount > (uint)(_buffer.Length - _position))
        {
            RtmpProtocolException.Throw(
                $"AMF3 array at offset {start} declares {denseCount} dense elements but only {_buffer.Length - _position} bytes remain (truncated)");
        }
        var context = Context;
        var slot = context.Objects.Count;
        context.Add(context.Objects, null, "object", start);
        List<KeyValuePair<string, AmfValue>>? associative = null;
        while (true)
        {
            var key = ReadString();
            if (key.Length == 0)
            {
                break;
            }
            associative ??= [];
            if (associative.Count >= _maxElements)
            {
                RtmpProtocolException.Throw(
                    $"AMF3 array at offset {start} has more than {_maxElements} associative elements (MaxAmfElements)");
            }
            associative.Add(new(key, ReadValue(depth)));
        }
        var dense = new List<AmfValue>((int)denseCount);
        for (var i = 0; i < denseCount; i++)
        {
            dense.Add(ReadValue(depth));
        }
        var value = associative is null ? AmfValue.FromStrictArray(dense) : AmfValue.FromEcmaArray(associative, dense);
        context.Objects[slot] = value;
        return value;
    }

    // object-type = object-marker (U29O-ref | (U29O-traits-ext ...) | U29O-traits-ref | (U29O-traits class-name *(UTF-8-vr)))
    //               *(value-type) *(dynamic-member) ; dynamic-member = UTF-8-vr value-type, ended by UTF-8-empty
    private AmfValue ReadObject(int depth, int start)
    {
        if (TryReadObjectReference(start, out var reference, out var header))
        {
            return reference;
        }
        CheckDepth(depth, start);
        var context = Context;
        Amf3Traits traits;
        if ((header & 0b10) == 0)
        {
            var index = (int)(header >> 2);
            if (index >= context.Traits.Count)
            {
                RtmpProtocolException.Throw(
                    $"AMF3 traits reference {index} at offset {start} is out of range: the table holds {context.Traits.Count}");
            }
            traits = context.Traits[index];
        }
        else if ((header & 0b100) != 0)
        {
            RtmpProtocolException.Throw($"AMF3 externalizable object at offset {start} is not supported (its body format is private to its class)");
            return null!;
        }
        else
        {
            var isDynamic = (header & 0b1000) != 0;
            var sealedCount = header >> 4;
            if (sealedCount > (uint)_maxElements)
            {
                RtmpProtocolException.Throw(
                    $"AMF3 object at offset {start} declares {sealedCount} sealed members, over the element count limit of {_maxElements} (MaxAmfElements)");
            }
            if (sealedCount > (uint)(_buffer.Length - _position))
            {
                RtmpProtocolException.Throw(
                    $"AMF3 object at offset {start} declares {sealedCount} sealed members but only {_buffer.Length - _position} bytes remain (truncated)");
            }
            var className = ReadString();
            var names = new string[sealedCount];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = ReadString();
            }
            traits = new Amf3Traits(className, isDynamic, names);
            context.Add(context.Traits, traits, "traits", start);
        }
        var slot = context.Objects.Count;
        context.Add(context.Objects, null, "object", start);
        var properties = new List<KeyValuePair<string, AmfValue>>(traits.SealedNames.Length);
        foreach (var name in traits.SealedNames)
        {
            properties.Add(new(name, ReadValue(depth)));
        }
        if (traits.IsDynamic)
        {
            while (true)
            {
                var name = ReadString();
                if (name.Length == 0)
                {
                    break;
                }
                if (properties.Count >= _maxElements)
                {
                    RtmpProtocolException.Throw(
                        $"AMF3 object at offset {start} has more than {_maxElements} members (MaxAmfElements)");
                }
                properties.Add(new(name, ReadValue(depth)));
            }
        }
        var value = traits.ClassName.Length == 0
            ? AmfValue.FromObject(properties)
            : AmfValue.FromTypedObject(traits.ClassName, properties);
        context.Objects[slot] = value;
        return value;
    }

    private readonly Amf3Context Context
    {
        get
        {
            if (_context is null)
            {
                RtmpProtocolException.Throw($"AMF3 value at offset {_position} needs reference tables; read it with ReadAmf3");
            }
            return _context;
        }
    }

    private readonly void CheckDepth(int depth, int start)
    {
        if (depth > _maxDepth)
        {
            RtmpProtocolException.Throw(
                $"AMF3 value at offset {start} nests {depth} deep, over the depth limit of {_maxDepth} (MaxAmfDepth)");
        }
    }

    private ReadOnlySpan<byte> ReadBytes(int length, string what)
    {
        if (length > _buffer.Length - _position)
        {
            RtmpProtocolException.Throw(
                $"AMF3 {what} at offset {_position} is truncated: declares {length} bytes but only {_buffer.Length - _position} remain");
        }
        var bytes = _buffer.Slice(_position, length);
        _position += length;
        return bytes;
    }

    private readonly void Need(int count, string what)
    {
        if (_buffer.Length - _position < count)
        {
            RtmpProtocolException.Throw(
                $"AMF3 {what} at offset {_position} is truncated: needs {count} bytes but only {Math.Max(0, _buffer.Length - _position)} remain");
        }
    }
}
