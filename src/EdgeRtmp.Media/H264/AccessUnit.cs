namespace EdgeRtmp.Media.H264;

/// <summary>
/// One access unit (7.4.1.2.3: the NAL units of one primary coded picture) as an Annex B buffer with
/// 4-byte start codes. The span belongs to the assembler and is valid until its next call.
/// </summary>
public readonly ref struct AccessUnit
{
    public AccessUnit(ReadOnlySpan<byte> annexB, int nalUnitCount, bool isKeyframe, bool hasParameterSets)
    {
        AnnexB = annexB;
        NalUnitCount = nalUnitCount;
        IsKeyframe = isKeyframe;
        HasParameterSets = hasParameterSets;
    }

    public ReadOnlySpan<byte> AnnexB { get; }

    public int NalUnitCount { get; }

    /// <summary>The access unit holds an IDR slice (nal_unit_type 5), so decoding can start here.</summary>
    public bool IsKeyframe { get; }

    /// <summary>The access unit carries an SPS or a PPS.</summary>
    public bool HasParameterSets { get; }
}
