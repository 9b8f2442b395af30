namespace EdgeRtmp.Media.H264;

/// <summary>nal_unit_type values we act on (ITU-T H.264 Table 7-1).</summary>
public enum NalUnitType : byte
{
    Unspecified = 0,
    NonIdrSlice = 1,
    SliceDataPartitionA = 2,
    SliceDataPartitionB = 3,
    SliceDataPartitionC = 4,
    IdrSlice = 5,
    Sei = 6,
    SequenceParameterSet = 7,
    PictureParameterSet = 8,
    AccessUnitDelimiter = 9,
    EndOfSequence = 10,
    EndOfStream = 11,
    FillerData = 12,
    SequenceParameterSetExtension = 13,
    Prefix = 14,
    SubsetSequenceParameterSet = 15,
}
