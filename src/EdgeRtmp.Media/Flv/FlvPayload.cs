namespace EdgeRtmp.Media.Flv;

/// <summary>Classifies FLV/RTMP audio and video tag bodies (legacy and Enhanced RTMP headers).</summary>
public static class FlvPayload
{
    public static bool IsVideoKeyframe(ReadOnlySpan<byte> payload) =>
        !payload.IsEmpty && ((payload[0] & 0x80) != 0 ? ((payload[0] >> 4) & 0x07) == 1 : (payload[0] >> 4) == 1);

    public static bool IsVideoSequenceHeader(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return false;
        }

        if ((payload[0] & 0x80) != 0)
        {
            return (payload[0] & 0x0F) == 0;
        }

        return payload.Length >= 2 && (payload[0] & 0x0F) is 7 or 12 && payload[1] == 0;
    }

    public static bool IsAudioSequenceHeader(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return false;
        }

        int format = payload[0] >> 4;
        return format switch
        {
            10 => payload.Length >= 2 && payload[1] == 0,
            9 => (payload[0] & 0x0F) == 0,
            _ => false,
        };
    }
}
