using System.Buffers;
using EdgeRtmp.Protocol;

namespace EdgeRtmp.Media.H264;

/// <summary>
/// Incremental Annex B reader: feed chunks of any size (start codes may straddle chunks) and take
/// NAL units out as soon as the start code after them has arrived.
/// </summary>
/// <remarks>
/// A NAL unit that lies wholly inside the current chunk is returned as a slice of it, without a copy.
/// Only a NAL unit that spans chunks is gathered in one reusable buffer that grows to the largest
/// such unit seen (bounded by <see cref="MaxNalUnitSize"/>), so after warm-up reading allocates nothing.
/// Usage, Kestrel style:
/// <code>
/// while (reader.TryRead(ref chunk, out var nal)) Handle(nal);   // chunk is consumed to the end
/// ...
/// if (reader.TryFlush(out var last)) Handle(last);              // end of stream
/// </code>
/// A returned span is valid until the next call on the reader.
/// </remarks>
public sealed class AnnexBReader
{
    private byte[] _pending;
    private int _pendingLength;
    private bool _synchronized;
    private bool _releasePendingOnNextCall;

    public AnnexBReader(int maxNalUnitSize = 8 * 1024 * 1024, int initialCapacity = 64 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNalUnitSize, 16);
        MaxNalUnitSize = maxNalUnitSize;
        _pending = new byte[Math.Min(initialCapacity, maxNalUnitSize)];
    }

    /// <summary>Largest NAL unit accepted; a bigger one throws <see cref="MediaFormatException"/>.</summary>
    public int MaxNalUnitSize { get; }

    /// <summary>Bytes held for a NAL unit still waiting for its end.</summary>
    public int PendingLength => _releasePendingOnNextCall ? 0 : _pendingLength;

    public void Reset()
    {
        _pendingLength = 0;
        _synchronized = false;
        _releasePendingOnNextCall = false;
    }

    /// <summary>
    /// Returns the next complete NAL unit, advancing <paramref name="input"/> past what was used.
    /// Returns false once <paramref name="input"/> is used up (kept internally as a partial NAL unit).
    /// </summary>
    public bool TryRead(scoped ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> nalUnit)
    {
        if (_releasePendingOnNextCall)
        {
            _pendingLength = 0;
            _releasePendingOnNextCall = false;
        }

        while (!input.IsEmpty)
        {
            // A start code that begins in the held bytes and ends in this chunk.
            int trailingZeros = CountTrailingZeros();
            int boundaryCodeLength = 0;
            if (trailingZeros >= 2 && input[0] == 1)
                boundaryCodeLength = 1;
            else if (trailingZeros >= 1 && input.Length >= 2 && input[0] == 0 && input[1] == 1)
                boundaryCodeLength = 2;

            if (boundaryCodeLength > 0)
            {
                input = input.Slice(boundaryCodeLength);
                if (TryCompletePending(default, out nalUnit))
                    return true;
                continue;
            }

            int startCode = input.IndexOf(AnnexB.StartCode);
            if (startCode < 0)
            {
                Hold(input);
                input = default;
                break;
            }

            ReadOnlySpan<byte> body = input.Slice(0, startCode);
            input = input.Slice(startCode + 3);
            if (TryCompletePending(body, out nalUnit))
                return true;
        }

        nalUnit = default;
        return false;
    }

    /// <summary>
    /// <see cref="TryRead(ref ReadOnlySpan{byte}, out ReadOnlySpan{byte})"/> over a pipe's buffer: segments are
    /// read in turn and <paramref name="input"/> is sliced past what was consumed (all of it when false).
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> input, out ReadOnlySpan<byte> nalUnit)
    {
        while (!input.IsEmpty)
        {
            ReadOnlySpan<byte> segment = input.FirstSpan;
            ReadOnlySpan<byte> rest = segment;
            bool found = TryRead(ref rest, out nalUnit);
            input = input.Slice(segment.Length - rest.Length);
            if (found)
                return true;
        }
        nalUnit = default;
        return false;
    }

    /// <summary>At the end of the stream: returns the NAL unit still held, if any.</summary>
    public bool TryFlush(out ReadOnlySpan<byte> nalUnit)
    {
        if (_releasePendingOnNextCall)
            _pendingLength = 0;
        _releasePendingOnNextCall = false;
        ReadOnlySpan<byte> held = _synchronized ? AnnexB.TrimTrailingZeros(_pending.AsSpan(0, _pendingLength)) : default;
        _pendingLength = 0;
        _synchronized = false;
        nalUnit = held;
        if (held.IsEmpty)
            return false;
        // The span points into our buffer: keep it intact until the next call.
        _pendingLength = held.Length;
        _releasePendingOnNextCall = true;
        return true;
    }

    /// <summary>
    /// A start code ended the NAL unit made of the held bytes plus <paramref name="tail"/>.
    /// Before the first start code everything is noise and is dropped.
    /// </summary>
    private bool TryCompletePending(ReadOnlySpan<byte> tail, out ReadOnlySpan<byte> nalUnit)
    {
        if (!_synchronized)
        {
            _synchronized = true;
            _pendingLength = 0;
            nalUnit = default;
            return false;
        }

        if (_pendingLength == 0)
        {
            nalUnit = AnnexB.TrimTrailingZeros(tail);
            return !nalUnit.IsEmpty;
        }

        Append(tail);
        nalUnit = AnnexB.TrimTrailingZeros(_pending.AsSpan(0, _pendingLength));
        _releasePendingOnNextCall = true;
        if (nalUnit.IsEmpty)
        {
            _pendingLength = 0;
            _releasePendingOnNextCall = false;
            return false;
        }
        return true;
    }

    private void Hold(ReadOnlySpan<byte> bytes)
    {
        if (_synchronized)
        {
            Append(bytes);
            return;
        }
        // Not yet synchronised: only trailing zeros can matter (a start code split across chunks).
        int zeros = 0;
        for (int i = bytes.Length - 1; i >= 0 && bytes[i] == 0 && zeros < 2; i--)
            zeros++;
        if (zeros < bytes.Length)
            _pendingLength = 0;
        _pendingLength = Math.Min(2, _pendingLength + zeros);
        _pending.AsSpan(0, _pendingLength).Clear();
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        int needed = _pendingLength + bytes.Length;
        if (needed > MaxNalUnitSize)
            ThrowTooLarge(needed);
        if (needed > _pending.Length)
        {
            byte[] larger = new byte[Math.Min(MaxNalUnitSize, Math.Max(needed, _pending.Length * 2))];
            _pending.AsSpan(0, _pendingLength).CopyTo(larger);
            _pending = larger;
        }
        bytes.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength = needed;
    }

    private int CountTrailingZeros()
    {
        int zeros = 0;
        for (int i = _pendingLength - 1; i >= 0 && _pending[i] == 0 && zeros < 2; i--)
            zeros++;
        return zeros;
    }

    private void ThrowTooLarge(int size) =>
        MediaFormatException.Throw($"H.264: NAL unit of at least {size} bytes exceeds MaxNalUnitSize {MaxNalUnitSize}.");
}
