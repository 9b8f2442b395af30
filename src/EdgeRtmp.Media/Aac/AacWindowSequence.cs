namespace EdgeRtmp.Media.Aac;

/// <summary>window_sequence of ics_info (ISO/IEC 14496-3 table 4.85).</summary>
public enum AacWindowSequence
{
    OnlyLong = 0,
    LongStart = 1,
    EightShort = 2,
    LongStop = 3,
}
