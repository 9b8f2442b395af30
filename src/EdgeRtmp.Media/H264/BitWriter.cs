using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.H264;

/// <summary>
/// Writes an RBSP MSB first into a caller-provided span, with the Exp-Golomb codes of H.264 9.1.
/// Bits gather in a 64-bit accumulator so a write is a shift and an or; whole bytes go out 4 at a time.
/// </summary>
public ref struct BitWriter
{
    private readonly Span<byte> _destination;
    private int _bytePosition;
    private ulong _accumulator;
    private int _accumulatedBits;

    public BitWriter(Span<byte> destination)
    {
        _destination = destination;
        _bytePosition = 0;
        _accumulator = 0;
        _accumulatedBits = 0;
    }

    public readonly bool IsByteAligned => (_accumulatedBits & 7) == 0;

    /// <summary>Bytes written so far, counting a partial last byte.</summary>
    public readonly int Length => _bytePosition + (_accumulatedBits + 7) / 8;

    public void WriteFlag(bool value) => WriteBits(value ? 1u : 0u, 1);

    /// <summary>u(n) for n in 0..32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBits(uint value, int count)
    {
        if (count == 0)
            return;
        _accumulator = (_accumulator << count) | (value & (uint.MaxValue >> (32 - count)));
        _accumulatedBits += count;
        if (_accumulatedBits >= 32)
            Drain();
    }

    /// <summary>ue(v): codeNum + 1 in binary, preceded by as many zeros as it has bits after the first.</summary>
    public void WriteUe(uint codeNum)
    {
        ulong valuePlusOne = (ulong)codeNum + 1;
        int bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(valuePlusOne);
        if (bits <= 16)
        {
            WriteBits((uint)valuePlusOne, bits * 2 - 1);
            return;
        }
        WriteBits(0, bits - 1);
        WriteBits((uint)(valuePlusOne >> 32), bits > 32 ? bits - 32 : 0);
        WriteBits((uint)valuePlusOne, Math.Min(bits, 32));
    }

    /// <summary>se(v): positive v maps to 2v − 1, the rest to −2v.</summary>
    public void WriteSe(int value) => WriteUe(value > 0 ? (uint)(2 * value - 1) : (uint)(-2L * value));

    /// <summary>rbsp_trailing_bits(), 7.3.2.11: a one, then zeros to the byte boundary.</summary>
    public void WriteTrailingBits()
    {
        WriteBits(1, 1);
        AlignWithZeros();
    }

    /// <summary>Zero bits up to the next byte boundary (pcm_alignment_zero_bit, 7.3.5).</summary>
    public void AlignWithZeros()
    {
        int pad = (8 - (_accumulatedBits & 7)) & 7;
        WriteBits(0, pad);
    }

    /// <summary>Copies bytes in at a byte boundary (I_PCM samples).</summary>
    public void WriteAlignedBytes(ReadOnlySpan<byte> bytes)
    {
        if (!IsByteAligned)
            throw new InvalidOperationException("The bit writer is not byte aligned.");
        Flush();
        bytes.CopyTo(_destination.Slice(_bytePosition));
        _bytePosition += bytes.Length;
    }

    /// <summary>
    /// At a byte boundary: hands out the next <paramref name="count"/> bytes of the destination to fill directly
    /// (I_PCM samples) and moves past them.
    /// </summary>
    public Span<byte> ReserveAlignedBytes(int count)
    {
        if (!IsByteAligned)
            throw new InvalidOperationException("The bit writer is not byte aligned.");
        Flush();
        Span<byte> reserved = _destination.Slice(_bytePosition, count);
        _bytePosition += count;
        return reserved;
    }

    /// <summary>Writes out whole bytes still held in the accumulator; a partial byte is padded with zeros.</summary>
    public void Flush()
    {
        AlignPartialByte();
        while (_accumulatedBits > 0)
        {
            _accumulatedBits -= 8;
            _destination[_bytePosition++] = (byte)(_accumulator >> _accumulatedBits);
        }
        _accumulator = 0;
    }

    private void AlignPartialByte()
    {
        int pad = (8 - (_accumulatedBits & 7)) & 7;
        _accumulator <<= pad;
        _accumulatedBits += pad;
    }

    private void Drain()
    {
        _accumulatedBits -= 32;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(_destination.Slice(_bytePosition), (uint)(_accumulator >> _accumulatedBits));
        _bytePosition += 4;
        _accumulator &= (1UL << _accumulatedBits) - 1;
    }
}
