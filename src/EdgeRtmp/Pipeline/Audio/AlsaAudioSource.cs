using EdgeRtmp.Devices;
using EdgeRtmp.Devices.Alsa;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Aac;
using EdgeRtmp.Media.Audio;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline.Audio;

/// <summary>
/// A microphone through ALSA: capture on a thread of its own, blocked in poll() (<see cref="AlsaCapture"/>), each
/// period's samples stamped and drift-corrected against the pipeline clock (<see cref="AudioTimeline"/>) and copied
/// into a preallocated ring (<see cref="PcmFrameRing"/>); a second thread encodes them to AAC and hands them to the sink. The device is opened per run at the rate and channel count it agrees
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
    /// The device buffer in periods: 24 × 1024 frames, half a second at 48 kHz (dsnoop, the usual "default", may give
    /// less: 16384 frames in the box). It absorbs the capture thread's scheduling delays; the ring absorbs the encoder's.
    /// </summary>
    private const int BufferPeriods = 24;

    /// <summary>How much audio the ring between capture and encoder holds: a second (about 96 KB mono, 192 KB stereo at 48 kHz).</summary>
    private const double RingSeconds = 1.0;

    private readonly PipelineClock _clock;
    private readonly ILogger _logger;
    private uint _lastTimestamp; // written by the encoder thread, read by the next run's capture thread

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

        // Capture and encoding on threads of their own, a preallocated ring between them: the capture thread only reads,
        // stamps and copies, so it is back in poll() within microseconds of each period whatever the encoder costs
        // (under load, an encode that ran on the capture thread made it miss periods until ALSA overran).
        var ring = new PcmFrameRing(RingFrames(capture.SampleRate), AacEncoder.FrameSamples * capture.Channels);
        Ring = ring;
        var captured = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var encoded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var captureThread = new Thread(() =>
        {
            try
            {
                Capture(capture, ring, cancellationToken);
                captured.SetResult();
            }
            catch (Exception exception)
            {
                captured.SetException(exception);
            }
            finally
            {
                ring.Complete();
            }
        })
        {
            IsBackground = true,
            Name = "alsa capture",
        };
        var encoderThread = new Thread(() =>
        {
            try
            {
                Encode(ring, packager, sink);
                encoded.SetResult();
            }
            catch (Exception exception)
            {
                encoded.SetException(exception);
                capture.Stop(); // nothing would take the frames any more
            }
        })
        {
            IsBackground = true,
            Name = "aac encode",
        };
        using (cancellationToken.UnsafeRegister(static state => ((AlsaCapture)state!).Stop(), capture))
        {
            encoderThread.Start();
            captureThread.Start();
            try
            {
                // Both threads end: capture when stopped or failed (it completes the ring), the encoder once the ring
                // is drained (or on failure, stopping capture). A capture failure is reported first: it is the cause.
                await Task.WhenAll(captured.Task, encoded.Task).ConfigureAwait(false);
            }
            finally
            {
                capture.Dispose();
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new MediaSourceException($"alsa:{Device}: capture stopped by itself");
    }

    /// <summary>The ring between capture and encoder of the current or last run (refused frames, high water), for tests and status.</summary>
    internal PcmFrameRing? Ring { get; private set; }

    /// <summary>About <see cref="RingSeconds"/> of frames: how long the encoder may stall before audio is lost.</summary>
    internal static int RingFrames(int sampleRate) => Math.Max(4, (int)Math.Ceiling(RingSeconds * sampleRate / AacEncoder.FrameSamples));

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

    /// <summary>
    /// The capture thread: read a period, stamp and correct it, copy whole frames into the ring. Allocation-free per
    /// period. Each block is stamped with when its last sample was captured: the read's return time less what the
    /// device had already captured beyond it (<see cref="AlsaCapture.BacklogFrames"/>), so a thread that ran late does
    /// not look to the timeline like a device that lost samples.
    /// </summary>
    private void Capture(AlsaCapture capture, PcmFrameRing ring, CancellationToken cancellationToken)
    {
        var timeline = new AudioTimeline(capture.SampleRate, capture.Channels, AacEncoder.FrameSamples);
        timeline.Reset(notBefore: TimeSpan.FromMilliseconds(Volatile.Read(ref _lastTimestamp)));
        Timeline = timeline;
        var block = new short[capture.PeriodFrames * capture.Channels];
        var frame = new short[AacEncoder.FrameSamples * capture.Channels];
        long overruns = 0;
        long refused = 0;
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
            TimeSpan capturedAt = now - TimeSpan.FromTicks(capture.BacklogFrames * TimeSpan.TicksPerSecond / capture.SampleRate);
            timeline.Append(block, capturedAt);
            while (timeline.TryReadFrame(frame, out TimeSpan presentation))
            {
                ring.TryWrite(frame, presentation); // refused (counted) when the encoder is a whole ring behind
            }

            if ((capture.Overruns != overruns || ring.Refused != refused) && now >= nextOverrunLog)
            {
                overruns = capture.Overruns;
                refused = ring.Refused;
                nextOverrunLog = now + s_overrunLogInterval;
                AudioLog.AlsaOverrun(_logger, Device, overruns, refused);
            }

            if (now >= nextClockLog)
            {
                nextClockLog = now + s_clockLogInterval;
                AudioLog.AlsaClock(_logger, Device, timeline.DriftPpm, timeline.Offset.TotalMilliseconds, timeline.DroppedSamples, timeline.InsertedSamples, timeline.Steps);
            }
        }
    }

    /// <summary>The encoder thread: encode each frame of the ring and hand it to the sink, until capture has ended and the ring is empty.</summary>
    private void Encode(PcmFrameRing ring, AacPcmPackager packager, IMediaSink sink)
    {
        while (ring.TryTake(out ReadOnlySpan<short> frame, out TimeSpan presentation))
        {
            try
            {
                packager.Write(frame, presentation, sink);
                Volatile.Write(ref _lastTimestamp, PipelineClock.ToTimestamp(presentation));
            }
            finally
            {
                ring.Release();
            }
        }
    }
}
