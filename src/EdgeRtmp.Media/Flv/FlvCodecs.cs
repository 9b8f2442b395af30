namespace EdgeRtmp.Media.Flv;

/// <summary>Video frame type (annex E.4.3.1 FrameType; Enhanced RTMP keeps the same values in 3 bits).</summary>
public enum FlvVideoFrameType : byte
{
    Unknown = 0,
    Key = 1,
    Inter = 2,
    DisposableInter = 3,
    GeneratedKey = 4,
    /// <summary>Video info / command frame: carries no picture.</summary>
    Command = 5,
}

/// <summary>Video codec, from the legacy CodecID nibble or the Enhanced RTMP FourCC.</summary>
public enum FlvVideoCodec : byte
{
    Unknown = 0,
    SorensonH263,
    ScreenVideo,
    Vp6,
    Vp6Alpha,
    ScreenVideo2,
    /// <summary>Legacy CodecID 7, or FourCC 'avc1'.</summary>
    Avc,
    /// <summary>Legacy CodecID 12 (a non-standard extension laid out like AVC), or FourCC 'hvc1'.</summary>
    Hevc,
    /// <summary>FourCC 'av01'.</summary>
    Av1,
    /// <summary>FourCC 'vp08'.</summary>
    Vp8,
    /// <summary>FourCC 'vp09'.</summary>
    Vp9,
}

/// <summary>
/// What a video tag carries. Enhanced RTMP VideoPacketType values; legacy AVC/HEVC AVCPacketType
/// 0/1/2 map to SequenceStart/CodedFrames/SequenceEnd, and legacy codecs without a packet type are CodedFrames.
/// </summary>
public enum FlvVideoPacketType : byte
{
    SequenceStart = 0,
    CodedFrames = 1,
    SequenceEnd = 2,
    /// <summary>Coded frames with an implied composition time of 0.</summary>
    CodedFramesX = 3,
    /// <summary>AMF-encoded metadata (e.g. HDR colour info), no picture.</summary>
    Metadata = 4,
    /// <summary>Sequence start carried as an MPEG-2 TS descriptor (AV1).</summary>
    Mpeg2TsSequenceStart = 5,
    Multitrack = 6,
    ModEx = 7,
}

/// <summary>Audio codec, from the legacy SoundFormat nibble or the Enhanced RTMP FourCC.</summary>
public enum FlvAudioCodec : byte
{
    Unknown = 0,
    LinearPcmPlatformEndian,
    Adpcm,
    Mp3,
    LinearPcmLittleEndian,
    Nellymoser16kMono,
    Nellymoser8kMono,
    Nellymoser,
    G711ALaw,
    G711MuLaw,
    /// <summary>Legacy SoundFormat 10, or FourCC 'mp4a'.</summary>
    Aac,
    Speex,
    Mp3At8k,
    DeviceSpecific,
    /// <summary>FourCC 'Opus'.</summary>
    Opus,
    /// <summary>FourCC 'fLaC'.</summary>
    Flac,
    /// <summary>FourCC 'ac-3'.</summary>
    Ac3,
    /// <summary>FourCC 'ec-3'.</summary>
    Eac3,
}

/// <summary>
/// What an audio tag carries. Enhanced RTMP AudioPacketType values; legacy AAC AACPacketType 0/1 map to
/// SequenceStart/CodedFrames, and other legacy formats are CodedFrames.
/// </summary>
public enum FlvAudioPacketType : byte
{
    SequenceStart = 0,
    CodedFrames = 1,
    SequenceEnd = 2,
    MultichannelConfig = 4,
    Multitrack = 5,
    ModEx = 7,
}

/// <summary>The parsed start of a video tag body: everything needed to route and classify it.</summary>
public readonly record struct FlvVideoHeader(
    FlvVideoFrameType FrameType,
    FlvVideoCodec Codec,
    FlvVideoPacketType PacketType,
    int CompositionTime,
    bool IsExHeader,
    uint FourCC,
    bool IsMultitrack,
    int HeaderLength);

/// <summary>The parsed start of an audio tag body.</summary>
public readonly record struct FlvAudioHeader(
    FlvAudioCodec Codec,
    FlvAudioPacketType PacketType,
    bool IsExHeader,
    uint FourCC,
    bool IsMultitrack,
    int HeaderLength);
