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

    // AMF0 string marker, length 10, "onMetaData".
    private static ReadOnlySpan<byte> OnMetaDataPrefix => [0x02, 0x00, 0x0A, (byte)'o', (byte)'n', (byte)'M', (byte)'e', (byte)'t', (byte)'a', (byte)'D', (byte)'a', (byte)'t', (byte)'a'];

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

                if (ToFrameKind(tag, out MediaKind kind, out MediaFrameFlags flags))
                {
                    uint timestamp = unchecked(PipelineClock.ToTimestamp(clockStart) + (uint)offset.TotalMilliseconds);
                    MediaFrame frame = MediaFramePool.Shared.Rent(kind, timestamp, flags, tag.DataSize, tag.Payload, static (span, payload) => payload.CopyTo(span));
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

    private static bool ToFrameKind(in FlvTag tag, out MediaKind kind, out MediaFrameFlags flags)
    {
        flags = MediaFrameFlags.None;
        ReadOnlySequence<byte> payload = tag.Payload;
        Span<byte> head = stackalloc byte[13];
        int headLength = (int)Math.Min(payload.Length, head.Length);
        payload.Slice(0, headLength).CopyTo(head);
        head = head[..headLength];
        switch (tag.TagType)
        {
            case FlvTagType.Video:
                kind = MediaKind.Video;
                if (FlvPayload.IsVideoSequenceHeader(head)) flags |= MediaFrameFlags.SequenceHeader;
                if (FlvPayload.IsVideoKeyframe(head)) flags |= MediaFrameFlags.Keyframe;

                // The file's AVC end-of-sequence tag is not the end of our stream: the loop goes on.
                return FlvPayload.TryReadVideoHeader(head, out FlvVideoHeader header) && header.PacketType != FlvVideoPacketType.SequenceEnd;
            case FlvTagType.Audio:
                kind = MediaKind.Audio;
                if (FlvPayload.IsAudioSequenceHeader(head)) flags |= MediaFrameFlags.SequenceHeader;
                return headLength > 0;
            case FlvTagType.Script:
                kind = MediaKind.Data;
                if (head.StartsWith(OnMetaDataPrefix)) flags |= MediaFrameFlags.Metadata;
                return headLength > 0;
            default:
                kind = default;
                return false;
        }
    }
}
