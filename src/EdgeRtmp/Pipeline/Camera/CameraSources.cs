using EdgeRtmp.Configuration;
using EdgeRtmp.Devices.V4l2;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline.Camera;

/// <summary>Looks at this machine (V4L2 nodes, rpicam-vid) and decides the camera route for <c>auto</c> or <c>v4l2:DEVICE</c>.</summary>
public static class CameraSources
{
    /// <summary>
    /// Our software H.264 encoder (EdgeRtmp.Media/H264/Encoding) and the most we ask of it on a board's cores:
    /// 640x360 at 30 fps, the size the emulated box proves end to end. Larger requests are capped and the log says so.
    /// </summary>
    public static SoftwareEncoderLimit? SoftwareEncoder { get; } = new(640, 360, 30);

    /// <summary>This machine as the selector sees it.</summary>
    public static CameraEnvironment Probe(string devDirectory = "/dev") =>
        new(V4l2Inventory.Scan(devDirectory), SoftwareEncoder, IsOnPath("rpicam-vid"));

    /// <summary><c>auto</c>: the decision, with every path not taken logged at Debug.</summary>
    public static CameraDecision ChooseAuto(VideoOptions video, ILogger logger, CameraEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        CameraDecision decision = CameraSelector.ChooseAuto(environment ?? Probe(), video);
        foreach (string reason in decision.NotTaken)
        {
            CameraLog.NotTaken(logger, reason);
        }

        return decision;
    }

    /// <summary><c>v4l2:DEVICE</c>: that camera's route, or a <see cref="MediaSourceException"/> saying why it has none.</summary>
    public static CameraPlan ChooseForDevice(string device, VideoOptions video, CameraEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        // /dev/v4l/by-id/… links name a camera by what it is; the inventory lists /dev/videoN. Streaming opens the
        // link, so after a replug it follows the camera even if its number changed.
        string node = Resolve(device);
        CameraDecision? decision = CameraSelector.ChooseForDevice(node, environment ?? Probe(), video, out IReadOnlyList<string> reasons);
        if (decision is null)
        {
            throw new MediaSourceException($"v4l2:{device} is not usable: {string.Join("; ", reasons)}");
        }

        return decision.Chosen with { Device = device };
    }

    private static string Resolve(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    internal static bool IsOnPath(string program)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(directory, program)))
            {
                return true;
            }
        }

        return false;
    }
}
