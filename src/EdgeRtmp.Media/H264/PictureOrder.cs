using EdgeRtmp.Protocol;

namespace EdgeRtmp.Media.H264;

/// <summary>
/// Composition time offsets for pictures that arrive in decode order (an encoder's raw H.264 output), from the
/// picture order count in each first slice header (8.2.1.1, <c>pic_order_cnt_type</c> 0): with B-frames a picture is
/// shown later than it is decoded, and FLV carries the difference as CompositionTime. Offsets are in frame periods:
/// <c>POC / step − pictures since the IDR + reorder depth</c>, where the step is the smallest POC difference seen
/// (2 for every frame-coded encoder we know) and the depth is the SPS's <c>max_num_reorder_frames</c> (2 when the
/// SPS does not say). POC types 1 and 2, and field pictures, are output in decode order here: offset 0.
/// </summary>
public sealed class PictureOrder
{
    /// <summary>The reorder depth assumed when the SPS carries no bitstream restriction.</summary>
    public const int DefaultReorderDepth = 2;

    /// <summary>Offsets are clamped to this many periods: a stream we misread must not push pictures seconds away.</summary>
    public const int MaxOffset = 32;

    private const int MaxSliceHeaderBytes = 64;
    private int _prevPocMsb;
    private int _prevPocLsb;
    private int _sinceIdr;
    private int? _lastPoc;
    private int _step = 2;

    /// <summary>Whether a stream with <paramref name="sps"/> gets offsets other than 0 from <see cref="Next"/>.</summary>
    public static bool Reorders(in SequenceParameterSet sps) => sps.PicOrderCntType == 0 && ReorderDepth(sps) > 0;

    /// <summary>
    /// The composition offset, in frame periods, of the picture whose first slice NAL unit (type 1 or 5, with its
    /// header byte) is <paramref name="sliceNalUnit"/>. Call once per picture, in decode order.
    /// </summary>
    public int Next(ReadOnlySpan<byte> sliceNalUnit, in SequenceParameterSet sps)
    {
        if (sliceNalUnit.Length < 2)
        {
            return 0;
        }

        bool idr = NalUnit.GetType(sliceNalUnit) == NalUnitType.IdrSlice;
        bool reference = (sliceNalUnit[0] & 0x60) != 0;
        if (idr)
        {
            _prevPocMsb = _prevPocLsb = 0;
            _sinceIdr = 0;
            _lastPoc = null;
        }
        else
        {
            _sinceIdr++;
        }

        if (sps.PicOrderCntType != 0 || !TryReadPocLsb(sliceNalUnit, sps, idr, out int pocLsb))
        {
            return 0;
        }

        // 8.2.1.1: the most significant part follows the least significant part's wrap-arounds.
        int maxPocLsb = 1 << sps.Log2MaxPicOrderCntLsb;
        int pocMsb = _prevPocMsb;
        if (pocLsb < _prevPocLsb && _prevPocLsb - pocLsb >= maxPocLsb / 2)
        {
            pocMsb += maxPocLsb;
        }
        else if (pocLsb > _prevPocLsb && pocLsb - _prevPocLsb > maxPocLsb / 2)
        {
            pocMsb -= maxPocLsb;
        }

        int poc = pocMsb + pocLsb;
        if (reference)
        {
            _prevPocMsb = pocMsb;
            _prevPocLsb = pocLsb;
        }

        if (_lastPoc is { } last && poc != last && Math.Abs(poc - last) < _step)
        {
            _step = Math.Abs(poc - last);
        }

        _lastPoc = poc;
        return Math.Clamp(poc / _step - _sinceIdr + ReorderDepth(sps), 0, MaxOffset);
    }

    private static int ReorderDepth(in SequenceParameterSet sps) => (int)Math.Min(sps.MaxNumReorderFrames ?? DefaultReorderDepth, MaxOffset);

    /// <summary>slice_header(), 7.3.3, up to pic_order_cnt_lsb. False for a field picture or a header cut short.</summary>
    private static bool TryReadPocLsb(ReadOnlySpan<byte> nalUnit, in SequenceParameterSet sps, bool idr, out int pocLsb)
    {
        pocLsb = 0;
        Span<byte> rbsp = stackalloc byte[MaxSliceHeaderBytes];
        ReadOnlySpan<byte> head = nalUnit.Slice(1, Math.Min(nalUnit.Length - 1, MaxSliceHeaderBytes));
        int length = NalUnit.RemoveEmulationPrevention(head, rbsp);
        var bits = new BitReader(rbsp[..length]);
        try
        {
            bits.ReadUe(); // first_mb_in_slice
            bits.ReadUe(); // slice_type
            bits.ReadUe(); // pic_parameter_set_id
            if (sps.SeparateColourPlane)
                bits.Skip(2); // colour_plane_id
            bits.Skip(sps.Log2MaxFrameNum); // frame_num
            if (!sps.FrameMbsOnly && bits.ReadFlag()) // field_pic_flag
                return false;
            if (idr)
                bits.ReadUe(); // idr_pic_id
            pocLsb = (int)bits.ReadBits(sps.Log2MaxPicOrderCntLsb);
            return true;
        }
        catch (MediaFormatException)
        {
            return false;
        }
    }
}
