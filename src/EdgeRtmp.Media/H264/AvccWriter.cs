using System.Buffers;
using System.Buffers.Binary;

namespace EdgeRtmp.Media.H264;

/// <summary>What <see cref="AvccWriter"/> did with one access unit.</summary>
/// <param name="BytesWritten">Length of the AVCC payload (4-byte big-endian length before every NAL unit).</param>
/// <param name="NalUnitCount">NAL units written (AUD, SPS and PPS are left out).</param>
/// <param name="IsKeyframe">The access unit holds an IDR slice.</param>
/// <param name="ParameterSetsChanged">An SPS or PPS in it differed from the one held: send a new sequence header first.</param>
/// <param name="FirstSliceOffset">Where the first slice NAL unit (its header byte) starts in the AVCC payload; -1 when there is none.</param>
/// <param name="FirstSliceLength">That NAL unit's length.</param>
public readonly record struct AvccFrameInfo(int BytesWritten, int NalUnitCount, bool IsKeyframe, bool ParameterSetsChanged, int FirstSliceOffset = -1, int FirstSliceLength = 0);

/// <summary>
/// Converts an Annex B access unit to the AVCC form carried in FLV/RTMP video tags (AVCPacketType 1) and MP4:
/// every NAL unit prefixed with its 4-byte length (lengthSizeMinusOne = 3). Access unit delimiters are dropped,
/// and SPS/PPS are taken out into <see cref="H264ParameterSets"/> because they travel in the sequence header.
/// </summary>
public static class AvccWriter
{
    private const int LengthPrefixSize = 4;

    /// <summary>Exact length of the AVCC payload for <paramref name="annexBAccessUnit"/>.</summary>
    public static int GetLength(ReadOnlySpan<byte> annexBAccessUnit)
    {
        int length = 0;
        while (AnnexB.TryReadNalUnit(ref annexBAccessUnit, out ReadOnlySpan<byte> nalUnit))
        {
            if (IsCarried(NalUnit.GetType(nalUnit)))
                length += LengthPrefixSize + nalUnit.Length;
        }
        return length;
    }

    public static AvccFrameInfo Write(ReadOnlySpan<byte> annexBAccessUnit, IBufferWriter<byte> output, H264ParameterSets parameterSets)
    {
        int length = GetLength(annexBAccessUnit);
        Span<byte> destination = output.GetSpan(Math.Max(length, 1));
        AvccFrameInfo info = WriteCore(annexBAccessUnit, destination, parameterSets);
        output.Advance(info.BytesWritten);
        return info;
    }

    /// <summary>Span form; false when <paramref name="destination"/> is shorter than <see cref="GetLength"/>.</summary>
    public static bool TryWrite(ReadOnlySpan<byte> annexBAccessUnit, Span<byte> destination, H264ParameterSets parameterSets, out AvccFrameInfo info)
    {
        if (destination.Length < GetLength(annexBAccessUnit))
        {
            info = default;
            return false;
        }
        info = WriteCore(annexBAccessUnit, destination, parameterSets);
        return true;
    }

    private static AvccFrameInfo WriteCore(ReadOnlySpan<byte> annexB, Span<byte> destination, H264ParameterSets parameterSets)
    {
        int written = 0, count = 0, firstSliceOffset = -1, firstSliceLength = 0;
        bool keyframe = false, changed = false;
        while (AnnexB.TryReadNalUnit(ref annexB, out ReadOnlySpan<byte> nalUnit))
        {
            NalUnitType type = NalUnit.GetType(nalUnit);
            if (type is NalUnitType.SequenceParameterSet or NalUnitType.PictureParameterSet)
            {
                changed |= parameterSets.Update(nalUnit);
                continue;
            }
            if (!IsCarried(type))
                continue;
            keyframe |= type == NalUnitType.IdrSlice;
            if (firstSliceOffset < 0 && type is NalUnitType.IdrSlice or NalUnitType.NonIdrSlice)
            {
                firstSliceOffset = written + LengthPrefixSize;
                firstSliceLength = nalUnit.Length;
            }
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(written), (uint)nalUnit.Length);
            nalUnit.CopyTo(destination.Slice(written + LengthPrefixSize));
            written += LengthPrefixSize + nalUnit.Length;
            count++;
        }
        return new AvccFrameInfo(written, count, keyframe, changed, firstSliceOffset, firstSliceLength);
    }

    private static bool IsCarried(NalUnitType type) =>
        type is not (NalUnitType.AccessUnitDelimiter or NalUnitType.SequenceParameterSet or NalUnitType.PictureParameterSet);
}
