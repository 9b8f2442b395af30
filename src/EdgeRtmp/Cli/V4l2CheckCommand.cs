using System.Globalization;
using EdgeRtmp.Devices;
using EdgeRtmp.Devices.V4l2;

namespace EdgeRtmp.Cli;

/// <summary>
/// <c>edgertmp v4l2-check --device /dev/videoN [--encoder /dev/videoM --coded FWHT|H264] [--frames N]</c> (hidden):
/// runs the service's own capture loop (<see cref="V4l2CameraPump"/>) against real drivers for N frames, optionally
/// through an M2M encoder, stops it (draining the encoder with ENCODER_CMD STOP) and prints what happened as
/// <c>key=value</c> lines: frames, coded frames, keyframes, drained, source-change events, bytes allocated on the
/// device thread after warm-up and its CPU time per frame. The emulated box's tests and BENCHMARKS use it; it checks
/// the interface, whatever the codec (vicodec's FWHT stands in for bcm2835-codec's H.264).
/// </summary>
public static class V4l2CheckCommand
{
    public static async Task<int> ExecuteAsync(
        string device, string? encoderPath, string coded, string format, int width, int height, int fps, int frames, CliEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!V4l2PixelFormat.TryParse(format, out uint cameraFormat))
        {
            environment.Error.WriteLine($"edgertmp: --format {format}: not a four-character code");
            return CommandLine.UsageError;
        }

        if (!V4l2PixelFormat.TryParse(coded, out uint codedFormat))
        {
            environment.Error.WriteLine($"edgertmp: --coded {coded}: not a four-character code");
            return CommandLine.UsageError;
        }

        try
        {
            using V4l2Capture capture = V4l2Capture.Open(device, new V4l2CaptureRequest(cameraFormat, width, height, fps));
            using V4l2M2mEncoder? encoder = encoderPath is null ? null : V4l2M2mEncoder.Open(
                encoderPath,
                new V4l2EncoderSettings(capture.Format.PixelFormat, capture.Format.Width, capture.Format.Height, (int)Math.Round(capture.Format.FramesPerSecond), 1000, 30, codedFormat));
            var counter = new FrameCounter(frames);
            using var pump = new V4l2CameraPump(capture, encoder, counter, TimeSpan.FromSeconds(10), warmupFrames: Math.Min(30, frames / 3));
            pump.Start();
            // Waited for on a pool thread: the device thread's Set() then allocates nothing (a Task completion would,
            // and the check measures the device thread's allocations).
            Task reached = Task.Run(() => counter.Reached.Wait(cancellationToken), cancellationToken);
            Task finished = await Task.WhenAny(reached, pump.Completion).WaitAsync(cancellationToken).ConfigureAwait(false);
            pump.Stop();
            await pump.Completion.ConfigureAwait(false);

            TextWriter output = environment.Out;
            output.WriteLine("format=" + capture.Format);
            output.WriteLine("adjustment=" + (capture.Format.Adjustment ?? "none"));
            output.WriteLine(Line("frames", pump.FramesCaptured));
            output.WriteLine(Line("dropped", pump.FramesDropped));
            output.WriteLine(Line("delivered", counter.Frames));
            output.WriteLine(Line("keyframes", counter.Keyframes));
            output.WriteLine(Line("bytes", counter.Bytes));
            output.WriteLine(Line("monotonic", counter.Monotonic));
            output.WriteLine("formats=" + string.Join(",", counter.Formats.Select(V4l2PixelFormat.ToString)));
            if (encoder is not null)
            {
                output.WriteLine("encoder=" + encoder.Device.Card + " (" + encoder.Device.Driver + ")");
                output.WriteLine(Line("coded", pump.FramesCoded));
                output.WriteLine("drained=" + (pump.EncoderDrained ? "yes" : "no"));
                output.WriteLine(Line("source_changes", encoder.SourceChanges));
                output.WriteLine("controls_set=" + string.Join(",", encoder.AppliedControls));
                output.WriteLine("controls_missing=" + string.Join(",", encoder.SkippedControls));
            }

            output.WriteLine(Line("allocated_after_warmup", pump.AllocatedBytesAfterWarmup));
            output.WriteLine("cpu_us_per_frame=" + pump.CpuMicrosecondsPerFrame.ToString("0.0", CultureInfo.InvariantCulture));
            return finished == reached ? CommandLine.Success : CommandLine.RuntimeFailure;
        }
        catch (DeviceException exception)
        {
            environment.Error.WriteLine("edgertmp: " + exception.Message);
            return CommandLine.RuntimeFailure;
        }
    }

    /// <summary>
    /// <c>edgertmp v4l2-feed --device /dev/videoN [--seconds S]</c> (hidden): writes the test card's H.264 access
    /// units, one write each, at 30 fps into an output node (v4l2loopback), so its capture side is a camera giving H.264.
    /// </summary>
    public static async Task<int> FeedAsync(string device, int width, int height, double seconds, CliEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        const int Fps = 30;
        var encoder = new Media.TestCard.TestCardEncoder(new Media.TestCard.TestCardOptions { Width = width, Height = height, FramesPerSecond = Fps, KeyframeInterval = Fps });
        var accessUnit = new System.Buffers.ArrayBufferWriter<byte>(256 * 1024);
        try
        {
            using V4l2OutputWriter writer = V4l2OutputWriter.Open(device, V4l2PixelFormat.H264, width, height, 512 * 1024);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / Fps));
            long frames = (long)(seconds * Fps);
            for (long i = 0; i < frames && await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false); i++)
            {
                accessUnit.ResetWrittenCount();
                encoder.EncodeFrame(i, TimeSpan.FromTicks(i * TimeSpan.TicksPerSecond / Fps), accessUnit);
                writer.Write(accessUnit.WrittenSpan);
            }

            environment.Out.WriteLine(Line("written", frames));
            return CommandLine.Success;
        }
        catch (DeviceException exception)
        {
            environment.Error.WriteLine("edgertmp: " + exception.Message);
            return CommandLine.RuntimeFailure;
        }
    }

    private static string Line(string key, long value) => key + "=" + value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Counts what the device thread hands over; completes <see cref="Reached"/> at the frame count.</summary>
    private sealed class FrameCounter(int target) : IV4l2FrameHandler
    {
        private readonly HashSet<uint> _formats = [];

        public ManualResetEventSlim Reached { get; } = new();

        public long Frames { get; private set; }

        public long Keyframes { get; private set; }

        public long Bytes { get; private set; }

        public long Monotonic { get; private set; }

        public IReadOnlyCollection<uint> Formats => _formats;

        public void OnFrame(ReadOnlySpan<byte> payload, in V4l2Frame frame)
        {
            Frames++;
            Bytes += payload.Length;
            Keyframes += frame.IsKeyframe ? 1 : 0;
            Monotonic += frame.IsMonotonic ? 1 : 0;
            if (!_formats.Contains(frame.PixelFormat))
            {
                _formats.Add(frame.PixelFormat);
            }

            if (Frames >= target)
            {
                Reached.Set();
            }
        }
    }
}
