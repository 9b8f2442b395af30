using EdgeRtmp.Devices.Alsa;

namespace EdgeRtmp.Devices.Tests.Alsa;

public sealed class AlsaDevicesTests
{
    [Fact]
    public void ListsCapturePcmsOnlyWithTheirPlugName()
    {
        const string procAsoundPcm = """
            00-00: MAI PCM i2s-hifi-0 : MAI PCM i2s-hifi-0 : playback 1
            01-00: USB Audio : USB Audio : capture 1
            02-00: Loopback PCM : Loopback PCM : playback 8 : capture 8
            02-01: Loopback PCM : Loopback PCM : playback 8 : capture 8

            """;
        string?[] ids = ["vc4hdmi", "Device", "Loopback"];
        var devices = AlsaDevices.ParsePcmList(procAsoundPcm, card => ids[card]);

        Assert.Equal(
            [
                new AlsaCaptureDevice("plughw:CARD=Device,DEV=0", 1, "Device", 0, "USB Audio"),
                new AlsaCaptureDevice("plughw:CARD=Loopback,DEV=0", 2, "Loopback", 0, "Loopback PCM"),
                new AlsaCaptureDevice("plughw:CARD=Loopback,DEV=1", 2, "Loopback", 1, "Loopback PCM"),
            ],
            devices);
    }

    [Fact]
    public void NoSoundCardsIsAnEmptyList()
    {
        Assert.Empty(AlsaDevices.ListCapture(Path.Combine(Path.GetTempPath(), "edgertmp-no-asound-" + Guid.NewGuid())));
    }
}
