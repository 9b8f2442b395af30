using System.Globalization;
using System.Text;

namespace EdgeRtmp.Protocol.Amf;

public enum AmfKind : byte
{
    Undefined,
    Null,
    Boolean,
    Number,
    String,
    Object,
    TypedObject,
    EcmaArray,
    StrictArray,
    Date,
    XmlDocument,
    ByteArray,
    Reference,
    Unsupported,
}

/// <summary>
/// A generic AMF value tree for cold paths only: logging metadata, properties of <c>connect</c> we do not model,
/// AMF3 values. Hot paths use <see cref="Amf0Reader"/> and the typed commands instead. Property order is kept, so an
/// AMF0 value read and written back is byte-identical (except that long strings under 64 KiB become strings).
/// </summary>
public sealed class AmfValue
{
    private static readonly List<KeyValuePair<string, AmfValue>> NoProperties = [];
    private static readonly List<AmfValue> NoItems = [];

    public static AmfValue Undefined { get; } = new(AmfKind.Undefined);
    public static AmfValue Null { get; } = new(AmfKind.Null);
    public static AmfValue True { get; } = new(AmfKind.Boolean) { Boolean = true };
    public static AmfValue False { get; } = new(AmfKind.Boolean) { Boolean = false };
    public static AmfValue UnsupportedValue { get; } = new(AmfKind.Unsupported);

    private AmfValue(AmfKind kind) => Kind = kind;

    public AmfKind Kind { get; }

    public bool Boolean { get; private init; }

    /// <summary>The number, or for a date the milliseconds since the Unix epoch (UTC).</summary>
    public double Number { get; private init; }

    /// <summary>The string or XML text.</summary>
    public string? String { get; private init; }

    /// <summary>For a typed object: the class name.</summary>
    public string? ClassName { get; private init; }

    /// <summary>For a date: the reserved AMF0 time-zone field.</summary>
    public short TimeZone { get; private init; }

    /// <summary>For a reference: the AMF0 reference index (never resolved).</summary>
    public ushort ReferenceIndex { get; private init; }

    public byte[] Bytes { get; private init; } = [];

    /// <summary>Properties of an object, typed object or ECMA array, in wire order.</summary>
    public IReadOnlyList<KeyValuePair<string, AmfValue>> Properties { get; private init; } = NoProperties;

    /// <summary>Elements of a strict array (or the dense part of an AMF3 array).</summary>
    public IReadOnlyList<AmfValue> Items { get; private init; } = NoItems;

    /// <summary>How many values this tree holds, counting itself; bounds what AMF3 references may expand to.</summary>
    internal int NodeCount { get; private init; } = 1;

    public static AmfValue FromBoolean(bool value) => value ? True : False;

    public static AmfValue FromNumber(double value) => new(AmfKind.Number) { Number = value };

    public static AmfValue FromString(string value) => new(AmfKind.String) { String = value ?? throw new ArgumentNullException(nameof(value)) };

    public static AmfValue FromXml(string value) => new(AmfKind.XmlDocument) { String = value ?? throw new ArgumentNullException(nameof(value)) };

    public static AmfValue FromDate(double millisecondsSinceEpoch, short timeZone = 0) =>
        new(AmfKind.Date) { Number = millisecondsSinceEpoch, TimeZone = timeZone };

    public static AmfValue FromByteArray(byte[] bytes) => new(AmfKind.ByteArray) { Bytes = bytes ?? throw new ArgumentNullException(nameof(bytes)) };

    public static AmfValue FromReference(ushort index) => new(AmfKind.Reference) { ReferenceIndex = index };

    public static AmfValue FromObject(List<KeyValuePair<string, AmfValue>> properties) =>
        new(AmfKind.Object) { Properties = properties, NodeCount = 1 + Count(properties) };

    public static AmfValue FromTypedObject(string className, List<KeyValuePair<string, AmfValue>> properties) =>
        new(AmfKind.TypedObject) { ClassName = className, Properties = properties, NodeCount = 1 + Count(properties) };

    public static AmfValue FromEcmaArray(List<KeyValuePair<string, AmfValue>> properties, List<AmfValue>? dense = null) =>
        new(AmfKind.EcmaArray) { Properties = properties, Items = dense ?? NoItems, NodeCount = 1 + Count(properties) + Count(dense ?? NoItems) };

    public static AmfValue FromStrictArray(List<AmfValue> items) =>
        new(AmfKind.StrictArray) { Items = items, NodeCount = 1 + Count(items) };

