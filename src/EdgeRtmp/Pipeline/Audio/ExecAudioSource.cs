using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Aac;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline.Audio;

/// <summary>
/// An AAC encoder we run as a child process that writes ADTS to stdout (<c>exec:"ffmpeg -f alsa -i hw:1 -c:a aac -f adts -"</c>).
/// The ADTS headers give the AudioSpecificConfig (the sequence header) and split the raw frames. Frames are stamped by
/// their count from the first one's arrival on the pipeline clock (a frame is 1024 samples whatever the pipe does);
/// a producer that falls behind by more than <see cref="MaxLag"/> (a stall) is re-anchored forward, one that runs ahead
/// of real time (a file read without <c>-re</c>) is held back, so the stamps follow the clock and never go backwards.
/// One run is one run of the command; when it exits the run fails and the pipeline restarts it with backoff, as the
/// video <c>exec:</c> does. On stop the child's process group gets SIGTERM, then SIGKILL after <see cref="StopGrace"/>.
/// </summary>
public sealed class ExecAudioSource : IMediaSource
{
    private const int ReadBufferSize = 64 * 1024;
    private const string SetsidPath = "/usr/bin/setsid";

    /// <summary>How far behind the clock the frame count may fall before the stamps jump forward to it.</summary>
    public static readonly TimeSpan MaxLag = TimeSpan.FromMilliseconds(200);

    /// <summary>How far ahead of the clock a producer may run before we stop reading from it.</summary>
    public static readonly TimeSpan MaxLead = TimeSpan.FromMilliseconds(500);

    private readonly PipelineClock _clock;
    private readonly ILogger _logger;
    private readonly AacFramePackager _packager = new();
    private readonly byte[] _buffer = new byte[ReadBufferSize];
    private readonly byte[] _tagBody = new byte[AacFramePackager.TagHeaderLength + AdtsHeader.MaxFrameLength];
    private AdtsReader _reader = new();
    private TimeSpan _anchor;
    private long _frames;
    private TimeSpan _lastPresentation;
    private int _sampleRate = 48_000;

    public ExecAudioSource(string command, PipelineClock clock, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        Command = command;
        _clock = clock;
        _logger = logger;
    }

    public string Command { get; }

    public string Description => "exec audio \"" + Command + "\"";

    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Frames handed over in this run.</summary>
    public long Frames => _frames;

    public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        cancellationToken.ThrowIfCancellationRequested();
        _reader = new AdtsReader();
        _packager.Restart();
        _frames = 0;

        // setsid(1): the shell leads a process group of its own, so stopping reaches a whole pipeline and our
        // terminal's Ctrl+C does not reach the encoder.
        bool ownGroup = File.Exists(SetsidPath);
        var info = new ProcessStartInfo(ownGroup ? SetsidPath : "/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
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
            throw new MediaSourceException($"exec audio: cannot start /bin/sh: {exception.Message}", exception);
        }

        long started = Stopwatch.GetTimestamp();
        AudioLog.ExecStarted(_logger, process.Id, Command);
        Task stderr = LogStandardErrorAsync(process);
        Task? terminating = null;
        try
        {
            using (cancellationToken.UnsafeRegister(_ => terminating = TerminateAsync(process, ownGroup), null))
            {
                Stream stdout = process.StandardOutput.BaseStream;
                int buffered = 0;
                int read;
                while ((read = await stdout.ReadAsync(_buffer.AsMemory(buffered), CancellationToken.None).ConfigureAwait(false)) > 0)
                {
                    buffered += read;
                    int consumed;
                    try
                    {
                        consumed = Feed(buffered, sink);
                    }
                    catch (MediaFormatException exception)
                    {
                        throw new MediaSourceException($"exec audio: \"{Command}\" does not write ADTS: {exception.Message}", exception);
                    }

                    _buffer.AsSpan(consumed, buffered - consumed).CopyTo(_buffer);
                    buffered -= consumed;
                    TimeSpan lead = _anchor + FrameOffset(_frames) - _clock.Elapsed;
                    if (_frames > 0 && lead > MaxLead)
                    {
                        // Faster than real time: leave the rest in the pipe until the clock catches up.
                        await Task.Delay(lead - (MaxLead / 2), _clock.Time, cancellationToken).ConfigureAwait(false);
                    }
                }

                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(StopGrace, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            // stdout closed but the process lives on: treat it as gone; finally kills it.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while holding back a fast producer.
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
        }

        cancellationToken.ThrowIfCancellationRequested();
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        string code = process.HasExited ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "unknown";
        throw new MediaSourceException(
            $"exec audio: \"{Command}\" exited with code {code} after {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
    }

    /// <summary>Hands over every whole ADTS frame in the first <paramref name="buffered"/> bytes; returns the bytes used.</summary>
    private int Feed(int buffered, IMediaSink sink)
    {
        var sequence = new ReadOnlySequence<byte>(_buffer, 0, buffered);
        TimeSpan now = _clock.Elapsed;
        while (_reader.TryReadFrame(ref sequence, out AdtsHeader header, out ReadOnlySequence<byte> payload))
        {
            if (_frames == 0)
            {
                _anchor = now > _lastPresentation ? now : _lastPresentation;
                AudioLog.ExecFormat(_logger, header.SampleRate, header.ChannelConfiguration, header.ObjectType);
            }

            _sampleRate = header.SampleRate;
            TimeSpan presentation = _anchor + FrameOffset(_frames);
            if (now - presentation > MaxLag)
            {
                // The producer stalled: stamp from the clock again (forward only).
                _anchor += now - presentation;
                presentation = now;
            }

            payload.CopyTo(_tagBody.AsSpan(AacFramePackager.TagHeaderLength));
            _packager.Write(
                header.ToAudioSpecificConfig(),
                _tagBody.AsSpan(0, AacFramePackager.TagHeaderLength + (int)payload.Length),
                PipelineClock.ToTimestamp(presentation),
                sink);
            _lastPresentation = presentation;
            _frames++;
        }

        return buffered - (int)sequence.Length;
    }

    private TimeSpan FrameOffset(long frames) => TimeSpan.FromTicks(frames * AacEncoder.FrameSamples * TimeSpan.TicksPerSecond / _sampleRate);

    private Task LogStandardErrorAsync(Process process) =>
        ChildProcess.LogStandardErrorAsync(process, () => _logger.IsEnabled(LogLevel.Debug), line => AudioLog.ExecStandardError(_logger, line));

    private Task TerminateAsync(Process process, bool ownGroup) => ChildProcess.TerminateAsync(process, ownGroup, StopGrace);
}
