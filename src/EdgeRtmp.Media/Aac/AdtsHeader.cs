using System.Buffers;

namespace EdgeRtmp.Media.Aac;

/// <summary>
/// The ADTS frame header (ISO/IEC 14496-3 1.A.2.2 / ISO/IEC 13818-7 6.2):
/// <code>
///  byte 0       byte 1          byte 2                byte 3            byte 4   byte 5          byte 6
///  FFF (12) | ID 1 | layer 2 | protection_absent 1 | profile 2 | sf_index 4 | private 1 | channel_config 3 |
///  original 1 | home 1 | copyright_bit 1 | copyright_start 1 | frame_length 13 | buffer_fullness 11 | raw_blocks 2
///  [crc 16 when protection_absent = 0]
/// </code>
/// frame_length counts the header. We read frames of one raw_data_block (what every encoder we meet writes).
/// </summary>
public readonly record struct AdtsHeader(int ObjectType, int SampleRateIndex, int ChannelConfiguration, int FrameLength, bool HasCrc, int BufferFullness = AdtsHeader.VariableBitrateFullness)
{
    public const int Length = 7;
    public const int LengthWithCrc = 9;
    public const int VariableBitrateFullness = 0x7FF;
    public const int MaxFrameLength = (1 << 13) - 1;

    public int HeaderLength => HasCrc ? LengthWithCrc : Length;

    public int PayloadLength => FrameLength - HeaderLength;

    public int SampleRate => AacSampleRates.Rates[SampleRateIndex];

    /// <summary>The AudioSpecificConfig this header implies (for FLV's AAC sequence header).</summary>
    public AudioSpecificConfig ToAudioSpecificConfig() => new(ObjectType, SampleRate, ChannelConfiguration);

    /// <summary>
    /// Reads a header at the start of <paramref name="data"/>: false when fewer than its 7 (or 9) bytes are there;
    /// throws <see cref="MediaFormatException"/> on a missing sync word or a field we cannot use.
    /// <paramref name="streamOffset"/> only goes into messages.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out AdtsHeader header, long streamOffset = 0)
    {
        header = default;
        if (data.Length < Length)
            return false;
        if (data[0] != 0xFF || (data[1] & 0xF0) != 0xF0)
            MediaFormatException.Throw($"ADTS: no sync word at offset {streamOffset} (found 0x{data[0]:X2}{data[1]:X2}).");
        if ((data[1] & 0x06) != 0)
            MediaFormatException.Throw($"ADTS: layer {(data[1] >> 1) & 3} at offset {streamOffset}, must be 0.");
        bool hasCrc = (data[1] & 0x01) == 0;
        int profile = data[2] >> 6;
        int sampleRateIndex = (data[2] >> 2) & 0x0F;
        int channels = ((data[2] & 0x01) << 2) | (data[3] >> 6);
        int frameLength = ((data[3] & 0x03) << 11) | (data[4] << 3) | (data[5] >> 5);
        int fullness = ((data[5] & 0x1F) << 6) | (data[6] >> 2);
        int rawBlocks = data[6] & 0x03;
        if (sampleRateIndex >= AacSampleRates.Rates.Length)
            MediaFormatException.Throw($"ADTS: sampling_frequency_index {sampleRateIndex} at offset {streamOffset} is reserved.");
        if (channels == 0)
            MediaFormatException.Throw($"ADTS: channel_configuration 0 at offset {streamOffset} (channels in a program config element) is not supported.");
        int headerLength = hasCrc ? LengthWithCrc : Length;
        if (frameLength <= headerLength)
            MediaFormatException.Throw($"ADTS: frame_length {frameLength} at offset {streamOffset} is not more than the {headerLength}-byte header.");
        if (rawBlocks != 0)
            MediaFormatException.Throw($"ADTS: {rawBlocks + 1} raw data blocks in the frame at offset {streamOffset}; we read frames of one.");
        if (data.Length < headerLength)
            return false;
        header = new AdtsHeader(profile + 1, sampleRateIndex, channels, frameLength, hasCrc, fullness);
        return true;
    }

    /// <summary>Writes a 7-byte header (no CRC) for a frame with <paramref name="payloadLength"/> bytes of raw data.</summary>
    public static void Write(Span<byte> destination, AudioSpecificConfig config, int payloadLength, int bufferFullness = VariableBitrateFullness)
    {
        int index = AacSampleRates.IndexOf(config.SampleRate);
        if (index < 0)
            throw new ArgumentException($"ADTS cannot carry the sampling rate {config.SampleRate} Hz (no sampling_frequency_index).", nameof(config));
        if (config.ObjectType is < 1 or > 4)
            throw new ArgumentException($"ADTS carries audio object types 1 to 4, not {config.ObjectType}.", nameof(config));
        if (config.ChannelConfiguration is < 1 or > 7)
            throw new ArgumentException($"ADTS channel_configuration must be 1 to 7, not {config.ChannelConfiguration}.", nameof(config));
        int frameLength = payloadLength + Length;
        if (payloadLength < 0 || frameLength > MaxFrameLength)
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength, $"An ADTS frame holds at most {MaxFrameLength - Length} payload bytes.");
        if (destination.Length < Length)
            throw new ArgumentException("An ADTS header needs 7 bytes.", nameof(destination));
        destination[0] = 0xFF;
        destination[1] = 0xF1;   // MPEG-4, layer 0, no CRC
        destination[2] = (byte)(((config.ObjectType - 1) << 6) | (index << 2) | (config.ChannelConfiguration >> 2));
        destination[3] = (byte)(((config.ChannelConfiguration & 3) << 6) | (frameLength >> 11));
        destination[4] = (byte)(frameLength >> 3);
        destination[5] = (byte)(((frameLength & 7) << 5) | ((bufferFullness >> 6) & 0x1F));
        destination[6] = (byte)((bufferFullness & 0x3F) << 2);
    }
}

