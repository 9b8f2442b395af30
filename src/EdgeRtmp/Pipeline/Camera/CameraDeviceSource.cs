using EdgeRtmp.Media;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline.Camera;

/// <summary>
/// <c>Video:Source v4l2:DEVICE</c>: the camera at DEVICE, which need not be there when the service starts. Its route
/// (<see cref="CameraPlan"/>) is chosen from what the device offers, so the <see cref="CameraVideoSource"/> is made the
/// first time the device is usable, by a run: a run before that fails with the reason ("no such camera"), and the
/// pipeline shows the failure (error LED, STATUS=) and runs it again with its backoff, cut short when the device node
/// appears (<see cref="IMediaSourceRetryHint"/>, inotify). A camera box stays up, serving, while its camera is
/// missing; a service restart would not bring the camera back. Once made, the camera source is kept: it reopens its
/// device on every run and rides out unplugging itself.
/// </summary>
public sealed class CameraDeviceSource : IMediaSource, IMediaSourceRetryHint
{
    /// <summary>A node that has just appeared may refuse for a moment (udev fixing its permissions, the driver finishing its probe).</summary>
    private static readonly TimeSpan s_settleStep = TimeSpan.FromMilliseconds(200);
    private const int SettleAttempts = 10;

    private readonly string _device;
    private readonly Func<VideoSourceChoice> _create;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string, bool> _exists;
    private IMediaSource? _source;

    /// <param name="device">The node or /dev/v4l/by-id link of the camera.</param>
    /// <param name="create">Chooses the route and makes the camera source; throws <see cref="MediaSourceException"/> while the device is not usable.</param>
    /// <param name="source">The camera source when it could already be made (at start), else null.</param>
    /// <param name="exists">Whether a path exists (tests replace the file system).</param>
    public CameraDeviceSource(string device, Func<VideoSourceChoice> create, TimeProvider time, ILogger logger, IMediaSource? source = null, Func<string, bool>? exists = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _device = device;
        _create = create;
        _time = time;
        _logger = logger;
        _source = source;
        _exists = exists ?? Path.Exists;
    }

    /// <summary>The camera's own description once it is made; until then what is awaited.</summary>
    public string Description => Volatile.Read(ref _source)?.Description ?? $"v4l2:{_device} (not found yet)";

    /// <summary>The camera source, once the device was usable.</summary>
    public IMediaSource? Camera => Volatile.Read(ref _source);

    public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        IMediaSource source = Volatile.Read(ref _source) ?? await CreateAsync(cancellationToken).ConfigureAwait(false);
        await source.RunAsync(sink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fires when the device node appears after having been missing. When the node is there (the failure was something
    /// else: a camera we cannot stream, a device that broke) it never fires: the restart delay decides, so a device
    /// that is present but failing is not retried in a tight loop.
    /// </summary>
    public async Task WaitUntilWorthRetryingAsync(CancellationToken cancellationToken)
    {
        if (_exists(_device) || !Directory.Exists(Path.GetDirectoryName(_device)))
        {
            // /dev/v4l/by-id/ exists only while some camera does: its appearing is not watched, the delay decides.
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken).ConfigureAwait(false);
            return;
        }

        await DeviceNode.WaitForAsync(_device, Timeout.InfiniteTimeSpan, _time, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IMediaSource> CreateAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                VideoSourceChoice choice = _create();
                IMediaSource source = choice.Source ?? throw new MediaSourceException($"v4l2:{_device}: no route to H.264");
                Volatile.Write(ref _source, source);
                CameraLog.Found(_logger, _device, choice.Reason);
                return source;
            }
            catch (MediaSourceException) when (attempt < SettleAttempts && _exists(_device))
            {
                await Task.Delay(s_settleStep, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
