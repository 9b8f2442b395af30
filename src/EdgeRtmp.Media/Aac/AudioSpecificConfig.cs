using EdgeRtmp.Media.H264;

namespace EdgeRtmp.Media.Aac;

/// <summary>
/// AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) with the GASpecificConfig of 4.4.1, as far as an AAC stream over
/// RTMP needs it: the audio object type, the sampling rate and the channel configuration.
/// <code>
///   audioObjectType          5 bits (31: 6 more bits, type = 32 + value)
///   samplingFrequencyIndex   4 bits (15: a 24-bit rate follows)
///   channelConfiguration     4 bits
///   GASpecificConfig: frameLengthFlag 1, dependsOnCoreCoder 1 (then 14 bits of delay), extensionFlag 1
/// </code>
/// </summary>
public readonly record struct AudioSpecificConfig(int ObjectType, int SampleRate, int ChannelConfiguration, bool ShortFrames = false)
{
    public const int AacMainObjectType = 1;
    public const int AacLcObjectType = 2;

    /// <summary>Bytes <see cref="Write"/> produces for a standard rate (2).</summary>
    public const int LcLength = 2;

    /// <summary>Samples per channel in a frame: 1024, or 960 when frameLengthFlag is set.</summary>
    public int FrameLength => ShortFrames ? 960 : 1024;

    /// <summary>Writes the config (a standard rate: 2 bytes; another rate: 5 bytes). Returns the bytes written.</summary>
    public int Write(Span<byte> destination)
    {
        if (ObjectType is < 1 or > 30)
            throw new ArgumentOutOfRangeException(nameof(ObjectType), ObjectType, "We write audio object types 1 to 30.");
        if (ChannelConfiguration is < 0 or > 15)
            throw new ArgumentOutOfRangeException(nameof(ChannelConfiguration), ChannelConfiguration, "The channel configuration has 4 bits.");
        int index = AacSampleRates.IndexOf(SampleRate);
        int length = index >= 0 ? 2 : 5;
        if (destination.Length < length)
            throw new ArgumentException($"An AudioSpecificConfig needs {length} bytes.", nameof(destination));
        var writer = new BitWriter(destination);
        writer.WriteBits((uint)ObjectType, 5);
        if (index >= 0)
        {
            writer.WriteBits((uint)index, 4);
        }
        else
        {
            writer.WriteBits(15, 4);
            writer.WriteBits((uint)SampleRate, 24);
        }
        writer.WriteBits((uint)ChannelConfiguration, 4);
        writer.WriteBits(ShortFrames ? 1u : 0u, 1);
        writer.WriteBits(0, 2);    // dependsOnCoreCoder, extensionFlag
        writer.Flush();
        return writer.Length;
    }

    /// <summary>Parses an AudioSpecificConfig; throws <see cref="MediaFormatException"/> when it is cut short or not one we can carry.</summary>
    public static AudioSpecificConfig Read(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
            MediaFormatException.Throw($"AudioSpecificConfig: {data.Length} byte(s), at least 2 are needed.");
        var reader = new BitReader(data);
        int objectType = (int)reader.ReadBits(5);
        if (objectType == 31)
        {
            if (reader.BitsLeft < 6 + 4 + 4)
                MediaFormatException.Throw("AudioSpecificConfig: cut short in the escaped audio object type.");
            objectType = 32 + (int)reader.ReadBits(6);
        }
        if (objectType == 0)
            MediaFormatException.Throw("AudioSpecificConfig: audio object type 0 (null) is not a codec.");
        if (reader.BitsLeft < 4)
            MediaFormatException.Throw("AudioSpecificConfig: cut short before samplingFrequencyIndex.");
        int index = (int)reader.ReadBits(4);
        int sampleRate;
        if (index == 15)
        {
            if (reader.BitsLeft < 24 + 4)
                MediaFormatException.Throw("AudioSpecificConfig: cut short in the explicit 24-bit sampling frequency.");
            sampleRate = (int)reader.ReadBits(24);
            if (sampleRate == 0)
                MediaFormatException.Throw("AudioSpecificConfig: explicit sampling frequency 0.");
        }
        else if (index >= AacSampleRates.Rates.Length)
        {
            MediaFormatException.Throw($"AudioSpecificConfig: samplingFrequencyIndex {index} is reserved.");
            return default;
        }
        else
        {
            sampleRate = AacSampleRates.Rates[index];
        }
        if (reader.BitsLeft < 4)
            MediaFormatException.Throw("AudioSpecificConfig: cut short before channelConfiguration.");
        int channels = (int)reader.ReadBits(4);
        bool shortFrames = false;
        // GASpecificConfig follows for the GA object types (1–4, 6, 7, 17, 19–23); its first bit is frameLengthFlag.
        if (objectType is 1 or 2 or 3 or 4 or 6 or 7 or 17 or (>= 19 and <= 23) && reader.BitsLeft >= 1)
            shortFrames = reader.ReadFlag();
        return new AudioSpecificConfig(objectType, sampleRate, channels, shortFrames);
    }
}
