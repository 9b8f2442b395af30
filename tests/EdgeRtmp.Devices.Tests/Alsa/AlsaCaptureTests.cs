using EdgeRtmp.Devices.Alsa;

namespace EdgeRtmp.Devices.Tests.Alsa;

public sealed class AlsaCaptureTests
{
    public AlsaCaptureTests() => AlsaTestConfiguration.Install();

    [Fact]
    public void CapturesTheInputFileSampleForSample()
    {
        using var capture = AlsaCapture.Open(AlsaTestConfiguration.RampDevice, new AlsaCaptureRequest(48_000, 2));
        Assert.Equal(48_000, capture.SampleRate);
        Assert.Equal(2, capture.Channels);
        Assert.Equal(AlsaSampleFormat.S16, capture.Format);
        Assert.Equal(1024, capture.PeriodFrames);

        // Reads of one AAC frame each, as the audio source makes them, over the whole file.
        var frame = new short[1024 * 2];
        int checkedFrames = 0;
        while (checkedFrames + 1024 <= AlsaTestConfiguration.RampFrames)
        {
            Assert.Equal(1024, capture.Read(frame));
            for (int i = 0; i < 1024; i++)
            {
                int n = checkedFrames + i;
                Assert.Equal(AlsaTestConfiguration.RampLeft(n), frame[i * 2]);
                Assert.Equal(AlsaTestConfiguration.RampRight(n), frame[(i * 2) + 1]);
            }

            checkedFrames += 1024;
        }

        Assert.Equal(0, capture.Overruns);
    }

    [Fact]
    public void ReadsOddSizesAcrossPeriods()
    {
        using var capture = AlsaCapture.Open(AlsaTestConfiguration.RampDevice, new AlsaCaptureRequest(48_000, 2));
        var buffer = new short[3001 * 2];
        int position = 0;
        foreach (int frames in new[] { 1, 7, 1023, 1025, 3001, 500 })
        {
            Assert.Equal(frames, capture.Read(buffer.AsSpan(0, frames * 2)));
            for (int i = 0; i < frames; i++)
            {
                Assert.Equal(AlsaTestConfiguration.RampLeft(position + i), buffer[i * 2]);
            }

            position += frames;
        }
    }

    [Fact]
    public void ReadAfterStopReturnsAtOnce()
    {
        using var capture = AlsaCapture.Open(AlsaTestConfiguration.RampDevice, new AlsaCaptureRequest(48_000, 2));
        capture.Stop();
        capture.Stop();
        Assert.Equal(0, capture.Read(new short[2048]));
    }

    [Fact]
    public void ReadingTakesNoAllocation()
    {
        using var capture = AlsaCapture.Open(AlsaTestConfiguration.RampDevice, new AlsaCaptureRequest(48_000, 2));
        var frame = new short[2048];
        capture.Read(frame);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            capture.Read(frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MissingDeviceNamesTheDeviceAndTheReason()
    {
        var error = Assert.Throws<DeviceException>(() => AlsaCapture.Open("hw:CARD=NoSuchCard,DEV=0", new AlsaCaptureRequest(48_000, 2)));
        Assert.Contains("'hw:CARD=NoSuchCard,DEV=0'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no such capture device", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsDeviceGone, error.Message);
    }

    [Fact]
    public void UnknownNameIsAClearError()
    {
        var error = Assert.Throws<DeviceException>(() => AlsaCapture.Open("edgertmp_not_defined", new AlsaCaptureRequest(48_000, 2)));
        Assert.Contains("'edgertmp_not_defined'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AlsaSampleFormat.S32, new byte[] { 0x00, 0x00, 0x34, 0x12, 0x00, 0x00, 0xCC, 0xED }, new short[] { 0x1234, -0x1234 })]
    [InlineData(AlsaSampleFormat.S24, new byte[] { 0x00, 0x34, 0x12, 0x00, 0x00, 0xCC, 0xED, 0xFF }, new short[] { 0x1234, -0x1234 })]
    [InlineData(AlsaSampleFormat.S24Packed, new byte[] { 0x00, 0x34, 0x12, 0x00, 0xCC, 0xED }, new short[] { 0x1234, -0x1234 })]
    public void WideSamplesKeepTheirTop16Bits(AlsaSampleFormat format, byte[] raw, short[] expected)
    {
        var converted = new short[expected.Length];
        AlsaCapture.ConvertTo16(format, raw, converted);
        Assert.Equal(expected, converted);
    }
}
