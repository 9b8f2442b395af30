using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Messages.Commands;

/// <summary>
/// <c>onMetaData</c> (FLV specification E.5; Enhanced RTMP for FourCC codec ids), as sent by a publisher inside
/// <c>@setDataFrame</c> (data message, type 18) or by a server / FLV file on its own. Every number is optional.
/// </summary>
/// <remarks>
/// <see cref="Read"/> with <c>keepStrings: false</c> allocates nothing: it fills the numbers and skips the encoder
/// name and unknown keys. With <c>keepStrings: true</c> (the default, cold path) it keeps them.
/// </remarks>
public struct StreamMetadata
{
    public double? Duration { get; set; }
    public double? FileSize { get; set; }
    public double? Width { get; set; }
    public double? Height { get; set; }
    /// <summary>kbit/s.</summary>
    public double? VideoDataRate { get; set; }
    public double? FrameRate { get; set; }
    /// <summary>The FLV codec id (7 = AVC) or, for Enhanced RTMP, the FourCC as a number.</summary>
    public double? VideoCodecId { get; set; }
    /// <summary>Enhanced RTMP FourCC ("hvc1", "av01"…) as a big-endian u32, whether it came as a number or a string.</summary>
    public uint? VideoFourCc { get; set; }
    public double? AudioDataRate { get; set; }
    public double? AudioSampleRate { get; set; }
    public double? AudioSampleSize { get; set; }
    public bool? Stereo { get; set; }
    /// <summary>The FLV sound format (10 = AAC) or, for Enhanced RTMP, the FourCC as a number.</summary>
    public double? AudioCodecId { get; set; }
    public uint? AudioFourCc { get; set; }
    public string? Encoder { get; set; }
    /// <summary>Keys we do not model, in wire order (only with keepStrings).</summary>
    public List<KeyValuePair<string, AmfValue>>? OtherProperties { get; set; }

    /// <summary>Reads ["@setDataFrame",] "onMetaData", object or ECMA array.</summary>
    public static StreamMetadata Read(ReadOnlySpan<byte> payload, bool keepStrings = true, RtmpLimits? limits = null)
    {
        var reader = new Amf0Reader(payload, limits);
        var start = reader.Position;
        var name = reader.ReadStringUtf8();
        if (name.SequenceEqual(CommandName.SetDataFrame))
        {
            start = reader.Position;
            name = reader.ReadStringUtf8();
        }
        if (!name.SequenceEqual(CommandName.OnMetaData))
        {
            RtmpProtocolException.Throw($"Data message at offset {start} is '{Encoding.UTF8.GetString(name)}' where 'onMetaData' was expected");
        }
        var metadata = new StreamMetadata();
        if (!CommandReading.TryOpenObject(ref reader))
        {
            return metadata;
        }
        while (reader.TryReadPropertyName(out var key))
        {
            metadata.ReadProperty(ref reader, key, keepStrings);
        }
        return metadata;
    }

    private void ReadProperty(ref Amf0Reader reader, ReadOnlySpan<byte> key, bool keepStrings)
    {
        switch (key.Length)
        {
            case 5 when key.SequenceEqual("width"u8): Width = CommandReading.ReadOptionalNumber(ref reader); return;
            case 6 when key.SequenceEqual("height"u8): Height = CommandReading.ReadOptionalNumber(ref reader); return;
            case 6 when key.SequenceEqual("stereo"u8): Stereo = CommandReading.ReadOptionalBoolean(ref reader); return;
            case 7 when key.SequenceEqual("encoder"u8) && keepStrings: Encoder = CommandReading.ReadOptionalString(ref reader); return;
            case 8 when key.SequenceEqual("duration"u8): Duration = CommandReading.ReadOptionalNumber(ref reader); return;
            case 8 when key.SequenceEqual("filesize"u8): FileSize = CommandReading.ReadOptionalNumber(ref reader); return;
            case 9 when key.SequenceEqual("framerate"u8): FrameRate = CommandReading.ReadOptionalNumber(ref reader); return;
            case 12 when key.SequenceEqual("videocodecid"u8): VideoCodecId = ReadCodecId(ref reader, out var videoFourCc); VideoFourCc = videoFourCc; return;
            case 12 when key.SequenceEqual("audiocodecid"u8): AudioCodecId = ReadCodecId(ref reader, out var audioFourCc); AudioFourCc = audioFourCc; return;
            case 13 when key.SequenceEqual("videodatarate"u8): VideoDataRate = CommandReading.ReadOptionalNumber(ref reader); return;
            case 13 when key.SequenceEqual("audiodatarate"u8): AudioDataRate = CommandReading.ReadOptionalNumber(ref reader); return;
            case 15 when key.SequenceEqual("audiosamplerate"u8): AudioSampleRate = CommandReading.ReadOptionalNumber(ref reader); return;
            case 15 when key.SequenceEqual("audiosamplesize"u8): AudioSampleSize = CommandReading.ReadOptionalNumber(ref reader); return;
        }
        if (keepStrings)
        {
            (OtherProperties ??= []).Add(new(Encoding.UTF8.GetString(key), AmfValue.ReadAmf0(ref reader)));
        }
        else
        {
            reader.Skip();
        }
    }

