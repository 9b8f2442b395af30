using EdgeRtmp.Media.Aac;

namespace EdgeRtmp.Media.Tests.Aac;

public class AudioSpecificConfigTests
{
    [Theory]
    [InlineData(48000, 2, new byte[] { 0x11, 0x90 })]
    [InlineData(44100, 2, new byte[] { 0x12, 0x10 })]
    [InlineData(44100, 1, new byte[] { 0x12, 0x08 })]
    [InlineData(32000, 1, new byte[] { 0x12, 0x88 })]
    [InlineData(8000, 1, new byte[] { 0x15, 0x88 })]
    public void Writes_the_two_bytes_every_player_knows(int sampleRate, int channels, byte[] expected)
    {
        byte[] written = new byte[2];
        Assert.Equal(2, new AudioSpecificConfig(AudioSpecificConfig.AacLcObjectType, sampleRate, channels).Write(written));
        Assert.Equal(expected, written);
        AudioSpecificConfig read = AudioSpecificConfig.Read(written);
        Assert.Equal(new AudioSpecificConfig(2, sampleRate, channels), read);
    }

    [Fact]
    public void Round_trips_an_explicit_rate_and_an_escaped_object_type()
    {
        byte[] buffer = new byte[5];
        Assert.Equal(5, new AudioSpecificConfig(2, 50000, 2).Write(buffer));
        Assert.Equal(new AudioSpecificConfig(2, 50000, 2), AudioSpecificConfig.Read(buffer));
        // Object type 42 (USAC) escaped: 31 then 10, rate index 3, 2 channels.
        // 11111 001010 0011 0010 -> 1111 1001 0100 0110 010x
        byte[] escaped = [0xF9, 0x46, 0x40];
        AudioSpecificConfig config = AudioSpecificConfig.Read(escaped);
        Assert.Equal(42, config.ObjectType);
        Assert.Equal(48000, config.SampleRate);
        Assert.Equal(2, config.ChannelConfiguration);
    }

    [Fact]
    public void Reads_the_960_sample_frame_flag()
    {
        byte[] buffer = [0x11, 0x94];
        Assert.True(AudioSpecificConfig.Read(buffer).ShortFrames);
        Assert.Equal(960, AudioSpecificConfig.Read(buffer).FrameLength);
    }

    [Theory]
    [InlineData(new byte[] { }, "at least 2")]
    [InlineData(new byte[] { 0x11 }, "at least 2")]
    [InlineData(new byte[] { 0x06, 0x90 }, "object type 0")]
    [InlineData(new byte[] { 0x16, 0x90 }, "samplingFrequencyIndex 13")]
    [InlineData(new byte[] { 0x17, 0x80, 0x00 }, "explicit 24-bit")]
    public void Rejects_bad_input_with_a_clear_message(byte[] data, string expected)
    {
        var exception = Assert.Throws<MediaFormatException>(() => AudioSpecificConfig.Read(data));
        Assert.Contains(expected, exception.Message);
    }
}
