using EdgeRtmp.Media.Aac;
using EdgeRtmp.Media.H264;
using EdgeRtmp.TestSupport;

namespace EdgeRtmp.Media.Tests.Aac;

public class AacEncoderTests
{
    [Theory]
    [InlineData(47999, 2, 128, "SampleRate 47999")]
    [InlineData(48000, 3, 128, "Channels 3")]
    [InlineData(48000, 0, 128, "Channels 0")]
    [InlineData(48000, 2, 31, "BitrateKbps 31")]
    [InlineData(48000, 2, 321, "BitrateKbps 321")]
    [InlineData(48000, 1, 300, "above the 288 kbit/s")]
    [InlineData(8000, 1, 64, "above the 48 kbit/s")]
    public void Options_out_of_range_are_refused_with_the_field_and_value(int sampleRate, int channels, int bitrate, string expected)
    {
        var exception = Assert.Throws<ArgumentException>(() => new AacEncoder(new AacEncoderOptions(sampleRate, channels, bitrate)));
        Assert.Contains(expected, exception.Message);
    }

    [Fact]
    public void Describes_its_output()
    {
        var encoder = new AacEncoder(new AacEncoderOptions());
        Assert.Equal(1536, encoder.MaxAccessUnitBytes);
        Assert.Equal(new byte[] { 0x11, 0x90 }, encoder.AudioSpecificConfig.ToArray());
        Assert.Equal(2048, encoder.EncoderDelaySamples);
        Assert.Equal(768, new AacEncoder(new AacEncoderOptions(44100, 1, 64)).MaxAccessUnitBytes);
    }

