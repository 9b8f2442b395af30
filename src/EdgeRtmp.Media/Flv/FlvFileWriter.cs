using System.Buffers;
using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.Flv;

/// <summary>
/// Writes an FLV file to a <see cref="Stream"/> the caller opened, for recording and <c>play --out</c>.
/// Tags collect in one reused buffer that goes to the stream when it holds
/// <see cref="FlushThreshold"/> bytes and on <see cref="FlushAsync"/>; the stream is never seeked, so
/// pipes and stdout work. Allocates nothing per tag after the buffer has grown to the largest tag.
/// </summary>
public sealed class FlvFileWriter : IAsyncDisposable
{
    public const int DefaultFlushThreshold = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly ArrayBufferWriter<byte> _buffer;
    private bool _disposed;

    public FlvFileWriter(Stream stream, bool leaveOpen = false, int flushThreshold = DefaultFlushThreshold)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(flushThreshold);
        _stream = stream;
        _leaveOpen = leaveOpen;
        FlushThreshold = flushThreshold;
        _buffer = new ArrayBufferWriter<byte>(flushThreshold + 1024);
    }

    public int FlushThreshold { get; }

    /// <summary>Bytes handed to the writer so far (written to the stream or still buffered).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Writes the header (and <paramref name="onMetaData"/> as the first tag if given) and sends it to the stream.</summary>
    public ValueTask WriteHeaderAsync(bool hasAudio, bool hasVideo, ReadOnlyMemory<byte> onMetaData = default, CancellationToken cancellationToken = default)
    {
        int before = _buffer.WrittenCount;
        FlvWriter.WriteHeader(_buffer, hasAudio, hasVideo, onMetaData.Span);
        BytesWritten += _buffer.WrittenCount - before;
        return FlushAsync(cancellationToken);
    }

    public ValueTask WriteTagAsync(FlvTagType tagType, uint timestamp, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        FlvWriter.WriteTag(_buffer, tagType, timestamp, payload.Span);
        return AfterTag(payload.Length, cancellationToken);
    }

    /// <summary>Copies a tag as read (its payload is copied before this returns, so the reader may move on).</summary>
    public ValueTask WriteTagAsync(in FlvTag tag, CancellationToken cancellationToken = default)
    {
        FlvWriter.WriteTag(_buffer, tag);
        return AfterTag(tag.DataSize, cancellationToken);
    }

    /// <summary>Sends everything buffered to the stream and flushes the stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await DrainAsync(cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private ValueTask AfterTag(int dataSize, CancellationToken cancellationToken)
    {
        BytesWritten += FlvTag.HeaderLength + dataSize + FlvTag.PreviousTagSizeLength;
        return _buffer.WrittenCount >= FlushThreshold ? DrainAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        if (_buffer.WrittenCount > 0)
        {
            await _stream.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            _buffer.ResetWrittenCount();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            if (!_leaveOpen)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
