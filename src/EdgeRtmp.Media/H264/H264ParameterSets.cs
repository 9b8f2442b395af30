using System.Buffers;

namespace EdgeRtmp.Media.H264;

/// <summary>
/// The SPS and PPS currently in force for one stream, kept in reusable buffers so that comparing and
/// replacing them allocates nothing once they have stopped growing. Tracks one of each: the most recent.
/// </summary>
public sealed class H264ParameterSets
{
    private byte[] _sps = new byte[256];
    private int _spsLength;
    private byte[] _pps = new byte[256];
    private int _ppsLength;

    public ReadOnlySpan<byte> SequenceParameterSetNalUnit => _sps.AsSpan(0, _spsLength);

    public ReadOnlySpan<byte> PictureParameterSetNalUnit => _pps.AsSpan(0, _ppsLength);

    public bool IsComplete => _spsLength > 0 && _ppsLength > 0;

    /// <summary>The parsed SPS, valid when <see cref="IsComplete"/>.</summary>
    public SequenceParameterSet SequenceParameterSet { get; private set; }

    /// <summary>Counts changes of SPS or PPS, so a consumer can tell when to send a new sequence header.</summary>
    public int Version { get; private set; }

    /// <summary>Stores an SPS or PPS NAL unit; returns true when it differs from the one held.</summary>
    public bool Update(ReadOnlySpan<byte> nalUnit)
    {
        switch (NalUnit.GetType(nalUnit))
        {
            case NalUnitType.SequenceParameterSet:
                if (nalUnit.SequenceEqual(SequenceParameterSetNalUnit))
                    return false;
                SequenceParameterSet parsed = SequenceParameterSet.Parse(nalUnit);
                Store(ref _sps, ref _spsLength, nalUnit);
                SequenceParameterSet = parsed;
                Version++;
                return true;
            case NalUnitType.PictureParameterSet:
                if (nalUnit.SequenceEqual(PictureParameterSetNalUnit))
                    return false;
                PictureParameterSet.Parse(nalUnit);
                Store(ref _pps, ref _ppsLength, nalUnit);
                Version++;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Writes the AVCDecoderConfigurationRecord (the RTMP/FLV sequence header body).</summary>
    public int WriteDecoderConfigurationRecord(IBufferWriter<byte> output)
    {
        if (!IsComplete)
            throw new InvalidOperationException("No SPS and PPS have been seen yet.");
        return AvcDecoderConfigurationRecord.Write(SequenceParameterSetNalUnit, PictureParameterSetNalUnit, output);
    }

    public void Clear()
    {
        _spsLength = 0;
        _ppsLength = 0;
        SequenceParameterSet = default;
    }

    private static void Store(ref byte[] buffer, ref int length, ReadOnlySpan<byte> nalUnit)
    {
        if (nalUnit.Length > buffer.Length)
            buffer = new byte[Math.Max(nalUnit.Length, buffer.Length * 2)];
        nalUnit.CopyTo(buffer);
        length = nalUnit.Length;
    }
}
