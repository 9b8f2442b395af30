namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>
/// The SPS and PPS our encoders write: Constrained Baseline, frame coding, POC type 2 (output order is decoding
/// order), one reference frame, CAVLC, deblocking control present so slices can turn the loop filter off.
/// </summary>
internal static class ParameterSetWriter
{
    private const byte ProfileIdcBaseline = 66;

    /// <summary>seq_parameter_set_rbsp(), 7.3.2.1.1, with VUI timing (E.1.1) so players know the frame rate.</summary>
    public static byte[] BuildSequenceParameterSet(int widthInMbs, int heightInMbs, int width, int height, int framesPerSecond, byte levelIdc, int log2MaxFrameNum)
    {
        Span<byte> rbsp = stackalloc byte[64];
        var bits = new BitWriter(rbsp);
        bits.WriteBits(ProfileIdcBaseline, 8);              // profile_idc
        bits.WriteBits(0b1100_0000, 8);                     // constraint_set0 and set1: Constrained Baseline
        bits.WriteBits(levelIdc, 8);                        // level_idc
        bits.WriteUe(0);                                    // seq_parameter_set_id
        bits.WriteUe((uint)(log2MaxFrameNum - 4));          // log2_max_frame_num_minus4
        bits.WriteUe(2);                                    // pic_order_cnt_type: output order = decoding order
        bits.WriteUe(1);                                    // max_num_ref_frames
        bits.WriteFlag(false);                              // gaps_in_frame_num_value_allowed_flag
        bits.WriteUe((uint)(widthInMbs - 1));               // pic_width_in_mbs_minus1
        bits.WriteUe((uint)(heightInMbs - 1));              // pic_height_in_map_units_minus1
        bits.WriteFlag(true);                               // frame_mbs_only_flag
        bits.WriteFlag(true);                               // direct_8x8_inference_flag
        int cropRight = (widthInMbs * 16 - width) / 2, cropBottom = (heightInMbs * 16 - height) / 2; // CropUnit 2 for 4:2:0
        bool crop = cropRight != 0 || cropBottom != 0;
        bits.WriteFlag(crop);                               // frame_cropping_flag
        if (crop)
        {
            bits.WriteUe(0);
            bits.WriteUe((uint)cropRight);
            bits.WriteUe(0);
            bits.WriteUe((uint)cropBottom);
        }
        bits.WriteFlag(true);                               // vui_parameters_present_flag
        bits.WriteFlag(false);                              // aspect_ratio_info_present_flag
        bits.WriteFlag(false);                              // overscan_info_present_flag
        bits.WriteFlag(false);                              // video_signal_type_present_flag
        bits.WriteFlag(false);                              // chroma_loc_info_present_flag
        bits.WriteFlag(true);                               // timing_info_present_flag
        bits.WriteBits(1, 32);                              // num_units_in_tick
        bits.WriteBits((uint)(2 * framesPerSecond), 32);    // time_scale: two ticks per frame
        bits.WriteFlag(true);                               // fixed_frame_rate_flag
        bits.WriteFlag(false);                              // nal_hrd_parameters_present_flag
        bits.WriteFlag(false);                              // vcl_hrd_parameters_present_flag
        bits.WriteFlag(false);                              // pic_struct_present_flag
        bits.WriteFlag(true);                               // bitstream_restriction_flag
        bits.WriteFlag(true);                               // motion_vectors_over_pic_boundaries_flag
        bits.WriteUe(0);                                    // max_bytes_per_pic_denom
        bits.WriteUe(0);                                    // max_bits_per_mb_denom
        bits.WriteUe(16);                                   // log2_max_mv_length_horizontal
        bits.WriteUe(16);                                   // log2_max_mv_length_vertical
        bits.WriteUe(0);                                    // max_num_reorder_frames: no delay in output
        bits.WriteUe(1);                                    // max_dec_frame_buffering
        bits.WriteTrailingBits();
        bits.Flush();
        return Escape(0x67, rbsp.Slice(0, bits.Length));    // nal_ref_idc 3, nal_unit_type 7
    }

    /// <summary>pic_parameter_set_rbsp(), 7.3.2.2: pic_init_qp 26, so a slice's QP is 26 + slice_qp_delta.</summary>
    public static byte[] BuildPictureParameterSet()
    {
        Span<byte> rbsp = stackalloc byte[16];
        var bits = new BitWriter(rbsp);
        bits.WriteUe(0);                                    // pic_parameter_set_id
        bits.WriteUe(0);                                    // seq_parameter_set_id
        bits.WriteFlag(false);                              // entropy_coding_mode_flag: CAVLC
        bits.WriteFlag(false);                              // bottom_field_pic_order_in_frame_present_flag
        bits.WriteUe(0);                                    // num_slice_groups_minus1
        bits.WriteUe(0);                                    // num_ref_idx_l0_default_active_minus1
        bits.WriteUe(0);                                    // num_ref_idx_l1_default_active_minus1
        bits.WriteFlag(false);                              // weighted_pred_flag
        bits.WriteBits(0, 2);                               // weighted_bipred_idc
        bits.WriteSe(0);                                    // pic_init_qp_minus26
        bits.WriteSe(0);                                    // pic_init_qs_minus26
        bits.WriteSe(0);                                    // chroma_qp_index_offset
        bits.WriteFlag(true);                               // deblocking_filter_control_present_flag
        bits.WriteFlag(false);                              // constrained_intra_pred_flag
        bits.WriteFlag(false);                              // redundant_pic_cnt_present_flag
        bits.WriteTrailingBits();
        bits.Flush();
        return Escape(0x68, rbsp.Slice(0, bits.Length));    // nal_ref_idc 3, nal_unit_type 8
    }

    /// <summary>log2_max_frame_num for a GOP of <paramref name="keyframeInterval"/> frames (4..16).</summary>
    public static int Log2MaxFrameNum(int keyframeInterval) =>
        Math.Clamp(64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)keyframeInterval), 4, 16);

    /// <summary>The lowest level (Table A-1) whose MaxFS and MaxMBPS admit this size and rate.</summary>
    public static byte ChooseLevel(int macroblocksPerFrame, int framesPerSecond)
    {
        ReadOnlySpan<int> levels = [10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 42, 50, 51, 52];
        ReadOnlySpan<int> maxFrameSize = [99, 396, 396, 396, 396, 792, 1620, 1620, 3600, 5120, 8192, 8704, 22080, 36864, 36864];
        ReadOnlySpan<int> maxMbPerSecond = [1485, 3000, 6000, 11880, 11880, 19800, 20250, 40500, 108000, 216000, 245760, 522240, 589824, 983040, 2073600];
        long rate = (long)macroblocksPerFrame * framesPerSecond;
        for (int i = 0; i < levels.Length; i++)
        {
            if (macroblocksPerFrame <= maxFrameSize[i] && rate <= maxMbPerSecond[i])
                return (byte)levels[i];
        }
        return 52;
    }

    private static byte[] Escape(byte nalHeader, ReadOnlySpan<byte> rbsp)
    {
        Span<byte> escaped = stackalloc byte[1 + NalUnit.MaxEscapedLength(rbsp.Length)];
        escaped[0] = nalHeader;
        int length = NalUnit.InsertEmulationPrevention(rbsp, escaped.Slice(1));
        return escaped.Slice(0, 1 + length).ToArray();
    }
}