    /// <summary>The value of the first property with this name, or null.</summary>
    public AmfValue? this[string name]
    {
        get
        {
            foreach (var (key, value) in Properties)
            {
                if (key == name)
                {
                    return value;
                }
            }
            return null;
        }
    }

    /// <summary>
    /// Reads one AMF0 value (and any AMF3 value switched to with 0x11) into a tree. Allocates. AMF3 references use the
    /// reader's per-message tables unless <paramref name="amf3Context"/> is given.
    /// </summary>
    public static AmfValue ReadAmf0(ref Amf0Reader reader, Amf3Context? amf3Context = null) =>
        ReadAmf0(ref reader, amf3Context, depth: 0);

    private static AmfValue ReadAmf0(ref Amf0Reader reader, Amf3Context? amf3Context, int depth)
    {
        switch (reader.PeekMarker())
        {
            case Amf0Marker.Number:
                return FromNumber(reader.ReadNumber());
            case Amf0Marker.Boolean:
                return FromBoolean(reader.ReadBoolean());
            case Amf0Marker.String:
            case Amf0Marker.LongString:
                return FromString(reader.ReadString());
            case Amf0Marker.Null:
                reader.ReadNull();
                return Null;
            case Amf0Marker.Undefined:
                reader.ReadUndefined();
                return Undefined;
            case Amf0Marker.Unsupported:
                reader.Skip();
                return UnsupportedValue;
            case Amf0Marker.Reference:
                return FromReference(reader.ReadReference());
            case Amf0Marker.Date:
                {
                    var milliseconds = reader.ReadDate(out var timeZone);
                    return FromDate(milliseconds, timeZone);
                }
            case Amf0Marker.XmlDocument:
                return FromXml(Encoding.UTF8.GetString(reader.ReadXmlDocument()));
            case Amf0Marker.Object:
                reader.ReadObjectStart();
                return FromObject(ReadProperties(ref reader, amf3Context, depth + 1));
            case Amf0Marker.EcmaArray:
                reader.ReadEcmaArrayStart();
                return FromEcmaArray(ReadProperties(ref reader, amf3Context, depth + 1));
            case Amf0Marker.TypedObject:
                {
                    var className = Encoding.UTF8.GetString(reader.ReadTypedObjectStart());
                    return FromTypedObject(className, ReadProperties(ref reader, amf3Context, depth + 1));
                }
            case Amf0Marker.StrictArray:
                {
                    var start = reader.Position;
                    if (depth + 1 > reader.MaxDepth)
                    {
                        RtmpProtocolException.Throw(
                            $"AMF0 strict array at offset {start} nests {depth + 1} deep, over the depth limit of {reader.MaxDepth} (MaxAmfDepth)");
                    }
                    var count = reader.ReadStrictArrayStart();
                    var items = new List<AmfValue>((int)count);
                    for (var i = 0; i < count; i++)
                    {
                        items.Add(ReadAmf0(ref reader, amf3Context, depth + 1));
                    }
                    return FromStrictArray(items);
                }
            case Amf0Marker.AvmPlusObject:
                return reader.ReadAmf3(amf3Context, depth);
            default:
                reader.Skip(); // throws the precise "unknown/reserved marker" message
                return Undefined;
        }
    }

    private static List<KeyValuePair<string, AmfValue>> ReadProperties(ref Amf0Reader reader, Amf3Context? amf3Context, int depth)
    {
        var properties = new List<KeyValuePair<string, AmfValue>>();
        while (reader.TryReadPropertyName(out var name))
        {
            var key = Encoding.UTF8.GetString(name);
            properties.Add(new(key, ReadAmf0(ref reader, amf3Context, depth)));
        }
        return properties;
    }

