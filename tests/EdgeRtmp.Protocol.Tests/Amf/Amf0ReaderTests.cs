using System.Buffers;
using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Tests.Amf;

public class Amf0ReaderTests
{
    [Fact]
    public void Reads_scalars_written_by_the_writer()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new Amf0Writer(buffer);
        writer.WriteNumber(-2.5);
        writer.WriteBoolean(true);
        writer.WriteString("héllo");
        writer.WriteNull();
        writer.WriteUndefined();
        writer.WriteDate(1_700_000_000_000, timeZone: -60);
        writer.WriteXmlDocument("<x/>"u8);

        var reader = new Amf0Reader(buffer.WrittenSpan);
        Assert.Equal(-2.5, reader.ReadNumber());
        Assert.True(reader.ReadBoolean());
        Assert.Equal("héllo", reader.ReadString());
        reader.ReadNull();
        reader.ReadUndefined();
        Assert.Equal(1_700_000_000_000, reader.ReadDate(out var timeZone));
        Assert.Equal(-60, timeZone);
        Assert.True(reader.ReadXmlDocument().SequenceEqual("<x/>"u8));
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void Iterates_object_and_ecma_array_properties_without_allocating_names()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new Amf0Writer(buffer);
        writer.WriteObjectStart();
        writer.WriteProperty("a"u8, 1);
        writer.WritePropertyName("inner"u8);
        writer.WriteEcmaArrayStart(1);
        writer.WriteProperty("b"u8, "x"u8);
        writer.WriteObjectEnd();
        writer.WriteProperty("c"u8, false);
        writer.WriteObjectEnd();

        var reader = new Amf0Reader(buffer.WrittenSpan);
        reader.ReadObjectStart();
        Assert.True(reader.TryReadPropertyName(out var name));
        Assert.True(name.SequenceEqual("a"u8));
        Assert.Equal(1, reader.ReadNumber());
        Assert.True(reader.TryReadPropertyName(out name));
        Assert.True(name.SequenceEqual("inner"u8));
        Assert.Equal(1u, reader.ReadEcmaArrayStart());
        Assert.True(reader.TryReadPropertyName(out name));
        Assert.True(reader.ReadStringUtf8().SequenceEqual("x"u8));
        Assert.False(reader.TryReadPropertyName(out _));
        Assert.True(reader.TryReadPropertyName(out name));
        Assert.True(name.SequenceEqual("c"u8));
        Assert.False(reader.ReadBoolean());
        Assert.False(reader.TryReadPropertyName(out _));
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void Strict_array_typed_object_and_reference()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new Amf0Writer(buffer);
        writer.WriteStrictArrayStart(2);
        writer.WriteNumber(1);
        writer.WriteTypedObjectStart("Point"u8);
        writer.WriteProperty("x"u8, 3);
        writer.WriteObjectEnd();
        writer.WriteReference(1);

