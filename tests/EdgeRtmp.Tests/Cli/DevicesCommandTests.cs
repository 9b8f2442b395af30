using System.Text.Json;
using EdgeRtmp.Cli;
using EdgeRtmp.Devices.V4l2;
using EdgeRtmp.Pipeline.Camera;

namespace EdgeRtmp.Tests.Cli;

public sealed class DevicesCommandTests
{
    [Fact]
    public void With_no_devices_it_says_so_and_exits_0()
    {
        var output = new StringWriter();

        int exitCode = DevicesCommand.Execute(json: false, new CliEnvironment { Out = output }, Empty());

        Assert.Equal(0, exitCode);
        string text = output.ToString();
        Assert.StartsWith("No cameras, video encoders, audio capture devices or GPIO chips found.", text, StringComparison.Ordinal);
        Assert.Contains("Video source auto:\n  auto: no usable camera, so the test card\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_form_of_an_empty_machine_is_valid_and_says_empty()
    {
        var output = new StringWriter();

        Assert.Equal(0, DevicesCommand.Execute(json: true, new CliEnvironment { Out = output }, Empty()));

        using JsonDocument document = JsonDocument.Parse(output.ToString());
        Assert.True(document.RootElement.GetProperty("empty").GetBoolean());
        Assert.Equal("TestCard", document.RootElement.GetProperty("auto").GetProperty("route").GetString());
        Assert.Equal(0, document.RootElement.GetProperty("cameras").GetArrayLength());
    }

    [Fact]
    public void Cameras_codecs_audio_and_gpio_are_listed_with_formats_sizes_rates_and_control_ranges()
    {
        var camera = new V4l2CameraInfo("/dev/video0", "vivid", "vivid", "platform:vivid-000", false,
        [
            new V4l2CameraFormat(V4l2PixelFormat.Yuyv, "YUYV 4:2:2", false, false,
            [
                new V4l2CameraSize(new V4l2FrameSize(640, 360, 640, 360, 0, 0), [new V4l2FrameRate(1, 30, false, 0, 0), new V4l2FrameRate(1, 25, false, 0, 0)]),
                new V4l2CameraSize(new V4l2FrameSize(1280, 720, 1280, 720, 0, 0), [new V4l2FrameRate(2, 25, false, 0, 0)]),
            ]),
        ]);
        var encoder = new V4l2CodecInfo("/dev/video11", "bcm2835-codec-encode", "bcm2835-codec", "platform:bcm2835-codec",
            [V4l2PixelFormat.Yuv420, V4l2PixelFormat.Yuyv], [V4l2PixelFormat.H264], [new V4l2ControlInfo(0x009909CF, "Video Bitrate", 1, 25000, 25000000, 25000, 10000000)]);
        var sources = new DeviceReportSources
        {
            Video = () => new CameraEnvironment(new V4l2Inventory([camera], [encoder], []), null, false),
            Audio = () => new DeviceSection<AudioCaptureEntry>([new AudioCaptureEntry("hw:0,1", "Loopback PCM")]),
            Gpio = () => new DeviceSection<GpioChipEntry>([new GpioChipEntry("/dev/gpiochip1", "gpiochip1", "camgpio", 8, [new GpioLineEntry(0, "led", "edgertmp")])]),
        };
        var output = new StringWriter();

        Assert.Equal(0, DevicesCommand.Execute(json: false, new CliEnvironment { Out = output }, sources));

        string text = output.ToString().ReplaceLineEndings("\n");
        Assert.Contains("  /dev/video0  'vivid'  driver vivid, bus platform:vivid-000\n    YUYV  YUYV 4:2:2: 640x360@30/25, 1280x720@12.5\n", text, StringComparison.Ordinal);
        Assert.Contains("  /dev/video11  'bcm2835-codec-encode'  driver bcm2835-codec, bus platform:bcm2835-codec: YU12, YUYV -> H264\n    Video Bitrate: 25000..25000000 step 25000, default 10000000\n", text, StringComparison.Ordinal);
        Assert.Contains("Video source auto:\n  auto: /dev/video0 'vivid' (vivid) gives raw YUYV 640x360@30 and /dev/video11 'bcm2835-codec-encode' (bcm2835-codec) encodes it to H.264\n", text, StringComparison.Ordinal);
        Assert.Contains("  hw:0,1  Loopback PCM\n", text, StringComparison.Ordinal);
        Assert.Contains("  /dev/gpiochip1  gpiochip1 [camgpio], 8 lines, 1 in use\n    line 0 led: used by edgertmp\n", text, StringComparison.Ordinal);

        var json = new StringWriter();
        DevicesCommand.Execute(json: true, new CliEnvironment { Out = json }, sources);
        using JsonDocument document = JsonDocument.Parse(json.ToString());
        JsonElement size = document.RootElement.GetProperty("cameras")[0].GetProperty("formats")[0].GetProperty("sizes")[1];
        Assert.Equal(1280, size.GetProperty("width").GetInt32());
        Assert.Equal(12.5, size.GetProperty("fps")[0].GetDouble());
        Assert.Equal(25000000, document.RootElement.GetProperty("codecs")[0].GetProperty("controls")[0].GetProperty("max").GetInt32());
        Assert.Equal("M2mEncoder", document.RootElement.GetProperty("auto").GetProperty("route").GetString());
    }

    [Fact]
    public void The_minimal_audio_and_gpio_lists_read_the_kernels_text_interfaces()
    {
        string root = Directory.CreateTempSubdirectory("edgertmp-devices").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "asound"));
            File.WriteAllText(Path.Combine(root, "asound", "pcm"), "00-00: Loopback PCM : Loopback PCM : playback 8 : capture 8\n01-00: HDMI 0 : HDMI 0 : playback 1\n");
            Directory.CreateDirectory(Path.Combine(root, "dev"));
            File.WriteAllText(Path.Combine(root, "dev", "gpiochip0"), "");

            DeviceSection<AudioCaptureEntry> audio = MinimalInventories.AudioCapture(Path.Combine(root, "asound"));
            DeviceSection<GpioChipEntry> gpio = MinimalInventories.GpioChips(Path.Combine(root, "dev"), Path.Combine(root, "no-sysfs"));

            Assert.Equal([new AudioCaptureEntry("hw:0,0", "Loopback PCM")], audio.Entries);
            GpioChipEntry chip = Assert.Single(gpio.Entries);
            Assert.Equal("gpiochip0", chip.Name);
            Assert.Null(chip.LinesInUse);
            Assert.NotNull(gpio.Limitation);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static DeviceReportSources Empty() => new()
    {
        Video = () => new CameraEnvironment(V4l2Inventory.Empty, null, false),
        Audio = () => new DeviceSection<AudioCaptureEntry>([]),
        Gpio = () => new DeviceSection<GpioChipEntry>([]),
    };
}