    /// <summary>Writes this value as AMF0. AMF3-only shapes map to their AMF0 cousins (byte array → strict array of numbers).</summary>
    public void WriteAmf0(ref Amf0Writer writer)
    {
        switch (Kind)
        {
            case AmfKind.Undefined:
                writer.WriteUndefined();
                break;
            case AmfKind.Null:
                writer.WriteNull();
                break;
            case AmfKind.Boolean:
                writer.WriteBoolean(Boolean);
                break;
            case AmfKind.Number:
                writer.WriteNumber(Number);
                break;
            case AmfKind.String:
                writer.WriteString(String!);
                break;
            case AmfKind.XmlDocument:
                writer.WriteXmlDocument(Encoding.UTF8.GetBytes(String!));
                break;
            case AmfKind.Date:
                writer.WriteDate(Number, TimeZone);
                break;
            case AmfKind.Reference:
                writer.WriteReference(ReferenceIndex);
                break;
            case AmfKind.Unsupported:
                writer.WriteUnsupported();
                break;
            case AmfKind.ByteArray:
                writer.WriteStrictArrayStart((uint)Bytes.Length);
                foreach (var b in Bytes)
                {
                    writer.WriteNumber(b);
                }
                break;
            case AmfKind.StrictArray:
                writer.WriteStrictArrayStart((uint)Items.Count);
                foreach (var item in Items)
                {
                    item.WriteAmf0(ref writer);
                }
                break;
            case AmfKind.Object:
            case AmfKind.TypedObject:
            case AmfKind.EcmaArray:
                if (Kind == AmfKind.Object)
                {
                    writer.WriteObjectStart();
                }
                else if (Kind == AmfKind.TypedObject)
                {
                    writer.WriteTypedObjectStart(Encoding.UTF8.GetBytes(ClassName!));
                }
                else
                {
                    writer.WriteEcmaArrayStart((uint)(Properties.Count + Items.Count));
                }
                // The dense part of an AMF3 array becomes keys "0", "1", … as ActionScript would enumerate them.
                for (var i = 0; i < Items.Count; i++)
                {
                    writer.WritePropertyName(i.ToString(CultureInfo.InvariantCulture));
                    Items[i].WriteAmf0(ref writer);
                }
                foreach (var (key, value) in Properties)
                {
                    if (key.Length == 0)
                    {
                        continue; // AMF0 cannot carry an empty key: it would read as the object end
                    }
                    writer.WritePropertyName(key);
                    value.WriteAmf0(ref writer);
                }
                writer.WriteObjectEnd();
                break;
            default:
                throw new InvalidOperationException($"Unknown AMF value kind {Kind}.");
        }
    }

    /// <summary>A compact JSON-like rendering for logs.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        Append(builder, this, depth: 0);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, AmfValue value, int depth)
    {
        if (depth > 64)
        {
            builder.Append("...");
            return;
        }
        switch (value.Kind)
        {
            case AmfKind.Undefined: builder.Append("undefined"); break;
            case AmfKind.Null: builder.Append("null"); break;
            case AmfKind.Unsupported: builder.Append("unsupported"); break;
            case AmfKind.Boolean: builder.Append(value.Boolean ? "true" : "false"); break;
            case AmfKind.Number: builder.Append(value.Number.ToString("R", CultureInfo.InvariantCulture)); break;
            case AmfKind.String: builder.Append('"').Append(value.String).Append('"'); break;
            case AmfKind.XmlDocument: builder.Append("xml\"").Append(value.String).Append('"'); break;
            case AmfKind.Date: builder.Append("date(").Append(value.Number.ToString("R", CultureInfo.InvariantCulture)).Append(')'); break;
            case AmfKind.Reference: builder.Append("ref(").Append(value.ReferenceIndex).Append(')'); break;
            case AmfKind.ByteArray: builder.Append("bytes[").Append(value.Bytes.Length).Append(']'); break;
            case AmfKind.StrictArray:
                builder.Append('[');
                for (var i = 0; i < value.Items.Count; i++)
                {
                    if (i > 0) builder.Append(", ");
                    Append(builder, value.Items[i], depth + 1);
                }
                builder.Append(']');
                break;
            default:
                if (value.ClassName is not null) builder.Append(value.ClassName).Append(' ');
                builder.Append('{');
                var first = true;
                for (var i = 0; i < value.Items.Count; i++)
                {
                    if (!first) builder.Append(", ");
                    first = false;
                    builder.Append(i).Append(": ");
                    Append(builder, value.Items[i], depth + 1);
                }
                foreach (var (key, item) in value.Properties)
                {
                    if (!first) builder.Append(", ");
                    first = false;
                    builder.Append(key).Append(": ");
                    Append(builder, item, depth + 1);
                }
                builder.Append('}');
                break;
        }
    }

    private static int Count(List<KeyValuePair<string, AmfValue>> properties)
    {
        var total = 0;
        foreach (var (_, value) in properties)
        {
            total += value.NodeCount;
        }
        return total;
    }

    private static int Count(List<AmfValue> items)
    {
        var total = 0;
        foreach (var value in items)
        {
            total += value.NodeCount;
        }
        return total;
    }
}
