using System.Globalization;
using EdgeRtmp.Configuration;
using EdgeRtmp.Devices.V4l2;

namespace EdgeRtmp.Pipeline.Camera;

/// <summary>How the stream's video is made.</summary>
public enum CameraRoute
{
    /// <summary>A camera that gives H.264 itself: its access units pass through, no re-encoding.</summary>
    H264Camera,

    /// <summary>A raw camera into a V4L2 M2M H.264 encoder (Raspberry Pi 0–4's bcm2835-codec).</summary>
    M2mEncoder,

    /// <summary>A raw camera into our software H.264 encoder.</summary>
    SoftwareEncoder,

    /// <summary>A CSI camera through <c>rpicam-vid</c> (libcamera), run as an exec source.</summary>
    Rpicam,

    /// <summary>The built-in test card.</summary>
    TestCard,
}

/// <summary>The chosen route: camera node and capture request, encoder node, and why (one log line).</summary>
public sealed record CameraPlan(CameraRoute Route, string Reason, string? Device = null, V4l2CaptureRequest? Capture = null, string? Encoder = null);

/// <summary>What <c>auto</c> chose, and for each path not taken, why (<c>edgertmp devices</c> prints these).</summary>
public sealed record CameraDecision(CameraPlan Chosen, IReadOnlyList<string> NotTaken);

/// <summary>Our software H.264 encoder, when the build has one, and the largest picture and rate it sustains on this board.</summary>
public sealed record SoftwareEncoderLimit(int MaxWidth, int MaxHeight, int MaxFps);

/// <summary>What the selector looks at: the V4L2 nodes, the software encoder (null: not in this build), whether rpicam-vid is installed.</summary>
public sealed record CameraEnvironment(V4l2Inventory Inventory, SoftwareEncoderLimit? SoftwareEncoder, bool RpicamInstalled);

/// <summary>
/// Picks the video route, in the order of DESIGN.md and issue 12: a camera that gives H.264; a raw camera with an M2M
/// H.264 encoder; a raw camera with our software encoder (size and rate capped to what it sustains); a CSI camera
/// through rpicam-vid; the test card. Pure: it looks only at the <see cref="CameraEnvironment"/> it is given.
/// </summary>
public static class CameraSelector
{
    /// <summary>Raw formats in the order we prefer them: 4:2:0 planar is what H.264 encoders take without converting.</summary>
    private static readonly uint[] s_rawPreference = [V4l2PixelFormat.Yuv420, V4l2PixelFormat.Nv12, V4l2PixelFormat.Yuyv, V4l2PixelFormat.Uyvy];

    /// <summary>Drivers of Raspberry Pi CSI receivers: their nodes give raw Bayer that only libcamera turns into pictures.</summary>
    private static readonly string[] s_csiDrivers = ["unicam", "rp1-cfe"];

    /// <summary>Capture nodes that are parts of an ISP or codec pipeline, never a camera.</summary>
    private static readonly string[] s_notCameraDrivers = ["bcm2835-isp", "pispbe", "rpi-hevc-dec"];

    /// <summary><c>Video:Source auto</c>: the first route that works, else the test card (never fails).</summary>
    public static CameraDecision ChooseAuto(CameraEnvironment environment, VideoOptions video)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(video);
        var notTaken = new List<string>();
        List<V4l2CameraInfo> cameras = Cameras(environment, video, notTaken);

        CameraPlan? plan = TryH264Camera(cameras, video, notTaken)
            ?? TryRawCamera(cameras, environment, video, notTaken);
        if (plan is not null)
        {
            return new CameraDecision(plan, notTaken);
        }

        bool csi = environment.Inventory.Cameras.Any(IsCsi);
        if (environment.RpicamInstalled && csi)
        {
            return new CameraDecision(new CameraPlan(CameraRoute.Rpicam, "auto: a CSI camera and rpicam-vid are present, so Video:Command: " + video.Command), notTaken);
        }

