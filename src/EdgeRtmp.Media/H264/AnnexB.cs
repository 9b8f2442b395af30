namespace EdgeRtmp.Media.H264;

/// <summary>
/// Annex B byte stream over a complete buffer (one access unit, one file): NAL units separated by
/// start codes 0x000001, optionally preceded by zero_byte (the 4-byte form 0x00000001).
/// For input that arrives in pieces use <see cref="AnnexBReader"/>.
/// </summary>
public static class AnnexB
{
    public static ReadOnlySpan<byte> StartCode => [0, 0, 1];

    public static ReadOnlySpan<byte> FourByteStartCode => [0, 0, 0, 1];

    /// <summary>
    /// Takes the next NAL unit off the front of <paramref name="buffer"/>. Bytes before the first
    /// start code are skipped; trailing zero bytes (zero_byte, trailing_zero_8bits, B.1) are not
    /// part of a NAL unit and are dropped. Empty NAL units are skipped.
    /// </summary>
    public static bool TryReadNalUnit(ref ReadOnlySpan<byte> buffer, out ReadOnlySpan<byte> nalUnit)
    {
        while (true)
        {
            int start = buffer.IndexOf(StartCode);
            if (start < 0)
            {
                buffer = default;
                nalUnit = default;
                return false;
            }
            ReadOnlySpan<byte> rest = buffer.Slice(start + 3);
            int next = rest.IndexOf(StartCode);
            ReadOnlySpan<byte> candidate = next < 0 ? rest : rest.Slice(0, next);
            buffer = next < 0 ? default : rest.Slice(next);
            candidate = TrimTrailingZeros(candidate);
            if (!candidate.IsEmpty)
            {
                nalUnit = candidate;
                return true;
            }
        }
    }

    /// <summary>Counts NAL units in a complete Annex B buffer.</summary>
    public static int CountNalUnits(ReadOnlySpan<byte> buffer)
    {
        int count = 0;
        while (TryReadNalUnit(ref buffer, out _))
            count++;
        return count;
    }

    internal static ReadOnlySpan<byte> TrimTrailingZeros(ReadOnlySpan<byte> nalUnit)
    {
        int end = nalUnit.Length;
        while (end > 0 && nalUnit[end - 1] == 0)
            end--;
        return nalUnit.Slice(0, end);
    }
}