/// <summary>
/// Splits an ADTS byte stream (an <c>exec:</c> command's stdout) into raw AAC frames, in the Kestrel style: feed it
/// whatever has arrived, split anywhere; <see cref="TryReadFrame"/> returns false when it needs more and throws
/// <see cref="MediaFormatException"/> when the stream is not ADTS or changes format mid-stream. Allocates nothing.
/// </summary>
public sealed class AdtsReader
{
    private long _offset;
    private AdtsHeader? _first;

    /// <summary>Bytes consumed so far (for messages and diagnostics).</summary>
    public long Offset => _offset;

    /// <summary>The first frame's header: the stream's format, fixed from then on.</summary>
    public AdtsHeader? Format => _first;

    /// <summary>
    /// Reads the next whole frame at the start of <paramref name="buffer"/>: its header and its raw payload (the
    /// access unit, CRC excluded), and advances <paramref name="buffer"/> past it.
    /// </summary>
    public bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out AdtsHeader header, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        header = default;
        Span<byte> headerBytes = stackalloc byte[AdtsHeader.LengthWithCrc];
        int available = (int)Math.Min(buffer.Length, AdtsHeader.LengthWithCrc);
        buffer.Slice(0, available).CopyTo(headerBytes);
        if (!AdtsHeader.TryRead(headerBytes.Slice(0, available), out AdtsHeader read, _offset))
            return false;
        if (_first is { } first
            && (first.ObjectType != read.ObjectType || first.SampleRateIndex != read.SampleRateIndex || first.ChannelConfiguration != read.ChannelConfiguration))
        {
            MediaFormatException.Throw(
                $"ADTS: the frame at offset {_offset} is object type {read.ObjectType}, {read.SampleRate} Hz, channel configuration {read.ChannelConfiguration}; "
                + $"the stream began as {first.ObjectType}, {first.SampleRate} Hz, {first.ChannelConfiguration}.");
        }
        if (buffer.Length < read.FrameLength)
            return false;
        _first ??= read;
        header = read;
        payload = buffer.Slice(read.HeaderLength, read.PayloadLength);
        buffer = buffer.Slice(read.FrameLength);
        _offset += read.FrameLength;
        return true;
    }
}
