using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.H264;

/// <summary>
/// Helpers over one NAL unit (header byte included, no start code or length prefix).
/// </summary>
/// <remarks>
/// NAL unit header, H.264 7.3.1:
/// <code>
///  +---------------+
///  |0|1|2|3|4|5|6|7|
///  |F|NRI|  Type   |   forbidden_zero_bit, nal_ref_idc, nal_unit_type
///  +---------------+
/// </code>
/// </remarks>
public static class NalUnit
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static NalUnitType GetType(ReadOnlySpan<byte> nalUnit) =>
        nalUnit.IsEmpty ? NalUnitType.Unspecified : (NalUnitType)(nalUnit[0] & 0x1F);

    /// <summary>True for the coded slice types that carry a picture (1 to 5).</summary>
    public static bool IsVcl(NalUnitType type) => type is >= NalUnitType.NonIdrSlice and <= NalUnitType.IdrSlice;

    /// <summary>
    /// first_mb_in_slice == 0, read without unescaping: it is the first ue(v) after the header, and
    /// ue(v) == 0 is the single bit '1' (9.1), which emulation prevention can never touch.
    /// </summary>
    public static bool IsFirstSliceOfPicture(ReadOnlySpan<byte> nalUnit) => nalUnit.Length > 1 && (nalUnit[1] & 0x80) != 0;

    /// <summary>
    /// Removes emulation_prevention_three_byte (7.4.1: 0x000003 → 0x0000) from <paramref name="nalUnit"/>,
    /// giving the RBSP (header byte kept). <paramref name="destination"/> must be as long as the input.
    /// </summary>
    /// <returns>The RBSP length.</returns>
    public static int RemoveEmulationPrevention(ReadOnlySpan<byte> nalUnit, Span<byte> destination)
    {
        if (destination.Length < nalUnit.Length)
            ThrowDestinationTooSmall();
        int written = 0;
        int zeros = 0;
        for (int i = 0; i < nalUnit.Length; i++)
        {
            byte value = nalUnit[i];
            if (zeros >= 2 && value == 3)
            {
                zeros = 0;
                continue;
            }
            destination[written++] = value;
            zeros = value == 0 ? zeros + 1 : 0;
        }
        return written;
    }

    /// <summary>Worst-case size of an escaped NAL unit whose RBSP is <paramref name="rbspLength"/> bytes.</summary>
    public static int MaxEscapedLength(int rbspLength) => rbspLength + rbspLength / 2 + 1;

    /// <summary>
    /// Inserts emulation_prevention_three_byte wherever two zero bytes are followed by a byte ≤ 3
    /// (7.4.1), so the NAL unit can never contain a start code. Long runs without zeros (I_PCM
    /// samples) are copied in bulk, found with a vectorised search.
    /// </summary>
    /// <returns>The escaped length.</returns>
    public static int InsertEmulationPrevention(ReadOnlySpan<byte> rbsp, Span<byte> destination)
    {
        int written = 0;
        int zeros = 0;
        int i = 0;
        while (i < rbsp.Length)
        {
            if (zeros == 0)
            {
                int nextZero = rbsp.Slice(i).IndexOf((byte)0);
                int run = nextZero < 0 ? rbsp.Length - i : nextZero;
                rbsp.Slice(i, run).CopyTo(destination.Slice(written));
                written += run;
                i += run;
                if (nextZero < 0)
                    break;
            }
            byte value = rbsp[i++];
            if (zeros >= 2 && value <= 3)
            {
                destination[written++] = 3;
                zeros = 0;
            }
            destination[written++] = value;
            zeros = value == 0 ? zeros + 1 : 0;
        }
        return written;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowDestinationTooSmall() => throw new ArgumentException("Destination is shorter than the NAL unit.", "destination");
}
