using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using EdgeRtmp.Media;
using EdgeRtmp.Media.H264;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline;

/// <summary>
/// An encoder we run as a child process (<c>exec:"rpicam-vid --codec h264 --inline -t 0 -o -"</c>, or ffmpeg) that
/// writes H.264 Annex B to stdout. The command runs through <c>/bin/sh -c</c>; its access units are stamped with the
/// pipeline clock when they arrive, its stderr lines go to our log at Debug level. One <see cref="RunAsync"/> is one
/// run of the command: when it exits, RunAsync throws and the pipeline restarts it with backoff. On stop the child
/// gets SIGTERM, then SIGKILL after <see cref="StopGrace"/>.
/// </summary>
public sealed class ExecVideoSource : IMediaSource
{
    private const int ReadBufferSize = 64 * 1024;
    private const string SetsidPath = "/usr/bin/setsid";

    private readonly PipelineClock _clock;
    private readonly ILogger _logger;
    private readonly H264FramePackager _packager = new();
    private readonly AnnexBReader _reader = new();
    private readonly AccessUnitAssembler _assembler = new();
    private readonly byte[] _readBuffer = new byte[ReadBufferSize];
    private double _lastStamp;
    private bool _stamped;

    public ExecVideoSource(string command, PipelineClock clock, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        Command = command;
        _clock = clock;
        _logger = logger;
    }

    public string Command { get; }

    public string Description => "exec \"" + Command + "\"";

    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The child's process id while it runs (for tests and logs); 0 otherwise.</summary>
    public int ProcessId { get; private set; }

    public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        cancellationToken.ThrowIfCancellationRequested();
        _reader.Reset();
        _assembler.Reset();
        _packager.Restart();
        _stamped = false;

        // setsid(1) makes the shell the leader of a new process group, so stopping can signal the whole group (a
        // shell that does not exec its command, pipelines), and our terminal's Ctrl+C does not reach the encoder.
        bool ownGroup = File.Exists(SetsidPath);
        var info = new ProcessStartInfo(ownGroup ? SetsidPath : "/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Our stdin is not the encoder's business (ffmpeg would read keys from it).
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (ownGroup)
        {
            info.ArgumentList.Add("/bin/sh");
        }

        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Command);

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new MediaSourceException($"exec: cannot start /bin/sh: {exception.Message}", exception);
        }

        ProcessId = process.Id;
        long started = Stopwatch.GetTimestamp();
        PipelineLog.ExecStarted(_logger, process.Id, Command);
        Task stderr = LogStandardErrorAsync(process);
        Task? terminating = null;
        try
        {
            using (cancellationToken.UnsafeRegister(_ => terminating = TerminateAsync(process, ownGroup), null))
            {
                Stream stdout = process.StandardOutput.BaseStream;
                int read;
                while ((read = await stdout.ReadAsync(_readBuffer, CancellationToken.None).ConfigureAwait(false)) > 0)
                {
                    Feed(_readBuffer.AsSpan(0, read), sink);
                }

                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(StopGrace, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            // stdout closed but the process lives on: treat it as gone; finally kills it.
        }
        finally
        {
            if (terminating is not null)
            {
                await terminating.ConfigureAwait(false);
            }
            else if (!process.HasExited)
            {
                await TerminateAsync(process, ownGroup).ConfigureAwait(false);
            }

            await stderr.ConfigureAwait(false);
            ProcessId = 0;
        }

        cancellationToken.ThrowIfCancellationRequested();
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        string code = process.HasExited ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "unknown";
        throw new MediaSourceException(
            $"exec: \"{Command}\" exited with code {code} after {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
    }

    private void Feed(ReadOnlySpan<byte> chunk, IMediaSink sink)
    {
        double arrival = _clock.Elapsed.TotalMilliseconds;
        while (_reader.TryRead(ref chunk, out ReadOnlySpan<byte> nalUnit))
        {
            if (_assembler.TryAdd(nalUnit, out AccessUnit accessUnit))
            {
                _packager.Write(accessUnit.AnnexB, Stamp(arrival, accessUnit.IsKeyframe), sink);
            }
        }
    }

    /// <summary>
    /// Arrival times jitter by a few ms (pipe, scheduler); players that output at a constant rate read that as
    /// frames out of place. When the SPS declares a frame rate, a picture that arrives within one frame period of
    /// where the rate puts it is stamped there (the prediction drifts toward arrivals slowly); a burst keeps the
    /// cadence of one period per picture; after a stall the stamp is the arrival time. With B-frames the jump waits for
    /// the next keyframe: composition times are whole frame periods, so a jump inside a GOP would show the pictures
    /// decoded after it later than one decoded before it that they precede.
    /// </summary>
    private uint Stamp(double arrival, bool keyframe)
    {
        double framesPerSecond = _packager.FramesPerSecond;
        if (_stamped && framesPerSecond > 0)
        {
            double period = 1000 / framesPerSecond;
            double predicted = _lastStamp + period;
            double error = arrival - predicted;
            // Early by more than a period is a burst after a stall: keep the cadence (one period per picture)
            // rather than stamping several pictures with nearly the same time; late by more is a real gap.
            bool jumpAllowed = keyframe || !_packager.ReordersPictures;
            _lastStamp = Math.Abs(error) < period ? predicted + error / 16 : error < 0 || !jumpAllowed ? predicted : arrival;
        }
        else
        {
            _lastStamp = arrival;
            _stamped = true;
        }

        return unchecked((uint)(long)_lastStamp);
    }

    private Task LogStandardErrorAsync(Process process) =>
        ChildProcess.LogStandardErrorAsync(process, () => _logger.IsEnabled(LogLevel.Debug), line => PipelineLog.ExecStandardError(_logger, line));

    private Task TerminateAsync(Process process, bool ownGroup) => ChildProcess.TerminateAsync(process, ownGroup, StopGrace);
}
