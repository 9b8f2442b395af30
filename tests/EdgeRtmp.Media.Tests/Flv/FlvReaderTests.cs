using System.Buffers;
using System.Buffers.Binary;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.TestSupport;

namespace EdgeRtmp.Media.Tests.Flv;

public class FlvReaderTests
{
    /// <summary>Edge timestamps: 0, the 24-bit limit, the first extended value, the 32-bit limit.</summary>
    private static readonly (FlvTagType Type, uint Timestamp, byte[] Payload)[] SmallFileTags =
    [
        (FlvTagType.Script, 0, [0x02, 0x00, 0x0A, .. "onMetaData"u8, 0x08, 0, 0, 0, 0, 0, 0, 9]),
        (FlvTagType.Video, 0, [0x17, 0x00, 0, 0, 0, 1, 0x64, 0, 0x15]),
        (FlvTagType.Audio, 0, [0xAF, 0x00, 0x12, 0x10]),
        (FlvTagType.Video, 0xFFFFFF, [0x17, 0x01, 0, 0, 0x50, 0, 0, 0, 2, 0x65]),
        (FlvTagType.Audio, 0x1000000, [0xAF, 0x01, 0x21]),
        (FlvTagType.Video, 0xFFFFFFFF, [0x27, 0x01, 0, 0, 0, 0, 0, 0, 2, 0x41]),
        (FlvTagType.Audio, 0x12345678, []),
    ];

    [Fact]
    public void Writer_output_reads_back_with_edge_timestamps()
    {
        byte[] file = SmallFile();
        var reader = new FlvReader();
        var buffer = new ReadOnlySequence<byte>(file);
        Assert.True(reader.TryReadHeader(ref buffer, out FlvHeader header));
        Assert.Equal(new FlvHeader(hasAudio: true, hasVideo: true), header);
        Assert.Equal(13, reader.Position);

        foreach (var expected in SmallFileTags)
        {
            long offset = reader.Position;
            Assert.True(reader.TryReadTag(ref buffer, out FlvTag tag));
            Assert.Equal(expected.Type, tag.TagType);
            Assert.Equal(expected.Timestamp, tag.Timestamp);
            Assert.Equal(0, tag.StreamId);
            Assert.Equal(offset, tag.Offset);
            Assert.Equal(expected.Payload, tag.Payload.ToArray());
        }

        Assert.Equal(0, buffer.Length);
        Assert.False(reader.TryReadTag(ref buffer, out _));
        Assert.Equal(file.Length, reader.Position);
    }

