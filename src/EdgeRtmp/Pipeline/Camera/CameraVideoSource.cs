using EdgeRtmp.Media;
using System.Diagnostics;
using System.Globalization;
using EdgeRtmp.Configuration;
using EdgeRtmp.Devices;
using EdgeRtmp.Devices.V4l2;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline.Camera;

/// <summary>
/// A V4L2 camera as the stream's video: an H.264 camera's access units pass straight through; a raw camera's pictures
/// go through the M2M encoder, or our software encoder on the device thread. The device work runs on a <see cref="V4l2CameraPump"/> thread blocked in poll; frames are
/// stamped with the kernel's capture time mapped onto the <see cref="PipelineClock"/> and packaged there, without
/// allocating. When the camera is unplugged (ENODEV) the run waits for its node to return (inotify, bounded by
/// <see cref="ReturnTimeout"/>) and streams again in the same run, so players see a pause, not a restart; past that, the
/// run fails and the pipeline restarts it with backoff.
/// </summary>
public sealed class CameraVideoSource : IMediaSource
{
    // errno values (asm-generic) of a node that is back but not ready yet.
    private const int ErrnoAccessDenied = 13;
    private const int ErrnoBusy = 16;

    private readonly CameraPlan _plan;
    private readonly VideoOptions _video;
    private readonly PipelineClock _clock;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CameraFrameHandler _handler;

    public CameraVideoSource(CameraPlan plan, VideoOptions video, PipelineClock clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        if (plan.Route is not (CameraRoute.H264Camera or CameraRoute.M2mEncoder or CameraRoute.SoftwareEncoder) || plan.Device is null || plan.Capture is null)
        {
            throw new ArgumentException($"not a V4L2 camera route: {plan.Route}", nameof(plan));
        }

        _plan = plan;
        _video = video;
        _clock = clock;
        _logger = logger;
        _time = clock.Time;
        _handler = new CameraFrameHandler(clock, plan.Capture.FramesPerSecond);
        V4l2CaptureRequest capture = plan.Capture;
        string format = string.Create(CultureInfo.InvariantCulture, $"{V4l2PixelFormat.ToString(capture.PixelFormat)} {capture.Width}x{capture.Height}@{capture.FramesPerSecond}");
        Description = plan.Route switch
        {
            CameraRoute.H264Camera => $"v4l2 {plan.Device} {format} (H.264 pass-through)",
            CameraRoute.M2mEncoder => $"v4l2 {plan.Device} {format} -> {plan.Encoder} H.264",
            _ => $"v4l2 {plan.Device} {format} -> software H.264",
        };
    }

    public string Description { get; }

    /// <summary>A camera silent this long has stalled: the run fails.</summary>
    public TimeSpan FrameTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an unplugged camera may be away before the run gives up (then the pipeline's backoff takes over).</summary>
    public TimeSpan ReturnTimeout { get; init; } = TimeSpan.FromSeconds(8);

    public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        string device = _plan.Device!;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DeviceException failure;
            try
            {
                await StreamOnceAsync(sink, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                throw new MediaSourceException($"camera {device}: streaming ended");
            }
            catch (DeviceException exception) when (exception.IsDeviceGone && !cancellationToken.IsCancellationRequested)
            {
                failure = exception;
            }
            catch (DeviceException exception) when (!cancellationToken.IsCancellationRequested)
            {
                throw new MediaSourceException("camera: " + exception.Message, exception);
            }

            CameraLog.Unplugged(_logger, device, failure.Message, ReturnTimeout.TotalSeconds);
            long gone = Stopwatch.GetTimestamp();
            if (!await DeviceNode.WaitForAsync(device, ReturnTimeout, _time, cancellationToken).ConfigureAwait(false))
            {
                throw new MediaSourceException($"camera {device} was unplugged and has not returned within {ReturnTimeout.TotalSeconds:0} s", failure);
            }

            CameraLog.Replugged(_logger, device, Stopwatch.GetElapsedTime(gone).TotalSeconds);
        }
    }

    /// <summary>One open-stream-close of the camera (and encoder). Returns when cancelled; throws DeviceException on a device failure.</summary>
    private async Task StreamOnceAsync(IMediaSink sink, CancellationToken cancellationToken)
    {
        V4l2CaptureRequest request = _plan.Capture!;
        using V4l2Capture capture = await OpenCaptureAsync(request, cancellationToken).ConfigureAwait(false);
        V4l2CaptureFormat format = capture.Format;
        CameraLog.Streaming(_logger, _plan.Device!, format.ToString(), capture.Device.Card, capture.Device.Driver, capture.BufferCount);
        if (format.Adjustment is { } adjustment)
        {
            CameraLog.FormatAdjusted(_logger, _plan.Device!, adjustment);
        }

        using V4l2M2mEncoder? encoder = _plan.Route == CameraRoute.M2mEncoder ? OpenEncoder(format) : null;
        if (_plan.Route == CameraRoute.H264Camera && format.PixelFormat != V4l2PixelFormat.H264)
        {
            throw new DeviceException($"{_plan.Device}: asked for H.264, the camera gave {format}");
        }

        _handler.Begin(sink, format.FramesPerSecond > 0 ? format.FramesPerSecond : request.FramesPerSecond);
        if (_plan.Route == CameraRoute.SoftwareEncoder)
        {
            _handler.UseSoftwareEncoder(format, _video.BitrateKbps, _video.KeyframeInterval);
        }
        using var pump = new V4l2CameraPump(capture, encoder, _handler, FrameTimeout);
        pump.Start();
        try
        {
            using (cancellationToken.UnsafeRegister(static state => ((V4l2CameraPump)state!).Stop(), pump))
            {
                await pump.Completion.ConfigureAwait(false);
            }
        }
        finally
        {
            CameraLog.RunStatistics(
                _logger,
                _plan.Device!,
                pump.FramesCaptured,
                pump.FramesCoded,
                pump.FramesDropped,
                pump.AllocatedBytesAfterWarmup,
                pump.CpuMicrosecondsPerFrame);
        }
    }

    /// <summary>Opens the camera; a node that has just come back may still refuse briefly (udev fixing permissions, the driver finishing its probe).</summary>
    private async Task<V4l2Capture> OpenCaptureAsync(V4l2CaptureRequest request, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return V4l2Capture.Open(_plan.Device!, request);
            }
            catch (DeviceException exception) when (attempt < 10 && exception.Errno is ErrnoAccessDenied or ErrnoBusy)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private V4l2M2mEncoder OpenEncoder(V4l2CaptureFormat format)
    {
        var settings = new V4l2EncoderSettings(
            format.PixelFormat,
            format.Width,
            format.Height,
            (int)Math.Round(format.FramesPerSecond > 0 ? format.FramesPerSecond : _plan.Capture!.FramesPerSecond),
            _video.BitrateKbps,
            _video.KeyframeInterval);
        V4l2M2mEncoder encoder = V4l2M2mEncoder.Open(_plan.Encoder!, settings);
        CameraLog.EncoderOpened(
            _logger,
            _plan.Encoder!,
            encoder.Device.Card,
            encoder.Device.Driver,
            encoder.AppliedControls.Count == 0 ? "none" : string.Join(", ", encoder.AppliedControls),
            encoder.SkippedControls.Count == 0 ? "none" : string.Join(", ", encoder.SkippedControls));
        return encoder;
    }
}