    [Fact]
    public void Refuses_a_wrong_frame_size_or_a_short_output_buffer()
    {
        var encoder = new AacEncoder(new AacEncoderOptions(48000, 2, 128));
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[1024], new byte[encoder.MaxAccessUnitBytes]));
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[2048], new byte[100]));
    }

    [Theory]
    [InlineData(AacWindowSequence.OnlyLong, false, false, AacWindowSequence.OnlyLong)]
    [InlineData(AacWindowSequence.OnlyLong, false, true, AacWindowSequence.LongStart)]
    [InlineData(AacWindowSequence.LongStart, false, false, AacWindowSequence.EightShort)]
    [InlineData(AacWindowSequence.EightShort, true, false, AacWindowSequence.EightShort)]
    [InlineData(AacWindowSequence.EightShort, false, true, AacWindowSequence.EightShort)]
    [InlineData(AacWindowSequence.EightShort, false, false, AacWindowSequence.LongStop)]
    [InlineData(AacWindowSequence.LongStop, false, false, AacWindowSequence.OnlyLong)]
    [InlineData(AacWindowSequence.LongStop, false, true, AacWindowSequence.LongStart)]
    public void Window_sequences_follow_the_standards_transitions(AacWindowSequence previous, bool attackNow, bool attackAhead, AacWindowSequence expected)
    {
        Assert.Equal(expected, AacEncoder.NextSequence(previous, attackNow, attackAhead));
    }

    [Fact]
    public void Any_attack_pattern_gives_a_legal_sequence()
    {
        var random = new Random(7);
        AacWindowSequence previous = AacWindowSequence.OnlyLong;
        bool attackNow = false;
        for (int i = 0; i < 10_000; i++)
        {
            bool attackAhead = random.Next(4) == 0;
            AacWindowSequence next = AacEncoder.NextSequence(previous, attackNow, attackAhead);
            bool legal = previous switch
            {
                AacWindowSequence.LongStart => next == AacWindowSequence.EightShort,
                AacWindowSequence.EightShort => next is AacWindowSequence.EightShort or AacWindowSequence.LongStop,
                _ => next is AacWindowSequence.OnlyLong or AacWindowSequence.LongStart,
            };
            Assert.True(legal, $"{previous} -> {next}");
            if (attackNow && previous != AacWindowSequence.OnlyLong && previous != AacWindowSequence.LongStop)
                Assert.Equal(AacWindowSequence.EightShort, next);
            previous = next;
            attackNow = attackAhead;
        }
    }

    [Fact]
    public void A_click_switches_to_short_windows_and_back()
    {
        var encoder = new AacEncoder(new AacEncoderOptions(48000, 1, 64));
        var accessUnit = new byte[encoder.MaxAccessUnitBytes];
        var frame = new short[AacEncoder.FrameSamples];
        var sequences = new List<AacWindowSequence>();
        for (int f = 0; f < 8; f++)
        {
            Array.Clear(frame);
            for (int i = 0; i < frame.Length; i++)
                frame[i] = (short)(300 * Math.Sin(2 * Math.PI * 440 * (f * 1024 + i) / 48000.0));
            if (f == 4)
                for (int i = 600; i < 640; i++)
                    frame[i] = (short)(i % 2 == 0 ? 20000 : -20000);
            encoder.Encode(frame, accessUnit);
            sequences.Add(encoder.LastWindowSequence);
        }
        // The tone's onset out of silence is an attack too (frames 0-2). The click arrives in frame 4: the block
        // coded then (frames 2-3) starts the switch, the two blocks that hold frame 4 are short, then it stops.
        Assert.Equal(
            [AacWindowSequence.LongStart, AacWindowSequence.EightShort, AacWindowSequence.LongStop, AacWindowSequence.OnlyLong,
             AacWindowSequence.LongStart, AacWindowSequence.EightShort, AacWindowSequence.EightShort, AacWindowSequence.LongStop],
            sequences);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Encoding_allocates_nothing(int channels)
    {
        var encoder = new AacEncoder(new AacEncoderOptions(48000, channels, 64 * channels));
        short[] signal = AacTestSignals.MusicLike(48000, channels, 1.0);
        var accessUnit = new byte[encoder.MaxAccessUnitBytes];
        int frameLength = AacEncoder.FrameSamples * channels;
        int frames = signal.Length / frameLength;
        for (int f = 0; f < frames; f++)
            encoder.Encode(signal.AsSpan(f * frameLength, frameLength), accessUnit);
        // The least of three windows, as the other allocation tests take: a window now and then sees the runtime's
        // own one-time work on this thread (1,240 bytes once in a full run); a per-frame allocation shows in every one.
        long least = Allocations.LeastOf(3, () =>
        {
            for (int f = 0; f < frames; f++)
                encoder.Encode(signal.AsSpan(f * frameLength, frameLength), accessUnit);
        });

        Assert.Equal(0, least);
    }

    [Theory]
    [InlineData("silence")]
    [InlineData("dc")]
    [InlineData("full-scale square")]
    [InlineData("clipped noise")]
    [InlineData("alternating full scale")]
    public void Extreme_input_stays_within_the_access_unit_bound_and_the_average_rate(string kind)
    {
        foreach (int channels in new[] { 1, 2 })
        {
            var encoder = new AacEncoder(new AacEncoderOptions(48000, channels, 64 * channels));
            var random = new Random(3);
            int frames = 200;
            var signal = new short[frames * AacEncoder.FrameSamples * channels];
            for (int i = 0; i < signal.Length; i++)
            {
                signal[i] = kind switch
                {
                    "silence" => 0,
                    "dc" => 20000,
                    "full-scale square" => (short)((i / channels / 24) % 2 == 0 ? 32767 : -32768),
                    "clipped noise" => (short)Math.Clamp(random.NextDouble() * 200000 - 100000, -32768, 32767),
                    _ => (short)(i / channels % 2 == 0 ? 32767 : -32768),
                };
            }
            var sizes = new List<int>();
            AacTestSignals.EncodeAdts(encoder, signal, sizes);
            Assert.All(sizes, size => Assert.InRange(size, 1, encoder.MaxAccessUnitBytes));
            double kbps = sizes.Skip(10).Average() * 8 * 48000 / 1024 / 1000;
            Assert.InRange(kbps, 64 * channels * 0.9, 64 * channels * 1.05);
        }
    }
}
