using System.Buffers;
using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.Flv;

/// <summary>
/// Reads FLV tags from a <see cref="Stream"/> the caller opened: a thin async loop around
/// <see cref="FlvReader"/> over one pooled buffer that grows to the largest tag seen. After warm-up
/// a tag costs no allocation (the async method builder is pooled, and the buffer is reused).
/// <see cref="Current"/>'s payload points into that buffer and is valid until the next read.
/// </summary>
public sealed class FlvFileReader : IDisposable, IAsyncDisposable
{
    public const int DefaultBufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly FlvReader _parser;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _headerRead;
    private bool _endOfStream;

    public FlvFileReader(Stream stream, bool leaveOpen = false, int maxTagDataSize = FlvReader.DefaultMaxTagDataSize, bool strictPreviousTagSize = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _parser = new FlvReader(maxTagDataSize, strictPreviousTagSize);
        _buffer = ArrayPool<byte>.Shared.Rent(DefaultBufferSize);
    }

    /// <summary>The file header; valid once <see cref="ReadHeaderAsync"/> or the first <see cref="ReadTagAsync"/> returned.</summary>
    public FlvHeader Header { get; private set; }

    /// <summary>The tag the last successful <see cref="ReadTagAsync"/> returned; its payload is valid until the next read.</summary>
    public FlvTag Current { get; private set; }

    /// <summary>The underlying parser, for its counters (<see cref="FlvReader.PreviousTagSizeMismatches"/>, <see cref="FlvReader.Position"/>).</summary>
    public FlvReader Parser => _parser;

    public bool CanRewind => _stream.CanSeek;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<FlvHeader> ReadHeaderAsync(CancellationToken cancellationToken = default)
    {
        if (_headerRead)
        {
            return Header;
        }

        while (true)
        {
            var window = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
            if (_parser.TryReadHeader(ref window, out FlvHeader header))
            {
                _start = _end - (int)window.Length;
                Header = header;
                _headerRead = true;
                return header;
            }

            if (!await FillAsync(_parser.BytesNeeded, cancellationToken).ConfigureAwait(false))
            {
                MediaFormatException.Throw(_end == _start
                    ? "FLV file is empty: no header at offset 0"
                    : $"FLV file ends at offset {_end - _start} inside the header (it needs {_parser.BytesNeeded} bytes)");
            }
        }
    }

    /// <summary>
    /// Reads the next tag into <see cref="Current"/> (reading the header first if nobody did).
    /// Returns false at a clean end of file; throws <see cref="MediaFormatException"/> when the file
    /// ends inside a tag.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReadTagAsync(CancellationToken cancellationToken = default)
    {
        if (!_headerRead)
        {
            await ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            var window = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
            if (_parser.TryReadTag(ref window, out FlvTag tag))
            {
                _start = _end - (int)window.Length;
                Current = tag;
                return true;
            }

            if (!await FillAsync(_parser.BytesNeeded, cancellationToken).ConfigureAwait(false))
            {
                if (_end == _start)
                {
                    Current = default;
                    return false;
                }

                MediaFormatException.Throw($"FLV file is truncated: it ends {_end - _start} bytes into the tag at offset {_parser.Position}, which needs {_parser.BytesNeeded} bytes");
            }
        }
    }

    /// <summary>
    /// Reads the next tag synchronously (blocking in <see cref="Stream.Read(Span{byte})"/>), for a caller on a thread of
    /// its own such as a pacing loop: false at a clean end of file, <see cref="MediaFormatException"/> when the file
    /// ends inside a tag. <paramref name="tag"/>'s payload is valid until the next read.
    /// </summary>
    public bool TryReadTag(out FlvTag tag)
    {
        while (!_headerRead)
        {
            var window = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
            if (_parser.TryReadHeader(ref window, out FlvHeader header))
            {
                _start = _end - (int)window.Length;
                Header = header;
                _headerRead = true;
                break;
            }

            if (!Fill(_parser.BytesNeeded))
            {
                MediaFormatException.Throw(_end == _start
                    ? "FLV file is empty: no header at offset 0"
                    : $"FLV file ends at offset {_end - _start} inside the header (it needs {_parser.BytesNeeded} bytes)");
            }
        }

        while (true)
        {
            var window = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
            if (_parser.TryReadTag(ref window, out tag))
            {
                _start = _end - (int)window.Length;
                Current = tag;
                return true;
            }

            if (!Fill(_parser.BytesNeeded))
            {
                if (_end == _start)
                {
                    Current = tag = default;
                    return false;
                }

                MediaFormatException.Throw($"FLV file is truncated: it ends {_end - _start} bytes into the tag at offset {_parser.Position}, which needs {_parser.BytesNeeded} bytes");
            }
        }
    }

    /// <summary>Goes back to the start of the file (the stream must be seekable); the next read returns the header again.</summary>
    public void Rewind()
    {
        if (!_stream.CanSeek)
        {
            throw new InvalidOperationException("The FLV stream cannot seek, so it cannot be rewound for looping");
        }

        _stream.Seek(0, SeekOrigin.Begin);
        _parser.Reset();
        _start = 0;
        _end = 0;
        _headerRead = false;
        _endOfStream = false;
        Current = default;
    }

    /// <summary>Makes room for <paramref name="needed"/> contiguous bytes from <c>_start</c> and reads once. False at end of stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(int needed, CancellationToken cancellationToken)
    {
        if (_endOfStream)
        {
            return false;
        }

        MakeRoom(needed);
        return Filled(await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The synchronous <see cref="FillAsync"/>.</summary>
    private bool Fill(int needed)
    {
        if (_endOfStream)
        {
            return false;
        }

        MakeRoom(needed);
        return Filled(_stream.Read(_buffer.AsSpan(_end)));
    }

    private void MakeRoom(int needed)
    {
        int buffered = _end - _start;
        if (_buffer.Length - _start < needed || _end == _buffer.Length)
        {
            if (_buffer.Length < needed)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
                _buffer.AsSpan(_start, buffered).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
            else
            {
                _buffer.AsSpan(_start, buffered).CopyTo(_buffer);
            }

            _start = 0;
            _end = buffered;
        }
    }

    private bool Filled(int read)
    {
        if (read == 0)
        {
            _endOfStream = true;
            return false;
        }

        _end += read;
        return true;
    }

    public void Dispose()
    {
        ReturnBuffer();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        ReturnBuffer();
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void ReturnBuffer()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _start = _end = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
