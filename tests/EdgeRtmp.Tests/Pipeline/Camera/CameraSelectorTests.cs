using EdgeRtmp.Configuration;
using EdgeRtmp.Devices.V4l2;
using EdgeRtmp.Pipeline.Camera;

namespace EdgeRtmp.Tests.Pipeline.Camera;

public sealed class CameraSelectorTests
{
    private static readonly V4l2CameraSize[] s_webcamSizes =
    [
        Size(320, 180, 30), Size(640, 360, 30), Size(1280, 720, 12.5), Size(1920, 1080, 5),
    ];

    [Fact]
    public void With_no_devices_auto_takes_the_test_card_and_says_why_each_other_path_was_not_taken()
    {
        CameraDecision decision = CameraSelector.ChooseAuto(Environment(), new VideoOptions());

        Assert.Equal(CameraRoute.TestCard, decision.Chosen.Route);
        Assert.Equal("auto: no usable camera, so the test card", decision.Chosen.Reason);
        Assert.Contains("V4L2: no camera", decision.NotTaken);
        Assert.Contains(decision.NotTaken, reason => reason.StartsWith("M2M H.264 encoder: none", StringComparison.Ordinal));
        Assert.Contains("rpicam-vid: no CSI camera", decision.NotTaken);
    }

    [Fact]
    public void An_H264_camera_comes_first_and_passes_through()
    {
        V4l2CameraInfo raw = Camera("/dev/video0", "vivid", V4l2PixelFormat.Yuyv);
        V4l2CameraInfo h264 = Camera("/dev/video2", "uvcvideo", V4l2PixelFormat.Mjpeg, V4l2PixelFormat.H264);

        CameraDecision decision = CameraSelector.ChooseAuto(Environment([raw, h264], [Encoder()]), new VideoOptions());

        Assert.Equal(CameraRoute.H264Camera, decision.Chosen.Route);
        Assert.Equal("/dev/video2", decision.Chosen.Device);
        Assert.Equal(new V4l2CaptureRequest(V4l2PixelFormat.H264, 640, 360, 30), decision.Chosen.Capture);
        Assert.Equal("auto: /dev/video2 'cam uvcvideo' (uvcvideo) gives H.264 itself, passed through without re-encoding at H264 640x360@30", decision.Chosen.Reason);
        Assert.Contains("/dev/video0 'cam vivid' (vivid): gives no H.264 itself (offers YUYV)", decision.NotTaken);
    }

    [Fact]
    public void A_raw_camera_goes_to_an_M2M_encoder_that_takes_one_of_its_formats()
    {
        V4l2CameraInfo raw = Camera("/dev/video0", "vivid", V4l2PixelFormat.Yuyv, V4l2PixelFormat.Nv12);
        V4l2CodecInfo fwhtOnly = new("/dev/video3", "vicodec-dec", "vicodec", "platform:vicodec", [V4l2PixelFormat.Fwht], [V4l2PixelFormat.Yuv420], []);

        CameraDecision decision = CameraSelector.ChooseAuto(Environment([raw], [fwhtOnly, Encoder(V4l2PixelFormat.Nv12)]), new VideoOptions { BitrateKbps = 1000 });

        Assert.Equal(CameraRoute.M2mEncoder, decision.Chosen.Route);
        Assert.Equal("/dev/video11", decision.Chosen.Encoder);
        Assert.Equal(V4l2PixelFormat.Nv12, decision.Chosen.Capture!.PixelFormat);
        Assert.Contains(decision.NotTaken, reason => reason.StartsWith("/dev/video3 'vicodec-dec' (vicodec): an M2M codec, but not a raw-to-H.264 encoder", StringComparison.Ordinal));
    }

    [Fact]
    public void A_raw_camera_without_an_encoder_is_reported_unusable_not_silently_replaced()
    {
        V4l2CameraInfo raw = Camera("/dev/video0", "vivid", V4l2PixelFormat.Yuyv);

        CameraDecision decision = CameraSelector.ChooseAuto(Environment([raw]), new VideoOptions());

        Assert.Equal(CameraRoute.TestCard, decision.Chosen.Route);
        Assert.Equal("auto: no camera with a route to H.264, so the test card", decision.Chosen.Reason);
        Assert.Contains("/dev/video0 'cam vivid' (vivid): raw only, and this build has no software H.264 encoder (unusable without an M2M encoder)", decision.NotTaken);
        Assert.Null(CameraSelector.ChooseForDevice("/dev/video0", Environment([raw]), new VideoOptions(), out IReadOnlyList<string> reasons));
        Assert.Contains(reasons, reason => reason.Contains("no software H.264 encoder", StringComparison.Ordinal));
    }

