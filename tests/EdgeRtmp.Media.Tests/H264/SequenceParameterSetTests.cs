using EdgeRtmp.Media.H264;

namespace EdgeRtmp.Media.Tests.H264;

/// <summary>Hand-built SPSs for what libx264 does not emit: scaling lists, POC type 1, field coding, 4:2:2.</summary>
public sealed class SequenceParameterSetTests
{
    private static byte[] BuildSps(byte profileIdc, uint chromaFormatIdc, bool scalingLists, uint pocType, bool frameMbsOnly,
        uint widthInMbs, uint heightInMapUnits, (uint Left, uint Right, uint Top, uint Bottom)? crop, (uint Units, uint Scale)? timing)
    {
        byte[] rbsp = new byte[256];
        var bits = new BitWriter(rbsp);
        bits.WriteBits(profileIdc, 8);
        bits.WriteBits(0, 8);
        bits.WriteBits(40, 8);
        bits.WriteUe(0);
        if (profileIdc >= 100)
        {
            bits.WriteUe(chromaFormatIdc);
            bits.WriteUe(2); // bit_depth_luma_minus8
            bits.WriteUe(0); // bit_depth_chroma_minus8
            bits.WriteFlag(false);
            bits.WriteFlag(scalingLists);
            if (scalingLists)
            {
                for (int i = 0; i < 8; i++)
                {
                    bits.WriteFlag(i % 2 == 0);
                    if (i % 2 == 0)
                    {
                        int size = i < 6 ? 16 : 64;
                        // A few real deltas, then a delta to 0 (nextScale 0 ends the list early for i == 0).
                        for (int j = 0; j < size; j++)
                        {
                            if (i == 0 && j == 3) { bits.WriteSe(-(8 + 3)); break; }
                            bits.WriteSe(1);
                        }
                    }
                }
            }
        }
        bits.WriteUe(5); // log2_max_frame_num_minus4
        bits.WriteUe(pocType);
        if (pocType == 0)
            bits.WriteUe(2);
        else if (pocType == 1)
        {
            bits.WriteFlag(false);
            bits.WriteSe(-2);
            bits.WriteSe(1);
            bits.WriteUe(3);
            bits.WriteSe(4); bits.WriteSe(-4); bits.WriteSe(2);
        }
        bits.WriteUe(4); // max_num_ref_frames
        bits.WriteFlag(false);
        bits.WriteUe(widthInMbs - 1);
        bits.WriteUe(heightInMapUnits - 1);
        bits.WriteFlag(frameMbsOnly);
        if (!frameMbsOnly)
            bits.WriteFlag(true);
        bits.WriteFlag(true);
        bits.WriteFlag(crop is not null);
        if (crop is { } c)
        {
            bits.WriteUe(c.Left); bits.WriteUe(c.Right); bits.WriteUe(c.Top); bits.WriteUe(c.Bottom);
        }
        bits.WriteFlag(timing is not null);
        if (timing is { } t)
        {
            bits.WriteFlag(true); bits.WriteBits(255, 8); bits.WriteBits(4, 16); bits.WriteBits(3, 16); // extended SAR
            bits.WriteFlag(false);
            bits.WriteFlag(true); bits.WriteBits(5, 3); bits.WriteFlag(false); bits.WriteFlag(true); bits.WriteBits(0x010101, 24);
            bits.WriteFlag(false);
            bits.WriteFlag(true); bits.WriteBits(t.Units, 32); bits.WriteBits(t.Scale, 32); bits.WriteFlag(false);
        }
        bits.WriteTrailingBits();
        bits.Flush();
        byte[] nal = new byte[1 + NalUnit.MaxEscapedLength(bits.Length)];
        nal[0] = 0x67;
        int length = NalUnit.InsertEmulationPrevention(rbsp.AsSpan(0, bits.Length), nal.AsSpan(1));
        return nal.AsSpan(0, 1 + length).ToArray();
    }

    [Fact]
    public void High_profile_scaling_lists_are_skipped()
    {
        byte[] nal = BuildSps(100, 1, scalingLists: true, pocType: 0, frameMbsOnly: true, 120, 68, (0, 0, 0, 4), (1001, 60000));
        SequenceParameterSet sps = SequenceParameterSet.Parse(nal);
        Assert.True(sps.HasScalingMatrix);
        Assert.Equal(10, sps.BitDepthLuma);
        Assert.Equal(8, sps.BitDepthChroma);
        Assert.Equal(1920, sps.Width);
        Assert.Equal(1080, sps.Height);
        Assert.Equal(9, sps.Log2MaxFrameNum);
        Assert.Equal(6, sps.Log2MaxPicOrderCntLsb);
        Assert.Equal(29.97, sps.FramesPerSecond, 2);
    }

    [Fact]
    public void Poc_type_1_and_field_coding_and_422_cropping()
    {
        byte[] nal = BuildSps(122, 2, scalingLists: false, pocType: 1, frameMbsOnly: false, 45, 18, (1, 1, 1, 2), (1, 50));
        SequenceParameterSet sps = SequenceParameterSet.Parse(nal);
        Assert.Equal(1u, sps.PicOrderCntType);
        Assert.Equal(4u, sps.MaxNumRefFrames);
        Assert.False(sps.FrameMbsOnly);
        Assert.Equal(2u, sps.ChromaFormatIdc);
        // 4:2:2 field coding: CropUnitX = 2, CropUnitY = 1 * 2.
        Assert.Equal(720 - 2 * 2, sps.Width);
        Assert.Equal(576 - 2 * 3, sps.Height);
        Assert.Equal(25.0, sps.FramesPerSecond);
    }

    [Fact]
    public void Poc_type_2_baseline_without_vui()
    {
        byte[] nal = BuildSps(66, 1, false, pocType: 2, frameMbsOnly: true, 11, 9, null, null);
        SequenceParameterSet sps = SequenceParameterSet.Parse(nal);
        Assert.Equal(2u, sps.PicOrderCntType);
        Assert.Equal(176, sps.Width);
        Assert.Equal(144, sps.Height);
        Assert.False(sps.HasTimingInfo);
        Assert.Equal(0, sps.FramesPerSecond);
    }

    [Fact]
    public void Configuration_record_round_trips_with_high_profile_extension()
    {
        byte[] sps = BuildSps(100, 1, scalingLists: true, pocType: 0, frameMbsOnly: true, 120, 68, (0, 0, 0, 4), (1001, 60000));
        byte[] pps = [0x68, 0xEB, 0xE3, 0xCB, 0x22, 0xC0];
        byte[] record = new byte[AvcDecoderConfigurationRecord.GetLength(sps, pps)];
        Assert.Equal(record.Length, AvcDecoderConfigurationRecord.Write(sps, pps, record));
        AvcDecoderConfigurationRecord parsed = AvcDecoderConfigurationRecord.Parse(record);
        Assert.Equal(100, parsed.ProfileIndication);
        Assert.Equal(1, parsed.ChromaFormat);
        Assert.Equal(10, parsed.BitDepthLuma);
        Assert.Equal(8, parsed.BitDepthChroma);
        Assert.Equal(sps, parsed.SequenceParameterSets[0]);
        Assert.Equal(pps, parsed.PictureParameterSets[0]);
        Assert.Throws<MediaFormatException>(() => AvcDecoderConfigurationRecord.Parse(record.AsSpan(0, 12)));
    }
}
