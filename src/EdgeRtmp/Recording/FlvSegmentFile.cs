using System.Buffers;
using System.Buffers.Binary;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using Microsoft.Win32.SafeHandles;

namespace EdgeRtmp.Recording;

/// <summary>
/// One FLV segment being written. Every tag goes to the kernel in one pwrite() (header, body and PreviousTagSize
/// together, from a reused buffer): a process killed at any moment leaves only whole tags behind, and a file cut by
/// power loss ends at most in one partial tag after the last fsync, which players skip. Timestamps are rebased so
/// the segment starts at 0.
/// The segment's onMetaData is ours, not the source's: only a duration, 0 while writing and set at close. A source's
/// metadata can carry a duration of its own (a file source's whole length), which players would believe; a segment
/// cut short by a kill keeps 0, which makes FFmpeg take the duration from the last tag instead.
/// A bare file handle, no FileStream: the writer's thread writes while <see cref="SegmentSyncer"/>'s thread fsyncs it.
/// </summary>
internal sealed class FlvSegmentFile : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly ArrayBufferWriter<byte> _buffer;
    private readonly uint _baseTimestamp;
    private uint _lastTimestamp;
    private long _length;

    private FlvSegmentFile(SafeFileHandle file, ArrayBufferWriter<byte> buffer, uint baseTimestamp, string path)
    {
        _file = file;
        _buffer = buffer;
        _baseTimestamp = baseTimestamp;
        Path = path;
    }

    public string Path { get; }

    // AMF0 (amf0-file-format-specification §2): "onMetaData" as a string, then an ECMA array of one number, "duration".
    private static ReadOnlySpan<byte> OnMetaData =>
    [
        0x02, 0x00, 0x0A, (byte)'o', (byte)'n', (byte)'M', (byte)'e', (byte)'t', (byte)'a', (byte)'D', (byte)'a', (byte)'t', (byte)'a',
        0x08, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x08, (byte)'d', (byte)'u', (byte)'r', (byte)'a', (byte)'t', (byte)'i', (byte)'o', (byte)'n',
        0x00, 0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x00, 0x09,
    ];

    /// <summary>Where the duration's 8 bytes sit in the file: after the FLV header, the tag header and the 29 bytes before it in the body.</summary>
    private static long DurationOffset => FlvHeader.LengthWithPreviousTagSize + FlvTag.HeaderLength + 29;

    public long Length => _length;

    /// <summary>Stream time of the first frame: the segment's time 0.</summary>
    public uint BaseTimestamp => _baseTimestamp;

    /// <summary>Milliseconds covered so far.</summary>
    public uint Duration => _lastTimestamp;

    /// <summary>Creates the file (never overwriting) and writes the FLV header, metadata and sequence headers at time 0.</summary>
    public static FlvSegmentFile Create(string path, ArrayBufferWriter<byte> buffer, uint baseTimestamp, MediaFrame? audioHeader, MediaFrame? videoHeader, bool hasAudio, bool hasVideo)
    {
        SafeFileHandle file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete);
        var segment = new FlvSegmentFile(file, buffer, baseTimestamp, path);
        try
        {
            buffer.ResetWrittenCount();
            FlvWriter.WriteHeader(buffer, hasAudio, hasVideo, OnMetaData);
            foreach (MediaFrame? frame in (ReadOnlySpan<MediaFrame?>)[videoHeader, audioHeader])
            {
                if (frame is not null)
                {
                    FlvWriter.WriteTag(buffer, FlvFrames.TagTypeOf(frame.Kind), 0, frame.Span);
                }
            }

            segment.Append(buffer.WrittenSpan);
            return segment;
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }

    public void Write(MediaFrame frame)
    {
        uint timestamp = frame.Timestamp - _baseTimestamp;
        // A frame stamped just before the segment's first keyframe (audio interleaving) would wrap to 49 days.
        if ((int)timestamp < 0)
        {
            timestamp = 0;
        }

        if (timestamp > _lastTimestamp)
        {
            _lastTimestamp = timestamp;
        }

        _buffer.ResetWrittenCount();
        FlvWriter.WriteTag(_buffer, FlvFrames.TagTypeOf(frame.Kind), timestamp, frame.Span);
        Append(_buffer.WrittenSpan);
    }

    /// <summary>Sets the onMetaData duration to what was written; the segment is complete once it is fsync'ed.</summary>
    public void WriteDuration()
    {
        Span<byte> seconds = stackalloc byte[sizeof(double)];
        BinaryPrimitives.WriteDoubleBigEndian(seconds, _lastTimestamp / 1000.0);
        RandomAccess.Write(_file, seconds, DurationOffset);
    }

    /// <summary>fsync: what was written survives a power cut.</summary>
    public void Sync() => RandomAccess.FlushToDisk(_file);

    public void Dispose() => _file.Dispose();

    private void Append(ReadOnlySpan<byte> bytes)
    {
        RandomAccess.Write(_file, bytes, _length);
        _length += bytes.Length;
    }
}
