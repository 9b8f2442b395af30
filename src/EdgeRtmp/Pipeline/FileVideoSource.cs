using System.Buffers;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;

namespace EdgeRtmp.Pipeline;

/// <summary>
/// Plays an FLV file in a loop (<c>file:PATH.flv</c>) as if it were live: every tag (video, audio, script) becomes a
/// frame at the time its timestamp says, measured from when the run started on the pipeline clock. Timestamps keep
/// increasing across loops (<see cref="FlvLoopReader"/>). The file's own <c>onMetaData</c> and sequence headers pass
/// through, flagged so the hub keeps them for late joiners.
/// </summary>
public sealed class FileVideoSource : IVideoSource
{
    private static readonly TimeSpan s_maxLag = TimeSpan.FromSeconds(1);

    private readonly PipelineClock _clock;

    public FileVideoSource(string path, PipelineClock clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(clock);
        Path = path;
        _clock = clock;
    }

    public string Path { get; }

    public string Description => "file " + System.IO.Path.GetFileName(Path);

    /// <summary>Times the file has been rewound in the current run.</summary>
    public int LoopCount { get; private set; }

    public async Task RunAsync(IVideoFrameSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        FileStream stream;
        try
        {
            stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new VideoSourceException($"file: cannot open {Path}: {exception.Message}", exception);
        }

        await using var reader = new FlvLoopReader(stream);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        bool first = true;
        uint fileStart = 0;
        TimeSpan clockStart = default;
        try
        {
            while (await reader.ReadTagAsync(cancellationToken).ConfigureAwait(false))
            {
                FlvTag tag = reader.Current;
                LoopCount = reader.LoopCount;
                if (first)
                {
                    fileStart = tag.Timestamp;
                    clockStart = _clock.Elapsed;
                    first = false;
                }

                TimeSpan offset = TimeSpan.FromMilliseconds(unchecked(tag.Timestamp - fileStart));
                while (true)
                {
                    TimeSpan wait = clockStart + offset - _clock.Elapsed;
                    if (wait <= TimeSpan.Zero)
                    {
                        if (-wait > s_maxLag)
                        {
                            clockStart = _clock.Elapsed - offset;
                        }

                        break;
                    }

                    timer.Period = TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(wait.TotalMilliseconds)));
                    await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
                }

                if (ToFrameKind(tag, out MediaKind kind, out MediaFrameFlags flags, out int skip))
                {
                    uint timestamp = unchecked(PipelineClock.ToTimestamp(clockStart) + (uint)offset.TotalMilliseconds);
                    ReadOnlySequence<byte> body = tag.Payload.Slice(skip);
                    MediaFrame frame = MediaFramePool.Shared.Rent(kind, timestamp, flags, (int)body.Length, body, static (span, payload) => payload.CopyTo(span));
                    try
                    {
                        sink.OnFrame(frame);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }
        }
        catch (Exception exception) when (exception is IOException or MediaFormatException)
        {
            throw new VideoSourceException($"file: cannot read {Path}: {exception.Message}", exception);
        }

        throw new VideoSourceException($"file: {Path} holds no audio, video or script tags");
    }

    private static bool ToFrameKind(in FlvTag tag, out MediaKind kind, out MediaFrameFlags flags, out int skip)
    {
        ReadOnlySequence<byte> payload = tag.Payload;
        Span<byte> head = stackalloc byte[(int)Math.Min(payload.Length, 64)];
        payload.Slice(0, head.Length).CopyTo(head);
        return FlvFrames.TryClassify(tag.TagType, head, out kind, out flags, out skip);
    }
}
