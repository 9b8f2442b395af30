using System.Buffers;
using EdgeRtmp.Media.Aac;
using EdgeRtmp.TestSupport;

namespace EdgeRtmp.Media.Tests.Aac;

public class AdtsTests
{
    private static readonly AudioSpecificConfig Stereo48k = new(AudioSpecificConfig.AacLcObjectType, 48000, 2);

    private static byte[] Stream(params int[] payloadLengths)
    {
        var stream = new List<byte>();
        for (int f = 0; f < payloadLengths.Length; f++)
        {
            byte[] frame = new byte[AdtsHeader.Length + payloadLengths[f]];
            AdtsHeader.Write(frame, Stereo48k, payloadLengths[f]);
            for (int i = AdtsHeader.Length; i < frame.Length; i++)
                frame[i] = (byte)(f * 31 + i);
            stream.AddRange(frame);
        }
        return stream.ToArray();
    }

    [Fact]
    public void Header_round_trips()
    {
        byte[] header = new byte[AdtsHeader.Length];
        AdtsHeader.Write(header, Stereo48k, 371);
        Assert.Equal(new byte[] { 0xFF, 0xF1, 0x4C, 0x80, 0x2F, 0x5F, 0xFC }, header);
        Assert.True(AdtsHeader.TryRead(header, out AdtsHeader read));
        Assert.Equal(2, read.ObjectType);
        Assert.Equal(48000, read.SampleRate);
        Assert.Equal(2, read.ChannelConfiguration);
        Assert.Equal(378, read.FrameLength);
        Assert.Equal(371, read.PayloadLength);
        Assert.False(read.HasCrc);
        Assert.Equal(Stereo48k, read.ToAudioSpecificConfig());
    }

    [Fact]
    public void Reader_finds_every_frame_wherever_the_stream_is_split()
    {
        byte[] stream = Stream(5, 1, 200, 17);
        for (int cut = 0; cut <= stream.Length; cut++)
        {
            var reader = new AdtsReader();
            var frames = new List<byte[]>();
            ReadOnlySequence<byte> whole = Sequences.Split(stream, cut);
            // The bytes arrive in two reads: up to the cut, then the rest.
            ReadOnlySequence<byte> pending = whole.Slice(0, cut);
            ReadAll(reader, ref pending, frames);
            pending = whole.Slice(cut - pending.Length);
            ReadAll(reader, ref pending, frames);
            Assert.Equal(0, pending.Length);
            Assert.Equal(new[] { 5, 1, 200, 17 }, frames.Select(frame => frame.Length));
            Assert.Equal((byte)(2 * 31 + AdtsHeader.Length), frames[2][0]);
            Assert.Equal(stream.Length, reader.Offset);
        }
    }

    private static void ReadAll(AdtsReader reader, ref ReadOnlySequence<byte> pending, List<byte[]> frames)
    {
        while (reader.TryReadFrame(ref pending, out AdtsHeader header, out ReadOnlySequence<byte> payload))
        {
            Assert.Equal(header.PayloadLength, payload.Length);
            frames.Add(payload.ToArray());
        }
    }

    [Fact]
    public void Reader_skips_the_crc()
    {
        byte[] frame = new byte[AdtsHeader.LengthWithCrc + 3];
        AdtsHeader.Write(frame, Stereo48k, 3 + 2);
        frame[1] &= 0xFE;   // protection_absent = 0: a CRC follows the header
        frame[9] = 0xAB;
        var reader = new AdtsReader();
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(reader.TryReadFrame(ref buffer, out AdtsHeader header, out ReadOnlySequence<byte> payload));
        Assert.True(header.HasCrc);
        Assert.Equal(new byte[] { 0xAB, 0, 0 }, payload.ToArray());
    }

