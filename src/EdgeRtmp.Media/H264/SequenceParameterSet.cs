using EdgeRtmp.Protocol;

namespace EdgeRtmp.Media.H264;

/// <summary>
/// The fields of a sequence parameter set (H.264 7.3.2.1.1) that a muxer or player needs.
/// </summary>
public readonly record struct SequenceParameterSet
{
    public byte ProfileIdc { get; init; }

    /// <summary>The byte after profile_idc: constraint_set0..5 flags (MSB first) and 2 reserved bits.</summary>
    public byte ConstraintFlags { get; init; }

    public byte LevelIdc { get; init; }
    public uint Id { get; init; }
    public uint ChromaFormatIdc { get; init; }
    public bool SeparateColourPlane { get; init; }
    public int BitDepthLuma { get; init; }
    public int BitDepthChroma { get; init; }
    public bool HasScalingMatrix { get; init; }
    public int Log2MaxFrameNum { get; init; }
    public uint PicOrderCntType { get; init; }
    public int Log2MaxPicOrderCntLsb { get; init; }
    public uint MaxNumRefFrames { get; init; }
    public int WidthInMbs { get; init; }

    /// <summary>PicHeightInMapUnits; with field coding a map unit is two macroblock rows.</summary>
    public int HeightInMapUnits { get; init; }

    public bool FrameMbsOnly { get; init; }
    public uint CropLeft { get; init; }
    public uint CropRight { get; init; }
    public uint CropTop { get; init; }
    public uint CropBottom { get; init; }

    /// <summary>Displayed width in luma samples, frame cropping applied (7.4.2.1.1).</summary>
    public int Width { get; init; }

    /// <summary>Displayed height in luma samples, frame cropping and field coding applied.</summary>
    public int Height { get; init; }

    public bool HasTimingInfo { get; init; }
    public uint NumUnitsInTick { get; init; }
    public uint TimeScale { get; init; }
    public bool FixedFrameRate { get; init; }

    /// <summary>
    /// VUI <c>max_num_reorder_frames</c> (E.2.1): how many pictures may precede one in decode order and follow it in
    /// output order (0 without B-frames); null when the SPS does not say.
    /// </summary>
    public uint? MaxNumReorderFrames { get; init; }

    /// <summary>
    /// Frames per second from VUI timing (E.2.1): time_scale / (2 · num_units_in_tick), as a frame is two
    /// field ticks; 0 when the SPS carries no timing.
    /// </summary>
    public double FramesPerSecond => HasTimingInfo && NumUnitsInTick != 0 ? TimeScale / (2.0 * NumUnitsInTick) : 0;

    private const int MaxStackRbsp = 512;

    /// <summary>Parses an SPS NAL unit (header byte included, emulation prevention still in).</summary>
    public static SequenceParameterSet Parse(ReadOnlySpan<byte> nalUnit)
    {
        if (NalUnit.GetType(nalUnit) != NalUnitType.SequenceParameterSet)
            MediaFormatException.Throw($"H.264: expected an SPS (nal_unit_type 7), got nal_unit_type {(int)NalUnit.GetType(nalUnit)}.");
        byte[]? rented = null;
        Span<byte> rbsp = nalUnit.Length <= MaxStackRbsp
            ? stackalloc byte[MaxStackRbsp]
            : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(nalUnit.Length));
        try
        {
            int length = NalUnit.RemoveEmulationPrevention(nalUnit, rbsp);
            return ParseRbsp(rbsp.Slice(1, length - 1));
        }
        finally
        {
            if (rented is not null)
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static SequenceParameterSet ParseRbsp(ReadOnlySpan<byte> rbsp)
    {
        var bits = new BitReader(rbsp);
        byte profileIdc = (byte)bits.ReadBits(8);
        byte constraintFlags = (byte)bits.ReadBits(8);
        byte levelIdc = (byte)bits.ReadBits(8);
        uint id = bits.ReadUe();
        if (id > 31)
            MediaFormatException.Throw($"H.264: seq_parameter_set_id {id} is above 31.");

        uint chromaFormatIdc = 1;
        bool separateColourPlane = false;
        int bitDepthLuma = 8, bitDepthChroma = 8;
        bool hasScalingMatrix = false;
        if (profileIdc is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135)
        {
            chromaFormatIdc = bits.ReadUe();
            if (chromaFormatIdc > 3)
                MediaFormatException.Throw($"H.264: chroma_format_idc {chromaFormatIdc} is above 3.");
            if (chromaFormatIdc == 3)
                separateColourPlane = bits.ReadFlag();
            bitDepthLuma = 8 + (int)bits.ReadUe();
            bitDepthChroma = 8 + (int)bits.ReadUe();
            if (bitDepthLuma > 14 || bitDepthChroma > 14)
                MediaFormatException.Throw($"H.264: bit depth {bitDepthLuma}/{bitDepthChroma} is above 14.");
            bits.Skip(1); // qpprime_y_zero_transform_bypass_flag
            hasScalingMatrix = bits.ReadFlag();
            if (hasScalingMatrix)
            {
                int lists = chromaFormatIdc != 3 ? 8 : 12;
                for (int i = 0; i < lists; i++)
                {
                    if (bits.ReadFlag()) // seq_scaling_list_present_flag[i]
                        SkipScalingList(ref bits, i < 6 ? 16 : 64);
                }
            }
        }

        uint log2MaxFrameNumMinus4 = bits.ReadUe();
        if (log2MaxFrameNumMinus4 > 12)
            MediaFormatException.Throw($"H.264: log2_max_frame_num_minus4 {log2MaxFrameNumMinus4} is above 12.");
        uint picOrderCntType = bits.ReadUe();
        int log2MaxPocLsb = 0;
        switch (picOrderCntType)
        {
            case 0:
                uint log2MaxPocLsbMinus4 = bits.ReadUe();
                if (log2MaxPocLsbMinus4 > 12)
                    MediaFormatException.Throw($"H.264: log2_max_pic_order_cnt_lsb_minus4 {log2MaxPocLsbMinus4} is above 12.");
                log2MaxPocLsb = (int)log2MaxPocLsbMinus4 + 4;
                break;
            case 1:
                bits.Skip(1); // delta_pic_order_always_zero_flag
                bits.ReadSe(); // offset_for_non_ref_pic
                bits.ReadSe(); // offset_for_top_to_bottom_field
                uint cycle = bits.ReadUe();
                if (cycle > 255)
                    MediaFormatException.Throw($"H.264: num_ref_frames_in_pic_order_cnt_cycle {cycle} is above 255.");
                for (uint i = 0; i < cycle; i++)
                    bits.ReadSe(); // offset_for_ref_frame[i]
                break;
            case 2:
                break;
            default:
                MediaFormatException.Throw($"H.264: pic_order_cnt_type {picOrderCntType} is above 2.");
                break;
        }

        uint maxNumRefFrames = bits.ReadUe();
        bits.Skip(1); // gaps_in_frame_num_value_allowed_flag
        uint widthInMbsMinus1 = bits.ReadUe();
        uint heightInMapUnitsMinus1 = bits.ReadUe();
        if (widthInMbsMinus1 > 1023 || heightInMapUnitsMinus1 > 1023)
            MediaFormatException.Throw($"H.264: picture of {widthInMbsMinus1 + 1}x{heightInMapUnitsMinus1 + 1} macroblocks is too large.");
        bool frameMbsOnly = bits.ReadFlag();
        if (!frameMbsOnly)
            bits.Skip(1); // mb_adaptive_frame_field_flag
        bits.Skip(1); // direct_8x8_inference_flag
        uint cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (bits.ReadFlag()) // frame_cropping_flag
        {
            cropLeft = bits.ReadUe();
            cropRight = bits.ReadUe();
            cropTop = bits.ReadUe();
            cropBottom = bits.ReadUe();
        }

        // 7.4.2.1.1: CropUnitX/Y depend on the chroma subsampling (SubWidthC, SubHeightC) and field coding.
        int chromaArrayType = separateColourPlane ? 0 : (int)chromaFormatIdc;
        int subWidthC = chromaFormatIdc is 1 or 2 ? 2 : 1;
        int subHeightC = chromaFormatIdc == 1 ? 2 : 1;
        int frameHeightFactor = frameMbsOnly ? 1 : 2;
        int cropUnitX = chromaArrayType == 0 ? 1 : subWidthC;
        int cropUnitY = (chromaArrayType == 0 ? 1 : subHeightC) * frameHeightFactor;
        int codedWidth = ((int)widthInMbsMinus1 + 1) * 16;
        int codedHeight = ((int)heightInMapUnitsMinus1 + 1) * 16 * frameHeightFactor;
        long width = codedWidth - (long)cropUnitX * (cropLeft + cropRight);
        long height = codedHeight - (long)cropUnitY * (cropTop + cropBottom);
        if (width <= 0 || height <= 0)
            MediaFormatException.Throw($"H.264: frame cropping {cropLeft},{cropRight},{cropTop},{cropBottom} leaves no picture of {codedWidth}x{codedHeight}.");

        bool hasTiming = false, fixedFrameRate = false;
        uint numUnitsInTick = 0, timeScale = 0;
        uint? maxNumReorderFrames = null;
        if (bits.BitsLeft > 0 && bits.ReadFlag()) // vui_parameters_present_flag
            ReadVui(ref bits, out hasTiming, out numUnitsInTick, out timeScale, out fixedFrameRate, out maxNumReorderFrames);

        return new SequenceParameterSet
        {
            ProfileIdc = profileIdc,
            ConstraintFlags = constraintFlags,
            LevelIdc = levelIdc,
            Id = id,
            ChromaFormatIdc = chromaFormatIdc,
            SeparateColourPlane = separateColourPlane,
            BitDepthLuma = bitDepthLuma,
            BitDepthChroma = bitDepthChroma,
            HasScalingMatrix = hasScalingMatrix,
            Log2MaxFrameNum = (int)log2MaxFrameNumMinus4 + 4,
            PicOrderCntType = picOrderCntType,
            Log2MaxPicOrderCntLsb = log2MaxPocLsb,
            MaxNumRefFrames = maxNumRefFrames,
            WidthInMbs = (int)widthInMbsMinus1 + 1,
            HeightInMapUnits = (int)heightInMapUnitsMinus1 + 1,
            FrameMbsOnly = frameMbsOnly,
            CropLeft = cropLeft,
            CropRight = cropRight,
            CropTop = cropTop,
            CropBottom = cropBottom,
            Width = (int)width,
            Height = (int)height,
            HasTimingInfo = hasTiming,
            NumUnitsInTick = numUnitsInTick,
            TimeScale = timeScale,
            FixedFrameRate = fixedFrameRate,
            MaxNumReorderFrames = maxNumReorderFrames,
        };
    }

    /// <summary>scaling_list(), 7.3.2.1.1.1: only the delta_scale codes are in the bitstream; they stop once nextScale is 0.</summary>
    private static void SkipScalingList(ref BitReader bits, int size)
    {
        int lastScale = 8, nextScale = 8;
        for (int j = 0; j < size; j++)
        {
            if (nextScale != 0)
            {
                int deltaScale = bits.ReadSe();
                nextScale = (lastScale + deltaScale + 256) % 256;
            }
            lastScale = nextScale == 0 ? lastScale : nextScale;
        }
    }

    /// <summary>
    /// vui_parameters(), E.1.1: timing_info and bitstream_restriction's max_num_reorder_frames. A VUI cut short after
    /// timing_info leaves the reorder depth unknown rather than failing the SPS.
    /// </summary>
    private static void ReadVui(ref BitReader bits, out bool hasTiming, out uint numUnitsInTick, out uint timeScale, out bool fixedFrameRate, out uint? maxNumReorderFrames)
    {
        hasTiming = false;
        numUnitsInTick = timeScale = 0;
        fixedFrameRate = false;
        maxNumReorderFrames = null;
        if (bits.ReadFlag()) // aspect_ratio_info_present_flag
        {
            uint aspectRatioIdc = bits.ReadBits(8);
            if (aspectRatioIdc == 255) // Extended_SAR
                bits.Skip(32); // sar_width, sar_height
        }
        if (bits.ReadFlag()) // overscan_info_present_flag
            bits.Skip(1); // overscan_appropriate_flag
        if (bits.ReadFlag()) // video_signal_type_present_flag
        {
            bits.Skip(4); // video_format, video_full_range_flag
            if (bits.ReadFlag()) // colour_description_present_flag
                bits.Skip(24); // colour_primaries, transfer_characteristics, matrix_coefficients
        }
        if (bits.ReadFlag()) // chroma_loc_info_present_flag
        {
            bits.ReadUe();
            bits.ReadUe();
        }
        if (bits.ReadFlag()) // timing_info_present_flag
        {
            hasTiming = true;
            numUnitsInTick = bits.ReadBits(32);
            timeScale = bits.ReadBits(32);
            fixedFrameRate = bits.ReadFlag();
        }

        try
        {
            maxNumReorderFrames = ReadMaxNumReorderFrames(ref bits);
        }
        catch (MediaFormatException)
        {
            // A VUI cut short: the reorder depth stays unknown.
        }
    }

    /// <summary>The rest of vui_parameters() after timing_info, up to max_num_reorder_frames.</summary>
    private static uint? ReadMaxNumReorderFrames(ref BitReader bits)
    {
        if (bits.BitsLeft < 2)
            return null;
        bool nalHrd = bits.ReadFlag(); // nal_hrd_parameters_present_flag
        if (nalHrd)
            SkipHrdParameters(ref bits);
        bool vclHrd = bits.ReadFlag(); // vcl_hrd_parameters_present_flag
        if (vclHrd)
            SkipHrdParameters(ref bits);
        if (nalHrd || vclHrd)
            bits.Skip(1); // low_delay_hrd_flag
        bits.Skip(1); // pic_struct_present_flag
        if (bits.BitsLeft > 0 && bits.ReadFlag()) // bitstream_restriction_flag
        {
            bits.Skip(1); // motion_vectors_over_pic_boundaries_flag
            bits.ReadUe(); // max_bytes_per_pic_denom
            bits.ReadUe(); // max_bits_per_mb_denom
            bits.ReadUe(); // log2_max_mv_length_horizontal
            bits.ReadUe(); // log2_max_mv_length_vertical
            return bits.ReadUe();
        }
        return null;
    }

    /// <summary>hrd_parameters(), E.1.2.</summary>
    private static void SkipHrdParameters(ref BitReader bits)
    {
        uint cpbCount = bits.ReadUe() + 1; // cpb_cnt_minus1
        if (cpbCount > 32)
            MediaFormatException.Throw($"H.264: {cpbCount} coded picture buffers in the HRD parameters (at most 32).");
        bits.Skip(8); // bit_rate_scale, cpb_size_scale
        for (uint i = 0; i < cpbCount; i++)
        {
            bits.ReadUe(); // bit_rate_value_minus1
            bits.ReadUe(); // cpb_size_value_minus1
            bits.Skip(1); // cbr_flag
        }
        bits.Skip(20); // initial_cpb_removal_delay_length_minus1, cpb_removal_delay_length_minus1, dpb_output_delay_length_minus1, time_offset_length
    }
}
