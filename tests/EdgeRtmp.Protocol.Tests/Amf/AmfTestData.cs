using System.Buffers;
using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Tests.Amf;

/// <summary>Random AMF trees and the "every prefix / every suffix" drill shared by the AMF tests.</summary>
internal static class AmfTestData
{
    public static byte[] Amf0Bytes(AmfValue value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new Amf0Writer(buffer);
        value.WriteAmf0(ref writer);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Amf3Bytes(AmfValue value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new Amf3Writer(buffer).WriteValue(value);
        return buffer.WrittenSpan.ToArray();
    }

    public static AmfValue ReadAmf0(ReadOnlySpan<byte> bytes, RtmpLimits? limits = null)
    {
        var reader = new Amf0Reader(bytes, limits);
        var value = AmfValue.ReadAmf0(ref reader);
        if (!reader.IsAtEnd)
        {
            RtmpProtocolException.Throw($"trailing bytes: reader stopped at {reader.Position} of {bytes.Length}");
        }
        return value;
    }

    public static AmfValue ReadAmf3(ReadOnlySpan<byte> bytes, RtmpLimits? limits = null)
    {
        var reader = new Amf3Reader(bytes, new Amf3Context(limits ?? RtmpLimits.Default), limits);
        var value = reader.ReadValue();
        if (reader.Position != bytes.Length)
        {
            RtmpProtocolException.Throw($"trailing bytes: reader stopped at {reader.Position} of {bytes.Length}");
        }
        return value;
    }

    public delegate void Parse(ReadOnlySpan<byte> bytes);

    /// <summary>
    /// Feeds every strict prefix (must throw <see cref="RtmpProtocolException"/>: a single value cut short is never
    /// complete) and every suffix (may succeed or throw <see cref="RtmpProtocolException"/>, nothing else).
    /// </summary>
    public static void AssertEveryCut(byte[] bytes, Parse parse)
    {
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes.AsSpan(0, length).ToArray();
            var exception = Record.Exception(() => parse(prefix));
            Assert.True(exception is RtmpProtocolException,
                $"prefix of {length}/{bytes.Length} bytes gave {exception?.GetType().Name ?? "success"}: {exception?.Message}");
        }
        for (var start = 1; start < bytes.Length; start++)
        {
            var suffix = bytes.AsSpan(start).ToArray();
            var exception = Record.Exception(() => parse(suffix));
            Assert.True(exception is null or RtmpProtocolException,
                $"suffix from {start} gave {exception?.GetType().Name}: {exception?.Message}");
        }
    }

    public static AmfValue RandomValue(Random random, int maxDepth, bool amf3, ref int budget)
    {
        budget--;
        var containers = maxDepth > 0 && budget > 0;
        var choice = random.Next(containers ? 13 : 8);
        switch (choice)
        {
            case 0: return AmfValue.FromNumber(RandomNumber(random));
            case 1: return AmfValue.FromBoolean(random.Next(2) == 0);
            case 2: return AmfValue.FromString(RandomString(random));
            case 3: return AmfValue.Null;
            case 4: return AmfValue.Undefined;
            case 5: return AmfValue.FromDate(Math.Round(random.NextDouble() * 2e12), amf3 ? (short)0 : (short)random.Next(-720, 720));
            case 6: return AmfValue.FromXml("<a b=\"" + RandomString(random) + "\"/>");
            case 7: return amf3 ? AmfValue.FromByteArray(RandomBytes(random)) : AmfValue.FromNumber(random.Next());
            case 8:
            case 9:
                return AmfValue.FromObject(RandomProperties(random, maxDepth - 1, amf3, ref budget, atLeastOne: false));
            case 10:
                return AmfValue.FromEcmaArray(RandomProperties(random, maxDepth - 1, amf3, ref budget, atLeastOne: amf3));
            case 11:
                {
                    var items = new List<AmfValue>();
                    var count = random.Next(5);
                    for (var i = 0; i < count; i++)
                    {
                        items.Add(RandomValue(random, maxDepth - 1, amf3, ref budget));
                    }
                    return AmfValue.FromStrictArray(items);
                }
            default:
                return AmfValue.FromTypedObject("com.example." + RandomKey(random), RandomProperties(random, maxDepth - 1, amf3, ref budget, atLeastOne: false));
        }
    }

    /// <summary>Objects nested exactly <paramref name="depth"/> deep: {a: {a: … 1 …}}.</summary>
    public static AmfValue Nested(int depth)
    {
        var value = AmfValue.FromNumber(1);
        for (var i = 0; i < depth; i++)
        {
            value = AmfValue.FromObject([new("a", value)]);
        }
        return value;
    }

    private static List<KeyValuePair<string, AmfValue>> RandomProperties(Random random, int maxDepth, bool amf3, ref int budget, bool atLeastOne)
    {
        var properties = new List<KeyValuePair<string, AmfValue>>();
        var count = random.Next(atLeastOne ? 1 : 0, 5);
        for (var i = 0; i < count; i++)
        {
            properties.Add(new(RandomKey(random), RandomValue(random, maxDepth, amf3, ref budget)));
        }
        return properties;
    }

    private static double RandomNumber(Random random) => random.Next(6) switch
    {
        0 => random.Next(-1000, 1000),
        1 => (random.NextDouble() - 0.5) * 1e300,
        2 => double.NaN,
        3 => double.NegativeInfinity,
        4 => (1 << 28) - random.Next(3),
        _ => random.NextDouble(),
    };

    private static readonly string[] Alphabet = ["a", "b", "Z", "0", " ", "é", "中", "😀", "_", "."];

    private static string RandomString(Random random)
    {
        var length = random.Next(0, 12);
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < length; i++)
        {
            builder.Append(Alphabet[random.Next(Alphabet.Length)]);
        }
        return builder.ToString();
    }

    private static string RandomKey(Random random) => "k" + RandomString(random);

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 8)];
        random.NextBytes(bytes);
        return bytes;
    }
}
