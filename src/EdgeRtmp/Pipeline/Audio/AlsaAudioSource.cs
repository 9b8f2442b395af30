using EdgeRtmp.Devices;
using EdgeRtmp.Devices.Alsa;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Aac;
using EdgeRtmp.Media.Audio;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline.Audio;

/// <summary>
/// A microphone through ALSA: capture on a thread of its own, blocked in poll() (<see cref="AlsaCapture"/>), each
/// period's samples stamped and drift-corrected against the pipeline clock (<see cref="AudioTimeline"/>), encoded to
/// AAC and handed to the sink from that thread. The device is opened per run at the rate and channel count it agrees
/// to nearest the configured ones (logged when they differ). A vanished or failing device ends the run with a
/// <see cref="MediaSourceException"/>: the pipeline restarts it with backoff. Overruns are recovered in place, counted
/// and logged; the clock's drift is logged every minute.
/// </summary>
public sealed class AlsaAudioSource : IMediaSource
{
    private static readonly TimeSpan s_clockLogInterval = TimeSpan.FromMinutes(1);

    /// <summary>At most one overrun line per this interval (with the running count): a starved box would otherwise log dozens a second.</summary>
    private static readonly TimeSpan s_overrunLogInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The device buffer in periods: 24 × 1024 frames, half a second at 48 kHz. The capture thread also encodes, so the
    /// buffer is what absorbs an encoder or scheduling hiccup before samples are lost.
    /// </summary>
    private const int BufferPeriods = 24;

    private readonly PipelineClock _clock;
    private readonly ILogger _logger;
    private uint _lastTimestamp;

    public AlsaAudioSource(string device, AacEncoderOptions requested, PipelineClock clock, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        Device = device;
        Requested = requested;
        _clock = clock;
        _logger = logger;
    }

    public string Device { get; }

    public AacEncoderOptions Requested { get; }

    public string Description => "alsa:" + Device;

    /// <summary>The timeline of the current or last run (drift, corrections), for tests and status.</summary>
    public AudioTimeline? Timeline { get; private set; }

    public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        cancellationToken.ThrowIfCancellationRequested();
        AlsaCapture capture;
        try
        {
            capture = AlsaCapture.Open(Device, new AlsaCaptureRequest(Requested.SampleRate, Requested.Channels, AacEncoder.FrameSamples, BufferPeriods));
        }
        catch (DeviceException exception)
        {
            throw new MediaSourceException(exception.Message, exception);
        }

        AacPcmPackager packager;
        try
        {
            packager = CreatePackager(capture);
        }
        catch
        {
            capture.Dispose();
            throw;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Capture(capture, packager, sink, cancellationToken);
                done.SetResult();
            }
            catch (Exception exception)
            {
                done.SetException(exception);
            }
            finally
            {
                capture.Dispose();
            }
        })
        {
            IsBackground = true,
            Name = "alsa capture",
        };
        using (cancellationToken.UnsafeRegister(static state => ((AlsaCapture)state!).Stop(), capture))
        {
            thread.Start();
            await done.Task.ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new MediaSourceException($"alsa:{Device}: capture stopped by itself");
    }

    private AacPcmPackager CreatePackager(AlsaCapture capture)
    {
        AudioLog.AlsaOpened(_logger, Device, capture.SampleRate, capture.Channels, capture.Format.ToString(), capture.PeriodFrames, capture.BufferFrames);
        if (capture.SampleRate != Requested.SampleRate || capture.Channels != Requested.Channels)
        {
            AudioLog.AlsaAdjusted(
                _logger,
                Device,
                $"{capture.SampleRate} Hz {capture.Channels} ch",
                $"{Requested.SampleRate} Hz {Requested.Channels} ch");
        }

        var options = Requested with { SampleRate = capture.SampleRate, Channels = capture.Channels };
        try
        {
            return new AacPcmPackager(options);
        }
        catch (ArgumentException exception)
        {
            throw new MediaSourceException($"alsa:{Device}: the device gives {capture.SampleRate} Hz {capture.Channels} ch, which AAC cannot carry: {exception.Message}", exception);
        }
    }

    /// <summary>The capture thread: read a period, stamp and correct it, encode and hand over whole frames. Allocation-free per period.</summary>
    private void Capture(AlsaCapture capture, AacPcmPackager packager, IMediaSink sink, CancellationToken cancellationToken)
    {
        var timeline = new AudioTimeline(capture.SampleRate, capture.Channels, AacEncoder.FrameSamples);
        timeline.Reset(notBefore: TimeSpan.FromMilliseconds(_lastTimestamp));
        Timeline = timeline;
        var block = new short[capture.PeriodFrames * capture.Channels];
        var frame = new short[AacEncoder.FrameSamples * capture.Channels];
        long overruns = 0;
        TimeSpan nextClockLog = _clock.Elapsed + s_clockLogInterval;
        TimeSpan nextOverrunLog = TimeSpan.Zero;
        while (!cancellationToken.IsCancellationRequested)
        {
            int frames;
            try
            {
                frames = capture.Read(block);
            }
            catch (DeviceException exception)
            {
                throw new MediaSourceException(exception.IsDeviceGone ? $"alsa:{Device}: the device is gone ({exception.Message})" : exception.Message, exception);
            }

            if (frames < capture.PeriodFrames)
            {
                return;
            }

            TimeSpan now = _clock.Elapsed;
            timeline.Append(block, now);
            while (timeline.TryReadFrame(frame, out TimeSpan presentation))
            {
                packager.Write(frame, presentation, sink);
                _lastTimestamp = PipelineClock.ToTimestamp(presentation);
            }

            if (capture.Overruns != overruns && now >= nextOverrunLog)
            {
                overruns = capture.Overruns;
                nextOverrunLog = now + s_overrunLogInterval;
                AudioLog.AlsaOverrun(_logger, Device, overruns);
            }

            if (now >= nextClockLog)
            {
                nextClockLog = now + s_clockLogInterval;
                AudioLog.AlsaClock(_logger, Device, timeline.DriftPpm, timeline.Offset.TotalMilliseconds, timeline.DroppedSamples, timeline.InsertedSamples, timeline.Steps);
            }
        }
    }
}