    // Enhanced RTMP lets the codec id be a FourCC: we accept it as a 4-character string or as its u32 value.
    private static double? ReadCodecId(ref Amf0Reader reader, out uint? fourCc)
    {
        fourCc = null;
        if (reader.TryReadString(out var text))
        {
            if (text.Length == 4)
            {
                fourCc = BinaryPrimitives.ReadUInt32BigEndian(text);
                return fourCc;
            }
            return null;
        }
        var number = CommandReading.ReadOptionalNumber(ref reader);
        if (number is >= 0x20000000 and <= uint.MaxValue && number == Math.Floor(number.Value))
        {
            fourCc = (uint)number.Value; // below 0x20000000 the first byte would not be a printable character
        }
        return number;
    }

    /// <summary>Makes a FourCC value from its four ASCII characters ("hvc1"u8).</summary>
    public static uint FourCc(ReadOnlySpan<byte> fourAscii) =>
        fourAscii.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(fourAscii) : throw new ArgumentException("A FourCC is 4 bytes.", nameof(fourAscii));

    /// <summary>
    /// Writes the metadata as FFmpeg does: ["@setDataFrame",] "onMetaData", then an ECMA array of the properties that
    /// are set, in FFmpeg's order. FourCC codec ids are written as numbers. Allocates nothing.
    /// </summary>
    public readonly void Write(IBufferWriter<byte> output, bool withSetDataFrame)
    {
        var writer = new Amf0Writer(output);
        if (withSetDataFrame)
        {
            writer.WriteString(CommandName.SetDataFrame);
        }
        writer.WriteString(CommandName.OnMetaData);
        var videoCodec = VideoCodecId ?? VideoFourCc;
        var audioCodec = AudioCodecId ?? AudioFourCc;
        var count = Count(Duration) + Count(Width) + Count(Height) + Count(VideoDataRate) + Count(FrameRate) + Count(videoCodec)
            + Count(AudioDataRate) + Count(AudioSampleRate) + Count(AudioSampleSize) + (Stereo.HasValue ? 1 : 0) + Count(audioCodec)
            + (Encoder is null ? 0 : 1) + Count(FileSize) + (OtherProperties?.Count ?? 0);
        writer.WriteEcmaArrayStart((uint)count);
        CommandReading.WriteOptionalNumber(ref writer, "duration"u8, Duration);
        CommandReading.WriteOptionalNumber(ref writer, "width"u8, Width);
        CommandReading.WriteOptionalNumber(ref writer, "height"u8, Height);
        CommandReading.WriteOptionalNumber(ref writer, "videodatarate"u8, VideoDataRate);
        CommandReading.WriteOptionalNumber(ref writer, "framerate"u8, FrameRate);
        CommandReading.WriteOptionalNumber(ref writer, "videocodecid"u8, videoCodec);
        CommandReading.WriteOptionalNumber(ref writer, "audiodatarate"u8, AudioDataRate);
        CommandReading.WriteOptionalNumber(ref writer, "audiosamplerate"u8, AudioSampleRate);
        CommandReading.WriteOptionalNumber(ref writer, "audiosamplesize"u8, AudioSampleSize);
        CommandReading.WriteOptionalBoolean(ref writer, "stereo"u8, Stereo);
        CommandReading.WriteOptionalNumber(ref writer, "audiocodecid"u8, audioCodec);
        CommandReading.WriteOptionalString(ref writer, "encoder"u8, Encoder);
        CommandReading.WriteOptionalNumber(ref writer, "filesize"u8, FileSize);
        if (OtherProperties is { } others)
        {
            foreach (var (key, value) in others)
            {
                writer.WritePropertyName(key);
                value.WriteAmf0(ref writer);
            }
        }
        writer.WriteObjectEnd();
    }

    private static int Count(double? value) => value.HasValue ? 1 : 0;
}