        var reader = new Amf0Reader(buffer.WrittenSpan);
        Assert.Equal(2u, reader.ReadStrictArrayStart());
        Assert.Equal(1, reader.ReadNumber());
        Assert.True(reader.ReadTypedObjectStart().SequenceEqual("Point"u8));
        Assert.True(reader.TryReadPropertyName(out _));
        Assert.Equal(3, reader.ReadNumber());
        Assert.False(reader.TryReadPropertyName(out _));
        Assert.Equal(1, reader.ReadReference());
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void TryReadString_consumes_nothing_when_the_value_is_not_a_string()
    {
        byte[] bytes = [0x05];
        var reader = new Amf0Reader(bytes);
        Assert.False(reader.TryReadString(out _));
        Assert.Equal(0, reader.Position);
        Assert.True(reader.TryReadNull());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(200_000)]
    public void Strings_over_65535_bytes_become_long_strings(int length)
    {
        var text = new string('q', length);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new Amf0Writer(buffer);
        writer.WriteString(text);
        writer.WriteString(System.Text.Encoding.UTF8.GetBytes(text));
        var expected = length > 65535 ? Amf0Marker.LongString : Amf0Marker.String;
        Assert.Equal((byte)expected, buffer.WrittenSpan[0]);

        var reader = new Amf0Reader(buffer.WrittenSpan);
        Assert.Equal(expected, reader.PeekMarker());
        Assert.Equal(text, reader.ReadString());
        Assert.Equal(text, reader.ReadString());
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void Skip_passes_over_every_type()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var random = new Random(seed);
            var budget = 60;
            var bytes = AmfTestData.Amf0Bytes(AmfTestData.RandomValue(random, 6, amf3: false, ref budget));
            var reader = new Amf0Reader(bytes);
            reader.Skip();
            Assert.True(reader.IsAtEnd);
        }
    }

    [Fact]
    public void Scalars_switched_to_amf3_are_read_inline()
    {
        // 0x11 then AMF3: integer 300 (U29 0x82 0x2C), true, string "ab", null
        byte[] bytes = [0x11, 0x04, 0x82, 0x2C, 0x11, 0x03, 0x11, 0x06, 0x05, (byte)'a', (byte)'b', 0x11, 0x01];
        var reader = new Amf0Reader(bytes);
        Assert.Equal(300, reader.ReadNumber());
        Assert.True(reader.ReadBoolean());
        Assert.True(reader.ReadStringUtf8().SequenceEqual("ab"u8));
        Assert.True(reader.TryReadNull());
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void Depth_limit_allows_exactly_MaxAmfDepth()
    {
        var limit = RtmpLimits.Default.MaxAmfDepth;
        var atLimit = AmfTestData.Amf0Bytes(AmfTestData.Nested(limit));
        new Amf0Reader(atLimit).Skip();
        AmfTestData.ReadAmf0(atLimit);

        var over = AmfTestData.Amf0Bytes(AmfTestData.Nested(limit + 1));
        Assert.Contains("depth limit", Assert.Throws<RtmpProtocolException>(() => new Amf0Reader(over).Skip()).Message);
        Assert.Contains("depth limit", Assert.Throws<RtmpProtocolException>(() => AmfTestData.ReadAmf0(over)).Message);
    }

    [Fact]
    public void Element_limit_applies_to_objects_and_arrays()
    {
        var limits = RtmpLimits.Default with { MaxAmfElements = 3 };
        var properties = Enumerable.Range(0, 4).Select(i => new KeyValuePair<string, AmfValue>("k" + i, AmfValue.Null)).ToList();
        var bytes = AmfTestData.Amf0Bytes(AmfValue.FromObject(properties));
        Assert.Contains("MaxAmfElements", Assert.Throws<RtmpProtocolException>(() => new Amf0Reader(bytes, limits).Skip()).Message);
        Assert.Contains("MaxAmfElements", Assert.Throws<RtmpProtocolException>(() => AmfTestData.ReadAmf0(bytes, limits)).Message);

        var array = AmfTestData.Amf0Bytes(AmfValue.FromStrictArray([.. Enumerable.Repeat(AmfValue.Null, 4)]));
        Assert.Contains("element count limit", Assert.Throws<RtmpProtocolException>(() => new Amf0Reader(array, limits).Skip()).Message);
    }

    public static TheoryData<string, string> MalformedInputs => new()
    {
        { "12", "unknown marker 0x12 at offset 0" },
        { "04", "reserved marker 0x04 (movieclip)" },
        { "0E", "reserved marker 0x0E (recordset)" },
        { "09", "object end marker 0x09 outside an object" },
        { "", "value marker at offset 0 is truncated" },
        { "003FF0", "number at offset 0 is truncated" },
        { "01", "boolean at offset 0 is truncated" },
        { "0200056162", "string at offset 1 is truncated: declares 5 bytes but only 2 remain" },
        { "0CFFFFFFFF61", "long string at offset 1 is truncated" },
        { "0B0000", "date at offset 0 is truncated" },
        { "030001", "property name at offset 1 is truncated" },
        { "0300016105", "missing object end" },
        { "03000005", "not followed by the object end marker" },
        { "0880000000000009", "declares 2147483648 elements, over the element count limit" },
        { "0A7FFFFFFF", "over the element count limit" },
        { "0A0000000A0505", "claims 10 elements but only 2 bytes remain" },
        { "100005506F696E", "typed object class name at offset 1 is truncated" },
        { "070000", "reference at offset 0 names index 0, out of range" },
        { "03000161070001000009", "names index 1, out of range: only 1 complex values precede it" },
        { "1104FFFF", "AMF3 U29 integer at offset 2 overruns the payload" },
        { "1106FF", "U29 string length at offset 2 overruns" },
        { "110602", "AMF3 string reference 1 at offset 2 is out of range" },
        { "110A00", "AMF3 object reference 0 at offset 1 is out of range" },
        { "110A01", "AMF3 traits reference 0 at offset 1 is out of range" },
        { "110A07", "externalizable object" },
        { "1109FFFFFFFF", "over the element count limit" },
        { "110D", "is not supported" },
        { "1120", "AMF3 unknown marker 0x20" },
        { "11", "value marker at offset 1 is truncated" },
        { "110C0761", "byte array at offset 3 is truncated" },
    };

    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public void Malformed_input_names_the_problem_and_the_offset(string hex, string fragment)
    {
        var bytes = Convert.FromHexString(hex);
        var skip = Assert.Throws<RtmpProtocolException>(() => new Amf0Reader(bytes).Skip());
        Assert.Contains(fragment, skip.Message);
        var tree = Assert.Throws<RtmpProtocolException>(() => AmfTestData.ReadAmf0(bytes));
        Assert.Contains(fragment, tree.Message);
    }

    [Fact]
    public void Depth_over_limit_in_caller_driven_iteration()
    {
        var bytes = AmfTestData.Amf0Bytes(AmfTestData.Nested(3));
        var reader = new Amf0Reader(bytes, RtmpLimits.Default with { MaxAmfDepth = 2 });
        reader.ReadObjectStart();
        reader.TryReadPropertyName(out _);
        reader.ReadObjectStart();
        reader.TryReadPropertyName(out _);
        try
        {
            reader.ReadObjectStart();
            Assert.Fail("expected the depth limit");
        }
        catch (RtmpProtocolException exception)
        {
            Assert.Contains("depth limit of 2", exception.Message);
        }
    }
}