    [Fact]
    public void Timestamp_bytes_follow_annex_E_layout()
    {
        var output = new ArrayBufferWriter<byte>();
        FlvWriter.WriteTag(output, FlvTagType.Video, 0x12345678, [0xAA]);
        // type, size 000001, timestamp low 24 bits 345678, extended 12, stream id 000000, payload, previous tag size 12.
        Assert.Equal(Convert.FromHexString("09000001345678120000 00AA0000000C".Replace(" ", "")), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Every_split_of_a_small_file_reads_the_same_tags()
    {
        byte[] file = SmallFile();
        for (int cut = 0; cut <= file.Length; cut++)
        {
            for (int second = cut; second <= file.Length; second += 7)
            {
                AssertReadsWhole(Sequences.Split(file, cut, second), $"cuts {cut},{second}");
            }
        }
    }

    [Fact]
    public void Fed_one_byte_at_a_time_the_reader_returns_each_tag_when_its_last_byte_arrives()
    {
        byte[] file = SmallFile();
        var reader = new FlvReader();
        int consumed = 0;
        int tags = 0;
        bool headerRead = false;
        for (int available = 0; available <= file.Length; available++)
        {
            var buffer = new ReadOnlySequence<byte>(file, consumed, available - consumed);
            long before = buffer.Length;
            if (!headerRead)
            {
                headerRead = reader.TryReadHeader(ref buffer, out _);
            }
            else
            {
                while (reader.TryReadTag(ref buffer, out _))
                {
                    tags++;
                }
            }

            consumed += (int)(before - buffer.Length);
            Assert.True(consumed == available || reader.BytesNeeded > available - consumed, $"at {available}: needs {reader.BytesNeeded}, has {available - consumed}");
        }

        Assert.Equal(SmallFileTags.Length, tags);
        Assert.Equal(file.Length, consumed);
    }

    [Fact]
    public void Every_truncation_needs_more_and_never_throws()
    {
        byte[] file = SmallFile();
        for (int length = 0; length < file.Length; length++)
        {
            var reader = new FlvReader();
            var buffer = new ReadOnlySequence<byte>(file, 0, length);
            int tags = 0;
            if (reader.TryReadHeader(ref buffer, out _))
            {
                while (reader.TryReadTag(ref buffer, out _))
                {
                    tags++;
                }
            }

            Assert.True(tags < SmallFileTags.Length, $"length {length}");
            Assert.True(reader.BytesNeeded > buffer.Length, $"length {length}: needs {reader.BytesNeeded}, has {buffer.Length}");
        }
    }

    [Fact]
    public async Task A_truncated_file_throws_naming_the_tag_offset()
    {
        byte[] file = SmallFile();
        using var reader = new FlvFileReader(new MemoryStream(file, 0, file.Length - 3));
        var error = await Assert.ThrowsAsync<MediaFormatException>(async () =>
        {
            while (await reader.ReadTagAsync())
            {
            }
        });
        Assert.Contains("truncated", error.Message);
        Assert.Contains("offset", error.Message);

        using var empty = new FlvFileReader(new MemoryStream());
        Assert.Contains("empty", (await Assert.ThrowsAsync<MediaFormatException>(async () => await empty.ReadTagAsync())).Message);
    }

    [Theory]
    [InlineData("bad signature", FlvReader.DefaultMaxTagDataSize, "offset 0: signature is 0x474C56, expected 'FLV'")]
    [InlineData("version 2", FlvReader.DefaultMaxTagDataSize, "offset 3: version is 2")]
    [InlineData("data offset below 9", FlvReader.DefaultMaxTagDataSize, "data offset is 8")]
    [InlineData("data offset huge", FlvReader.DefaultMaxTagDataSize, "data offset is 1048585")]
    [InlineData("PreviousTagSize0 not 0", FlvReader.DefaultMaxTagDataSize, "PreviousTagSize0 is 1, expected 0")]
    [InlineData("tag over the default limit", FlvReader.DefaultMaxTagDataSize, "offset 13: data size 16777215 is over the limit of 8388608")]
    [InlineData("tag over a set limit", 16, "offset 13: data size 21 is over the limit of 16")]
    [InlineData("wrong previous tag size", FlvReader.DefaultMaxTagDataSize, "offset 45: PreviousTagSize is 31, expected 32 (11 + data size 21)")]
    [InlineData("filter bit set", FlvReader.DefaultMaxTagDataSize, "offset 13: the Filter bit is set")]
    public void Malformed_input_throws_a_clear_MediaFormatException(string what, int maxTagDataSize, string message)
    {
        byte[] file = Corrupt(what, SmallFile());
        var reader = new FlvReader(maxTagDataSize);
        var buffer = new ReadOnlySequence<byte>(file);
        var error = Assert.Throws<MediaFormatException>(() =>
        {
            Assert.True(reader.TryReadHeader(ref buffer, out _), what);
            while (reader.TryReadTag(ref buffer, out _))
            {
            }
        });
        Assert.Contains(message, error.Message);
    }

    /// <summary>The first tag is the 21-byte script tag at offset 13; its PreviousTagSize sits at 45..48.</summary>
    private static byte[] Corrupt(string what, byte[] file) => what switch
    {
        "bad signature" => Patch(file, 0, (byte)'G'),
        "version 2" => Patch(file, 3, 2),
        "data offset below 9" => Patch(file, 8, 8),
        "data offset huge" => Patch(file, 6, 0x10),
        "PreviousTagSize0 not 0" => Patch(file, 12, 1),
        "tag over the default limit" => Patch(file, 14, 0xFF, 0xFF, 0xFF),
        "tag over a set limit" => file,
        "wrong previous tag size" => Patch(file, 48, 31),
        "filter bit set" => Patch(file, 13, 0x20 | 18),
        _ => throw new ArgumentOutOfRangeException(nameof(what), what, null),
    };

    [Fact]
    public void Lenient_reader_counts_previous_tag_size_mismatches_instead_of_throwing()
    {
        byte[] file = Patch(SmallFile(), 13 + 11 + 21 + 3, 21); // DataSize alone, as some old muxers wrote
        var reader = new FlvReader(strictPreviousTagSize: false);
        var buffer = new ReadOnlySequence<byte>(file);
        Assert.True(reader.TryReadHeader(ref buffer, out _));
        int tags = 0;
        while (reader.TryReadTag(ref buffer, out _))
        {
            tags++;
        }

        Assert.Equal(SmallFileTags.Length, tags);
        Assert.Equal(1, reader.PreviousTagSizeMismatches);
    }

    [Fact]
    public void Header_extension_announced_by_data_offset_is_skipped()
    {
        byte[] small = SmallFile();
        byte[] file = [.. small[..9], 0xEE, 0xEE, .. small[9..]];
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(5), 11);
        AssertReadsWhole(new ReadOnlySequence<byte>(file), "data offset 11");
    }

    internal static byte[] SmallFile()
    {
        var output = new ArrayBufferWriter<byte>();
        FlvWriter.WriteHeader(output, hasAudio: true, hasVideo: true);
        foreach (var (type, timestamp, payload) in SmallFileTags)
        {
            FlvWriter.WriteTag(output, type, timestamp, payload);
        }

        return output.WrittenSpan.ToArray();
    }

    private static void AssertReadsWhole(ReadOnlySequence<byte> buffer, string because)
    {
        var reader = new FlvReader();
        Assert.True(reader.TryReadHeader(ref buffer, out _), because);
        foreach (var expected in SmallFileTags)
        {
            Assert.True(reader.TryReadTag(ref buffer, out FlvTag tag), because);
            Assert.Equal(expected.Type, tag.TagType);
            Assert.Equal(expected.Timestamp, tag.Timestamp);
            Assert.True(expected.Payload.AsSpan().SequenceEqual(tag.Payload.ToArray()), because);
        }

        Assert.Equal(0, buffer.Length);
    }

    private static byte[] Patch(byte[] file, int offset, params byte[] bytes)
    {
        bytes.CopyTo(file, offset);
        return file;
    }
}