        notTaken.Add(csi ? "CSI camera: rpicam-vid is not installed" : "rpicam-vid: no CSI camera");
        string why = cameras.Count == 0 ? "no usable camera" : "no camera with a route to H.264";
        return new CameraDecision(new CameraPlan(CameraRoute.TestCard, $"auto: {why}, so the test card"), notTaken);
    }

    /// <summary><c>Video:Source v4l2:/dev/videoN</c>: that camera's best route; <see cref="CameraPlan"/> null with the reasons when it has none.</summary>
    public static CameraDecision? ChooseForDevice(string device, CameraEnvironment environment, VideoOptions video, out IReadOnlyList<string> reasons)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(video);
        var notTaken = new List<string>();
        reasons = notTaken;
        V4l2CameraInfo? camera = environment.Inventory.Cameras.FirstOrDefault(c => SamePath(c.Path, device));
        if (camera is null)
        {
            V4l2NodeProblem? problem = environment.Inventory.Problems.FirstOrDefault(p => SamePath(p.Path, device));
            notTaken.Add(problem?.Reason ?? device + ": no such camera (unplugged, or its driver is not loaded)");
            return null;
        }

        List<V4l2CameraInfo> only = [camera];
        CameraPlan? plan = TryH264Camera(only, video, notTaken) ?? TryRawCamera(only, environment, video, notTaken);
        return plan is null ? null : new CameraDecision(plan with { Reason = plan.Reason.Replace("auto: ", "", StringComparison.Ordinal) }, notTaken);
    }

    /// <summary>The capture request nearest to Width x Height at Fps among what <paramref name="format"/> offers.</summary>
    public static V4l2CaptureRequest ChooseCapture(V4l2CameraFormat format, int width, int height, int fps)
    {
        ArgumentNullException.ThrowIfNull(format);
        (int w, int h) = (width, height);
        V4l2CameraSize? chosen = null;
        long best = long.MaxValue;
        foreach (V4l2CameraSize size in format.Sizes)
        {
            V4l2FrameSize s = size.Size;
            (int cw, int ch) = s.IsDiscrete
                ? ((int)s.Width, (int)s.Height)
                : (Fit(width, s.Width, s.MaxWidth, s.StepWidth), Fit(height, s.Height, s.MaxHeight, s.StepHeight));
            long distance = Math.Abs(((long)cw * ch) - ((long)width * height)) + Math.Abs(cw - width) + Math.Abs(ch - height);
            if (distance < best)
            {
                (best, chosen, w, h) = (distance, size, cw, ch);
            }
        }

        int rate = fps;
        if (chosen is { Rates.Count: > 0 })
        {
            rate = NearestRate(chosen.Rates, fps);
        }

        return new V4l2CaptureRequest(format.PixelFormat, w, h, rate);
    }

    private static List<V4l2CameraInfo> Cameras(CameraEnvironment environment, VideoOptions video, List<string> notTaken)
    {
        var cameras = new List<V4l2CameraInfo>();
        foreach (V4l2CameraInfo camera in environment.Inventory.Cameras)
        {
            if (!string.Equals(video.Device, "auto", StringComparison.OrdinalIgnoreCase) && !SamePath(camera.Path, video.Device))
            {
                notTaken.Add($"{Name(camera)}: not Video:Device ({video.Device})");
            }
            else if (IsCsi(camera))
            {
                notTaken.Add($"{Name(camera)}: a CSI receiver (raw Bayer): only libcamera (rpicam-vid) makes pictures from it");
            }
            else if (s_notCameraDrivers.Contains(camera.Driver, StringComparer.Ordinal))
            {
                notTaken.Add($"{Name(camera)}: part of the {camera.Driver} pipeline, not a camera");
            }
            else
            {
                cameras.Add(camera);
            }
        }

        foreach (V4l2NodeProblem problem in environment.Inventory.Problems)
        {
            notTaken.Add(problem.Reason);
        }

        if (environment.Inventory.Cameras.Count == 0)
        {
            notTaken.Add("V4L2: no camera");
        }

        return cameras;
    }

    private static CameraPlan? TryH264Camera(List<V4l2CameraInfo> cameras, VideoOptions video, List<string> notTaken)
    {
        foreach (V4l2CameraInfo camera in cameras)
        {
            V4l2CameraFormat? h264 = camera.Find(V4l2PixelFormat.H264);
            if (h264 is null)
            {
                notTaken.Add($"{Name(camera)}: gives no H.264 itself (offers {Offers(camera)})");
                continue;
            }

            V4l2CaptureRequest request = ChooseCapture(h264, video.Width, video.Height, video.Fps);
            return new CameraPlan(
                CameraRoute.H264Camera,
                $"auto: {Name(camera)} gives H.264 itself, passed through without re-encoding at {Describe(request)}",
                camera.Path,
                request);
        }

        return null;
    }

    private static CameraPlan? TryRawCamera(List<V4l2CameraInfo> cameras, CameraEnvironment environment, VideoOptions video, List<string> notTaken)
    {
        List<V4l2CodecInfo> encoders = Encoders(environment, video, notTaken);
        foreach (V4l2CameraInfo camera in cameras)
        {
            uint[] raw = [.. s_rawPreference.Where(format => camera.Find(format) is not null)];
            if (raw.Length == 0)
            {
                string mjpeg = camera.Find(V4l2PixelFormat.Mjpeg) is null ? "" : " (MJPEG needs a decoder: use exec:\"ffmpeg …\" for this camera)";
                notTaken.Add($"{Name(camera)}: no raw format we encode (YUYV, UYVY, NV12, I420){mjpeg}");
                continue;
            }

            foreach (V4l2CodecInfo encoder in encoders)
            {
                foreach (uint format in raw)
                {
                    if (encoder.Encodes(format, V4l2PixelFormat.H264))
                    {
                        V4l2CaptureRequest request = ChooseCapture(camera.Find(format)!, video.Width, video.Height, video.Fps);
                        return new CameraPlan(
                            CameraRoute.M2mEncoder,
                            $"auto: {Name(camera)} gives raw {Describe(request)} and {encoder.Path} '{encoder.Card}' ({encoder.Driver}) encodes it to H.264",
                            camera.Path,
                            request,
                            encoder.Path);
                    }
                }

                notTaken.Add($"{encoder.Path} '{encoder.Card}': takes none of {Name(camera)}'s raw formats ({string.Join(", ", raw.Select(V4l2PixelFormat.ToString))})");
            }

            if (environment.SoftwareEncoder is not { } limit)
            {
                notTaken.Add($"{Name(camera)}: raw only, and this build has no software H.264 encoder (unusable without an M2M encoder)");
                continue;
            }

            // The software encoder converts YUYV and NV12 and reads I420; UYVY it does not take.
            uint[] softwareFormats = [.. raw.Where(format => format != V4l2PixelFormat.Uyvy)];
            if (softwareFormats.Length == 0)
            {
                notTaken.Add($"{Name(camera)}: raw UYVY only, which the software encoder does not take");
                continue;
            }

            int width = Math.Min(video.Width, limit.MaxWidth);
            int height = Math.Min(video.Height, limit.MaxHeight);
            int fps = Math.Min(video.Fps, limit.MaxFps);
            V4l2CaptureRequest software = ChooseCapture(camera.Find(softwareFormats[0])!, width, height, fps);
            string capped = width != video.Width || height != video.Height || fps != video.Fps
                ? string.Create(CultureInfo.InvariantCulture, $" (capped to {limit.MaxWidth}x{limit.MaxHeight}@{limit.MaxFps}, what it sustains here)")
                : "";
            return new CameraPlan(
                CameraRoute.SoftwareEncoder,
                $"auto: {Name(camera)} gives raw {Describe(software)}, no M2M H.264 encoder, so our software encoder{capped}",
                camera.Path,
                software);
        }

        return null;
    }

    private static List<V4l2CodecInfo> Encoders(CameraEnvironment environment, VideoOptions video, List<string> notTaken)
    {
        if (string.Equals(video.Encoder, "none", StringComparison.OrdinalIgnoreCase))
        {
            notTaken.Add("M2M encoder: Video:Encoder is none");
            return [];
        }

        bool automatic = string.Equals(video.Encoder, "auto", StringComparison.OrdinalIgnoreCase);
        var encoders = new List<V4l2CodecInfo>();
        foreach (V4l2CodecInfo codec in environment.Inventory.Codecs)
        {
            if (!automatic && !SamePath(codec.Path, video.Encoder))
            {
                continue;
            }

            if (codec.IsEncoderTo(V4l2PixelFormat.H264))
            {
                encoders.Add(codec);
            }
            else
            {
                notTaken.Add($"{codec.Path} '{codec.Card}' ({codec.Driver}): an M2M codec, but not a raw-to-H.264 encoder (makes {string.Join(", ", codec.OutputFormats.Select(V4l2PixelFormat.ToString))})");
            }
        }

        if (encoders.Count == 0)
        {
            notTaken.Add(automatic ? "M2M H.264 encoder: none on this machine (a Raspberry Pi 5 and most boards have none)" : $"M2M H.264 encoder: {video.Encoder} is not one");
        }

        return encoders;
    }

    private static bool IsCsi(V4l2CameraInfo camera) => s_csiDrivers.Contains(camera.Driver, StringComparer.Ordinal);

    private static bool SamePath(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);

    private static string Name(V4l2CameraInfo camera) => $"{camera.Path} '{camera.Card}' ({camera.Driver})";

    private static string Offers(V4l2CameraInfo camera)
    {
        IEnumerable<string> formats = camera.Formats.Take(6).Select(f => f.FourCc);
        return string.Join(", ", formats) + (camera.Formats.Count > 6 ? ", …" : "");
    }

    private static string Describe(V4l2CaptureRequest request) => string.Create(
        CultureInfo.InvariantCulture,
        $"{V4l2PixelFormat.ToString(request.PixelFormat)} {request.Width}x{request.Height}@{request.FramesPerSecond}");

    private static int Fit(int wanted, uint min, uint max, uint step)
    {
        long value = Math.Clamp(wanted, min, max);
        if (step > 1)
        {
            value = min + ((value - min) / step * step);
        }

        return (int)value;
    }

    private static int NearestRate(IReadOnlyList<V4l2FrameRate> rates, int fps)
    {
        double best = double.MaxValue;
        double chosen = fps;
        foreach (V4l2FrameRate rate in rates)
        {
            double candidate = rate.IsRange ? Math.Clamp(fps, rate.MinFramesPerSecond, rate.FramesPerSecond) : rate.FramesPerSecond;
            double distance = Math.Abs(candidate - fps);
            if (distance < best)
            {
                (best, chosen) = (distance, candidate);
            }
        }

        return Math.Max(1, (int)Math.Round(chosen, MidpointRounding.AwayFromZero));
    }
}
