using System.Buffers;
using EdgeRtmp.Protocol.Chunking;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.TestSupport;

namespace EdgeRtmp.Protocol.Tests.Chunking;

public class ChunkStreamTests
{
    private sealed record Sent(int ChunkStreamId, MessageHeader Header, byte[] Payload);

    // RTMP 1.0 §5.3.2.1, example 1: four audio messages of 32 bytes, 20 ms apart, on chunk stream 3.
    [Fact]
    public void Writer_compresses_constant_rate_audio_as_in_the_specification_example()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        byte[] payload = new byte[32];
        for (int i = 0; i < 4; i++)
        {
            writer.WriteMessage(output, 3, new MessageHeader((uint)(1000 + 20 * i), 32, RtmpMessageType.Audio, 12345), payload);
        }

        byte[] expected =
        [
            0x03, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x20, 0x08, 0x39, 0x30, 0x00, 0x00, .. payload,
            0x83, 0x00, 0x00, 0x14, .. payload,
            0xC3, .. payload,
            0xC3, .. payload,
        ];
        Assert.Equal(expected, output.WrittenSpan.ToArray());

        var read = ReadAll(new ReadOnlySequence<byte>(expected), new ChunkReader());
        Assert.Equal([1000u, 1020u, 1040u, 1060u], read.Select(m => m.Header.Timestamp));
        Assert.All(read, m => Assert.Equal(12345u, m.Header.MessageStreamId));
    }

    // §5.3.2.2, example 2: a 307-byte video message at chunk size 128 takes one type-0 and two type-3 chunks.
    [Fact]
    public void Writer_splits_a_long_message_as_in_the_specification_example()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        byte[] payload = Enumerable.Range(0, 307).Select(i => (byte)i).ToArray();
        writer.WriteMessage(output, 4, new MessageHeader(1000, 307, RtmpMessageType.Video, 12346), payload);

        byte[] expected =
        [
            0x04, 0x00, 0x03, 0xE8, 0x00, 0x01, 0x33, 0x09, 0x3A, 0x30, 0x00, 0x00, .. payload[..128],
            0xC4, .. payload[128..256],
            0xC4, .. payload[256..],
        ];
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(2, new byte[] { 0x02 })]
    [InlineData(63, new byte[] { 0x3F })]
    [InlineData(64, new byte[] { 0x00, 0x00 })]
    [InlineData(319, new byte[] { 0x00, 0xFF })]
    [InlineData(320, new byte[] { 0x01, 0x00, 0x01 })]
    [InlineData(65599, new byte[] { 0x01, 0xFF, 0xFF })]
    public void Basic_header_takes_one_two_or_three_bytes(int chunkStreamId, byte[] basicHeader)
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        writer.WriteMessage(output, chunkStreamId, new MessageHeader(5, 1, RtmpMessageType.Audio, 1), [0xAF]);
        Assert.Equal(basicHeader, output.WrittenSpan[..basicHeader.Length].ToArray());

        var message = Assert.Single(ReadAll(new ReadOnlySequence<byte>(output.WrittenMemory), new ChunkReader()));
        Assert.Equal(chunkStreamId, message.ChunkStreamId);
        Assert.Equal(5u, message.Header.Timestamp);
    }

    [Fact]
    public void Extended_timestamp_is_repeated_on_type3_continuation_chunks()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        byte[] payload = new byte[200];
        writer.WriteMessage(output, 6, new MessageHeader(0x1000000, 200, RtmpMessageType.Video, 1), payload);

        byte[] bytes = output.WrittenSpan.ToArray();
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF }, bytes[1..4]);
        Assert.Equal(new byte[] { 0x01, 0x00, 0x00, 0x00 }, bytes[12..16]);
        int continuation = 16 + 128;
        Assert.Equal(new byte[] { 0xC6, 0x01, 0x00, 0x00, 0x00 }, bytes[continuation..(continuation + 5)]);
        Assert.Equal(bytes.Length, continuation + 5 + 72);

        var message = Assert.Single(ReadAll(new ReadOnlySequence<byte>(bytes), new ChunkReader()));
        Assert.Equal(0x1000000u, message.Header.Timestamp);
        Assert.Equal(200, message.Payload.Length);
    }

    [Theory]
    [InlineData(0xFFFFFEu)]
    [InlineData(0xFFFFFFu)]
    [InlineData(0x1000000u)]
    [InlineData(0xFFFFFFF0u)]
    public void Timestamps_around_the_extended_boundary_and_the_32_bit_wrap_round_trip(uint start)
    {
        var sent = new List<Sent>();
        for (int i = 0; i < 6; i++)
        {
            uint timestamp = unchecked(start + (uint)(i * 10));
            sent.Add(new Sent(ChunkStreamIds.Video, new MessageHeader(timestamp, 300, RtmpMessageType.Video, 1), Filled(300, i)));
        }

        RoundTrip(sent, chunkSize: 128, seed: 1);
    }

    [Fact]
    public void A_type3_header_after_a_type0_header_adds_the_timestamp_again_as_ffmpeg_reads_it()
    {
        // Chunk stream 3: a type-0 header at 40 ms, then a type-3 header that starts a new message.
        byte[] bytes = [0x03, 0x00, 0x00, 0x28, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0xAA, 0xC3, 0xBB];
        var read = ReadAll(new ReadOnlySequence<byte>(bytes), new ChunkReader());
        Assert.Equal([40u, 80u], read.Select(m => m.Header.Timestamp));
        Assert.Equal(0xBB, read[1].Payload[0]);
    }

    [Fact]
    public void Messages_interleaved_across_chunk_streams_are_reassembled()
    {
        var sent = new List<Sent>
        {
            new(ChunkStreamIds.Video, new MessageHeader(0, 1000, RtmpMessageType.Video, 1), Filled(1000, 1)),
            new(ChunkStreamIds.Audio, new MessageHeader(0, 300, RtmpMessageType.Audio, 1), Filled(300, 2)),
        };

        // Hand-interleave: video chunk 1, audio chunk 1, video chunk 2, audio chunk 2, ...
        var writer = new ChunkWriter();
        var video = new ArrayBufferWriter<byte>();
        var audio = new ArrayBufferWriter<byte>();
        writer.WriteMessage(video, sent[0].ChunkStreamId, sent[0].Header, sent[0].Payload);
        writer.WriteMessage(audio, sent[1].ChunkStreamId, sent[1].Header, sent[1].Payload);
        var stream = new List<byte>();
        var videoChunks = SplitChunks(video.WrittenSpan.ToArray(), 12, 128);
        var audioChunks = SplitChunks(audio.WrittenSpan.ToArray(), 12, 128);
        for (int i = 0; i < Math.Max(videoChunks.Count, audioChunks.Count); i++)
        {
            if (i < videoChunks.Count) stream.AddRange(videoChunks[i]);
            if (i < audioChunks.Count) stream.AddRange(audioChunks[i]);
        }

        var read = ReadAll(new ReadOnlySequence<byte>(stream.ToArray()), new ChunkReader());
        Assert.Equal(2, read.Count);
        Assert.Equal(sent[1].Payload, read[0].Payload.ToArray());
        Assert.Equal(sent[0].Payload, read[1].Payload.ToArray());
    }

    [Fact]
    public void Input_split_at_every_byte_position_and_fed_one_byte_at_a_time_reads_the_same()
    {
        var sent = RandomMessages(new Random(7), 12, maxLength: 400);
        byte[] bytes = Write(sent, chunkSize: 64);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            AssertSame(sent, ReadAll(Sequences.Split(bytes, cut), new ChunkReader()).Skip(1).ToList());
        }

        // One byte per read call, as a trickling socket delivers it.
        var reader = new ChunkReader();
        var received = new List<(int, MessageHeader, byte[])>();
        var pending = new List<byte>();
        foreach (byte b in bytes)
        {
            pending.Add(b);
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            while (reader.TryReadMessage(ref buffer, out RtmpMessage message))
            {
                received.Add((message.ChunkStreamId, message.Header, message.Payload.ToArray()));
            }

            pending = buffer.ToArray().ToList();
        }

        Assert.Empty(pending);
        AssertSame(sent, received.Skip(1).ToList());
    }

    [Theory]
    [InlineData(1, 11)]
    [InlineData(7, 22)]
    [InlineData(128, 33)]
    [InlineData(4096, 44)]
    [InlineData(65536, 55)]
    public void Random_messages_round_trip_at_any_chunk_size_with_the_stream_cut_at_random_points(int chunkSize, int seed)
    {
        var random = new Random(seed);
        RoundTrip(RandomMessages(random, 60, maxLength: 70_000), chunkSize, seed);
    }

    [Fact]
    public void Random_chunk_sizes_round_trip()
    {
        var random = new Random(99);
        for (int i = 0; i < 40; i++)
        {
            int chunkSize = random.Next(1, 65537);
            RoundTrip(RandomMessages(random, 20, maxLength: 20_000), chunkSize, i);
        }
    }

    [Fact]
    public void Abort_discards_a_partial_message()
    {
        var writer = new ChunkWriter();
        var full = new ArrayBufferWriter<byte>();
        writer.WriteMessage(full, 6, new MessageHeader(0, 300, RtmpMessageType.Video, 1), new byte[300]);
        byte[] firstChunk = full.WrittenSpan[..(12 + 128)].ToArray();

        var control = new ArrayBufferWriter<byte>();
        var controlWriter = new ChunkWriter();
        ProtocolControl.WriteAbort(controlWriter, control, 6);
        var again = new ArrayBufferWriter<byte>();
        new ChunkWriter().WriteMessage(again, 6, new MessageHeader(40, 3, RtmpMessageType.Video, 1), [1, 2, 3]);

        var read = ReadAll(new ReadOnlySequence<byte>([.. firstChunk, .. control.WrittenSpan, .. again.WrittenSpan]), new ChunkReader());
        Assert.Equal(2, read.Count);
        Assert.Equal(RtmpMessageType.Abort, read[0].Header.Type);
        Assert.Equal(new byte[] { 1, 2, 3 }, read[1].Payload.ToArray());
    }

    [Fact]
    public void Acknowledgement_is_due_once_the_peers_window_has_been_received()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        ProtocolControl.WriteWindowAcknowledgementSize(writer, output, 1000);
        for (int i = 0; i < 5; i++)
        {
            writer.WriteMessage(output, 4, new MessageHeader((uint)i, 100, RtmpMessageType.Audio, 1), new byte[100]);
        }

        var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(reader.TryReadMessage(ref buffer, out _));
        Assert.Equal(1000u, reader.AcknowledgementWindow);
        Assert.False(reader.TryGetAcknowledgement(out _));
        while (reader.TryReadMessage(ref buffer, out _))
        {
        }

        // 16 bytes of window message + 5 × 100 payload + headers (12, 4, 1, 1, 1) = 535 < 1000.
        Assert.Equal(535, reader.BytesReceived);
        Assert.False(reader.TryGetAcknowledgement(out _));

        var more = new ArrayBufferWriter<byte>();
        writer.WriteMessage(more, 4, new MessageHeader(5, 600, RtmpMessageType.Video, 1), new byte[600]);
        buffer = new ReadOnlySequence<byte>(more.WrittenMemory);
        while (reader.TryReadMessage(ref buffer, out _))
        {
        }

        Assert.True(reader.TryGetAcknowledgement(out uint sequence));
        Assert.Equal((uint)reader.BytesReceived, sequence);
        Assert.False(reader.TryGetAcknowledgement(out _));
    }

    public static TheoryData<string, byte[], string> MalformedInputs => new()
    {
        { "type-1 header first", [0x43, 0, 0, 0, 0, 0, 1, 8], "starts with a type-1 header" },
        { "type-3 header first", [0xC3], "starts with a type-3 header" },
        { "new message mid-message", [0x03, 0, 0, 0, 0, 0, 0xC8, 8, 1, 0, 0, 0, .. new byte[128], 0x03, 0, 0, 0, 0, 0, 1, 8, 1, 0, 0, 0, 0], "before the previous one was complete (128 of 200 bytes)" },
        { "message over the limit", [0x03, 0, 0, 0, 0xFF, 0xFF, 0xFF, 9, 1, 0, 0, 0], "exceeds the limit of 8388608 bytes" },
        { "chunk size zero", [0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0], "Set Chunk Size of 0 is invalid" },
        { "chunk size high bit", [0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0x80, 0, 0, 1], "is invalid" },
        { "chunk size over the limit", [0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0x7F, 0, 0, 0], "exceeds the limit of 16777216 bytes" },
        { "short set chunk size", [0x02, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 1], "Set Chunk Size message has 2 bytes; it needs 4" },
        { "short window size", [0x02, 0, 0, 0, 0, 0, 1, 5, 0, 0, 0, 0, 0], "Window Acknowledgement Size message has 1 bytes" },
    };

    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public void Malformed_input_gives_one_protocol_error_that_says_what_was_wrong(string name, byte[] input, string expected)
    {
        var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(input);
        var error = Assert.Throws<RtmpProtocolException>(() =>
        {
            while (reader.TryReadMessage(ref buffer, out _))
            {
            }
        });
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{name}: {error.Message}");
    }

    [Fact]
    public void Too_many_chunk_streams_is_refused()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        for (int id = 3; id < 3 + 5; id++)
        {
            writer.WriteMessage(output, id, new MessageHeader(0, 1, RtmpMessageType.Audio, 1), [1]);
        }

        var reader = new ChunkReader(new RtmpLimits { MaxChunkStreams = 4 });
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        var error = Assert.Throws<RtmpProtocolException>(() =>
        {
            while (reader.TryReadMessage(ref buffer, out _))
            {
            }
        });
        Assert.Contains("more than 4 chunk streams (chunk stream 7)", error.Message);
    }

    [Fact]
    public void Random_junk_ends_in_a_protocol_error_or_a_need_for_more_bytes_and_nothing_else()
    {
        var random = new Random(5);
        for (int i = 0; i < 2000; i++)
        {
            byte[] junk = new byte[random.Next(1, 300)];
            random.NextBytes(junk);
            var reader = new ChunkReader(new RtmpLimits { MaxMessageLength = 64 * 1024 });
            var buffer = new ReadOnlySequence<byte>(junk);
            try
            {
                while (reader.TryReadMessage(ref buffer, out _))
                {
                }
            }
            catch (RtmpProtocolException)
            {
            }
        }
    }

    private static void RoundTrip(List<Sent> sent, int chunkSize, int seed)
    {
        byte[] bytes = Write(sent, chunkSize);
        var random = new Random(seed);
        int[] cuts = Enumerable.Range(0, random.Next(0, 30)).Select(_ => random.Next(0, bytes.Length + 1)).Distinct().ToArray();
        var read = ReadAll(Sequences.Split(bytes, cuts), new ChunkReader());
        Assert.Equal(RtmpMessageType.SetChunkSize, read[0].Header.Type);
        AssertSame(sent, read.Skip(1).Select(m => (m.ChunkStreamId, m.Header, m.Payload.ToArray())).ToList());
    }

    private static byte[] Write(List<Sent> sent, int chunkSize)
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        ProtocolControl.WriteSetChunkSize(writer, output, chunkSize);

        foreach (Sent message in sent)
        {
            writer.WriteMessage(output, message.ChunkStreamId, message.Header, message.Payload);
        }

        return output.WrittenSpan.ToArray();
    }

    private static List<(int ChunkStreamId, MessageHeader Header, byte[] Payload)> ReadAll(ReadOnlySequence<byte> buffer, ChunkReader reader)
    {
        var read = new List<(int, MessageHeader, byte[])>();
        while (reader.TryReadMessage(ref buffer, out RtmpMessage message))
        {
            read.Add((message.ChunkStreamId, message.Header, message.Payload.ToArray()));
        }

        Assert.Equal(0, buffer.Length);
        return read;
    }

    private static void AssertSame(List<Sent> sent, List<(int ChunkStreamId, MessageHeader Header, byte[] Payload)> read)
    {
        Assert.Equal(sent.Count, read.Count);
        for (int i = 0; i < sent.Count; i++)
        {
            Assert.Equal(sent[i].ChunkStreamId, read[i].ChunkStreamId);
            Assert.Equal(sent[i].Header, read[i].Header);
            Assert.Equal(sent[i].Payload, read[i].Payload);
        }
    }

    private static List<Sent> RandomMessages(Random random, int count, int maxLength)
    {
        int[] chunkStreams = [3, 4, 6, 63, 64, 319, 320, 65599];
        RtmpMessageType[] types = [RtmpMessageType.Audio, RtmpMessageType.Video, RtmpMessageType.DataAmf0, RtmpMessageType.CommandAmf0];
        var timestamps = new Dictionary<int, uint>();
        var sent = new List<Sent>();
        for (int i = 0; i < count; i++)
        {
            int chunkStreamId = chunkStreams[random.Next(chunkStreams.Length)];
            uint previous = timestamps.GetValueOrDefault(chunkStreamId, (uint)random.Next(0, 2) * 0xFFFFF0u);
            uint timestamp = random.Next(10) switch
            {
                0 => unchecked(previous - 5),
                1 => 0xFFFFFF,
                2 => unchecked(previous + 0x1000000),
                _ => unchecked(previous + (uint)random.Next(0, 100)),
            };
            timestamps[chunkStreamId] = timestamp;
            int length = random.Next(4) == 0 ? random.Next(0, 3) : random.Next(0, maxLength);
            byte[] payload = new byte[length];
            random.NextBytes(payload);
            uint messageStream = (uint)random.Next(0, 3);
            sent.Add(new Sent(chunkStreamId, new MessageHeader(timestamp, length, types[random.Next(types.Length)], messageStream), payload));
        }

        return sent;
    }

    private static byte[] Filled(int length, int seed)
    {
        byte[] payload = new byte[length];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    private static List<byte[]> SplitChunks(byte[] message, int firstHeaderLength, int chunkSize)
    {
        var chunks = new List<byte[]>();
        int position = 0;
        int headerLength = firstHeaderLength;
        while (position < message.Length)
        {
            int length = Math.Min(headerLength + chunkSize, message.Length - position);
            chunks.Add(message[position..(position + length)]);
            position += length;
            headerLength = 1;
        }

        return chunks;
    }
}
