using EdgeRtmp.Protocol;

namespace EdgeRtmp.Media.H264;

/// <summary>The start of a picture parameter set (H.264 7.3.2.2): which PPS it is and which SPS it uses.</summary>
public readonly record struct PictureParameterSet(uint Id, uint SequenceParameterSetId, bool EntropyCodingModeCabac)
{
    /// <summary>Parses a PPS NAL unit (header byte included, emulation prevention still in).</summary>
    public static PictureParameterSet Parse(ReadOnlySpan<byte> nalUnit)
    {
        if (NalUnit.GetType(nalUnit) != NalUnitType.PictureParameterSet)
            MediaFormatException.Throw($"H.264: expected a PPS (nal_unit_type 8), got nal_unit_type {(int)NalUnit.GetType(nalUnit)}.");
        // The three fields sit in the first few bytes: unescape only those.
        Span<byte> rbsp = stackalloc byte[Math.Min(nalUnit.Length, 32)];
        int length = NalUnit.RemoveEmulationPrevention(nalUnit.Slice(0, rbsp.Length), rbsp);
        var bits = new BitReader(rbsp.Slice(1, length - 1));
        uint id = bits.ReadUe();
        uint spsId = bits.ReadUe();
        bool cabac = bits.ReadFlag();
        if (id > 255 || spsId > 31)
            MediaFormatException.Throw($"H.264: pic_parameter_set_id {id} or seq_parameter_set_id {spsId} out of range.");
        return new PictureParameterSet(id, spsId, cabac);
    }
}
