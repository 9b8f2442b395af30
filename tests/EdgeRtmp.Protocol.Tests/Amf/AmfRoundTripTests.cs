using System.Buffers;
using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Tests.Amf;

public class AmfRoundTripTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(0, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Amf0_random_trees_round_trip_byte_identical_and_survive_every_cut(int seed)
    {
        var random = new Random(seed);
        var budget = 40;
        var value = AmfTestData.RandomValue(random, maxDepth: 6, amf3: false, ref budget);
        var bytes = AmfTestData.Amf0Bytes(value);

        var decoded = AmfTestData.ReadAmf0(bytes);
        Assert.Equal(value.ToString(), decoded.ToString());
        Assert.Equal(bytes, AmfTestData.Amf0Bytes(decoded));

        AmfTestData.AssertEveryCut(bytes, static span => AmfTestData.ReadAmf0(span));
        AmfTestData.AssertEveryCut(bytes, static span =>
        {
            var reader = new Amf0Reader(span);
            reader.Skip();
            if (!reader.IsAtEnd)
            {
                RtmpProtocolException.Throw("trailing bytes");
            }
        });
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Amf3_random_trees_round_trip_and_survive_every_cut(int seed)
    {
        var random = new Random(seed);
        var budget = 40;
        var value = AmfTestData.RandomValue(random, maxDepth: 6, amf3: true, ref budget);
        var bytes = AmfTestData.Amf3Bytes(value);

        var decoded = AmfTestData.ReadAmf3(bytes);
        Assert.Equal(value.ToString(), decoded.ToString());
        Assert.Equal(bytes, AmfTestData.Amf3Bytes(decoded));

        AmfTestData.AssertEveryCut(bytes, static span => AmfTestData.ReadAmf3(span));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Amf3_inside_amf0_via_the_switch_marker(int seed)
    {
        var random = new Random(seed);
        var budget = 30;
        var value = AmfTestData.RandomValue(random, maxDepth: 5, amf3: true, ref budget);
        byte[] bytes = [0x11, .. AmfTestData.Amf3Bytes(value)];

        Assert.Equal(value.ToString(), AmfTestData.ReadAmf0(bytes).ToString());
        var reader = new Amf0Reader(bytes);
        reader.Skip();
        Assert.True(reader.IsAtEnd);
        AmfTestData.AssertEveryCut(bytes, static span => AmfTestData.ReadAmf0(span));
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "8100")]
    [InlineData(16383, "FF7F")]
    [InlineData(16384, "818000")]
    [InlineData(2097151, "FFFF7F")]
    [InlineData(2097152, "80C08000")]
    [InlineData(268435455, "BFFFFFFF")]
    [InlineData(-1, "FFFFFFFF")]
    [InlineData(-268435456, "C0808000")]
    public void Amf3_integers_use_the_U29_encoding(int value, string u29Hex)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new Amf3Writer(buffer).WriteInteger(value);
        Assert.Equal("04" + u29Hex, Convert.ToHexString(buffer.WrittenSpan));
        Assert.Equal(value, AmfTestData.ReadAmf3(buffer.WrittenSpan).Number);
    }

    [Fact]
    public void Amf3_integers_outside_29_bits_become_doubles()
    {
        var buffer = new ArrayBufferWriter<byte>();
        new Amf3Writer(buffer).WriteInteger(1 << 28);
        Assert.Equal((byte)Amf3Marker.Double, buffer.WrittenSpan[0]);
        Assert.Equal(1 << 28, AmfTestData.ReadAmf3(buffer.WrittenSpan).Number);
    }

    [Fact]
    public void Amf3_references_resolve_strings_traits_and_objects()
    {
        // [ {x: "hi"} as typed "P" (sealed x), ref to traits 0 with x = string ref 1 ("hi"), object ref 1 ]
        // strings table: "P"(0) "x"(1)? No: class name "P" is 0, sealed name "x" is 1, value "hi" is 2.
        byte[] bytes =
        [
            0x09, 0x07, 0x01,                                  // array, 3 dense, no associative part
            0x0A, 0x13, 0x03, (byte)'P', 0x03, (byte)'x',      // object, inline traits: sealed 1, not dynamic, class "P", member "x"
            0x06, 0x05, (byte)'h', (byte)'i',                  // x = "hi"
            0x0A, 0x01,                                        // object with traits reference 0
            0x06, 0x04,                                        // x = string reference 2 ("hi")
            0x0A, 0x02,                                        // object reference 1 (the first object; 0 is the array)
        ];
        var value = AmfTestData.ReadAmf3(bytes);
        Assert.Equal("[P {x: \"hi\"}, P {x: \"hi\"}, P {x: \"hi\"}]", value.ToString());
        Assert.Same(value.Items[0], value.Items[2]);
    }

    [Fact]
    public void Amf3_cyclic_references_are_rejected()
    {
        // An anonymous dynamic object whose member refers to itself (object reference 0).
        byte[] bytes = [0x0A, 0x0B, 0x01, 0x03, (byte)'s', 0x0A, 0x00, 0x01];
        var exception = Assert.Throws<RtmpProtocolException>(() => AmfTestData.ReadAmf3(bytes));
        Assert.Contains("cycle", exception.Message);
    }

    [Fact]
    public void Amf3_shared_references_cannot_expand_without_bound()
    {
        // Each array holds the previous array twice: 2^n values from a few bytes.
        var buffer = new List<byte> { 0x09, 0x01, 0x01 }; // array 0: empty
        for (var i = 1; i < 40; i++)
        {
            // array i = [ref(array i-1), ref(array i-1)]; slot 0 is the outer array, so array i-1 sits in slot i
            buffer.AddRange([0x09, 0x05, 0x01, 0x09, (byte)(i << 1), 0x09, (byte)(i << 1)]);
        }
        // Nest them: wrap so they are read in sequence inside one outer array.
        byte[] bytes = [0x09, (byte)((40 << 1) | 1), 0x01, .. buffer, 0x01];
        var exception = Assert.Throws<RtmpProtocolException>(() => AmfTestData.ReadAmf3(bytes));
        Assert.Contains("expands", exception.Message);
    }

    [Fact]
    public void AmfValue_keeps_property_order_and_renders_for_logs()
    {
        var value = AmfValue.FromEcmaArray([new("b", AmfValue.FromNumber(2)), new("a", AmfValue.FromString("x"))]);
        var decoded = AmfTestData.ReadAmf0(AmfTestData.Amf0Bytes(value));
        Assert.Equal(AmfKind.EcmaArray, decoded.Kind);
        Assert.Equal("{b: 2, a: \"x\"}", decoded.ToString());
        Assert.Equal("x", decoded["a"]!.String);
        Assert.Null(decoded["missing"]);
    }

    [Fact]
    public void Amf3_string_references_span_switches_within_one_message()
    {
        // Two AMF0 values switched to AMF3: "hello", then a reference to string 0 of the same message.
        byte[] bytes = [0x11, 0x06, 0x0B, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', 0x11, 0x06, 0x00];
        var reader = new Amf0Reader(bytes);
        Assert.Equal("hello", AmfValue.ReadAmf0(ref reader).String);
        Assert.Equal("hello", AmfValue.ReadAmf0(ref reader).String);
        Assert.True(reader.IsAtEnd);

        var skipper = new Amf0Reader(bytes);
        skipper.Skip();
        skipper.Skip();
        Assert.True(skipper.IsAtEnd);
    }

    [Fact]
    public void Amf3_depth_counts_the_amf0_levels_around_the_switch()
    {
        var limits = RtmpLimits.Default with { MaxAmfDepth = 3 };
        // AMF0 {a: {a: 0x11 AMF3 {s: {}}}}: 2 AMF0 levels + 2 AMF3 levels = 4 > 3.
        byte[] amf3 = [0x0A, 0x0B, 0x01, 0x03, (byte)'s', 0x0A, 0x0B, 0x01, 0x01, 0x01];
        byte[] bytes = [0x03, 0x00, 0x01, (byte)'a', 0x03, 0x00, 0x01, (byte)'a', 0x11, .. amf3, 0x00, 0x00, 0x09, 0x00, 0x00, 0x09];
        Assert.Contains("depth limit", Assert.Throws<RtmpProtocolException>(() => AmfTestData.ReadAmf0(bytes, limits)).Message);
        Assert.Contains("depth limit", Assert.Throws<RtmpProtocolException>(() => new Amf0Reader(bytes, limits).Skip()).Message);
        AmfTestData.ReadAmf0(bytes, RtmpLimits.Default with { MaxAmfDepth = 4 });
    }
}