    [Fact]
    public void With_the_software_encoder_a_raw_camera_is_capped_to_what_it_sustains()
    {
        V4l2CameraInfo raw = Camera("/dev/video0", "vivid", V4l2PixelFormat.Yuyv);
        var environment = new CameraEnvironment(new V4l2Inventory([raw], [], []), new SoftwareEncoderLimit(640, 360, 15), RpicamInstalled: false);

        CameraDecision decision = CameraSelector.ChooseAuto(environment, new VideoOptions { Width = 1280, Height = 720, Fps = 30 });

        Assert.Equal(CameraRoute.SoftwareEncoder, decision.Chosen.Route);
        Assert.Equal(new V4l2CaptureRequest(V4l2PixelFormat.Yuyv, 640, 360, 30), decision.Chosen.Capture);
        Assert.EndsWith("so our software encoder (capped to 640x360@15, what it sustains here)", decision.Chosen.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_CSI_camera_with_rpicam_vid_comes_before_the_test_card()
    {
        V4l2CameraInfo csi = new("/dev/video0", "unicam", "unicam", "platform:fe801000.csi", false, [Format(0x30314752, compressed: false)]);

        CameraDecision decision = CameraSelector.ChooseAuto(new CameraEnvironment(new V4l2Inventory([csi], [], []), null, RpicamInstalled: true), new VideoOptions());

        Assert.Equal(CameraRoute.Rpicam, decision.Chosen.Route);
        Assert.Contains("/dev/video0 'unicam' (unicam): a CSI receiver (raw Bayer): only libcamera (rpicam-vid) makes pictures from it", decision.NotTaken);
        Assert.Equal(CameraRoute.TestCard, CameraSelector.ChooseAuto(new CameraEnvironment(new V4l2Inventory([csi], [], []), null, false), new VideoOptions()).Chosen.Route);
    }

    [Fact]
    public void Video_Device_and_Video_Encoder_narrow_the_choice()
    {
        V4l2CameraInfo first = Camera("/dev/video0", "uvcvideo", V4l2PixelFormat.H264);
        V4l2CameraInfo second = Camera("/dev/video1", "vivid", V4l2PixelFormat.Yuyv);
        CameraEnvironment environment = Environment([first, second], [Encoder(V4l2PixelFormat.Yuyv)]);

        CameraDecision onlySecond = CameraSelector.ChooseAuto(environment, new VideoOptions { Device = "/dev/video1" });
        Assert.Equal(CameraRoute.M2mEncoder, onlySecond.Chosen.Route);
        Assert.Equal("/dev/video1", onlySecond.Chosen.Device);

        CameraDecision noEncoder = CameraSelector.ChooseAuto(environment, new VideoOptions { Device = "/dev/video1", Encoder = "none" });
        Assert.Equal(CameraRoute.TestCard, noEncoder.Chosen.Route);
        Assert.Contains("M2M encoder: Video:Encoder is none", noEncoder.NotTaken);
    }

    [Theory]
    [InlineData(640, 360, 30, 640, 360, 30)]
    [InlineData(1280, 720, 30, 1280, 720, 13)]
    [InlineData(1920, 1200, 30, 1920, 1080, 5)]
    [InlineData(600, 340, 25, 640, 360, 30)]
    public void The_capture_request_is_the_nearest_size_and_rate_the_camera_offers(int width, int height, int fps, int expectedWidth, int expectedHeight, int expectedFps)
    {
        V4l2CaptureRequest request = CameraSelector.ChooseCapture(Format(V4l2PixelFormat.Yuyv, compressed: false), width, height, fps);

        Assert.Equal(new V4l2CaptureRequest(V4l2PixelFormat.Yuyv, expectedWidth, expectedHeight, expectedFps), request);
    }

    [Fact]
    public void A_stepwise_size_range_is_clamped_and_stepped()
    {
        var format = new V4l2CameraFormat(V4l2PixelFormat.Nv12, "NV12", false, false,
            [new V4l2CameraSize(new V4l2FrameSize(32, 32, 1920, 1088, 16, 16), [new V4l2FrameRate(1, 60, IsRange: true, 1, 1)])]);

        Assert.Equal(new V4l2CaptureRequest(V4l2PixelFormat.Nv12, 640, 352, 30), CameraSelector.ChooseCapture(format, 640, 360, 30));
        Assert.Equal(new V4l2CaptureRequest(V4l2PixelFormat.Nv12, 1920, 1088, 60), CameraSelector.ChooseCapture(format, 4096, 2160, 90));
    }

    private static CameraEnvironment Environment(V4l2CameraInfo[]? cameras = null, V4l2CodecInfo[]? codecs = null) =>
        new(new V4l2Inventory(cameras ?? [], codecs ?? [], []), SoftwareEncoder: null, RpicamInstalled: false);

    private static V4l2CameraInfo Camera(string path, string driver, params uint[] formats) =>
        new(path, "cam " + driver, driver, "usb-0000:01:00.0-1", false, [.. formats.Select(f => Format(f, f is V4l2PixelFormat.H264 or V4l2PixelFormat.Mjpeg))]);

    private static V4l2CameraFormat Format(uint pixelFormat, bool compressed) =>
        new(pixelFormat, V4l2PixelFormat.ToString(pixelFormat), compressed, false, s_webcamSizes);

    private static V4l2CameraSize Size(uint width, uint height, double fps) =>
        new(new V4l2FrameSize(width, height, width, height, 0, 0), [fps == 12.5 ? new V4l2FrameRate(2, 25, false, 0, 0) : new V4l2FrameRate(1, (uint)fps, false, 0, 0)]);

    private static V4l2CodecInfo Encoder(params uint[] inputs) =>
        new("/dev/video11", "bcm2835-codec-encode", "bcm2835-codec", "platform:bcm2835-codec",
            inputs.Length == 0 ? [V4l2PixelFormat.Yuv420, V4l2PixelFormat.Nv12] : inputs, [V4l2PixelFormat.H264], []);
}