    [Theory]
    [InlineData(0, 0x00, "no sync word at offset 0")]
    [InlineData(1, 0xF3, "layer 1")]
    [InlineData(2, 0x7C, "sampling_frequency_index 15")]
    [InlineData(3, 0x00, "channel_configuration 0")]
    [InlineData(6, 0xFD, "2 raw data blocks")]
    public void Reader_rejects_what_is_not_adts(int offset, byte value, string expected)
    {
        byte[] stream = Stream(10);
        if (offset == 3)
            stream[2] &= 0xFE;
        stream[offset] = value;
        var reader = new AdtsReader();
        var buffer = new ReadOnlySequence<byte>(stream);
        var exception = Assert.Throws<MediaFormatException>(() => reader.TryReadFrame(ref buffer, out _, out _));
        Assert.Contains(expected, exception.Message);
    }

    [Fact]
    public void Reader_rejects_a_frame_length_shorter_than_its_header()
    {
        byte[] stream = Stream(10);
        stream[3] &= 0xFC;
        stream[4] = 0;
        stream[5] = (byte)((6 << 5) | (stream[5] & 0x1F));
        var buffer = new ReadOnlySequence<byte>(stream);
        var exception = Assert.Throws<MediaFormatException>(() => new AdtsReader().TryReadFrame(ref buffer, out _, out _));
        Assert.Contains("frame_length 6", exception.Message);
    }

    [Fact]
    public void Reader_rejects_garbage_between_frames_and_a_format_change()
    {
        byte[] first = Stream(4);
        byte[] stream = [.. first, 0x00, .. Stream(4)];
        var reader = new AdtsReader();
        var buffer = new ReadOnlySequence<byte>(stream);
        Assert.True(reader.TryReadFrame(ref buffer, out _, out _));
        var exception = Assert.Throws<MediaFormatException>(() => reader.TryReadFrame(ref buffer, out _, out _));
        Assert.Contains($"offset {first.Length}", exception.Message);

        byte[] mono = new byte[AdtsHeader.Length + 4];
        AdtsHeader.Write(mono, new AudioSpecificConfig(2, 48000, 1), 4);
        reader = new AdtsReader();
        buffer = new ReadOnlySequence<byte>([.. first, .. mono]);
        Assert.True(reader.TryReadFrame(ref buffer, out _, out _));
        exception = Assert.Throws<MediaFormatException>(() => reader.TryReadFrame(ref buffer, out _, out _));
        Assert.Contains("channel configuration 1", exception.Message);
    }

    [Fact]
    public void Writer_refuses_what_adts_cannot_carry()
    {
        byte[] header = new byte[AdtsHeader.Length];
        Assert.Throws<ArgumentOutOfRangeException>(() => AdtsHeader.Write(header, Stereo48k, 8192));
        Assert.Throws<ArgumentException>(() => AdtsHeader.Write(header, new AudioSpecificConfig(2, 50000, 2), 10));
        Assert.Throws<ArgumentException>(() => AdtsHeader.Write(header, new AudioSpecificConfig(5, 48000, 2), 10));
    }

    [Fact]
    public void Random_and_mutated_input_only_ever_throws_media_format_exceptions()
    {
        var random = new Random(17);
        byte[] valid = Stream(3, 40, 7);
        for (int round = 0; round < 3000; round++)
        {
            byte[] data = round % 2 == 0 ? (byte[])valid.Clone() : new byte[random.Next(0, 64)];
            if (round % 2 == 0)
            {
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                    data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
            }
            else
            {
                random.NextBytes(data);
                if (data.Length > 1 && random.Next(2) == 0)
                {
                    data[0] = 0xFF;
                    data[1] |= 0xF0;
                }
            }
            var reader = new AdtsReader();
            var buffer = new ReadOnlySequence<byte>(data);
            try
            {
                int frames = 0;
                while (frames < 100 && reader.TryReadFrame(ref buffer, out AdtsHeader header, out ReadOnlySequence<byte> payload))
                {
                    Assert.Equal(header.PayloadLength, payload.Length);
                    frames++;
                }
            }
            catch (MediaFormatException)
            {
            }
            try
            {
                AudioSpecificConfig.Read(data);
            }
            catch (MediaFormatException)
            {
            }
        }
    }
}
